"""The alignment tree of /plan/alignment: every published objective of the year in the viewer's scope,
the objective it serves, its key results with their rollups for the chosen period, and its rolled-up score.

Three queries whatever the size of the scope (objectives, indicators with their rollups, the parents
outside the scope that roots serve); the cascade itself is rolled up in domain.alignment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from data_access.models import Indicator, IndicatorRollup, Objective, OrgUnit, Person
from data_access.queries.scope import period_id, under_path
from data_access.rollups import tolerances
from data_access.viewer import Viewer
from domain.alignment import KeyResult, ObjectiveFigures, ObjectiveLink, orphans, roll_up, unsupported
from domain.periods import parse_period

LIST_LIMIT = 100  # the orphan and unsupported lists show this many, with the total


@dataclass(frozen=True)
class KeyResultRow:
    indicator_id: int
    name: str
    owner: str | None
    status: str
    progress: float | None
    weight: float


@dataclass(frozen=True)
class ObjectiveNode:
    objective_id: int
    title: str
    source_kind: str
    source_ref: str | None
    unit_id: int
    unit: str
    unit_kind: str
    depth: int
    owner: str | None
    weight: float
    score: float | None
    expected: float | None
    status: str
    key_results: tuple[KeyResultRow, ...]
    children: tuple[int, ...]  # aligned objectives, in the viewer's scope
    serves: str | None  # for a root: the title of the objective it serves outside the viewer's scope
    n_below: int  # aligned objectives at every level below


@dataclass(frozen=True)
class AlignmentTree:
    nodes: dict[int, ObjectiveNode]
    roots: tuple[int, ...]  # objectives of the scope's top that serve nothing in scope
    orphans: tuple[int, ...]  # first LIST_LIMIT
    n_orphans: int
    unsupported: tuple[int, ...]  # first LIST_LIMIT
    n_unsupported: int


def alignment_tree(session: Session, *, viewer: Viewer, period: str) -> AlignmentTree:
    """The cascade of the chosen period's year in the viewer's scope, scored as of the chosen period."""
    chosen = parse_period(period)
    pid = period_id(session, chosen.code)
    year_pid = period_id(session, str(chosen.year))
    owner = aliased(Person)
    objectives = session.execute(
        select(
            Objective.id,
            Objective.title,
            Objective.source_kind,
            Objective.source_ref,
            Objective.parent_objective_id,
            Objective.weight,
            OrgUnit.id,
            OrgUnit.name,
            OrgUnit.kind,
            OrgUnit.depth,
            owner.full_name,
        )
        .join(OrgUnit, OrgUnit.id == Objective.unit_id)
        .outerjoin(owner, owner.id == Objective.owner_person_id)
        .where(Objective.period_id == year_pid, Objective.published.is_(True), under_path(viewer.scope_path))
    ).all()
    indicators = session.execute(
        select(
            Indicator.id,
            Indicator.name,
            Indicator.objective_id,
            Indicator.weight,
            owner.full_name,
            IndicatorRollup.status,
            IndicatorRollup.progress,
            IndicatorRollup.expected,
        )
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .outerjoin(owner, owner.id == Indicator.owner_person_id)
        .outerjoin(
            IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid)
        )
        .where(
            Indicator.period_id == year_pid,
            Indicator.published.is_(True),
            Indicator.objective_id.is_not(None),
            under_path(viewer.scope_path),
        )
        .order_by(Indicator.weight.desc(), Indicator.id)
    ).all()
    key_results: dict[int, list[KeyResultRow]] = defaultdict(list)
    contributions: dict[int, list[KeyResult]] = defaultdict(list)
    for kr in indicators:
        if kr[2] is None:  # excluded by the query; the check tells the type checker
            continue
        key_results[kr[2]].append(KeyResultRow(kr[0], kr[1], kr[4], kr[5] or "no_data", kr[6], kr[3]))
        contributions[kr[2]].append(KeyResult(kr[6], kr[7], kr[3]))
    in_scope = {row[0] for row in objectives}
    links = [
        ObjectiveLink(row[0], row[4] if row[4] in in_scope else None, row[5], tuple(contributions.get(row[0], ())))
        for row in objectives
    ]
    figures = roll_up(links, tolerances(session))
    outside = {row[4] for row in objectives if row[4] is not None and row[4] not in in_scope}
    served = (
        dict(session.execute(select(Objective.id, Objective.title).where(Objective.id.in_(sorted(outside)))).all())
        if outside
        else {}
    )
    top_depth = min((row[9] for row in objectives), default=0)
    # Orphans: below the scope's top and serving nothing at all (a link to outside the scope still serves).
    real_links = [ObjectiveLink(row[0], row[4], row[5]) for row in objectives]
    top_level = {row[0] for row in objectives if row[9] == top_depth}
    order = {row[0]: (row[9], row[7], row[1], row[0]) for row in objectives}  # level, unit, title: stable
    nodes: dict[int, ObjectiveNode] = {}
    for row in objectives:
        mine = figures[row[0]]
        nodes[row[0]] = ObjectiveNode(
            objective_id=row[0],
            title=row[1],
            source_kind=row[2],
            source_ref=row[3],
            unit_id=row[6],
            unit=row[7],
            unit_kind=row[8],
            depth=row[9],
            owner=row[10],
            weight=row[5],
            score=mine.score,
            expected=mine.expected,
            status=mine.status.value,
            key_results=tuple(key_results.get(row[0], ())),
            children=tuple(sorted(mine.children, key=order.__getitem__)),
            serves=served.get(row[4]) if row[4] is not None else None,
            n_below=_count_below(figures, row[0]),
        )
    # Roots: the scope's top objectives, and those serving an objective outside the scope; the rest that
    # serve nothing are orphans, listed apart.
    parent_of = {row[0]: row[4] for row in objectives}
    roots = tuple(
        sorted(
            (
                link.id
                for link in links
                if link.parent_id is None and (link.id in top_level or parent_of[link.id] is not None)
            ),
            key=order.__getitem__,
        )
    )
    found_orphans = sorted(orphans(real_links, top_level=top_level), key=order.__getitem__)
    found_unsupported = sorted(unsupported(links, top_level=top_level), key=order.__getitem__)
    return AlignmentTree(
        nodes=nodes,
        roots=roots,
        orphans=tuple(found_orphans[:LIST_LIMIT]),
        n_orphans=len(found_orphans),
        unsupported=tuple(found_unsupported[:LIST_LIMIT]),
        n_unsupported=len(found_unsupported),
    )


def _count_below(figures: dict[int, ObjectiveFigures], objective_id: int) -> int:
    seen: set[int] = set()
    stack = list(figures[objective_id].children)
    while stack:
        node = stack.pop()
        if node in seen or node == objective_id:
            continue
        seen.add(node)
        stack.extend(figures[node].children)
    return len(seen)

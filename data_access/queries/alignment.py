"""The alignment tree of /plan/alignment: every published objective of the year in the viewer's scope,
the objective it serves, its key results' rollups for the chosen period summed per objective, and its
rolled-up score (domain.alignment).

Three queries whatever the size of the scope: the objectives, their key results summed in SQL (a city has
~7,000 key results; summing them in the database rather than reading a row each, plain rows instead of
ORM results and tuples instead of dataclasses in the roll-up together cut the tree's time to about a
third at the hanoi scale), and the titles of the objectives outside the scope that roots serve.
The key results themselves are read only for the objectives a user opened (`key_results_of`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from data_access.models import Indicator, IndicatorRollup, Objective, OrgUnit, Person
from data_access.queries.scope import period_id, under_path
from data_access.rollups import tolerances
from data_access.viewer import Viewer
from domain.alignment import KeyResultSums, ObjectiveFigures, ObjectiveLink, orphans, roll_up, unsupported
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
    n_key_results: int
    children: tuple[int, ...]  # aligned objectives in the viewer's scope, the weakest first
    serves: str | None  # for a root: the title of the objective it serves outside the viewer's scope
    n_below: int  # aligned objectives at every level below


@dataclass(frozen=True)
class AlignmentTree:
    nodes: dict[int, ObjectiveNode]
    roots: tuple[int, ...]  # objectives of the scope's top, and those serving one outside the scope
    orphans: tuple[int, ...]  # first LIST_LIMIT
    n_orphans: int
    unsupported: tuple[int, ...]  # first LIST_LIMIT
    n_unsupported: int


def _periods(session: Session, period: str) -> tuple[int, int]:
    """The chosen period's id (rollups) and its year's (objectives and indicators belong to a year)."""
    chosen = parse_period(period)
    return period_id(session, chosen.code), period_id(session, str(chosen.year))


def alignment_tree(session: Session, *, viewer: Viewer, period: str) -> AlignmentTree:
    """The cascade of the chosen period's year in the viewer's scope, scored as of the chosen period."""
    pid, year_pid = _periods(session, period)
    owner = aliased(Person)
    # Core execution (connection, not session): plain rows, without the ORM's per-row bookkeeping.
    objectives = (
        session.connection()
        .execute(
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
        )
        .all()
    )
    sums, counts = _key_result_sums(session, viewer, pid, year_pid)
    in_scope = {row[0] for row in objectives}
    links = [
        ObjectiveLink(row[0], row[4] if row[4] in in_scope else None, row[5], sums.get(row[0], KeyResultSums()))
        for row in objectives
    ]
    figures = roll_up(links, tolerances(session))
    outside = sorted({row[4] for row in objectives if row[4] is not None and row[4] not in in_scope})
    served = (
        dict(session.execute(select(Objective.id, Objective.title).where(Objective.id.in_(outside))).all())
        if outside
        else {}
    )
    top_depth = min((row[9] for row in objectives), default=0)
    top_level = {row[0] for row in objectives if row[9] == top_depth}
    # Weakest first among siblings (no score last), so what needs attention opens at the top.
    order = {
        row[0]: (figures[row[0]].score is None, figures[row[0]].score or 0.0, row[7], row[1], row[0])
        for row in objectives
    }
    nodes = {
        row[0]: ObjectiveNode(
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
            score=figures[row[0]].score,
            expected=figures[row[0]].expected,
            status=figures[row[0]].status.value,
            n_key_results=counts.get(row[0], 0),
            children=tuple(sorted(figures[row[0]].children, key=order.__getitem__)),
            serves=served.get(row[4]) if row[4] is not None else None,
            n_below=_count_below(figures, row[0]),
        )
        for row in objectives
    }
    # Roots: the scope's top objectives, and those serving an objective outside the scope; the others
    # that serve nothing are orphans, listed apart. Roots keep a stable order (unit, then title).
    parent_of = {row[0]: row[4] for row in objectives}
    roots = sorted(
        (link.id for link in links if link.parent_id is None and (link.id in top_level or parent_of[link.id])),
        key=lambda i: (nodes[i].depth, nodes[i].unit, nodes[i].title, i),
    )
    real_links = [ObjectiveLink(row[0], row[4], row[5]) for row in objectives]
    found_orphans = sorted(orphans(real_links, top_level=top_level), key=order.__getitem__)
    found_unsupported = sorted(unsupported(links, top_level=top_level), key=order.__getitem__)
    return AlignmentTree(
        nodes=nodes,
        roots=tuple(roots),
        orphans=tuple(found_orphans[:LIST_LIMIT]),
        n_orphans=len(found_orphans),
        unsupported=tuple(found_unsupported[:LIST_LIMIT]),
        n_unsupported=len(found_unsupported),
    )


def _key_result_sums(
    session: Session, viewer: Viewer, pid: int, year_pid: int
) -> tuple[dict[int, KeyResultSums], dict[int, int]]:
    """Per objective: its published key results' sums (domain.alignment.KeyResultSums) and how many there are."""
    progress, expected, weight = IndicatorRollup.progress, IndicatorRollup.expected, Indicator.weight
    counted = and_(progress.is_not(None), weight > 0)
    with_expected = and_(counted, expected.is_not(None))
    capped = case((progress > 1.0, 1.0), else_=progress)  # overshoot does not hide lag elsewhere
    rows = (
        session.connection()
        .execute(
            select(
                Indicator.objective_id,
                func.sum(case((counted, capped * weight), else_=0.0)),
                func.sum(case((counted, weight), else_=0.0)),
                func.sum(case((with_expected, expected * weight), else_=0.0)),
                func.sum(case((with_expected, weight), else_=0.0)),
                func.count(Indicator.id),
            )
            .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
            .outerjoin(
                IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid)
            )
            .where(
                Indicator.period_id == year_pid,
                Indicator.published.is_(True),
                Indicator.objective_id.is_not(None),
                under_path(viewer.scope_path),
            )
            .group_by(Indicator.objective_id)
        )
        .all()
    )
    sums = {
        row[0]: KeyResultSums(float(row[1] or 0), float(row[2] or 0), float(row[3] or 0), float(row[4] or 0))
        for row in rows
    }
    return sums, {row[0]: int(row[5]) for row in rows}


def key_results_of(
    session: Session, *, viewer: Viewer, period: str, objective_ids: Iterable[int]
) -> dict[int, list[KeyResultRow]]:
    """The published key results of these objectives (those in the viewer's scope), heaviest first."""
    wanted = sorted(set(objective_ids))
    if not wanted:
        return {}
    pid, year_pid = _periods(session, period)
    owner = aliased(Person)
    rows = session.execute(
        select(
            Indicator.id,
            Indicator.name,
            Indicator.objective_id,
            Indicator.weight,
            owner.full_name,
            IndicatorRollup.status,
            IndicatorRollup.progress,
        )
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .outerjoin(owner, owner.id == Indicator.owner_person_id)
        .outerjoin(
            IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid)
        )
        .where(
            Indicator.objective_id.in_(wanted),
            Indicator.period_id == year_pid,
            Indicator.published.is_(True),
            under_path(viewer.scope_path),
        )
        .order_by(Indicator.weight.desc(), Indicator.id)
    ).all()
    out: dict[int, list[KeyResultRow]] = defaultdict(list)
    for row in rows:
        if row[2] is not None:
            out[row[2]].append(KeyResultRow(row[0], row[1], row[4], row[5] or "no_data", row[6], row[3]))
    return dict(out)


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

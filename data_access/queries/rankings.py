"""Unit rankings: departments, wards and party boards each ranked against their own kind (domain.rankings),
with the change since the previous period and the indicator that lifted or dragged each most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from config.clock import today as clock_today
from data_access.models import Indicator, IndicatorRollup, OrgUnit, Period, UnitRollup
from data_access.queries.scope import existed_in, period_id
from data_access.viewer import Viewer, in_scope
from domain.kinds import UnitKind
from domain.periods import parse_period
from domain.rankings import Contribution, compared_with, lifted_and_dragged, rank

RANKED_KINDS = (UnitKind.DEPARTMENT.value, UnitKind.WARD.value, UnitKind.PARTY_BOARD.value)
# Communes are ranked with the wards: the same level of government since 2025 ("Wards and communes").
_RANKED_AS = {UnitKind.COMMUNE.value: UnitKind.WARD.value}


@dataclass(frozen=True)
class RankedUnit:
    rank: int | None  # None: no score yet
    unit_id: int
    name: str
    kind: str
    score: float | None
    previous: float | None
    lifted_by: str | None
    dragged_by: str | None


def unit_rankings(
    session: Session, *, viewer: Viewer, period: str, today: date | None = None
) -> dict[str, list[RankedUnit]]:
    """Departments, wards and party boards in scope, each ranked against its own kind, with the score they
    are compared with (domain.rankings.compared_with: a running year against the same date last year) and
    the indicator that lifted or dragged each most."""
    chosen = parse_period(period)
    pid = period_id(session, chosen.code)
    baseline, _comparison = compared_with(chosen, today or clock_today())
    previous_ids = session.execute(select(Period.id).where(Period.code == baseline.code)).scalar_one_or_none()
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, OrgUnit.path, UnitRollup.score)
        .join(UnitRollup, and_(UnitRollup.unit_id == OrgUnit.id, UnitRollup.period_id == pid))
        .where(in_scope(viewer, OrgUnit.path), OrgUnit.kind.in_((*RANKED_KINDS, *_RANKED_AS)), existed_in(chosen.code))
    ).all()
    previous = (
        dict(
            session.execute(
                select(UnitRollup.unit_id, UnitRollup.score).where(UnitRollup.period_id == previous_ids)
            ).all()
        )
        if previous_ids
        else {}
    )
    contributions = session.execute(
        select(OrgUnit.path, Indicator.name, IndicatorRollup.progress, IndicatorRollup.weight)
        .join(Indicator, Indicator.id == IndicatorRollup.indicator_id)
        .join(OrgUnit, OrgUnit.id == IndicatorRollup.unit_id)
        .where(IndicatorRollup.period_id == pid, IndicatorRollup.progress.is_not(None), in_scope(viewer, OrgUnit.path))
    ).all()
    by_top: dict[str, list[Contribution]] = {}
    tops = {r.path: r for r in rows}
    for path, name, progress, weight in contributions:
        if progress is None:  # never: the query leaves them out (the check types progress)
            continue
        top = next((p for p in tops if path.startswith(p)), None)
        if top is not None:
            by_top.setdefault(top, []).append(Contribution(name, progress, weight))
    ranked: dict[str, list[RankedUnit]] = {}
    for kind in RANKED_KINDS:
        out = []
        group = [r for r in rows if _RANKED_AS.get(r.kind, r.kind) == kind]
        for place in rank(group, score=lambda r: r.score, name=lambda r: r.name):
            row = place.item
            lifted, dragged = lifted_and_dragged(row.score, by_top.get(row.path, []))
            out.append(
                RankedUnit(place.rank, row.id, row.name, row.kind, row.score, previous.get(row.id), lifted, dragged)
            )
        if out:
            ranked[kind] = out
    return ranked

"""Small hand-made stores for data tests: a city with two wards, a division, periods of one year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from data_access.db import Store
from data_access.models import Indicator, Objective, OrgUnit, Period
from domain.periods import periods_of_year


@dataclass(frozen=True)
class SmallTree:
    city: int
    ward_a: int
    ward_b: int
    division: int  # under ward_a
    year_period: int
    period_ids: dict[str, int]


def build_small_tree(store: Store, *, year: int = 2026) -> SmallTree:
    """City > ward A (> division) and ward B, with the year's 17 periods; ORM writes (hooks run)."""
    with store.write() as session:
        periods = {}
        for period in periods_of_year(year):
            row = Period(
                code=period.code,
                kind=period.kind.value,
                year=year,
                number=period.number,
                start_date=period.start,
                end_date=period.end,
                locked=False,
                grace_days=10,
            )
            session.add(row)
            periods[period.code] = row
        city = OrgUnit(code="C", name="City", kind="city", path="", depth=0, weight=1.0)
        session.add(city)
        session.flush()
        city.path = f"/{city.id}/"
        ward_a = _child(session, city, "WA", "ward", weight=1.0)
        ward_b = _child(session, city, "WB", "ward", weight=3.0)
        division = _child(session, ward_a, "WA-D", "division", weight=1.0)
        session.flush()
        return SmallTree(
            city.id,
            ward_a.id,
            ward_b.id,
            division.id,
            periods[str(year)].id,
            {code: row.id for code, row in periods.items()},
        )


def _child(session, parent: OrgUnit, code: str, kind: str, *, weight: float) -> OrgUnit:  # type: ignore[no-untyped-def]
    unit = OrgUnit(
        code=code,
        name=code,
        kind=kind,
        parent_id=parent.id,
        path="",
        depth=parent.depth + 1,
        weight=weight,
        requires_approval=True,
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path}{unit.id}/"
    return unit


def add_indicator(
    store: Store,
    tree: SmallTree,
    *,
    unit_id: int,
    direction: str = "increase",
    baseline: float = 0.0,
    target: float = 100.0,
    weight: float = 1.0,
    accumulation: str = "last",
    objective_weight: float | None = None,
    code: str | None = None,
) -> int:
    """An indicator of the tree's year, optionally under a new objective with the given weight."""
    with store.write() as session:
        objective_id = None
        if objective_weight is not None:
            objective = Objective(
                unit_id=unit_id,
                period_id=tree.year_period,
                title="O",
                source_kind="regular_work",
                weight=objective_weight,
            )
            session.add(objective)
            session.flush()
            objective_id = objective.id
        count = len(session.execute(select(Indicator.id)).all())
        indicator = Indicator(
            unit_id=unit_id,
            period_id=tree.year_period,
            objective_id=objective_id,
            code=code or f"I{count + 1}",
            name="indicator",
            direction=direction,
            baseline=baseline,
            target=target,
            weight=weight,
            accumulation=accumulation,
        )
        session.add(indicator)
        session.flush()
        return indicator.id


def day(month: int, dom: int, year: int = 2026) -> date:
    return date(year, month, dom)

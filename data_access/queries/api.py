"""What /api/v1 reads, inside a token's unit subtree, in the interchange shapes
(../shared/interop/org_units.schema.json and profiles.schema.json) and as published indicators.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from data_access.errors import NotFound
from data_access.models import Indicator, IndicatorRollup, OrgUnit, Period, Person, Position, UnitSuccession
from data_access.queries.scope import period_id, under_path
from domain.api_tokens import mask_citizen_id


def org_unit_records(
    session: Session, *, scope_path: str, as_of: date, with_closed: bool = False
) -> list[dict[str, Any]]:
    """The units of the subtree that exist on `as_of`, parents first, each with its successors' codes;
    `with_closed` adds the units closed (with a date) before then, so a merge travels as such."""
    parent = aliased(OrgUnit)
    rows = session.execute(
        select(OrgUnit, parent.code)
        .outerjoin(parent, parent.id == OrgUnit.parent_id)
        .where(
            under_path(scope_path),
            or_(OrgUnit.valid_from.is_(None), OrgUnit.valid_from <= as_of),
            or_(OrgUnit.valid_to.is_(None), OrgUnit.valid_to >= as_of, true() if with_closed else false()),
            # a unit closed without a date (before validity dates existed) is gone
            or_(OrgUnit.active.is_(True), OrgUnit.valid_to.is_not(None)),
        )
        .order_by(OrgUnit.depth, OrgUnit.code)
    ).all()
    successor = aliased(OrgUnit)
    successors: dict[int, list[str]] = defaultdict(list)
    ids = [unit.id for unit, _code in rows]
    if ids:
        for predecessor_id, code in session.execute(
            select(UnitSuccession.predecessor_id, successor.code)
            .join(successor, successor.id == UnitSuccession.successor_id)
            .where(UnitSuccession.predecessor_id.in_(ids), UnitSuccession.effective_on <= as_of)
            .order_by(successor.code)
        ):
            successors[predecessor_id].append(code)
    return [
        {
            "code": unit.code,
            "official_code": unit.official_code,
            "name": unit.name,
            "kind": unit.kind,
            "parent_code": parent_code,
            "valid_from": unit.valid_from,
            "valid_to": unit.valid_to,
            "successor_codes": successors.get(unit.id, []),
            "updated_at": None,  # units carry no change time yet
        }
        for unit, parent_code in rows
    ]


@dataclass(frozen=True)
class ProfilePage:
    records: list[dict[str, Any]]
    incomplete: list[dict[str, Any]]  # people the interchange shape cannot carry yet, and what they lack
    total: int


def profile_page(session: Session, *, scope_path: str, page: int, per_page: int, full_citizen_ids: bool) -> ProfilePage:
    """One page of the profiles of the people of the subtree, in id order."""
    in_subtree = and_(Person.unit_id == OrgUnit.id, under_path(scope_path))
    total = session.execute(select(func.count(Person.id)).join(OrgUnit, in_subtree)).scalar_one()
    rows = session.execute(
        select(Person, OrgUnit.code, Position.code, Position.is_leader)
        .join(OrgUnit, in_subtree)
        .outerjoin(Position, Position.id == Person.position_id)
        .order_by(Person.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    records, incomplete = [], []
    for person, unit_code, position_code, is_leader in rows:
        if person.birth_date is None:
            # The shape requires the full date of birth; the year alone is not a date to invent from.
            incomplete.append({"civil_servant_code": person.civil_servant_code, "missing": ["date_of_birth"]})
            continue
        records.append(
            {
                "citizen_id": person.citizen_id if full_citizen_ids else mask_citizen_id(person.citizen_id),
                "civil_servant_code": person.civil_servant_code,
                "full_name": person.full_name,
                "date_of_birth": person.birth_date,
                "gender": person.gender,
                "unit_code": unit_code,
                "position_code": position_code,
                "rank_code": person.rank_code,
                "is_leader": bool(is_leader),
                "start_date": person.start_date,
                "email": person.email,
                "phone": person.phone,
                "active": person.active,
                "updated_at": None,
            }
        )
    return ProfilePage(records, incomplete, total)


def published_indicators(session: Session, *, scope_path: str, period: str) -> list[dict[str, Any]]:
    """The published indicators of the subtree for the period's year, with their rollup for that period."""
    chosen = period_id(session, period)
    year = session.get(Period, chosen)  # the period asked for (its .year names the indicators' year)
    if year is None:  # period_id found it a moment ago
        raise NotFound("period", period)
    rows = session.execute(
        select(Indicator, OrgUnit.code, IndicatorRollup)
        .join(OrgUnit, and_(OrgUnit.id == Indicator.unit_id, under_path(scope_path)))
        .join(Period, and_(Period.id == Indicator.period_id, Period.year == year.year))
        .outerjoin(
            IndicatorRollup,
            and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == chosen),
        )
        .where(Indicator.published.is_(True))
        .order_by(OrgUnit.code, Indicator.code)
    ).all()
    return [
        {
            "code": indicator.code,
            "unit_code": unit_code,
            "name": indicator.name,
            "unit_of_measure": indicator.unit_of_measure,
            "direction": indicator.direction,
            "baseline": indicator.baseline,
            "target": indicator.target,
            "period": year.code,
            "latest_value": rollup.latest_value if rollup else None,
            "latest_on": rollup.latest_on if rollup else None,
            "current_value": rollup.current_value if rollup else None,
            "progress": rollup.progress if rollup else None,
            "expected": rollup.expected if rollup else None,
            "status": rollup.status if rollup else "no_data",
            "n_measurements": rollup.n_measurements if rollup else 0,
        }
        for indicator, unit_code, rollup in rows
    ]

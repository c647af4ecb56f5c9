"""Where people were in a period: the placement in force, so that a past period shows the people of a
unit as they were then (a person moved since is listed in the old unit for the old periods).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, case, exists, or_, select, union_all
from sqlalchemy.orm import aliased

from data_access.models import OrgUnit, Person, PersonPlacement


def placed_in(start: date, end: date, units: ColumnElement[bool]) -> Subquery:
    """(person_id, unit_id, position_id) of everyone placed during [start, end] in the units that
    `units` (a condition on OrgUnit) selects: the last of their placements that overlaps the period
    (someone moved mid-period counts where they ended it). People recorded before placements existed,
    active ones only, stand where their record says.

    The units come first so that each branch starts from their placements by the (unit, from) index:
    a hanoi-scale city holds 31,000 placements and a ward page needs a few hundred.
    """
    later = aliased(PersonPlacement)

    def overlaps(placement: Any) -> ColumnElement[bool]:
        return and_(placement.valid_from <= end, or_(placement.valid_to.is_(None), placement.valid_to >= start))

    placed = (
        select(
            PersonPlacement.person_id.label("person_id"),
            PersonPlacement.unit_id.label("unit_id"),
            PersonPlacement.position_id.label("position_id"),
        )
        .join(OrgUnit, OrgUnit.id == PersonPlacement.unit_id)
        .where(
            units,
            overlaps(PersonPlacement),
            ~exists().where(
                later.person_id == PersonPlacement.person_id,
                later.valid_from > PersonPlacement.valid_from,
                overlaps(later),
            ),
        )
    )
    unplaced = (
        select(Person.id.label("person_id"), Person.unit_id.label("unit_id"), Person.position_id.label("position_id"))
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .where(units, Person.active.is_(True), ~exists().where(PersonPlacement.person_id == Person.id))
    )
    return union_all(placed, unplaced).subquery("placed")


def position_during(person_id: Any, start: Any, end: Any) -> ColumnElement[Any]:
    """The position a person held during [start, end] (columns or dates): that of their last placement
    overlapping it, or their record's position when they have no placement at all. Correlated: usable
    in a join condition (an evaluation's group of similar tasks is the one of its period)."""
    overlapping = and_(
        PersonPlacement.person_id == person_id,
        PersonPlacement.valid_from <= end,
        or_(PersonPlacement.valid_to.is_(None), PersonPlacement.valid_to >= start),
    )
    latest = (
        select(PersonPlacement.position_id)
        .where(overlapping)
        .order_by(PersonPlacement.valid_from.desc(), PersonPlacement.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    placed = exists().where(PersonPlacement.person_id == person_id)
    return case((placed, latest), else_=Person.position_id)

"""Reads of /admin/positions and /admin/people: the positions of a unit, and people a page at a time.

Every function refuses (Forbidden) a viewer who may not administer and returns only rows of units in
the viewer's subtree. A province holds tens of thousands of people: the list is filtered, sorted and
cut in SQL (bound parameters, a whitelist of sortable fields), never read whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from data_access.errors import Forbidden
from data_access.folding import contains_folded
from data_access.models import OrgUnit, Person, PersonPlacement, Position
from data_access.queries.admin import SEARCH_MAX, require_admin
from data_access.viewer import Viewer, in_scope

PEOPLE_BLOCK_MAX = 500  # rows per request, at most


@dataclass(frozen=True)
class PositionRow:
    id: int
    unit_id: int
    code: str
    name: str
    task_group: str
    criteria_set: str
    is_leader: bool
    active: bool
    holders: int  # active people holding it
    version: int


def _unit_in_scope(session: Session, viewer: Viewer, unit_id: object) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id) if isinstance(unit_id, int) and not isinstance(unit_id, bool) else None
    if unit is None or not viewer.covers_path(unit.path):
        raise Forbidden(f"unit {unit_id} outside the viewer's scope")
    return unit


def positions_of_unit(session: Session, *, viewer: Viewer, unit_id: int) -> list[PositionRow]:
    """The positions of one unit of the viewer's subtree, leaders first, then by name."""
    require_admin(viewer)
    unit = _unit_in_scope(session, viewer, unit_id)
    holders = (
        select(Person.position_id, func.count().label("n"))
        .where(Person.unit_id == unit.id, Person.active.is_(True), Person.position_id.is_not(None))
        .group_by(Person.position_id)
        .subquery()
    )
    rows = session.execute(
        select(Position, func.coalesce(holders.c.n, 0))
        .outerjoin(holders, holders.c.position_id == Position.id)
        .where(Position.unit_id == unit.id)
        .order_by(Position.active.desc(), Position.is_leader.desc(), Position.name, Position.id)
    ).all()
    return [
        PositionRow(
            id=p.id,
            unit_id=p.unit_id,
            code=p.code,
            name=p.name,
            task_group=p.task_group,
            criteria_set=p.criteria_set,
            is_leader=p.is_leader,
            active=p.active,
            holders=int(n),
            version=p.version,
        )
        for p, n in rows
    ]


def task_groups(session: Session, *, viewer: Viewer) -> list[str]:
    """The groups of similar tasks already used in the viewer's subtree (to pick rather than retype)."""
    require_admin(viewer)
    return list(
        session.execute(
            select(Position.task_group)
            .join(OrgUnit, OrgUnit.id == Position.unit_id)
            .where(in_scope(viewer, OrgUnit.path))
            .distinct()
            .order_by(Position.task_group)
        ).scalars()
    )


@dataclass(frozen=True)
class PersonRow:
    id: int
    full_name: str
    gender: str
    birth_date: date | None
    birth_year: int
    citizen_id: str
    civil_servant_code: str
    rank_code: str | None
    unit_id: int
    unit_name: str
    position_id: int | None
    position_name: str | None
    start_date: date | None
    email: str | None
    phone: str | None
    active: bool
    version: int


# The grid's column -> what it sorts by; anything else is refused.
_SORTABLE: dict[str, Any] = {
    "full_name": Person.full_name,
    "civil_servant_code": Person.civil_servant_code,
    "citizen_id": Person.citizen_id,
    "birth_date": Person.birth_date,
    "gender": Person.gender,
    "rank_code": Person.rank_code,
    "unit": OrgUnit.name,
    "position": Position.name,
    "start_date": Person.start_date,
    "active": Person.active,
}
SORTABLE_FIELDS = frozenset(_SORTABLE)


def _people_query(*columns: Any) -> Any:
    return (
        select(*columns)
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .outerjoin(Position, Position.id == Person.position_id)
    )


def people_page(
    session: Session,
    *,
    viewer: Viewer,
    search: str = "",
    unit_id: int | None = None,
    include_inactive: bool = False,
    sort: Sequence[tuple[str, bool]] = (),
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[PersonRow], int]:
    """One block of the people of the viewer's subtree (or of a unit's subtree inside it) and the count.

    `search` matches the name with or without accents, the start of a citizen id, or a civil-servant
    code; `sort` is (field, descending) pairs from SORTABLE_FIELDS (others raise Forbidden: a forged grid).
    """
    require_admin(viewer)
    if not 0 <= offset <= 10**7 or not 0 < limit <= PEOPLE_BLOCK_MAX:
        raise Forbidden("block out of range")
    conditions: list[Any] = [in_scope(viewer, OrgUnit.path)]
    if unit_id is not None:
        unit = _unit_in_scope(session, viewer, unit_id)
        conditions.append(OrgUnit.path.startswith(unit.path, autoescape=True))
    if not include_inactive:
        conditions.append(Person.active.is_(True))
    text = search.strip()[:SEARCH_MAX] if isinstance(search, str) else ""
    if text:
        matches = [Person.civil_servant_code.contains(text.upper(), autoescape=True)]
        digits = "".join(text.split())
        if digits.isdigit():
            # Names hold no digits: a number is a citizen id or a code, and skips folding every name.
            matches.append(Person.citizen_id.startswith(digits, autoescape=True))
        else:
            matches.append(contains_folded(Person.full_name, text))
        conditions.append(or_(*matches))
    order: list[Any] = []
    for field, descending in sort:
        if field not in _SORTABLE:
            raise Forbidden(f"cannot sort by {field!r}")
        column = _SORTABLE[field]
        order.append(column.desc() if descending else column.asc())
    order += [Person.full_name, Person.id]
    total = session.execute(
        select(func.count()).select_from(_people_query(Person.id).where(*conditions).subquery())
    ).scalar_one()
    rows = session.execute(
        _people_query(Person, OrgUnit.name, Position.name)
        .where(*conditions)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    ).all()
    return [_person_row(p, unit_name, position_name) for p, unit_name, position_name in rows], int(total)


def _person_row(p: Person, unit_name: str, position_name: str | None) -> PersonRow:
    return PersonRow(
        id=p.id,
        full_name=p.full_name,
        gender=p.gender,
        birth_date=p.birth_date,
        birth_year=p.birth_year,
        citizen_id=p.citizen_id,
        civil_servant_code=p.civil_servant_code,
        rank_code=p.rank_code,
        unit_id=p.unit_id,
        unit_name=unit_name,
        position_id=p.position_id,
        position_name=position_name,
        start_date=p.start_date,
        email=p.email,
        phone=p.phone,
        active=p.active,
        version=p.version,
    )


def person_row(session: Session, *, viewer: Viewer, person_id: int) -> PersonRow | None:
    """One person of the viewer's subtree (None when unknown or outside it)."""
    require_admin(viewer)
    found = session.execute(
        _people_query(Person, OrgUnit.name, Position.name).where(Person.id == person_id, in_scope(viewer, OrgUnit.path))
    ).first()
    return _person_row(*found) if found else None


@dataclass(frozen=True)
class PlacementRow:
    unit_name: str
    position_name: str | None
    valid_from: date
    valid_to: date | None


def placements_of(session: Session, *, viewer: Viewer, person_id: int) -> list[PlacementRow]:
    """Where a person of the viewer's subtree worked, latest first (a past unit may lie outside the
    subtree: its name is shown, it is where the person was)."""
    if person_row(session, viewer=viewer, person_id=person_id) is None:
        return []
    rows = session.execute(
        select(OrgUnit.name, Position.name, PersonPlacement.valid_from, PersonPlacement.valid_to)
        .join(OrgUnit, OrgUnit.id == PersonPlacement.unit_id)
        .outerjoin(Position, Position.id == PersonPlacement.position_id)
        .where(PersonPlacement.person_id == person_id)
        .order_by(PersonPlacement.valid_from.desc(), PersonPlacement.id.desc())
    ).all()
    return [PlacementRow(*row) for row in rows]


def open_positions(session: Session, *, viewer: Viewer, unit_id: int) -> list[tuple[int, str]]:
    """The active positions of a unit of the viewer's subtree, to place a person in (id, name)."""
    require_admin(viewer)
    try:
        unit = _unit_in_scope(session, viewer, unit_id)
    except Forbidden:
        return []
    return [
        (row.id, row.name)
        for row in session.execute(
            select(Position.id, Position.name)
            .where(and_(Position.unit_id == unit.id, Position.active.is_(True)))
            .order_by(Position.is_leader.desc(), Position.name)
        )
    ]

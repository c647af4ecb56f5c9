"""Reads of /admin/quality: the people and unit records of the viewer's subtree checked against the six
qualities (domain.records), counted per unit, one page of units at a time.

Bounded at city scale: the list of units is the subtree's tree (a few thousand rows at most); the
records are read and checked only for the units on the page asked for (20), so a page costs the people
of 20 units, never the tens of thousands of the whole city. Measured on the hanoi demo scale (31,086
people, 742 units, SQLite): 0.3 to 0.6 s a page, 0.35 s a unit's detail; checking the whole city at once
would be ~40 times that, on every click.

The store's own records are checked the way a file is (the same rules as `flask people validate`), with
one difference: a record is not a duplicate of itself. Citizen ids, civil-servant codes and unit codes are
unique in the store, so "already in the store" problems are left out here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from data_access.models import OrgUnit, Person, Position
from data_access.queries.admin import unit_tree
from data_access.record_facts import load_facts
from data_access.viewer import Viewer
from domain.records import Problem, Quality, RecordFacts, validate_profiles, validate_units
from domain.records.tally import failing_by_quality, failing_records
from domain.text import fold

PAGE_SIZE = 20
SEARCH_MAX = 100
_SELF_DUPLICATE = "duplicate_in_store"


@dataclass(frozen=True)
class UnitQuality:
    """One unit's line: its people and, per quality, how many of its records (people and itself) fail it."""

    unit_id: int
    name: str
    kind: str
    depth: int  # below the viewer's scope unit (0: the scope unit itself)
    people: int
    failing: dict[str, int]  # quality value -> records failing it
    records_failing: int


@dataclass(frozen=True)
class RecordIssue:
    """One problem of one record, for the unit's detail: whose, which field, what, and which quality."""

    record_kind: str  # "person" | "unit"
    record_id: int
    name: str
    field: str
    code: str
    quality: str
    params: dict[str, Any]


def quality_page(
    session: Session, *, viewer: Viewer, today: date, search: str = "", page: int = 1, size: int = PAGE_SIZE
) -> tuple[list[UnitQuality], int]:
    """One page of the subtree's units (tree order, filtered by name without accents) and how many match."""
    tree = unit_tree(session, viewer=viewer)  # refuses anyone who may not administer
    wanted = fold(search.strip()[:SEARCH_MAX]) if isinstance(search, str) else ""
    matching = [u for u in tree if not wanted or wanted in u.folded]
    start = (max(page, 1) - 1) * size
    shown = matching[start : start + size]
    issues = _issues(session, [u.id for u in shown], today=today)
    top = min((u.depth for u in tree), default=0)
    rows: list[UnitQuality] = []
    for unit in shown:
        # One index per record (the unit itself or one of its people), so each record counts once per quality.
        records: dict[tuple[str, int], int] = {}
        keyed = [
            Problem(records.setdefault(key, len(records)), p.field, p.code, p.quality)
            for key, p in issues.get(unit.id, [])
        ]
        counts = failing_by_quality(keyed, lambda _record: 0).get(0, {})
        rows.append(
            UnitQuality(
                unit_id=unit.id,
                name=unit.name,
                kind=unit.kind,
                depth=unit.depth - top,
                people=unit.people,
                failing={q.value: counts.get(q, 0) for q in Quality},
                records_failing=failing_records(keyed, lambda _record: 0).get(0, 0),
            )
        )
    return rows, len(matching)


def unit_issues(session: Session, *, viewer: Viewer, unit_id: int, today: date) -> list[RecordIssue]:
    """Every problem of the unit's own record and of its people's records; [] outside the viewer's subtree."""
    if unit_id not in {u.id for u in unit_tree(session, viewer=viewer)}:
        return []
    names = _names(session, unit_id)
    return [
        RecordIssue(kind, record_id, names.get((kind, record_id), ""), p.field, p.code, p.quality.value, p.params)
        for (kind, record_id), p in _issues(session, [unit_id], today=today).get(unit_id, [])
    ]


def _names(session: Session, unit_id: int) -> dict[tuple[str, int], str]:
    names = {("unit", unit_id): session.execute(select(OrgUnit.name).where(OrgUnit.id == unit_id)).scalar_one()}
    for person_id, full_name in session.execute(select(Person.id, Person.full_name).where(Person.unit_id == unit_id)):
        names[("person", person_id)] = full_name
    return names


def _issues(
    session: Session, unit_ids: Sequence[int], *, today: date
) -> dict[int, list[tuple[tuple[str, int], Problem]]]:
    """Per unit: ((record kind, record id), problem) for the unit's own record and its people's."""
    if not unit_ids:
        return {}
    facts = load_facts(session)
    # People facts stay empty: the store's citizen ids and codes are unique, a record only ever meets itself.
    facts = RecordFacts(units=facts.units, divisions=facts.divisions)
    found: dict[int, list[tuple[tuple[str, int], Problem]]] = {unit_id: [] for unit_id in unit_ids}
    parent = aliased(OrgUnit)
    units = session.execute(
        select(
            OrgUnit.id,
            OrgUnit.code,
            OrgUnit.official_code,
            OrgUnit.name,
            OrgUnit.kind,
            parent.code,
            OrgUnit.valid_from,
            OrgUnit.valid_to,
        )
        .outerjoin(parent, parent.id == OrgUnit.parent_id)
        .where(OrgUnit.id.in_(unit_ids))
        .order_by(OrgUnit.id)
    ).all()
    unit_records = [
        _present(
            code=u.code,
            official_code=u.official_code,
            name=u.name,
            kind=u.kind,
            parent_code=u[5],
            valid_from=u.valid_from,
            valid_to=u.valid_to,
        )
        for u in units
    ]
    for problem in validate_units(unit_records, facts, today=today):
        if problem.code == _SELF_DUPLICATE:
            continue
        unit_id = units[problem.record].id
        found[unit_id].append((("unit", unit_id), problem))
    people = session.execute(
        select(Person, OrgUnit.code, Position.code)
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .outerjoin(Position, Position.id == Person.position_id)
        .where(Person.unit_id.in_(unit_ids))
        .order_by(Person.id)
    ).all()
    person_records = [
        _present(
            citizen_id=p.citizen_id,
            civil_servant_code=p.civil_servant_code,
            full_name=p.full_name,
            date_of_birth=p.birth_date,
            gender=p.gender,
            unit_code=unit_code,
            position_code=position_code,
            rank_code=p.rank_code,
            start_date=p.start_date,
            email=p.email,
            phone=p.phone,
            active=bool(p.active),
        )
        for p, unit_code, position_code in people
    ]
    for problem in validate_profiles(person_records, facts, today=today):
        if problem.code == _SELF_DUPLICATE:
            continue
        person = people[problem.record][0]
        found[person.unit_id].append((("person", person.id), problem))
    return found


def _present(**values: object) -> dict[str, object]:
    """A record in the interchange shape: dates as ISO text, empty values left out (as a file would)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v is not None and v != ""}

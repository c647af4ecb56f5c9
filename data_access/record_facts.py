"""What the record validators need from the store and the official list, as plain values.

Units come whole (a city has a few thousand at most); people only for the citizen ids and
civil-servant codes the file mentions, so checking a file costs the same in a ward or in Hanoi.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import cache
from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.orm import QueryableAttribute, Session, aliased
from vietnam_provinces import Province, VietNamDivisionType, Ward

from data_access.models import OrgUnit, Person, Position
from domain.records import Division, PersonFact, RecordFacts, UnitFact

CHUNK = 500  # bound parameters per IN list, well under SQLite's and PostgreSQL's limits

_WARD_KINDS = {
    VietNamDivisionType.PHUONG: "ward",
    VietNamDivisionType.XA: "commune",
    VietNamDivisionType.DAC_KHU: "special_zone",
}


def load_facts(
    session: Session, *, citizen_ids: Iterable[str] = (), civil_servant_codes: Iterable[str] = ()
) -> RecordFacts:
    """The store's units, the people holding the given ids or codes, and the official divisions."""
    people = [
        *_people(session, Person.citizen_id, citizen_ids),
        *_people(session, Person.civil_servant_code, civil_servant_codes),
    ]
    return RecordFacts(
        units=_units(session),
        people_by_citizen_id={p.citizen_id: p for p in people},
        people_by_civil_servant_code={p.civil_servant_code: p for p in people if p.civil_servant_code},
        divisions=official_divisions(),
    )


def _units(session: Session) -> dict[str, UnitFact]:
    parent = aliased(OrgUnit)
    positions: dict[int, set[str]] = defaultdict(set)
    for unit_id, code in session.execute(select(Position.unit_id, Position.code)):
        positions[unit_id].add(code)
    active_people = Counter(
        dict(
            session.execute(
                select(Person.unit_id, func.count()).where(Person.active.is_(True)).group_by(Person.unit_id)
            ).all()
        )
    )
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.kind, OrgUnit.official_code, parent.code, OrgUnit.active).outerjoin(
            parent, OrgUnit.parent_id == parent.id
        )
    )
    return {
        code: UnitFact(
            code=code,
            kind=kind,
            official_code=official,
            parent_code=parent_code,
            closed=not active,
            active_people=active_people[unit_id],
            position_codes=frozenset(positions[unit_id]),
        )
        for unit_id, code, kind, official, parent_code, active in rows
    }


def _people(session: Session, column: QueryableAttribute[str], values: Iterable[str]) -> Iterator[PersonFact]:
    wanted = sorted({v for v in values if isinstance(v, str) and v})
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(Person.citizen_id, Person.civil_servant_code, OrgUnit.code)
            .join(OrgUnit, OrgUnit.id == Person.unit_id)
            .where(column.in_(wanted[start : start + CHUNK]))
        )
        for citizen_id, servant_code, unit_code in rows:
            yield PersonFact(citizen_id=citizen_id, civil_servant_code=servant_code, unit_code=unit_code)


@cache
def official_divisions() -> Mapping[str, Division]:
    """The provinces ("01") and wards and communes ("00070") in force, from vietnam_provinces (read-only)."""
    divisions: dict[str, Division] = {}
    for province in Province.iter_all():
        code = f"{int(province.code):02d}"
        divisions[code] = Division(code, province.name, "province")
    for ward in Ward.iter_all():
        code = f"{int(ward.code):05d}"
        divisions[code] = Division(
            code, ward.name, _WARD_KINDS.get(ward.division_type, "commune"), f"{int(ward.province_code):02d}"
        )
    return MappingProxyType(divisions)


def people_as_stored(session: Session, citizen_ids: Iterable[object]) -> dict[str, tuple[str, date | None]]:
    """The name and birth date Pulse holds for each of these citizen ids (those it holds)."""
    wanted = sorted({c for c in citizen_ids if isinstance(c, str) and c})
    found: dict[str, tuple[str, date | None]] = {}  # by citizen id
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(Person.citizen_id, Person.full_name, Person.birth_date).where(
                Person.citizen_id.in_(wanted[start : start + CHUNK])
            )
        )
        found.update({citizen_id: (name, born) for citizen_id, name, born in rows})
    return found

"""Writes of the bulk import of people and units: each checked record becomes a person (with a
placement from their start date, or today) or a unit (under its parent, with its validity), and the
successor links of the file's units once they all exist.

These run inside the caller's transaction (data_access.record_imports, one per chunk), and judge each
record again there: the importer must still administer the target unit's subtree, and the citizen id,
civil-servant code or unit code must still be free, since someone may have added the same person or
unit between the check and the import. A record that fails comes back as its problems and writes
nothing; a record outside the importer's subtree is also audited as a refusal. Every record written has
its own audit entry (action person.import or org_unit.import) with the row as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.models import OrgUnit, Person, PersonPlacement, Position, UnitSuccession
from data_access.record_facts import people_as_stored
from data_access.viewer import Viewer
from domain.admin_access import covers, may_administer
from domain.org_changes import child_path, clean_name
from domain.records.imports import placement_problem, same_person

PERSON_AUDITED = (
    "citizen_id",
    "civil_servant_code",
    "full_name",
    "gender",
    "birth_date",
    "birth_year",
    "unit_id",
    "position_id",
    "rank_code",
    "start_date",
    "email",
    "phone",
    "active",
)
UNIT_AUDITED = ("code", "official_code", "name", "kind", "parent_id", "path", "active", "valid_from", "valid_to")


@dataclass
class Outcome:
    """What became of one record: the id written, or the problems that kept it out (field, code, quality,
    params: the shape of the check's report)."""

    written_id: int | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, field_name: str, problem: str, /, **params: Any) -> Outcome:
        self.problems.append(
            {"field": field_name, "code": problem, "quality": _QUALITY.get(problem, "correct"), "params": params}
        )
        return self


_QUALITY = {
    "duplicate_in_store": "clean",
    "citizen_id_conflict": "unified",
    "active_in_closed_unit": "live",
    "out_of_scope": "correct",
}


def _by_code(session: Session, codes: Iterable[str]) -> dict[str, OrgUnit]:
    """Store units by their Pulse code and, failing that, their official code."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    units = session.execute(
        select(OrgUnit).where(or_(OrgUnit.code.in_(wanted), OrgUnit.official_code.in_(wanted)))
    ).scalars()
    found: dict[str, OrgUnit] = {}
    for unit in units:
        if unit.official_code:
            found.setdefault(unit.official_code, unit)
        found[unit.code] = unit  # the Pulse code wins over someone else's official code
    return found


def _day(text: object) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) and text else None


def _refused(session: Session, viewer: Viewer, entity: str, code: str, unit: OrgUnit) -> None:
    """A refusal in the chunk's own transaction: it commits with the records that did go in."""
    audit.record(
        session,
        user_id=viewer.user_id,
        action=f"{entity}.import",
        entity=entity,
        entity_id=code[:40],
        outcome="denied",
        detail=f"unit {unit.id} outside the importer's subtree",
    )


def add_people(session: Session, viewer: Viewer, records: Sequence[Mapping[str, Any]], *, today: date) -> list[Outcome]:
    """A person and a placement for each record that may still come in; the outcome of each, in order."""
    if not may_administer(viewer.role.value, viewer.scope_kind):
        return [Outcome().refuse("", "out_of_scope", code="-") for _ in records]
    units = _by_code(session, (str(r.get("unit_code", "")) for r in records))
    stored = people_as_stored(session, [r["citizen_id"] for r in records])
    taken_ids = set(stored)
    servant_codes = [r["civil_servant_code"] for r in records if r.get("civil_servant_code")]
    taken_codes = set(
        session.execute(select(Person.civil_servant_code).where(Person.civil_servant_code.in_(servant_codes)))
        .scalars()
        .all()
    )
    positions = {
        (p.unit_id, p.code): p.id
        for p in session.execute(
            select(Position.unit_id, Position.code, Position.id).where(
                Position.unit_id.in_([u.id for u in units.values()])
            )
        )
    }
    outcomes = []
    for record in records:
        outcome = Outcome()
        outcomes.append(outcome)
        unit = units.get(record["unit_code"])
        if unit is None:
            outcome.refuse("unit_code", "unknown_unit", code=record["unit_code"])
            continue
        if not covers(viewer.scope_path, unit.path):
            _refused(session, viewer, "person", record["citizen_id"], unit)
            outcome.refuse("unit_code", "out_of_scope", code=record["unit_code"])
            continue
        if not unit.active and record.get("active", True):
            outcome.refuse("unit_code", "active_in_closed_unit", unit=unit.code)
        if record["citizen_id"] in stored and not same_person(record, *stored[record["citizen_id"]]):
            # Checked again here: the person may have been recorded since the check. Never overwritten.
            outcome.refuse("citizen_id", "citizen_id_conflict", unit=unit.code)
        elif record["citizen_id"] in taken_ids:
            outcome.refuse("citizen_id", "duplicate_in_store", unit=unit.code)
        if record["civil_servant_code"] in taken_codes:
            outcome.refuse("civil_servant_code", "duplicate_in_store", unit=unit.code)
        position_id = positions.get((unit.id, record["position_code"])) if record.get("position_code") else None
        if record.get("position_code") and position_id is None:
            outcome.refuse("position_code", "unknown_position", code=record["position_code"], unit=unit.code)
        if outcome.problems:
            continue
        born_on = date.fromisoformat(record["date_of_birth"])
        started_on = _day(record.get("start_date"))
        person = Person(
            citizen_id=record["citizen_id"],
            civil_servant_code=record["civil_servant_code"],
            full_name=record["full_name"].strip(),
            gender=record["gender"],
            birth_year=born_on.year,
            birth_date=born_on,
            unit_id=unit.id,
            position_id=position_id,
            rank_code=record.get("rank_code"),
            start_date=started_on,
            email=record.get("email"),
            phone=record.get("phone"),
            active=record.get("active", True),
        )
        session.add(person)
        session.flush()
        session.add(
            PersonPlacement(
                person_id=person.id, unit_id=unit.id, position_id=position_id, valid_from=started_on or today
            )
        )
        taken_ids.add(person.citizen_id)
        taken_codes.add(person.civil_servant_code)
        audit.record(
            session,
            user_id=viewer.user_id,
            action="person.import",
            entity="person",
            entity_id=person.id,
            after=audit.snapshot(person, PERSON_AUDITED),
        )
        outcome.written_id = person.id
    session.flush()
    return outcomes


def add_units(session: Session, viewer: Viewer, records: Sequence[Mapping[str, Any]], *, today: date) -> list[Outcome]:
    """A unit for each record that may still come in, parents first (the caller orders the file so)."""
    if not may_administer(viewer.role.value, viewer.scope_kind):
        return [Outcome().refuse("", "out_of_scope", code="-") for _ in records]
    known = _by_code(
        session,
        [str(r.get(k, "")) for r in records for k in ("code", "parent_code", "official_code")],
    )
    outcomes = []
    for record in records:
        outcome = Outcome()
        outcomes.append(outcome)
        code = record["code"]
        parent = known.get(record["parent_code"])
        if code in known and known[code].code == code:
            outcome.refuse("code", "duplicate_in_store", unit=code)
        official = record.get("official_code")
        if official and official in known and known[official].official_code == official:
            outcome.refuse("official_code", "duplicate_in_store", unit=known[official].code)
        if parent is None:
            outcome.refuse("parent_code", "unknown_parent", code=record["parent_code"])
        elif not covers(viewer.scope_path, parent.path):
            _refused(session, viewer, "org_unit", code, parent)
            outcome.refuse("parent_code", "out_of_scope", code=record["parent_code"])
        elif placement_problem(parent.kind, record["kind"]):
            outcome.refuse("kind", "not_under_parent", parent=parent.name)
        if outcome.problems or parent is None:
            continue
        valid_to = _day(record.get("valid_to"))
        unit = OrgUnit(
            code=code,
            official_code=official,
            name=clean_name(record["name"]),
            kind=record["kind"],
            parent_id=parent.id,
            path="",
            depth=parent.depth + 1,
            ruleset=parent.ruleset,
            requires_approval=parent.requires_approval,
            active=valid_to is None or valid_to >= today,
            valid_from=_day(record.get("valid_from")),
            valid_to=valid_to,
        )
        session.add(unit)
        session.flush()
        unit.path = child_path(parent.path, unit.id)
        session.flush()
        known[code] = unit
        if official:
            known.setdefault(official, unit)
        audit.record(
            session,
            user_id=viewer.user_id,
            action="org_unit.import",
            entity="org_unit",
            entity_id=unit.id,
            after=audit.snapshot(unit, UNIT_AUDITED),
        )
        outcome.written_id = unit.id
    return outcomes


def link_successors(
    session: Session, viewer: Viewer, records: Sequence[Mapping[str, Any]], *, today: date
) -> list[int]:
    """Successor links of imported units, once every unit of the file exists (a successor may come later in
    the file than its predecessor). Several successors make a split, one a merge; effective the day after
    the predecessor's end. Returns the ids of the links made."""
    wanted = [r for r in records if r.get("successor_codes")]
    known = _by_code(session, [c for r in wanted for c in (r["code"], *r["successor_codes"])])
    made = []
    for record in wanted:
        predecessor = known.get(record["code"])
        if predecessor is None:
            continue
        ended = _day(record.get("valid_to"))
        for successor_code in record["successor_codes"]:
            successor = known.get(successor_code)
            if successor is None or successor.id == predecessor.id or not covers(viewer.scope_path, successor.path):
                continue
            link = UnitSuccession(
                predecessor_id=predecessor.id,
                successor_id=successor.id,
                change_kind="split" if len(record["successor_codes"]) > 1 else "merge",
                effective_on=ended + timedelta(days=1) if ended else today,
                recorded_by_id=viewer.user_id,
            )
            session.add(link)
            session.flush()
            audit.record(
                session,
                user_id=viewer.user_id,
                action="unit_succession.import",
                entity="unit_succession",
                entity_id=link.id,
                after={"predecessor_id": predecessor.id, "successor_id": successor.id, "kind": link.change_kind},
            )
            made.append(link.id)
    return made

"""Write commands on people: create a person in a unit (with a first placement), edit their record,
move them to another unit or position from a date, deactivate them.

The record is checked by the profile rules of domain.records (through domain.people), the same ones
the bulk import and the command-line validator use. Each command follows the org tree's frame: the
role first (refusals audited), then one transaction that loads the person (locked), checks the
viewer's subtree and the version the page saw (Person.version), changes the person and their
placements, and audits before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import today as clock_today
from data_access import audit
from data_access.commands.admin_common import require_admin, versioned_change
from data_access.commands.common import Refused, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid
from data_access.models import OrgUnit, Period, Person, PersonPlacement, Position, User
from data_access.viewer import Viewer
from domain.admin_access import may_manage_people
from domain.people import PersonInput, closing_day, deactivation_problems, move_problems, person_problems
from domain.records import PersonFact, RecordFacts, UnitFact

AUDITED = (
    "full_name",
    "gender",
    "birth_date",
    "birth_year",
    "citizen_id",
    "civil_servant_code",
    "rank_code",
    "unit_id",
    "position_id",
    "start_date",
    "email",
    "phone",
    "active",
)
ENTITY = "person"


@dataclass(frozen=True)
class PersonState:
    person_id: int
    version: int


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unit(session: Session, viewer: Viewer, unit_id: object) -> OrgUnit:
    """A unit of the viewer's subtree (a forged id outside it is refused, and audited)."""
    unit = session.get(OrgUnit, unit_id) if _is_id(unit_id) else None
    if unit is None:
        raise Invalid({"unit": "required_choice"})
    if not may_manage_people(viewer.role.value, viewer.scope_path, unit.path, viewer.scope_kind):
        raise Refused(f"unit {unit_id} outside the viewer's scope")
    return unit


def _position(session: Session, unit: OrgUnit, position_id: object, *, keep: int | None = None) -> Position | None:
    """The chosen position: none, or an active one of the unit (the person's current one may stay)."""
    if position_id is None:
        return None
    position = session.get(Position, position_id) if _is_id(position_id) else None
    if position is None or position.unit_id != unit.id or not (position.active or position.id == keep):
        raise Invalid({"position": "unknown_choice"})
    return position


def _check(
    session: Session,
    fields: PersonInput,
    unit: OrgUnit,
    position: Position | None,
    *,
    person_id: int | None,
) -> None:
    """Raise Invalid with every field to fix, by the profile rules; duplicates are other people's ids."""
    others = session.execute(
        select(Person.citizen_id, Person.civil_servant_code, OrgUnit.code)
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .where(
            (Person.citizen_id == fields.citizen_id) | (Person.civil_servant_code == fields.civil_servant_code),
            Person.id != (person_id or 0),
        )
    ).all()
    facts = RecordFacts(
        units={
            unit.code: UnitFact(
                code=unit.code,
                kind=unit.kind,
                closed=not unit.active,
                position_codes=frozenset({position.code}) if position is not None else frozenset(),
            )
        },
        people_by_citizen_id={c: PersonFact(c, s, u) for c, s, u in others if c == fields.citizen_id},
        people_by_civil_servant_code={s: PersonFact(c, s, u) for c, s, u in others if s == fields.civil_servant_code},
    )
    problems = person_problems(
        fields,
        unit_code=unit.code,
        position_code=position.code if position is not None else None,
        facts=facts,
        today=clock_today(),
    )
    if problems:
        raise Invalid(problems.codes, details=problems.params)


def _apply(person: Person, fields: PersonInput) -> None:
    born_on = fields.born_on
    assert born_on is not None  # checked: a required, real date
    person.full_name = fields.full_name
    person.gender = fields.gender
    person.birth_date = born_on
    person.birth_year = born_on.year
    person.citizen_id = fields.citizen_id
    person.civil_servant_code = fields.civil_servant_code
    person.rank_code = fields.rank_code or None
    person.email = fields.email or None
    person.phone = fields.phone or None


def create_person(
    store: Store, *, viewer: Viewer, unit_id: int | None, position_id: int | None, fields: PersonInput
) -> PersonState:
    """A new active person in an open unit of the viewer's subtree, placed there from their start date."""
    action = f"{ENTITY}.create"
    require_admin(store, viewer, action=action, entity=ENTITY, entity_id=None)
    cleaned = fields.cleaned()
    with refusals_and_conflicts(store, viewer, action=action, entity=ENTITY, entity_id=None), store.write() as session:
        unit = _unit(session, viewer, unit_id)
        position = _position(session, unit, position_id)
        _check(session, cleaned, unit, position, person_id=None)
        started = cleaned.started_on
        assert started is not None  # checked: required, a real date, not in the future
        person = Person(unit_id=unit.id, position_id=position.id if position else None, start_date=started, active=True)
        _apply(person, cleaned)
        session.add(person)
        session.flush()
        session.add(
            PersonPlacement(person_id=person.id, unit_id=unit.id, position_id=person.position_id, valid_from=started)
        )
        audit.record(
            session,
            user_id=viewer.user_id,
            action=action,
            entity=ENTITY,
            entity_id=person.id,
            after=audit.snapshot(person, AUDITED),
        )
        return PersonState(person.id, person.version)


def edit_person(
    store: Store, *, viewer: Viewer, person_id: int, version: int | None, fields: PersonInput
) -> PersonState:
    """A corrected record. The unit, the position and the start in them change only by a move; a record
    that predates start dates takes the one typed (and its first placement opens then)."""
    cleaned = fields.cleaned()

    def change(session: Session, person: Person) -> None:
        unit = session.get(OrgUnit, person.unit_id)
        assert unit is not None
        position = _position(session, unit, person.position_id, keep=person.position_id)
        kept = replace(cleaned, start_date=person.start_date.isoformat()) if person.start_date else cleaned
        _check(session, kept, unit, position, person_id=person.id)
        _apply(person, kept)
        if person.start_date is None:
            person.start_date = kept.started_on
            if _current_placement(session, person.id) is None and person.start_date is not None:
                session.add(
                    PersonPlacement(
                        person_id=person.id,
                        unit_id=person.unit_id,
                        position_id=person.position_id,
                        valid_from=person.start_date,
                    )
                )

    return _act(store, viewer, person_id, version, "edit", change)


def move_person(
    store: Store,
    *,
    viewer: Viewer,
    person_id: int,
    version: int | None,
    unit_id: int | None,
    position_id: int | None,
    effective: date | None,
) -> PersonState:
    """Place a person in another unit or position from `effective`: the current placement closes the day
    before, the new one opens on it, and the person's unit and position are the new ones at once."""

    def change(session: Session, person: Person) -> None:
        unit = _unit(session, viewer, unit_id)
        if not unit.active:
            raise Invalid({"unit": "parent_closed"})
        position = _position(session, unit, position_id)
        current = _current_placement(session, person.id)
        current_from = current.valid_from if current is not None else person.start_date
        locked = effective is not None and (
            session.execute(
                select(Period.id).where(
                    Period.start_date <= effective, Period.end_date >= effective, Period.locked.is_(True)
                )
            ).first()
            is not None
        )
        problems = move_problems(
            effective=effective if isinstance(effective, date) else None,
            today=clock_today(),
            current_from=current_from,
            locked=locked,
            same_place=unit.id == person.unit_id and (position.id if position else None) == person.position_id,
            person_active=person.active,
        )
        if problems:
            raise Invalid(problems)
        assert effective is not None
        new_position = position.id if position else None
        if current is not None and current.valid_from == effective:
            # A correction on the day the placement began: nothing was done in the old place meanwhile.
            current.unit_id, current.position_id = unit.id, new_position
        else:
            if current is not None:
                current.valid_to = closing_day(effective)
            elif person.start_date is not None and person.start_date < effective:
                # A record from before placements: its history in the old unit is written down now.
                session.add(
                    PersonPlacement(
                        person_id=person.id,
                        unit_id=person.unit_id,
                        position_id=person.position_id,
                        valid_from=person.start_date,
                        valid_to=closing_day(effective),
                    )
                )
            session.add(
                PersonPlacement(person_id=person.id, unit_id=unit.id, position_id=new_position, valid_from=effective)
            )
        person.unit_id, person.position_id, person.start_date = unit.id, new_position, effective

    return _act(store, viewer, person_id, version, "move", change)


def deactivate_person(store: Store, *, viewer: Viewer, person_id: int, version: int | None) -> PersonState:
    """The person leaves: inactive, their placement ends today; their login must be deactivated first."""

    def change(session: Session, person: Person) -> None:
        account = session.execute(select(User.id).where(User.person_id == person.id, User.active.is_(True))).first()
        problems = deactivation_problems(active=person.active, has_active_account=account is not None)
        if problems:
            raise Invalid(problems)
        person.active = False
        current = _current_placement(session, person.id)
        if current is not None:
            current.valid_to = max(clock_today(), current.valid_from)

    return _act(store, viewer, person_id, version, "deactivate", change)


def _current_placement(session: Session, person_id: int) -> PersonPlacement | None:
    """The open placement (no end date), the latest if several were left open."""
    return session.execute(
        select(PersonPlacement)
        .where(PersonPlacement.person_id == person_id, PersonPlacement.valid_to.is_(None))
        .order_by(PersonPlacement.valid_from.desc(), PersonPlacement.id.desc())
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()


def _act(
    store: Store,
    viewer: Viewer,
    person_id: int,
    version: int | None,
    verb: str,
    change: Callable[[Session, Person], None],
) -> PersonState:
    """The shared frame (admin_common.versioned_change) around a change of one person."""

    def authorise(session: Session, person: Person) -> None:
        unit_path = session.execute(select(OrgUnit.path).where(OrgUnit.id == person.unit_id)).scalar_one()
        if not may_manage_people(viewer.role.value, viewer.scope_path, unit_path, viewer.scope_kind):
            raise Refused(f"person {person_id} outside the viewer's scope")

    return versioned_change(
        store,
        viewer,
        model=Person,
        row_id=person_id,
        seen=version,
        action=f"{ENTITY}.{verb}",
        entity=ENTITY,
        audited=AUDITED,
        authorise=authorise,
        change=lambda session, person, _none: change(session, person),
        result=lambda person: PersonState(person.id, person.version),
        admin=True,
    )

"""Positions and people on the real store (SQLite and PostgreSQL): create, edit, move with a date,
deactivate. Each write is audited with before and after, a stale version is a Conflict naming who
changed the record, bad input writes nothing, and anyone but an administrator of the subtree is
refused (audited). A move keeps the person's past in the old unit: the placement valid then.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from data_access.commands import admin_people as people_commands
from data_access.commands import admin_positions as positions
from data_access.commands import admin_units as units
from data_access.commands import admin_users as users
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid
from data_access.models import AuditEntry, OrgUnit, Period, Person, PersonPlacement, Position
from data_access.queries import admin_people as queries
from data_access.queries.people import people_rankings
from data_access.viewer import Viewer
from domain.people import PersonInput
from tests.conftest import TEST_TODAY
from tests.support.viewers import demo_viewers

HOAN_KIEM = "W00070"
TU_LIEM = "W00592"
# Not administrators of Phường Hoàn Kiếm's people: a ward's leader is (delegated administration), the city's is not.
NON_ADMINS = ("city_leader", "manager", "staff", "screen")
PERSON = PersonInput(
    full_name="Trần Thị Mai",
    gender="female",
    birth_date="1990-05-17",
    citizen_id="001190123456",  # 001 Hanoi, 1: a woman born in the 1900s, 90
    civil_servant_code="hn-test-01",
    rank_code="01.003",
    email="mai.tran@hanoi.gov.vn",
    phone="0912 000 111",
    start_date="2020-02-01",
)
CLERK = positions.PositionInput(name="Chuyên viên văn thư", code="vt", task_group="van_thu", criteria_set="default")


@pytest.fixture
def who(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def unit_id(store: Store, code: str) -> int:
    with store.read() as session:
        return session.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def count(store: Store, model: type) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def audits(store: Store, action: str, outcome: str = "ok") -> list[AuditEntry]:
    with store.read() as session:
        found = list(
            session.execute(
                select(AuditEntry).where(AuditEntry.action == action, AuditEntry.outcome == outcome)
            ).scalars()
        )
        session.expunge_all()
        return found


def a_division(store: Store, admin: Viewer, name: str = "Phòng Thử nghiệm") -> int:
    return units.create_unit(
        store, viewer=admin, parent_id=unit_id(store, HOAN_KIEM), kind="division", name=name
    ).unit_id


def placements(store: Store, person_id: int) -> list[tuple[int, int | None, date, date | None]]:
    with store.read() as session:
        return [
            (p.unit_id, p.position_id, p.valid_from, p.valid_to)
            for p in session.execute(
                select(PersonPlacement)
                .where(PersonPlacement.person_id == person_id)
                .order_by(PersonPlacement.valid_from)
            ).scalars()
        ]


# --- positions ---------------------------------------------------------------------------------


def test_positions_are_created_edited_and_deactivated_with_audit(demo_store: Store, who: dict[str, Viewer]) -> None:
    admin = who["admin"]
    division = a_division(demo_store, admin)
    made = positions.create_position(demo_store, viewer=admin, unit_id=division, fields=CLERK)
    with demo_store.read() as session:
        rows = queries.positions_of_unit(session, viewer=admin, unit_id=division)
    assert [(r.code, r.name, r.task_group, r.criteria_set, r.is_leader, r.active) for r in rows] == [
        ("VT", "Chuyên viên văn thư", "van_thu", "default", False, True)
    ]
    edited = positions.edit_position(
        demo_store,
        viewer=admin,
        position_id=made.position_id,
        version=made.version,
        fields=positions.PositionInput(
            name="Trưởng phòng", code="TP", task_group="lanh_dao_phong", criteria_set="regulation_366", is_leader=True
        ),
    )
    assert edited.version == made.version + 1
    entry = audits(demo_store, "position.edit")[-1]
    assert json.loads(entry.before_json)["code"] == "VT" and json.loads(entry.after_json)["is_leader"] is True
    # A stale page: the conflict names who changed it; nothing changes.
    with pytest.raises(Conflict) as caught:
        positions.edit_position(
            demo_store, viewer=admin, position_id=made.position_id, version=made.version, fields=CLERK
        )
    assert caught.value.changed_by == "admin"
    positions.deactivate_position(demo_store, viewer=admin, position_id=made.position_id, version=edited.version)
    with demo_store.read() as session:
        position = session.get(Position, made.position_id)
        assert position is not None and (position.active, position.code) == (False, "TP")
    assert audits(demo_store, "position.deactivate")


def test_bad_position_input_writes_nothing(demo_store: Store, who: dict[str, Viewer]) -> None:
    admin = who["admin"]
    division = a_division(demo_store, admin)
    positions.create_position(demo_store, viewer=admin, unit_id=division, fields=CLERK)
    before = count(demo_store, Position)
    with pytest.raises(Invalid) as caught:
        positions.create_position(
            demo_store,
            viewer=admin,
            unit_id=division,
            fields=positions.PositionInput(name=" ", code="VT", task_group="Văn thư", criteria_set="nope"),
        )
    assert caught.value.problems == {
        "position_name": "required",
        "code": "code_taken",
        "task_group": "task_group_format",
        "criteria_set": "unknown_choice",
    }
    assert count(demo_store, Position) == before


def test_a_held_position_is_not_deactivated(demo_store: Store, who: dict[str, Viewer]) -> None:
    with demo_store.read() as session:
        held = session.execute(
            select(Position).where(Position.id.in_(select(Person.position_id).where(Person.active.is_(True)))).limit(1)
        ).scalar_one()
    with pytest.raises(Invalid) as caught:
        positions.deactivate_position(demo_store, viewer=who["admin"], position_id=held.id, version=held.version)
    assert caught.value.problems == {"position": "position_held"}


@pytest.mark.parametrize("label", NON_ADMINS)
def test_only_administrators_touch_positions_and_people(demo_store: Store, who: dict[str, Viewer], label: str) -> None:
    viewer = who[label]
    ward = unit_id(demo_store, HOAN_KIEM)
    with demo_store.read() as session:
        person = session.execute(select(Person).where(Person.unit_id == ward).limit(1)).scalar_one()
        position = session.execute(select(Position).where(Position.unit_id == ward).limit(1)).scalar_one()
    before = (count(demo_store, Position), count(demo_store, Person), count(demo_store, PersonPlacement))
    attempts = [
        lambda: positions.create_position(demo_store, viewer=viewer, unit_id=ward, fields=CLERK),
        lambda: positions.edit_position(
            demo_store, viewer=viewer, position_id=position.id, version=position.version, fields=CLERK
        ),
        lambda: positions.deactivate_position(demo_store, viewer=viewer, position_id=position.id, version=1),
        lambda: people_commands.create_person(demo_store, viewer=viewer, unit_id=ward, position_id=None, fields=PERSON),
        lambda: people_commands.edit_person(
            demo_store, viewer=viewer, person_id=person.id, version=person.version, fields=PERSON
        ),
        lambda: people_commands.move_person(
            demo_store,
            viewer=viewer,
            person_id=person.id,
            version=person.version,
            unit_id=ward,
            position_id=None,
            effective=TEST_TODAY,
        ),
        lambda: people_commands.deactivate_person(demo_store, viewer=viewer, person_id=person.id, version=1),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    assert (count(demo_store, Position), count(demo_store, Person), count(demo_store, PersonPlacement)) == before
    with demo_store.read() as session:
        refusals = session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.user_id == viewer.user_id, AuditEntry.outcome == "denied")
        ).scalar_one()
    assert refusals >= len(attempts)


def test_a_ward_administrator_cannot_reach_another_ward(demo_store: Store, who: dict[str, Viewer]) -> None:
    """Forged ids of another ward's unit, position or person are refused and audited; nothing is written."""
    ward_admin = who["unit_admin"]  # the pilot's unit administrator of Phường Hoàn Kiếm
    other = unit_id(demo_store, TU_LIEM)
    with demo_store.read() as session:
        person = session.execute(select(Person).where(Person.unit_id == other).limit(1)).scalar_one()
        position = session.execute(select(Position).where(Position.unit_id == other).limit(1)).scalar_one()
        inside = session.execute(
            select(Person).join(OrgUnit, OrgUnit.id == Person.unit_id).where(OrgUnit.code == HOAN_KIEM).limit(1)
        ).scalar_one()
    before = count(demo_store, Person)
    with pytest.raises(Forbidden):
        positions.create_position(demo_store, viewer=ward_admin, unit_id=other, fields=CLERK)
    with pytest.raises(Forbidden):
        positions.edit_position(
            demo_store, viewer=ward_admin, position_id=position.id, version=position.version, fields=CLERK
        )
    with pytest.raises(Forbidden):
        people_commands.create_person(demo_store, viewer=ward_admin, unit_id=other, position_id=None, fields=PERSON)
    with pytest.raises(Forbidden):
        people_commands.edit_person(
            demo_store, viewer=ward_admin, person_id=person.id, version=person.version, fields=PERSON
        )
    with pytest.raises(Forbidden):  # moving someone of one's own ward out to another ward
        people_commands.move_person(
            demo_store,
            viewer=ward_admin,
            person_id=inside.id,
            version=inside.version,
            unit_id=other,
            position_id=None,
            effective=TEST_TODAY,
        )
    assert count(demo_store, Person) == before
    assert len(audits(demo_store, "person.move", outcome="denied")) == 1
    with demo_store.read() as session:
        assert session.get(Person, inside.id).unit_id == inside.unit_id  # type: ignore[union-attr]
        rows, total = queries.people_page(session, viewer=ward_admin, search=person.full_name)
        assert person.id not in {r.id for r in rows}
        with pytest.raises(Forbidden):
            queries.people_page(session, viewer=ward_admin, unit_id=other)


# --- people ------------------------------------------------------------------------------------


def test_a_person_is_created_with_a_first_placement_and_found_without_accents(
    demo_store: Store, who: dict[str, Viewer]
) -> None:
    admin = who["admin"]
    division = a_division(demo_store, admin)
    post = positions.create_position(demo_store, viewer=admin, unit_id=division, fields=CLERK)
    made = people_commands.create_person(
        demo_store, viewer=admin, unit_id=division, position_id=post.position_id, fields=PERSON
    )
    with demo_store.read() as session:
        person = session.get(Person, made.person_id)
        assert person is not None
        assert (person.birth_date, person.birth_year, person.civil_servant_code, person.phone) == (
            date(1990, 5, 17),
            1990,
            "HN-TEST-01",
            "0912000111",
        )
        rows, total = queries.people_page(session, viewer=admin, search="tran thi mai")
        assert [r.id for r in rows] == [made.person_id] and total == 1
        by_id, _ = queries.people_page(session, viewer=admin, search="0011901")
        assert made.person_id in {r.id for r in by_id}
        by_code, _ = queries.people_page(session, viewer=admin, search="hn-test")
        assert [r.id for r in by_code] == [made.person_id]
    assert placements(demo_store, made.person_id) == [(division, post.position_id, date(2020, 2, 1), None)]
    assert json.loads(audits(demo_store, "person.create")[-1].after_json)["full_name"] == "Trần Thị Mai"


def test_bad_person_input_says_every_problem_and_writes_nothing(demo_store: Store, who: dict[str, Viewer]) -> None:
    admin = who["admin"]
    ward = unit_id(demo_store, HOAN_KIEM)
    with demo_store.read() as session:
        taken = session.execute(select(Person.citizen_id).limit(1)).scalar_one()
    before = (count(demo_store, Person), count(demo_store, PersonPlacement))
    broken = PersonInput(**{**PERSON.__dict__, "gender": "male", "phone": "123", "start_date": ""})
    with pytest.raises(Invalid) as caught:
        people_commands.create_person(demo_store, viewer=admin, unit_id=ward, position_id=None, fields=broken)
    assert caught.value.problems == {
        "citizen_id": "citizen_id_gender",
        "phone": "phone_format",
        "start_date": "missing",
    }
    duplicate = PersonInput(**{**PERSON.__dict__, "citizen_id": taken})
    with pytest.raises(Invalid) as dup:
        people_commands.create_person(demo_store, viewer=admin, unit_id=ward, position_id=None, fields=duplicate)
    assert dup.value.problems["citizen_id"] in {"duplicate_in_store", "citizen_id_birth_year", "citizen_id_century"}
    assert (count(demo_store, Person), count(demo_store, PersonPlacement)) == before


def test_an_edit_keeps_the_unit_and_a_stale_edit_is_a_conflict(demo_store: Store, who: dict[str, Viewer]) -> None:
    admin = who["admin"]
    made = people_commands.create_person(
        demo_store, viewer=admin, unit_id=unit_id(demo_store, HOAN_KIEM), position_id=None, fields=PERSON
    )
    renamed = PersonInput(**{**PERSON.__dict__, "full_name": "Trần Thị Mai Anh", "start_date": "2021-01-01"})
    state = people_commands.edit_person(
        demo_store, viewer=admin, person_id=made.person_id, version=made.version, fields=renamed
    )
    with demo_store.read() as session:
        person = session.get(Person, made.person_id)
        assert person is not None and person.full_name == "Trần Thị Mai Anh"
        assert person.start_date == date(2020, 2, 1)  # changed only by a move
    with pytest.raises(Conflict) as caught:
        people_commands.edit_person(
            demo_store, viewer=admin, person_id=made.person_id, version=made.version, fields=PERSON
        )
    assert caught.value.changed_by == "admin"
    entry = audits(demo_store, "person.edit")[-1]
    assert json.loads(entry.before_json)["full_name"] == "Trần Thị Mai"
    assert json.loads(entry.after_json)["full_name"] == "Trần Thị Mai Anh"
    assert state.version == made.version + 1


def test_a_move_closes_the_old_placement_and_keeps_the_past_in_the_old_unit(
    demo_store: Store, who: dict[str, Viewer]
) -> None:
    """A person of a Hoàn Kiếm division moved to Từ Liêm on the first of last month: the old placement
    ends the day before; the first quarter's people ranking of Hoàn Kiếm still lists them, Từ Liêm's not."""
    admin = who["admin"]
    ward, other = unit_id(demo_store, HOAN_KIEM), unit_id(demo_store, TU_LIEM)
    last_year = f"{TEST_TODAY.year}-Q1"  # a past quarter with tasks
    with demo_store.read() as session:
        ranked_before = set(people_rankings(session, viewer=admin, unit_id=ward, period=last_year)["person_id"])
        person = session.execute(
            select(Person)
            .join(OrgUnit, OrgUnit.id == Person.unit_id)
            .where(Person.id.in_(ranked_before), OrgUnit.parent_id == ward, Person.active.is_(True))
            .order_by(Person.id)
            .limit(1)
        ).scalar_one()
        division = person.unit_id
        target = session.execute(
            select(Position).where(Position.unit_id == other, Position.active.is_(True)).limit(1)
        ).scalar_one()
    effective = TEST_TODAY.replace(day=1) - timedelta(days=1)
    effective = effective.replace(day=1)
    start = person.start_date
    state = people_commands.move_person(
        demo_store,
        viewer=admin,
        person_id=person.id,
        version=person.version,
        unit_id=other,
        position_id=target.id,
        effective=effective,
    )
    assert placements(demo_store, person.id) == [
        (division, person.position_id, start, effective - timedelta(days=1)),
        (other, target.id, effective, None),
    ]
    with demo_store.read() as session:
        moved = session.get(Person, person.id)
        assert moved is not None and (moved.unit_id, moved.position_id, moved.start_date) == (
            other,
            target.id,
            effective,
        )
        assert moved.version == state.version
        ranked_after = set(people_rankings(session, viewer=admin, unit_id=ward, period=last_year)["person_id"])
        other_last_year = set(people_rankings(session, viewer=admin, unit_id=other, period=last_year)["person_id"])
    assert person.id in ranked_before
    assert ranked_after == ranked_before  # last year, they were in Hoàn Kiếm
    assert person.id not in other_last_year
    entry = audits(demo_store, "person.move")[-1]
    assert (json.loads(entry.before_json)["unit_id"], json.loads(entry.after_json)["unit_id"]) == (division, other)


def test_moves_refuse_bad_dates_locked_periods_and_stale_pages(demo_store: Store, who: dict[str, Viewer]) -> None:
    admin = who["admin"]
    ward, other = unit_id(demo_store, HOAN_KIEM), unit_id(demo_store, TU_LIEM)
    made = people_commands.create_person(demo_store, viewer=admin, unit_id=ward, position_id=None, fields=PERSON)
    before = placements(demo_store, made.person_id)

    def move(effective: date | None, version: int = made.version, unit: int = other) -> people_commands.PersonState:
        return people_commands.move_person(
            demo_store,
            viewer=admin,
            person_id=made.person_id,
            version=version,
            unit_id=unit,
            position_id=None,
            effective=effective,
        )

    for effective, code in [
        (None, {"effective": "required_date"}),
        (TEST_TODAY + timedelta(days=1), {"effective": "move_in_future"}),
        (date(2020, 1, 31), {"effective": "move_before_start"}),
    ]:
        with pytest.raises(Invalid) as caught:
            move(effective)
        assert caught.value.problems == code
    with pytest.raises(Invalid) as same:
        move(TEST_TODAY, unit=ward)
    assert same.value.problems == {"unit": "move_unchanged"}
    with demo_store.write() as session:
        month = session.execute(
            select(Period).where(Period.kind == "month", Period.start_date <= TEST_TODAY, Period.end_date >= TEST_TODAY)
        ).scalar_one()
        month.locked = True
    with pytest.raises(Invalid) as locked:
        move(TEST_TODAY)
    assert locked.value.problems == {"effective": "move_in_locked_period"}
    with pytest.raises(Conflict):
        move(date(2021, 1, 1), version=made.version + 5)
    assert placements(demo_store, made.person_id) == before


def test_deactivation_waits_for_the_login_and_ends_the_placement(demo_store: Store, who: dict[str, Viewer]) -> None:
    admin = who["admin"]
    ward = unit_id(demo_store, HOAN_KIEM)
    made = people_commands.create_person(demo_store, viewer=admin, unit_id=ward, position_id=None, fields=PERSON)
    account = users.create_account(
        demo_store, viewer=admin, username="mai.tran", role="staff", scope_unit_id=ward, person_id=made.person_id
    )
    with pytest.raises(Invalid) as caught:
        people_commands.deactivate_person(demo_store, viewer=admin, person_id=made.person_id, version=made.version)
    assert caught.value.problems == {"person": "person_has_active_account"}
    users.deactivate(demo_store, viewer=admin, user_id=account.user_id, version=account.version)
    people_commands.deactivate_person(demo_store, viewer=admin, person_id=made.person_id, version=made.version)
    assert placements(demo_store, made.person_id) == [(ward, None, date(2020, 2, 1), TEST_TODAY)]
    with demo_store.read() as session:
        active, _ = queries.people_page(session, viewer=admin, search="Trần Thị Mai")
        everyone, _ = queries.people_page(session, viewer=admin, search="Trần Thị Mai", include_inactive=True)
    assert made.person_id not in {r.id for r in active} and made.person_id in {r.id for r in everyone}


def test_people_page_sorts_pages_and_refuses_unknown_sort_keys(demo_store: Store, who: dict[str, Viewer]) -> None:
    admin = who["admin"]
    with demo_store.read() as session:
        first, total = queries.people_page(session, viewer=admin, sort=[("birth_date", True)], limit=20)
        second, _ = queries.people_page(session, viewer=admin, sort=[("birth_date", True)], offset=20, limit=20)
        assert (
            total
            == session.execute(select(func.count()).select_from(Person).where(Person.active.is_(True))).scalar_one()
        )
        dates = [r.birth_date for r in first + second]
        assert dates == sorted(dates, reverse=True) and len({r.id for r in first + second}) == 40
        with pytest.raises(Forbidden):
            queries.people_page(session, viewer=admin, sort=[("password_hash", False)])
        with pytest.raises(Forbidden):
            queries.people_page(session, viewer=admin, limit=10**6)


def test_a_past_evaluation_keeps_the_position_group_of_its_period(demo_store: Store, who: dict[str, Viewer]) -> None:
    """A specialist evaluated for the third quarter, made deputy head in another division from the first
    of this month: the quarter's classification list and ranking still group them as a specialist."""
    from data_access.commands import evaluations as evaluation_commands
    from data_access.queries import emulation
    from data_access.queries import evaluations as evaluation_queries

    manager, admin = who["manager"], who["admin"]
    quarter = f"{TEST_TODAY.year}-Q3"
    evaluation_commands.open_evaluations(demo_store, viewer=manager, period_code=quarter, unit_id=manager.scope_unit_id)
    with demo_store.read() as session:
        rows = evaluation_queries.list_evaluations(session, viewer=manager, period_code=quarter)
        specialist = next(r for r in rows if r.task_group.startswith("chuyen_vien"))
        person = session.get(Person, specialist.person_id)
        assert person is not None
        person_id, version, unit = person.id, person.version, person.unit_id
        deputy = session.execute(
            select(Position).where(Position.task_group == "lanh_dao_phong", Position.unit_id != unit).limit(1)
        ).scalar_one()
    people_commands.move_person(
        demo_store,
        viewer=admin,
        person_id=person_id,
        version=version,
        unit_id=deputy.unit_id,
        position_id=deputy.id,
        effective=TEST_TODAY.replace(day=1),
    )
    with demo_store.read() as session:
        after = evaluation_queries.list_evaluations(session, viewer=admin, period_code=quarter)
        ranked = emulation.rank_people(session, viewer=admin, period_code=quarter)
    assert next(r for r in after if r.person_id == person_id).task_group == specialist.task_group
    assert [r.group for r in ranked if r.evaluation_id == specialist.id] in ([], [specialist.task_group])


def test_a_past_quarter_opened_after_a_move_evaluates_people_where_they_worked(
    demo_store: Store, who: dict[str, Viewer]
) -> None:
    """Moved out of the technology division on the first of this month, a specialist is still evaluated
    there for the third quarter, and not in their new unit."""
    from data_access.commands import evaluations as evaluation_commands
    from data_access.models import Evaluation

    manager, admin = who["manager"], who["admin"]
    division = manager.scope_unit_id
    with demo_store.read() as session:
        person = session.execute(
            select(Person)
            .where(Person.unit_id == division, Person.active.is_(True))
            .order_by(Person.id.desc())
            .limit(1)
        ).scalar_one()
    other = unit_id(demo_store, TU_LIEM)
    people_commands.move_person(
        demo_store,
        viewer=admin,
        person_id=person.id,
        version=person.version,
        unit_id=other,
        position_id=None,
        effective=TEST_TODAY.replace(day=1),
    )
    quarter = f"{TEST_TODAY.year}-Q3"
    evaluation_commands.open_evaluations(demo_store, viewer=manager, period_code=quarter, unit_id=division)
    evaluation_commands.open_evaluations(demo_store, viewer=admin, period_code=quarter, unit_id=other)
    with demo_store.read() as session:
        units_of_person = (
            session.execute(select(Evaluation.unit_id).where(Evaluation.person_id == person.id)).scalars().all()
        )
    assert units_of_person == [division]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("dang thi", True),
        ("ĐẶNG THỊ Ánh", True),
        ("dang  thi anh", True),
        ("thi anh", True),
        ("dang_thi", False),
        ("dang%", False),
    ],
)
def test_the_name_search_ignores_accents_and_case_but_not_wildcards(
    demo_store: Store, who: dict[str, Viewer], typed: str, found: bool
) -> None:
    admin = who["admin"]
    fields = PersonInput(**{**PERSON.__dict__, "full_name": "Đặng Thị Ánh"})
    made = people_commands.create_person(
        demo_store, viewer=admin, unit_id=unit_id(demo_store, HOAN_KIEM), position_id=None, fields=fields
    )
    with demo_store.read() as session:
        rows, _ = queries.people_page(session, viewer=admin, search=typed, limit=500)
    assert (made.person_id in {r.id for r in rows}) is found

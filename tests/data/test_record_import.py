"""Bulk import of people and units on the real store (SQLite and PostgreSQL): a file of 50 people with 5
bad rows writes the 45 good ones (each with its placement and audit entry) and reports the 5 with the
field and code to fix; importing the same file again writes nothing and says "already in Pulse"; an
administrator of one ward cannot import into another (reported, and refused inside the write, audited);
a units file builds a subtree parents first; and a bad file writes nothing at all.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from data_access import record_imports
from data_access.commands import admin_users
from data_access.commands.record_imports import add_people
from data_access.db import Store
from data_access.errors import Forbidden
from data_access.models import AuditEntry, ImportJob, OrgUnit, Person, PersonPlacement, UnitSuccession
from data_access.record_files import RecordFileError
from data_access.viewer import Viewer
from domain.records.imports import WARNING_CODES
from tests.conftest import TEST_TODAY
from tests.support.people_files import people_file, ward_positions
from tests.support.viewers import demo_viewers, viewer_of
from tests.support.xlsx_files import shared_string_bomb

HOAN_KIEM, TU_LIEM = "W00070", "W00592"


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def count(store: Store, model: type, *where: object) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def run_import(store: Store, viewer: Viewer, kind: str, content: bytes) -> tuple[record_imports.JobState, list]:
    """Upload, check to the end, import the valid records; the final state and report."""
    staged = record_imports.stage(store, viewer=viewer, kind=kind, filename="f", content=content)
    checked = record_imports.run(store, viewer=viewer, job_id=staged.job_id)
    assert checked.status == "checked", checked
    if checked.valid:
        record_imports.start_import(store, viewer=viewer, job_id=staged.job_id)
        record_imports.run(store, viewer=viewer, job_id=staged.job_id)
    with store.read() as session:
        return record_imports.job_report(session, viewer=viewer, job_id=staged.job_id)


def problems_by_record(report: list) -> dict[int, list[tuple[str, str]]]:
    """The problems that kept each record out (warnings such as "needed for the exchange" left aside)."""
    return {
        e["record"]: [(p["field"], p["code"]) for p in e["problems"] if p["code"] not in WARNING_CODES]
        for e in report
        if e["blocking"]
    }


@pytest.mark.parametrize("form", ["xlsx", "json"])
def test_fifty_people_with_five_bad_rows_write_the_45_and_report_the_5(
    demo_store: Store, people: dict[str, Viewer], form: str
) -> None:
    places = ward_positions(demo_store)
    assert places, "the pilot ward has divisions with positions"
    made = people_file(places)
    before, placements = count(demo_store, Person), count(demo_store, PersonPlacement)
    content = made.xlsx_bytes(["Họ và tên", "Số định danh cá nhân"]) if form == "xlsx" else made.json_bytes()
    state, report = run_import(demo_store, people["admin"], "people", content)

    assert (state.status, state.total, state.valid, state.invalid, state.saved) == ("imported", 50, 45, 5, 45)
    assert problems_by_record(report) == {index: [problem] for index, problem in made.bad.items()}
    if form == "xlsx":  # the report names the sheet's rows (header and hidden key row above the first record)
        assert {e["row"] for e in report if e["blocking"]} == {made.sheet_row(i) for i in made.bad}
    assert count(demo_store, Person) == before + 45
    assert count(demo_store, PersonPlacement) == placements + 45
    with demo_store.read() as session:
        written = {
            p.citizen_id: p
            for p in session.execute(
                select(Person).where(Person.citizen_id.in_([r["citizen_id"] for r in made.valid]))
            ).scalars()
        }
        assert len(written) == 45
        sample = made.valid[3]
        person = written[sample["citizen_id"]]
        unit = session.execute(select(OrgUnit).where(OrgUnit.code == sample["unit_code"])).scalar_one()
        assert (person.full_name, person.gender, person.unit_id, person.rank_code) == (
            sample["full_name"],
            sample["gender"],
            unit.id,
            "01.003",
        )
        assert person.birth_date == date.fromisoformat(sample["date_of_birth"])
        assert person.birth_year == person.birth_date.year and person.position_id is not None
        placement = session.execute(select(PersonPlacement).where(PersonPlacement.person_id == person.id)).scalar_one()
        assert (placement.unit_id, placement.position_id, placement.valid_from) == (
            unit.id,
            person.position_id,
            date.fromisoformat(sample["start_date"]),
        )
        audited = session.execute(
            select(AuditEntry.entity_id).where(AuditEntry.action == "person.import", AuditEntry.outcome == "ok")
        ).scalars()
        assert {int(i) for i in audited} == {p.id for p in written.values()}
        chunk = session.execute(select(AuditEntry).where(AuditEntry.action == "import.chunk")).scalars().one()
        assert sorted(json.loads(chunk.after_json or "{}")["ids"]) == sorted(p.id for p in written.values())


def test_importing_the_same_file_again_writes_nothing_and_says_already_in_pulse(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    made = people_file(ward_positions(demo_store))
    run_import(demo_store, people["admin"], "people", made.json_bytes())
    before = count(demo_store, Person)
    state, report = run_import(demo_store, people["admin"], "people", made.json_bytes())
    assert (state.valid, state.saved) == (0, 0)
    assert count(demo_store, Person) == before
    for index in range(len(made.records)):
        if index not in made.bad:
            assert ("citizen_id", "duplicate_in_store") in problems_by_record(report)[index]


def test_an_administrator_of_one_ward_cannot_import_into_another(demo_store: Store, people: dict[str, Viewer]) -> None:
    with demo_store.read() as session:
        tu_liem = session.execute(select(OrgUnit.id).where(OrgUnit.code == TU_LIEM)).scalar_one()
    admin_users.create_account(
        demo_store, viewer=people["admin"], username="quantri.tuliem", role="admin", scope_unit_id=tu_liem
    )
    ward_admin = viewer_of(demo_store, "quantri.tuliem")
    made = people_file(ward_positions(demo_store, HOAN_KIEM), count=6)
    before = count(demo_store, Person)

    state, report = run_import(demo_store, ward_admin, "people", made.json_bytes())
    assert (state.valid, state.saved) == (0, 0)
    assert all(("unit_code", "out_of_scope") in problems_by_record(report)[i] for i in range(6) if i not in made.bad)

    # The write itself checks again inside its transaction, and audits the refusal.
    with demo_store.write() as session:
        outcomes = add_people(session, ward_admin, made.valid[:2], today=TEST_TODAY)
    assert [o.written_id for o in outcomes] == [None, None]
    assert outcomes[0].problems[0]["code"] == "out_of_scope"
    assert count(demo_store, Person) == before
    assert count(demo_store, AuditEntry, AuditEntry.action == "person.import", AuditEntry.outcome == "denied") == 2


def test_only_administrators_may_upload(demo_store: Store, people: dict[str, Viewer]) -> None:
    """A city leader, a manager, staff and a screen may not; a ward's leader and unit administrator may
    (delegated administration of their ward), like the administrator."""
    made = people_file(ward_positions(demo_store), count=3)
    for label in ("city_leader", "manager", "staff", "screen"):
        with pytest.raises(Forbidden):
            record_imports.stage(
                demo_store, viewer=people[label], kind="people", filename="f", content=made.json_bytes()
            )
    assert count(demo_store, ImportJob) == 0
    assert count(demo_store, AuditEntry, AuditEntry.action == "import.stage", AuditEntry.outcome == "denied") == 4
    for label in ("ward_leader", "unit_admin"):
        record_imports.stage(demo_store, viewer=people[label], kind="people", filename="f", content=made.json_bytes())
    assert count(demo_store, ImportJob) == 2


def test_a_units_file_builds_a_subtree_parents_first(demo_store: Store, people: dict[str, Viewer]) -> None:
    records = [
        # A division listed before its parent department: created after it all the same.
        {"code": "SO-SO-P1", "name": "Phòng Chuyển đổi số", "kind": "division", "parent_code": "SO-SO",
         "valid_from": "2026-01-01"},
        {"code": "SO-SO", "name": "Sở Số hóa", "kind": "department", "parent_code": "HN", "valid_from": "2026-01-01"},
        {"code": "SO-SO-DU", "name": "Đảng ủy Sở Số hóa", "kind": "party_board", "parent_code": "SO-SO",
         "valid_from": "2026-01-01"},
        {"code": "SO-SO-P0", "name": "Phòng Tin học cũ", "kind": "division", "parent_code": "SO-SO",
         "valid_from": "2020-01-01", "valid_to": "2025-12-31", "successor_codes": ["SO-SO-P1"]},
        {"code": "SO-SO-X", "name": "Phường trong sở", "kind": "ward", "parent_code": "SO-SO",
         "valid_from": "2026-01-01"},  # a ward cannot sit under a department
        {"code": "SO-SO-X-P1", "name": "Phòng của phường", "kind": "division", "parent_code": "SO-SO-X",
         "valid_from": "2026-01-01"},  # fine in itself, but its parent is kept out
    ]  # fmt: skip
    content = json.dumps({"records": records}, ensure_ascii=False).encode()
    before = count(demo_store, OrgUnit)
    state, report = run_import(demo_store, people["admin"], "units", content)
    assert (state.valid, state.saved) == (4, 4)
    assert problems_by_record(report) == {
        4: [("kind", "not_under_parent")],
        5: [("parent_code", "parent_left_out")],
    }
    assert count(demo_store, OrgUnit) == before + 4
    with demo_store.read() as session:
        made = {u.code: u for u in session.execute(select(OrgUnit).where(OrgUnit.code.like("SO-SO%"))).scalars()}
        city = session.execute(select(OrgUnit).where(OrgUnit.code == "HN")).scalar_one()
        department = made["SO-SO"]
        assert department.parent_id == city.id and department.path == f"{city.path}{department.id}/"
        for code in ("SO-SO-P1", "SO-SO-DU", "SO-SO-P0"):
            assert made[code].parent_id == department.id and made[code].depth == department.depth + 1
            assert made[code].path == f"{department.path}{made[code].id}/"
        assert made["SO-SO-P0"].active is False and made["SO-SO-P1"].active is True
        link = session.execute(select(UnitSuccession)).scalars().one()
        assert (link.predecessor_id, link.successor_id, link.effective_on) == (
            made["SO-SO-P0"].id,
            made["SO-SO-P1"].id,
            date(2026, 1, 1),
        )
    # Again: every unit is already there.
    state, report = run_import(demo_store, people["admin"], "units", content)
    assert state.saved == 0 and count(demo_store, OrgUnit) == before + 4
    assert ("code", "duplicate_in_store") in problems_by_record(report)[1]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\0" * (10 * 1024 * 1024 + 1), "file_too_large"),
        (b'{"records": [', "file_not_json"),
        (b'{"people": []}', "file_no_records"),
        (b"PK\x03\x04 not a zip", "file_not_workbook"),
        (shared_string_bomb(1024), "file_unpacks_too_large"),
        (b'{"records": []}', "file_empty"),
        (json.dumps({"records": [{}] * (record_imports.MAX_ROWS + 1)}).encode(), "file_too_many_records"),
    ],
    ids=["over-10-mb", "malformed-json", "not-the-shape", "not-a-zip", "zip-bomb", "empty", "too-many-rows"],
)
def test_a_bad_file_is_refused_whole_and_writes_nothing(
    demo_store: Store, people: dict[str, Viewer], content: bytes, code: str
) -> None:
    with pytest.raises(RecordFileError) as caught:
        record_imports.stage(demo_store, viewer=people["admin"], kind="people", filename="f", content=content)
    assert caught.value.code == code
    assert count(demo_store, ImportJob) == 0


def test_wrong_types_are_reported_per_record_not_crashing(demo_store: Store, people: dict[str, Viewer]) -> None:
    records = [12, {"citizen_id": 1185001234, "full_name": ["x"], "gender": True, "unit_code": None}, "text"]
    state, report = run_import(demo_store, people["admin"], "people", json.dumps({"records": records}).encode())
    assert (state.valid, state.invalid, state.saved) == (0, 3, 0)
    found = problems_by_record(report)
    assert found[0] == [("", "not_a_record")]
    assert ("citizen_id", "not_text") in found[1] and ("gender", "not_text") in found[1]


def test_a_person_added_between_the_check_and_the_import_is_not_written_twice(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    """Two administrators check the same file; the second to import finds the people already there:
    the write checks again inside its transaction and reports them instead of failing or duplicating."""
    admin = people["admin"]
    made = people_file(ward_positions(demo_store), count=8)
    first = record_imports.stage(demo_store, viewer=admin, kind="people", filename="a", content=made.json_bytes())
    assert record_imports.run(demo_store, viewer=admin, job_id=first.job_id).valid == 7
    _state, _report = run_import(demo_store, admin, "people", made.json_bytes())  # the other import, first
    before = count(demo_store, Person)

    record_imports.start_import(demo_store, viewer=admin, job_id=first.job_id)
    state = record_imports.run(demo_store, viewer=admin, job_id=first.job_id)
    with demo_store.read() as session:
        _final, report = record_imports.job_report(session, viewer=admin, job_id=first.job_id)
    assert (state.status, state.saved, state.invalid) == ("imported", 0, 8)
    assert count(demo_store, Person) == before
    assert all(("citizen_id", "duplicate_in_store") in problems_by_record(report)[i] for i in range(1, 6))

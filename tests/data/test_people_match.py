"""People imported again are matched by citizen id (SQLite and PostgreSQL): the same id with another name
or another date of birth is reported as a conflict for a person to resolve and nothing of the person in
Pulse changes; the same id with the same facts is "already recorded" and updates nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from data_access import record_imports
from data_access.db import Store
from data_access.models import AuditEntry, Person
from data_access.viewer import Viewer
from tests.support.people_files import people_file, ward_positions
from tests.support.viewers import demo_viewers


@pytest.fixture
def admin(demo_store: Store) -> Viewer:
    return demo_viewers(demo_store)["admin"]


def imported(store: Store, viewer: Viewer, records: list[dict]) -> tuple[record_imports.JobState, list[dict]]:
    content = json.dumps({"source": "test", "records": records}, ensure_ascii=False).encode()
    staged = record_imports.stage(store, viewer=viewer, kind="people", filename="f.json", content=content)
    checked = record_imports.run(store, viewer=viewer, job_id=staged.job_id)
    if checked.valid:
        record_imports.start_import(store, viewer=viewer, job_id=staged.job_id)
        record_imports.run(store, viewer=viewer, job_id=staged.job_id)
    with store.read() as session:
        return record_imports.job_report(session, viewer=viewer, job_id=staged.job_id)


def citizen_id_codes(report: list[dict]) -> list[str]:
    return [next((p["code"] for p in e["problems"] if p["field"] == "citizen_id"), "") for e in report]


def test_the_same_id_with_another_name_or_birth_date_is_a_conflict_and_the_same_facts_change_nothing(
    demo_store: Store, admin: Viewer
) -> None:
    made = people_file(ward_positions(demo_store), count=4, serial_base=700_000)
    first, _report = imported(demo_store, admin, made.records)
    assert first.saved == 4

    renamed = {**made.records[0], "full_name": "Trần Văn Khác"}
    reborn = {**made.records[1], "date_of_birth": made.records[1]["date_of_birth"][:8] + "28"}
    same = {**made.records[2], "full_name": "  " + made.records[2]["full_name"].replace(" ", "  ") + " "}
    again = dict(made.records[3])
    with demo_store.read() as session:
        people_before = {
            p.citizen_id: (p.full_name, p.birth_date, p.version)
            for p in session.execute(
                select(Person).where(Person.citizen_id.in_([r["citizen_id"] for r in made.records]))
            ).scalars()
        }
        person_writes = select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("person.%"))
        writes_before = session.execute(person_writes).scalar_one()

    state, report = imported(demo_store, admin, [renamed, reborn, same, again])
    assert citizen_id_codes(report) == [
        "citizen_id_conflict",
        "citizen_id_conflict",
        "duplicate_in_store",
        "duplicate_in_store",
    ]
    assert all(e["blocking"] for e in report) and state.saved == 0
    conflict = next(p for p in report[0]["problems"] if p["code"] == "citizen_id_conflict")
    assert conflict["quality"] == "unified" and conflict["params"]["unit"] == made.records[0]["unit_code"]
    with demo_store.read() as session:
        people_after = {
            p.citizen_id: (p.full_name, p.birth_date, p.version)
            for p in session.execute(
                select(Person).where(Person.citizen_id.in_([r["citizen_id"] for r in made.records]))
            ).scalars()
        }
        writes_after = session.execute(person_writes).scalar_one()
    assert people_after == people_before  # nothing overwritten, nothing updated
    assert writes_after == writes_before

"""/admin/quality's counts on the real store (SQLite and PostgreSQL): a unit's records are checked by the
six qualities with the file validator's rules, each record counted once per quality, only inside the
viewer's subtree, a page of units at a time."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from config.clock import today
from data_access.db import Store
from data_access.errors import Forbidden
from data_access.models import OrgUnit, Person
from data_access.queries import quality as queries
from data_access.viewer import Viewer
from tests.support.viewers import demo_viewers

HOAN_KIEM = "W00070"
TU_LIEM = "W00592"


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def _unit(store: Store, code: str) -> OrgUnit:
    with store.read() as session:
        unit = session.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one()
        session.expunge(unit)
        return unit


def _line(store: Store, viewer: Viewer, unit_id: int, name: str) -> queries.UnitQuality:
    with store.read() as session:
        rows, _total = queries.quality_page(session, viewer=viewer, today=today(), search=name)
    return next(r for r in rows if r.unit_id == unit_id)


def test_a_bad_record_is_counted_under_its_unit_once_per_quality(demo_store: Store, people: dict[str, Viewer]) -> None:
    admin = people["admin"]
    ward = _unit(demo_store, HOAN_KIEM)
    with demo_store.read() as session:
        division_id, person_id = session.execute(
            select(OrgUnit.id, Person.id)
            .join(Person, Person.unit_id == OrgUnit.id)
            .where(OrgUnit.parent_id == ward.id)
            .order_by(Person.id)
            .limit(1)
        ).one()
        division_name = session.execute(select(OrgUnit.name).where(OrgUnit.id == division_id)).scalar_one()
    before = _line(demo_store, admin, division_id, division_name)
    with demo_store.read() as session:
        had = {
            (i.quality)
            for i in queries.unit_issues(session, viewer=admin, unit_id=division_id, today=today())
            if i.record_kind == "person" and i.record_id == person_id
        }
    with demo_store.write() as session:  # two "correct" problems on one record, and one "sufficient" problem
        session.execute(
            update(Person).where(Person.id == person_id).values(email="khong-phai-email", phone="12", birth_date=None)
        )
    after = _line(demo_store, admin, division_id, division_name)
    assert after.people == before.people
    # Two "correct" problems on one record count once; one more record only if it passed before.
    assert after.failing["correct"] == before.failing["correct"] + (0 if "correct" in had else 1)
    assert after.failing["sufficient"] == before.failing["sufficient"] + (0 if "sufficient" in had else 1)
    with demo_store.read() as session:
        issues = queries.unit_issues(session, viewer=admin, unit_id=division_id, today=today())
    mine = {(i.field, i.code, i.quality) for i in issues if i.record_kind == "person" and i.record_id == person_id}
    assert {("email", "email_format", "correct"), ("phone", "phone_format", "correct")} <= mine
    assert ("date_of_birth", "missing", "sufficient") in mine
    assert after.failing["sufficient"] >= 1 and after.records_failing >= 1
    assert not [i for i in issues if i.code == "duplicate_in_store"]  # a stored record is not its own duplicate


def test_units_come_a_page_at_a_time_inside_the_subtree(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward, other = _unit(demo_store, HOAN_KIEM), _unit(demo_store, TU_LIEM)
    unit_admin = people["unit_admin"]
    with demo_store.read() as session:
        first, total = queries.quality_page(session, viewer=unit_admin, today=today(), page=1, size=3)
        second, _ = queries.quality_page(session, viewer=unit_admin, today=today(), page=2, size=3)
        found, hits = queries.quality_page(session, viewer=people["admin"], today=today(), search="hoan kiem")
        assert queries.unit_issues(session, viewer=unit_admin, unit_id=other.id, today=today()) == []
    assert (
        first[0].unit_id == ward.id and len(first) == 3 and not {r.unit_id for r in first} & {r.unit_id for r in second}
    )
    assert total > 3 and all(
        set(r.failing) == {"correct", "sufficient", "clean", "live", "unified", "shared"} for r in first
    )
    assert ward.id in {r.unit_id for r in found} and other.id not in {r.unit_id for r in found} and hits >= 1


@pytest.mark.parametrize("label", ["staff", "manager", "city_leader", "screen"])
def test_others_are_refused(demo_store: Store, people: dict[str, Viewer], label: str) -> None:
    with demo_store.read() as session, pytest.raises(Forbidden):
        queries.quality_page(session, viewer=people[label], today=date(2026, 12, 7))

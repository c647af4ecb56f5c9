"""/admin/periods' commands on the real store (SQLite and PostgreSQL): opening the next year is idempotent
and audited, lock and unlock follow the rules, grace days are checked, a stale page is a Conflict, and
nobody but an administrator (not a ward's unit administrator) changes the calendar."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from config.clock import today
from data_access.commands import admin_periods as commands
from data_access.commands.measurements import reporting_window
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid
from data_access.models import AuditEntry, Period
from data_access.queries import admin_periods as queries
from data_access.viewer import Viewer
from tests.support.viewers import demo_viewers


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def row(store: Store, viewer: Viewer, code: str) -> queries.PeriodRow:
    with store.read() as session:
        return next(r for r in queries.period_rows(session, viewer=viewer) if r.code == code)


def audits(store: Store, action: str) -> list[AuditEntry]:
    with store.read() as session:
        entries = session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars().all()
        for entry in entries:
            session.expunge(entry)
        return list(entries)


def test_opening_the_next_year_makes_its_quarters_and_months_once(demo_store: Store, people: dict[str, Viewer]) -> None:
    admin = people["admin"]
    year = today().year + 1
    with demo_store.read() as session:
        listed = queries.period_rows(session, viewer=admin)
    assert listed[0].code == str(today().year)  # the newest year first, then its quarters and months
    assert [r.code for r in listed[:3]] == [str(today().year), f"{today().year}-Q1", f"{today().year}-01"]
    opened = commands.open_next_year(demo_store, viewer=admin, year=year)
    assert (opened.year, opened.created) == (year, 17)
    again = commands.open_next_year(demo_store, viewer=admin, year=year)  # a second click: nothing more
    assert (again.year, again.created) == (year, 0)
    with demo_store.read() as session:
        made = session.execute(select(Period).where(Period.year == year)).scalars().all()
    assert sorted(p.code for p in made)[:3] == [str(year), f"{year}-01", f"{year}-02"]
    assert len(made) == 17 and not any(p.locked for p in made) and {p.grace_days for p in made} == {10}
    assert {(p.kind, p.start_date.isoformat(), p.end_date.isoformat()) for p in made if p.code == f"{year}-Q1"} == {
        ("quarter", f"{year}-01-01", f"{year}-03-31")
    }
    entries = audits(demo_store, "period.open_year")
    assert len(entries) == 1 and json.loads(entries[0].after_json)["year"] == year
    with pytest.raises(Invalid) as skipped:  # a year out of turn (the page offered another one)
        commands.open_next_year(demo_store, viewer=admin, year=year + 5)
    assert skipped.value.problems == {"year": "not_next"}


def test_lock_unlock_and_grace_days(demo_store: Store, people: dict[str, Viewer]) -> None:
    admin = people["admin"]
    this_year = today().year
    last_month = f"{this_year}-{today().month - 1:02d}" if today().month > 1 else f"{this_year - 1}-12"
    month = row(demo_store, admin, last_month)
    locked = commands.lock_period(demo_store, viewer=admin, period_id=month.id, version=month.version)
    assert row(demo_store, admin, last_month).locked
    entry = audits(demo_store, "period.lock")[-1]
    assert json.loads(entry.before_json)["locked"] is False and json.loads(entry.after_json)["locked"] is True
    with pytest.raises(Conflict):  # the page still shows it open
        commands.lock_period(demo_store, viewer=admin, period_id=month.id, version=month.version)
    commands.unlock_period(demo_store, viewer=admin, period_id=month.id, version=locked.version)
    assert not row(demo_store, admin, last_month).locked

    current = row(demo_store, admin, f"{this_year}-{today().month:02d}")
    with pytest.raises(Invalid) as running:
        commands.lock_period(demo_store, viewer=admin, period_id=current.id, version=current.version)
    assert running.value.problems == {"period": "not_ended"}

    # Last year is locked in the demo: its months open only with the year.
    old_month = row(demo_store, admin, f"{this_year - 1}-03")
    assert old_month.locked
    with pytest.raises(Invalid) as inside:
        commands.unlock_period(demo_store, viewer=admin, period_id=old_month.id, version=old_month.version)
    assert inside.value.problems == {"period": "enclosing_locked"}

    # A locked quarter closes its months to entries; unlocked, they take them again.
    if today().month > 3:  # the first quarter is over (a running quarter cannot be locked)
        quarter = row(demo_store, admin, f"{this_year}-Q1")
        with demo_store.read() as session:
            assert not reporting_window(session, date(this_year, 2, 10)).locked  # type: ignore[union-attr]
        q_locked = commands.lock_period(demo_store, viewer=admin, period_id=quarter.id, version=quarter.version)
        with demo_store.read() as session:
            assert reporting_window(session, date(this_year, 2, 10)).locked  # type: ignore[union-attr]
        february = row(demo_store, admin, f"{this_year}-02")
        commands.lock_period(demo_store, viewer=admin, period_id=february.id, version=february.version)
        february = row(demo_store, admin, f"{this_year}-02")
        with pytest.raises(Invalid) as in_quarter:
            commands.unlock_period(demo_store, viewer=admin, period_id=february.id, version=february.version)
        assert in_quarter.value.problems == {"period": "enclosing_locked"}
        commands.unlock_period(demo_store, viewer=admin, period_id=quarter.id, version=q_locked.version)

    for bad in (61, "-3", "ba", None):
        with pytest.raises(Invalid):
            commands.set_grace_days(
                demo_store, viewer=admin, period_id=current.id, version=current.version, grace_days=bad
            )
    assert row(demo_store, admin, current.code).grace_days == current.grace_days
    commands.set_grace_days(demo_store, viewer=admin, period_id=current.id, version=current.version, grace_days="20")
    assert row(demo_store, admin, current.code).grace_days == 20
    assert json.loads(audits(demo_store, "period.grace_days")[-1].after_json)["grace_days"] == 20
    # On a quarter, the grace days go to its three months (the ones entries look at), each audited.
    quarter = row(demo_store, admin, f"{this_year}-Q3")
    commands.set_grace_days(demo_store, viewer=admin, period_id=quarter.id, version=quarter.version, grace_days=5)
    assert [row(demo_store, admin, f"{this_year}-{m:02d}").grace_days for m in (7, 8, 9)] == [5, 5, 5]
    assert row(demo_store, admin, f"{this_year}-10").grace_days == 10
    with demo_store.read() as session:
        assert reporting_window(session, date(this_year, 8, 3)).grace_days == 5  # type: ignore[union-attr]
    assert len(audits(demo_store, "period.grace_days")) == 1 + 1 + 3


@pytest.mark.parametrize("label", ["unit_admin", "ward_leader", "city_leader", "manager", "staff", "screen"])
def test_only_administrators_change_the_calendar(demo_store: Store, people: dict[str, Viewer], label: str) -> None:
    viewer, admin = people[label], people["admin"]
    month = row(demo_store, admin, f"{today().year}-01")
    with demo_store.read() as session:
        before = session.execute(select(func.count()).select_from(Period)).scalar_one()
    attempts = [
        lambda: commands.open_next_year(demo_store, viewer=viewer, year=today().year + 1),
        lambda: commands.lock_period(demo_store, viewer=viewer, period_id=month.id, version=month.version),
        lambda: commands.set_grace_days(
            demo_store, viewer=viewer, period_id=month.id, version=month.version, grace_days=5
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    with demo_store.read() as session, pytest.raises(Forbidden):
        queries.period_rows(session, viewer=viewer)
    with demo_store.read() as session:
        assert session.execute(select(func.count()).select_from(Period)).scalar_one() == before
    assert row(demo_store, admin, month.code) == month
    denied = [e for e in audits(demo_store, "period.lock") if e.user_id == viewer.user_id]
    assert len(denied) == 1 and denied[0].outcome == "denied"

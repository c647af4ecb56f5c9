"""KPI entry for a ward official on the real store (SQLite and PostgreSQL): the official is offered every
indicator they may enter (owned, or delegated to them), including those whose values from their account wait
for approval; an official with nothing to enter learns who owns their unit's indicators; a leader approves
several values at once, each authorised and audited, all or nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from config.clock import today
from data_access.commands import measurements as commands
from data_access.db import Store
from data_access.errors import Conflict, Forbidden
from data_access.models import AuditEntry, Indicator, Measurement, OrgUnit, Period, Person
from data_access.queries import entry
from data_access.viewer import Viewer
from tests.support.viewers import demo_viewers


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def _entered_by(store: Store, viewer: Viewer, year: int, status: str | None = None) -> set[int]:
    """Indicators of a year with a value entered from the viewer's account."""
    with store.read() as session:
        query = (
            select(Measurement.indicator_id)
            .join(Indicator, Indicator.id == Measurement.indicator_id)
            .join(Period, Period.id == Indicator.period_id)
            .where(Measurement.entered_by_id == viewer.user_id, Period.year == year)
        )
        if status:
            query = query.where(Measurement.status == status)
        return set(session.execute(query).scalars())


def test_the_ward_official_is_offered_the_indicators_their_waiting_values_belong_to(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    official, year = people["ward_staff"], today().year
    waiting = _entered_by(demo_store, official, year, "submitted")
    assert waiting, "the pilot seed has values from canbo.hoankiem waiting for approval"
    with demo_store.read() as session:
        offered = {i.id for i in entry.entry_indicators(session, viewer=official, year=year)}
    assert waiting <= offered
    assert _entered_by(demo_store, official, year) <= offered

    not_owned = next(iter(offered))
    with demo_store.read() as session:
        assert session.get(Indicator, not_owned).owner_person_id != official.person_id or len(offered) == 1
    state = commands.enter_value(demo_store, viewer=official, indicator_id=not_owned, value=1, measured_on=today())
    assert state.status == "submitted"


def test_an_official_with_nothing_to_enter_is_told_who_owns_the_units_indicators(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    official, year = people["ward_staff"], today().year
    with demo_store.write() as session:
        owner = (
            session.execute(
                select(Person).where(Person.unit_id == official.scope_unit_id, Person.id != official.person_id)
            )
            .scalars()
            .first()
        )
        session.execute(
            update(Indicator)
            .where(Indicator.unit_id == official.scope_unit_id)
            .values(owner_person_id=owner.id, reporter_person_id=None)
        )
        owner_name = owner.full_name
    with demo_store.read() as session:
        assert entry.entry_indicators(session, viewer=official, year=year) == []
        why = entry.unit_indicator_owners(session, viewer=official, year=year)
    assert why is not None and why.indicator_count > 0
    assert why.owners == [owner_name]
    with demo_store.read() as session:
        some = session.execute(select(Indicator.id).where(Indicator.unit_id == official.scope_unit_id)).scalar()
    with pytest.raises(Forbidden):  # the command refuses what the page no longer offers
        commands.enter_value(demo_store, viewer=official, indicator_id=some, value=1, measured_on=today())


def _waiting_for(store: Store, viewer: Viewer) -> list[entry.ValueRow]:
    with store.read() as session:
        return entry.pending_approvals(session, viewer=viewer)


def test_a_ward_leader_approves_three_values_at_once(demo_store: Store, people: dict[str, Viewer]) -> None:
    leader = people["ward_leader"]
    three = _waiting_for(demo_store, leader)[:3]
    assert len(three) == 3
    official = people["ward_staff"]
    with demo_store.read() as session:
        name = session.get(Person, official.person_id).full_name
    from_official = [v for v in _waiting_for(demo_store, leader) if v.entered_by_name == name]
    assert from_official, "the queue names the person who entered a value, not the login"
    assert all(v.entered_by == name for v in from_official)
    assert any(v.previous_value is not None and v.previous_on < v.measured_on for v in from_official)
    assert all(v.target is not None for v in from_official)
    states = commands.approve_many(demo_store, viewer=leader, seen=[(v.id, v.version) for v in three])
    assert [s.status for s in states] == ["approved"] * 3
    left = {v.id for v in _waiting_for(demo_store, leader)}
    assert not left & {v.id for v in three}
    with demo_store.read() as session:
        audited = set(
            session.execute(
                select(AuditEntry.entity_id).where(
                    AuditEntry.action == "measurement.approve", AuditEntry.outcome == "ok"
                )
            ).scalars()
        )
    assert {str(v.id) for v in three} <= audited


def test_a_stale_or_forbidden_value_leaves_the_whole_batch_waiting(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    leader, staff = people["ward_leader"], people["ward_staff"]
    with demo_store.read() as session:
        division = session.get(OrgUnit, staff.scope_unit_id).name
    two = [v for v in _waiting_for(demo_store, leader) if v.unit == division][:2]  # values the official can see
    assert len(two) == 2
    with pytest.raises(Conflict):
        commands.approve_many(demo_store, viewer=leader, seen=[(two[0].id, two[0].version), (two[1].id, 0)])
    assert {v.id for v in two} <= {v.id for v in _waiting_for(demo_store, leader)}

    with pytest.raises(Forbidden):  # a ward official forging the batch: refused, audited, nothing approved
        commands.approve_many(demo_store, viewer=staff, seen=[(v.id, v.version) for v in two])
    assert {v.id for v in two} <= {v.id for v in _waiting_for(demo_store, leader)}
    with demo_store.read() as session:
        refused = session.execute(
            select(AuditEntry.id).where(AuditEntry.action == "measurement.approve", AuditEntry.outcome != "ok")
        ).first()
    assert refused is not None

"""Indicator values on the real store (SQLite and PostgreSQL): entry checked for type, range and
date (inside the indicator's year, not ahead of today, month still open or within its grace window,
not in a locked period); approval by a manager before a value counts, rejection with a reason that
reaches whoever entered it; four eyes; stale approvals refused with who and when.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from config.clock import today
from data_access.commands import measurements as commands
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid
from data_access.models import AuditEntry, Indicator, IndicatorRollup, Measurement, Notification, OrgUnit, Period
from data_access.seed import DEMO_USERNAMES
from data_access.viewer import Viewer
from tests.support.viewers import demo_viewers


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def owned_indicator(store: Store, viewer: Viewer, *, year: int, direction: str = "increase") -> Indicator:
    with store.read() as session:
        return (
            session.execute(
                select(Indicator)
                .join(Period, Period.id == Indicator.period_id)
                .where(
                    Indicator.owner_person_id == viewer.person_id, Period.year == year, Indicator.direction == direction
                )
                .order_by(Indicator.id)
            )
            .scalars()
            .first()
        )


def year_rollup(store: Store, indicator_id: int, year: int) -> IndicatorRollup:
    with store.read() as session:
        period = session.execute(select(Period.id).where(Period.code == str(year))).scalar_one()
        return session.get(IndicatorRollup, (indicator_id, period))


def test_a_submitted_value_counts_only_once_approved(demo_store: Store, people: dict[str, Viewer]) -> None:
    staff, manager = people["staff"], people["manager"]
    indicator = owned_indicator(demo_store, staff, year=today().year)
    before = year_rollup(demo_store, indicator.id, today().year)
    state = commands.enter_value(
        demo_store,
        viewer=staff,
        indicator_id=indicator.id,
        value="75,5",
        measured_on=today(),
        comment="Số liệu tháng 11",
    )
    assert state.status == "submitted"
    waiting = year_rollup(demo_store, indicator.id, today().year)
    assert (waiting.latest_value, waiting.latest_on) == (before.latest_value, before.latest_on)  # not counted yet

    with pytest.raises(Forbidden):  # whoever entered a value may not approve it, even a manager
        own = commands.enter_value(demo_store, viewer=manager, indicator_id=indicator.id, value=76, measured_on=today())
        commands.approve(demo_store, viewer=manager, measurement_id=own.measurement_id, version=own.version)
    approved = commands.approve(demo_store, viewer=manager, measurement_id=state.measurement_id, version=state.version)
    assert approved.status == "approved"
    counted = year_rollup(demo_store, indicator.id, today().year)
    assert (counted.latest_value, counted.latest_on) == (75.5, today())
    with demo_store.read() as session:
        row = session.get(Measurement, state.measurement_id)
        trail = (
            session.execute(
                select(AuditEntry.action)
                .where(
                    AuditEntry.entity == "measurement", AuditEntry.entity_id == str(row.id), AuditEntry.outcome == "ok"
                )
                .order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
    assert (row.reviewed_by_id, row.entered_by_id) == (manager.user_id, staff.user_id)
    assert trail == ["measurement.enter", "measurement.approve"]


def test_rejection_needs_a_reason_and_tells_who_entered_it(demo_store: Store, people: dict[str, Viewer]) -> None:
    staff, manager = people["staff"], people["manager"]
    indicator = owned_indicator(demo_store, staff, year=today().year)
    state = commands.enter_value(demo_store, viewer=staff, indicator_id=indicator.id, value=60, measured_on=today())
    with pytest.raises(Invalid) as raised:
        commands.reject(
            demo_store, viewer=manager, measurement_id=state.measurement_id, version=state.version, reason=""
        )
    assert raised.value.problems == {"reason": "reason_required"}
    rejected = commands.reject(
        demo_store,
        viewer=manager,
        measurement_id=state.measurement_id,
        version=state.version,
        reason="Chưa khớp với báo cáo của Sở",
    )
    assert rejected.status == "rejected"
    with demo_store.read() as session:
        notice = session.execute(
            select(Notification).where(Notification.user_id == staff.user_id, Notification.kind == "value_rejected")
        ).scalar_one()
        kept = session.get(Measurement, state.measurement_id)
    assert notice.detail == "Chưa khớp với báo cáo của Sở" and notice.indicator_id == indicator.id
    assert kept.reject_reason == "Chưa khớp với báo cáo của Sở"  # history kept, never deleted
    with pytest.raises(Invalid) as raised:  # a decided value cannot be decided again
        commands.approve(demo_store, viewer=manager, measurement_id=state.measurement_id, version=rejected.version)
    assert raised.value.problems == {"status": "not_allowed_now"}


def test_stale_approval_is_refused_with_who_decided(demo_store: Store, people: dict[str, Viewer]) -> None:
    staff, manager, leader = people["staff"], people["manager"], people["city_leader"]
    indicator = owned_indicator(demo_store, staff, year=today().year)
    state = commands.enter_value(demo_store, viewer=staff, indicator_id=indicator.id, value=61, measured_on=today())
    commands.approve(demo_store, viewer=manager, measurement_id=state.measurement_id, version=state.version)
    with pytest.raises(Conflict) as raised:
        commands.reject(
            demo_store, viewer=leader, measurement_id=state.measurement_id, version=state.version, reason="Sai"
        )
    assert raised.value.changed_by == DEMO_USERNAMES["manager"]


@pytest.mark.parametrize(
    ("value", "measured_on", "problems"),
    [
        ("abc", date(2026, 11, 20), {"value": "required_number"}),
        ("150", date(2026, 11, 20), {"value": "value_range"}),
        ("-3", date(2026, 11, 20), {"value": "value_range"}),
        ("70", date(2026, 12, 1), {"measured_on": "future_date"}),
        ("70", date(2025, 11, 20), {"measured_on": "outside_period"}),
        ("70", date(2026, 9, 15), {"measured_on": "period_closed"}),  # September closed on 10 October (10 grace days)
        ("70", None, {"measured_on": "required_date"}),
    ],
)
def test_bad_values_say_what_to_fix_and_write_nothing(
    demo_store: Store, people: dict[str, Viewer], value: str, measured_on: date | None, problems: dict
) -> None:
    staff = people["staff"]
    indicator = owned_indicator(demo_store, staff, year=2026)
    with demo_store.read() as session:
        before = session.execute(select(func.count()).select_from(Measurement)).scalar_one()
    with pytest.raises(Invalid) as raised:
        commands.enter_value(demo_store, viewer=staff, indicator_id=indicator.id, value=value, measured_on=measured_on)
    assert raised.value.problems == problems
    with demo_store.read() as session:
        assert session.execute(select(func.count()).select_from(Measurement)).scalar_one() == before


def test_late_reporting_within_the_grace_window_and_locked_periods(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    staff = people["staff"]
    indicator = owned_indicator(demo_store, staff, year=2026)
    # 20 November: October ended 20 days ago; with 30 grace days it is still open, then an admin locks it.
    with demo_store.write() as session:
        session.execute(update(Period).where(Period.code == "2026-10").values(grace_days=30))
    state = commands.enter_value(
        demo_store, viewer=staff, indicator_id=indicator.id, value=55, measured_on=date(2026, 10, 31)
    )
    assert state.status == "submitted"
    with demo_store.write() as session:
        session.execute(update(Period).where(Period.code == "2026-10").values(locked=True))
    with pytest.raises(Invalid) as raised:
        commands.enter_value(
            demo_store, viewer=staff, indicator_id=indicator.id, value=56, measured_on=date(2026, 10, 31)
        )
    assert raised.value.problems == {"measured_on": "period_locked"}


def test_values_follow_the_language_and_the_direction(demo_store: Store, people: dict[str, Viewer]) -> None:
    staff = people["staff"]
    decreasing = owned_indicator(demo_store, staff, year=2026, direction="decrease")
    state = commands.enter_value(
        demo_store, viewer=staff, indicator_id=decreasing.id, value="1.234,5", measured_on=today()
    )
    with demo_store.read() as session:
        assert session.get(Measurement, state.measurement_id).value == 1234.5  # Vietnamese: dot for thousands
    english = Viewer(**{**staff.__dict__, "language": "en"})
    state = commands.enter_value(
        demo_store, viewer=english, indicator_id=decreasing.id, value="1,234.5", measured_on=today()
    )
    with demo_store.read() as session:
        assert session.get(Measurement, state.measurement_id).value == 1234.5


def test_someone_elses_indicator_is_refused_and_audited(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward_staff, staff = people["ward_staff"], people["staff"]
    indicator = owned_indicator(demo_store, staff, year=2026)
    with pytest.raises(Forbidden):
        commands.enter_value(demo_store, viewer=ward_staff, indicator_id=indicator.id, value=70, measured_on=today())
    with demo_store.read() as session:
        denied = session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "measurement.enter", AuditEntry.outcome == "denied")
        ).scalar_one()
    assert denied == 1


def test_without_required_approval_a_value_counts_at_once(demo_store: Store, people: dict[str, Viewer]) -> None:
    staff = people["staff"]
    indicator = owned_indicator(demo_store, staff, year=today().year)
    with demo_store.write() as session:
        session.execute(update(OrgUnit).where(OrgUnit.id == indicator.unit_id).values(requires_approval=False))
    state = commands.enter_value(demo_store, viewer=staff, indicator_id=indicator.id, value=88, measured_on=today())
    assert state.status == "approved"
    assert year_rollup(demo_store, indicator.id, today().year).latest_value == 88


def test_reviewers_racing_on_one_value_decide_it_once(demo_store: Store, people: dict[str, Viewer]) -> None:
    """Reviewers approve or reject the same value at once, each with the version they saw: one decision
    commits, every other attempt is told of the conflict; nothing is half-written."""
    import threading

    staff = people["staff"]
    reviewers = [people["manager"], people["city_leader"], people["city_manager"], people["admin"]] * 2
    indicator = owned_indicator(demo_store, staff, year=today().year)
    state = commands.enter_value(demo_store, viewer=staff, indicator_id=indicator.id, value=64, measured_on=today())
    barrier = threading.Barrier(len(reviewers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int, reviewer: Viewer) -> None:
        barrier.wait()
        try:
            if n % 2:
                commands.reject(
                    demo_store,
                    viewer=reviewer,
                    measurement_id=state.measurement_id,
                    version=state.version,
                    reason=f"Sai số liệu ({n})",
                )
            else:
                commands.approve(
                    demo_store, viewer=reviewer, measurement_id=state.measurement_id, version=state.version
                )
            result = "committed"
        except Conflict:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n, r)) for n, r in enumerate(reviewers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(reviewers)
    assert outcomes.count("committed") == 1 and outcomes.count("conflict") == len(reviewers) - 1
    with demo_store.read() as session:
        row = session.get(Measurement, state.measurement_id)
        decisions = session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.entity == "measurement",
                AuditEntry.entity_id == str(row.id),
                AuditEntry.outcome == "ok",
                AuditEntry.action.in_(["measurement.approve", "measurement.reject"]),
            )
        ).scalar_one()
    assert row.version == state.version + 1 and decisions == 1
    assert row.status in ("approved", "rejected") and (row.reject_reason is None) == (row.status == "approved")

"""The counts on "My work" open exactly what they count (SQLite and PostgreSQL): "N waiting for my
acceptance" lists those N tasks, "N open" the N open ones; closed tasks only behind their own filter."""

from __future__ import annotations

import pytest

from config.clock import today
from data_access.db import Store
from data_access.errors import NotFound
from data_access.queries import work
from domain.kinds import OPEN_TASK_STATUSES
from domain.periods import parse_period
from tests.support.viewers import demo_viewers


@pytest.mark.parametrize("role", ["ward_leader", "ward_staff", "manager", "staff"])
def test_each_count_opens_exactly_its_tasks(shared_demo_store: Store, role: str) -> None:
    viewer = demo_viewers(shared_demo_store)[role]
    year = parse_period(str(today().year))
    with shared_demo_store.read() as session:
        counts = work.work_counts(session, viewer=viewer, today=today())
        waiting = work.work_list(
            session, viewer=viewer, box="by_me", today=today(), start=year.start, end=year.end, show="waiting"
        )
        open_ = work.work_list(
            session, viewer=viewer, box="to_me", today=today(), start=year.start, end=year.end, show="open"
        )
        closed = work.work_list(
            session, viewer=viewer, box="to_me", today=today(), start=year.start, end=year.end, show="closed"
        )
        everything = work.work_list(
            session, viewer=viewer, box="to_me", today=today(), start=year.start, end=year.end, show="all"
        )
    assert len(waiting) == counts.waiting_my_acceptance
    assert set(waiting["status"]) <= {"submitted"}
    assert len(open_) == counts.open_to_me
    open_values = {s.value for s in OPEN_TASK_STATUSES}
    assert set(open_["status"]) <= open_values
    assert not set(closed["status"]) & open_values
    assert len(everything) == len(open_) + len(closed)


def test_the_ward_leader_has_tasks_waiting_and_an_unknown_filter_is_refused(shared_demo_store: Store) -> None:
    leader = demo_viewers(shared_demo_store)["ward_leader"]
    with shared_demo_store.read() as session:
        assert work.work_counts(session, viewer=leader, today=today()).waiting_my_acceptance > 0
        with pytest.raises(NotFound):
            work.work_list(session, viewer=leader, box="by_me", today=today(), show="everything")

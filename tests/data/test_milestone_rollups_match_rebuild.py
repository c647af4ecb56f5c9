"""Any sequence of milestone edits (added, done, undone, moved, deleted; a plan turned into a plain
indicator and back) leaves the incremental rollups equal to a full rebuild, on both backends."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from data_access.db import Store
from data_access.models import Indicator, Measurement, Milestone
from data_access.rollups import rebuild_all
from tests.conftest import TEST_TODAY
from tests.data.test_rollups_match_rebuild import _same, _snapshot
from tests.support.builders import add_indicator, build_small_tree
from tests.support.databases import TestDatabases

DAYS = st.integers(min_value=0, max_value=364).map(lambda n: date(2026, 1, 1) + timedelta(days=n))
DONE = st.one_of(st.none(), DAYS)
OPERATIONS = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 1), DAYS, DONE),
    st.tuples(st.just("done"), st.integers(0, 30), DONE),
    st.tuples(st.just("move"), st.integers(0, 30), DAYS),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("direction"), st.integers(0, 1), st.sampled_from(["milestones", "increase"])),
    st.tuples(st.just("value"), st.integers(0, 1), st.integers(0, 6), DAYS),
)


def _apply(store: Store, op: tuple, plans: list[int]) -> None:
    kind = op[0]
    with store.write() as session:
        milestones = session.execute(select(Milestone).order_by(Milestone.id)).scalars().all()
        picked = milestones[op[1] % len(milestones)] if milestones and kind in ("done", "move", "delete") else None
        if kind == "add":
            session.add(Milestone(indicator_id=plans[op[1]], title="m", due_on=op[2], done_on=op[3]))
        elif kind == "done" and picked is not None:
            picked.done_on = op[2]
        elif kind == "move" and picked is not None:
            picked.due_on = op[2]
        elif kind == "delete" and picked is not None:
            session.delete(picked)
        elif kind == "direction":
            session.get(Indicator, plans[op[1]]).direction = op[2]
        elif kind == "value":
            session.add(Measurement(indicator_id=plans[op[1]], value=op[2], measured_on=op[3], status="approved"))


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(operations=st.lists(OPERATIONS, min_size=8, max_size=25))
def test_milestone_edits_keep_rollups_equal_to_a_rebuild(databases: TestDatabases, operations: list[tuple]) -> None:
    store = Store.connect(databases.clone(databases.template("empty")))
    try:
        tree = build_small_tree(store)
        plans = [
            add_indicator(store, tree, unit_id=tree.division, direction="milestones", objective_weight=1),
            add_indicator(store, tree, unit_id=tree.ward_b, direction="milestones"),
        ]
        with store.write() as session:
            for plan in plans:
                session.get(Indicator, plan).milestones_total = 6
        for op in operations:
            _apply(store, op, plans)
        incremental = _snapshot(store)
        with store.write() as session:
            rebuild_all(session, today=TEST_TODAY)
        rebuilt = _snapshot(store)
        for table in ("indicators", "units"):
            assert len(incremental[table]) == len(rebuilt[table])
            for kept, fresh in zip(incremental[table], rebuilt[table], strict=True):
                assert all(_same(a, b) for a, b in zip(kept, fresh, strict=True)), (table, kept, fresh)
    finally:
        store.dispose()

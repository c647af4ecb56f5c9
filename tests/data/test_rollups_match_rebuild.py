"""Property: after any sequence of writes, the incrementally kept rollups equal a full rebuild."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from data_access.commands import plans
from data_access.db import Store
from data_access.errors import PulseError
from data_access.models import Indicator, IndicatorRollup, Measurement, Objective, OrgUnit, Plan, Task, UnitRollup, User
from data_access.rollups import rebuild_all
from data_access.viewer import Viewer, load_viewer
from domain.plan_items import IndicatorDraft, ObjectiveDraft
from tests.conftest import TEST_TODAY
from tests.support.builders import add_indicator, build_small_tree
from tests.support.databases import TestDatabases

DAYS = st.integers(min_value=0, max_value=364).map(lambda n: date(2026, 1, 1) + timedelta(days=n))
STATUSES = st.sampled_from(["draft", "submitted", "approved", "rejected"])
TASK_STATUSES = st.sampled_from(["open", "in_progress", "submitted", "done", "returned", "cancelled"])

OPERATIONS = st.one_of(
    st.tuples(st.just("add_measurement"), st.integers(0, 3), st.floats(-50, 250, allow_nan=False), DAYS, STATUSES),
    st.tuples(st.just("edit_measurement"), st.integers(0, 50), st.floats(-50, 250, allow_nan=False), STATUSES),
    st.tuples(st.just("delete_measurement"), st.integers(0, 50)),
    st.tuples(st.just("add_task"), st.integers(0, 3), DAYS, TASK_STATUSES, st.integers(0, 3)),
    st.tuples(st.just("edit_task"), st.integers(0, 50), DAYS, TASK_STATUSES),
    st.tuples(
        st.just("edit_indicator"),
        st.integers(0, 3),
        st.floats(1, 200, allow_nan=False),
        st.floats(0, 3, allow_nan=False),
    ),
    st.tuples(st.just("edit_unit_weight"), st.integers(0, 3), st.floats(0, 4, allow_nan=False)),
    # A reorganisation's trace on a unit: its row valid only between two days (or open-ended), so that
    # its parent counts it only in the periods it existed in.
    st.tuples(st.just("set_validity"), st.integers(1, 3), st.one_of(st.none(), DAYS), st.one_of(st.none(), DAYS)),
    # plan edits through the plan commands: draft key results, the cycle, deletions and approved changes
    st.tuples(st.just("plan_add_kr"), st.integers(0, 3), st.floats(1, 200, allow_nan=False), st.floats(0, 100)),
    st.tuples(st.just("plan_submit_approve"), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("plan_delete_kr"), st.integers(0, 50)),
    st.tuples(st.just("plan_change_target"), st.integers(0, 50), st.floats(1, 200, allow_nan=False)),
    st.tuples(st.just("toggle_published"), st.integers(0, 50)),
)


def _nth(session: Any, model: type, index: int) -> Any:
    rows = session.execute(select(model).order_by(model.id)).scalars().all()
    return rows[index % len(rows)] if rows else None


def _leaders(store: Store, units: list[int]) -> dict[int, Viewer]:
    """A leader scoped to each unit (the city's approves everything below, and its own plan)."""
    viewers = {}
    with store.write() as session:
        for unit_id in units:
            user = User(username=f"leader{unit_id}", password_hash="x", role="leader", scope_unit_id=unit_id)
            session.add(user)
            session.flush()
            viewers[unit_id] = load_viewer(session, user.id)
    return viewers


def _apply_plan(store: Store, op: tuple, units: list[int], leaders: dict[int, Viewer]) -> None:
    """One plan edit by the leaders of the tree; what the rules refuse is simply skipped."""
    kind, city = op[0], leaders[units[0]]
    try:
        if kind == "plan_add_kr":
            unit = units[op[1] % len(units)]
            with store.read() as session:
                objective = session.execute(
                    select(Objective.id).where(Objective.unit_id == unit).order_by(Objective.id.desc()).limit(1)
                ).scalar_one_or_none()
            if objective is None:
                draft = ObjectiveDraft(title="O", source_kind="resolution", weight=1)
                objective = plans.add_objective(store, viewer=city, unit_id=unit, period_code="2026", draft=draft).id
            kr = IndicatorDraft(name="kr", direction="increase", baseline=0, target=op[2], weight=op[3])
            plans.add_indicator(store, viewer=city, objective_id=objective, draft=kr)
        elif kind == "plan_submit_approve":
            unit = units[op[1] % len(units)]
            with store.read() as session:
                plan = session.execute(select(Plan).where(Plan.unit_id == unit)).scalar_one_or_none()
            if plan is not None:
                state = plans.submit_plan(store, viewer=leaders[unit], plan_id=plan.id, version=plan.version)
                if op[2]:
                    plans.approve_plan(store, viewer=city, plan_id=plan.id, version=state.version)
                else:
                    plans.return_plan(store, viewer=city, plan_id=plan.id, version=state.version, reason="r")
        elif kind in ("plan_delete_kr", "plan_change_target"):
            with store.read() as session:
                row = _nth(session, Indicator, op[1])
                found = (row.id, row.version) if row is not None else None
            if found is None:
                return
            if kind == "plan_delete_kr":
                plans.delete_indicator(store, viewer=city, indicator_id=found[0], version=found[1])
            else:
                request = plans.request_change(
                    store, viewer=city, indicator_id=found[0], version=found[1], proposed={"target": op[2]}, reason="r"
                )
                plans.decide_change(store, viewer=city, request_id=request.id, version=request.version, approve=True)
    except PulseError:
        pass


def _apply(store: Store, op: tuple, units: list[int], indicators: list[int], leaders: dict[int, Viewer]) -> None:
    kind = op[0]
    if kind.startswith("plan_"):
        _apply_plan(store, op, units, leaders)
        return
    with store.write() as session:
        if kind == "add_measurement":
            _, i, value, on, status = op
            # Among the indicators still there: a plan edit may have deleted one of those seeded.
            alive = [x for x in indicators if session.get(Indicator, x) is not None]
            if alive:
                session.add(Measurement(indicator_id=alive[i % len(alive)], value=value, measured_on=on, status=status))
        elif kind == "edit_measurement" and (row := _nth(session, Measurement, op[1])) is not None:
            row.value, row.status = op[2], op[3]
        elif kind == "delete_measurement" and (row := _nth(session, Measurement, op[1])) is not None:
            session.delete(row)
        elif kind == "add_task":
            _, u, due, status, delays = op
            session.add(
                Task(
                    title="t",
                    assigner_unit_id=units[0],
                    assignee_unit_id=units[u % len(units)],
                    start_date=due,
                    due_date=due,
                    original_due_date=due,
                    status=status,
                    delays=delays,
                )
            )
        elif kind == "edit_task" and (row := _nth(session, Task, op[1])) is not None:
            row.due_date, row.status = op[2], op[3]
        elif kind == "edit_indicator" and (row := session.get(Indicator, indicators[op[1] % len(indicators)])):
            row.target, row.weight = op[2], op[3]
        elif kind == "toggle_published" and (row := _nth(session, Indicator, op[1])) is not None:
            row.published = not row.published
        elif kind == "edit_unit_weight":
            session.get(OrgUnit, units[op[1] % len(units)]).weight = op[2]
        elif kind == "set_validity":
            unit = session.get(OrgUnit, units[op[1] % len(units)])
            days = sorted(d for d in op[2:] if d is not None)
            unit.valid_from = op[2] if len(days) < 2 else days[0]
            unit.valid_to = op[3] if len(days) < 2 else days[1]


def _snapshot(store: Store) -> dict[str, list[tuple]]:
    with store.read() as session:
        indicator_rows = session.execute(
            select(IndicatorRollup).order_by(IndicatorRollup.indicator_id, IndicatorRollup.period_id)
        ).scalars()
        unit_rows = session.execute(select(UnitRollup).order_by(UnitRollup.unit_id, UnitRollup.period_id)).scalars()
        return {
            "indicators": [tuple(getattr(r, c.key) for c in IndicatorRollup.__table__.columns) for r in indicator_rows],
            "units": [tuple(getattr(r, c.key) for c in UnitRollup.__table__.columns) for r in unit_rows],
        }


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(operations=st.lists(OPERATIONS, min_size=10, max_size=30))
def test_incremental_rollups_equal_a_full_rebuild(databases: TestDatabases, operations: list[tuple]) -> None:
    store = Store.connect(databases.clone(databases.template("empty")))
    try:
        tree = build_small_tree(store)
        units = [tree.city, tree.ward_a, tree.ward_b, tree.division]
        indicators = [
            add_indicator(store, tree, unit_id=tree.division),
            add_indicator(
                store, tree, unit_id=tree.ward_a, direction="decrease", baseline=100, target=40, objective_weight=2
            ),
            add_indicator(store, tree, unit_id=tree.ward_b, accumulation="sum", objective_weight=1),
            add_indicator(store, tree, unit_id=tree.ward_b, accumulation="average"),
        ]
        leaders = _leaders(store, units)
        for op in operations:
            _apply(store, op, units, indicators, leaders)
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

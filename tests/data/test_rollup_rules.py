"""Rollups by hand: a small tree, a few values and tasks, the figures worked out on paper.

Today is pinned to 2026-11-20 (day 324 of 365), so the year's expected progress is 324/365.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from data_access import changes
from data_access.db import Store
from data_access.models import IndicatorRollup, Measurement, Task, UnitRollup
from tests.support.builders import SmallTree, add_indicator, build_small_tree, day

YEAR_EXPECTED = 324 / 365


def _unit(store: Store, unit_id: int, period_id: int) -> UnitRollup:
    with store.read() as session:
        return session.execute(
            select(UnitRollup).where(UnitRollup.unit_id == unit_id, UnitRollup.period_id == period_id)
        ).scalar_one()


def _indicator(store: Store, indicator_id: int, period_id: int) -> IndicatorRollup:
    with store.read() as session:
        return session.execute(
            select(IndicatorRollup).where(
                IndicatorRollup.indicator_id == indicator_id, IndicatorRollup.period_id == period_id
            )
        ).scalar_one()


def _measure(store: Store, indicator_id: int, value: float, on: date, status: str = "approved") -> int:
    with store.write() as session:
        row = Measurement(indicator_id=indicator_id, value=value, measured_on=on, status=status)
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture
def tree(empty_store: Store) -> SmallTree:
    return build_small_tree(empty_store)


def test_leaf_value_rolls_up_to_every_ancestor(empty_store: Store, tree: SmallTree) -> None:
    lagging = add_indicator(empty_store, tree, unit_id=tree.division)  # increase 0 -> 100
    _measure(empty_store, lagging, 40, day(6, 30))

    year = _indicator(empty_store, lagging, tree.year_period)
    assert year.progress == pytest.approx(0.4)
    assert year.expected == pytest.approx(YEAR_EXPECTED)
    assert year.status == "off_track"  # 0.4 < 0.8877 - 0.20
    # Q2 as of June 30 (day 181): expected 181/365 = 0.4959; 0.4 lies between 0.2959 and 0.4459.
    assert _indicator(empty_store, lagging, tree.period_ids["2026-Q2"]).status == "at_risk"
    assert _indicator(empty_store, lagging, tree.period_ids["2026-01"]).status == "no_data"

    assert _unit(empty_store, tree.division, tree.year_period).score == pytest.approx(0.4)
    assert _unit(empty_store, tree.ward_a, tree.year_period).score == pytest.approx(0.4)
    city = _unit(empty_store, tree.city, tree.year_period)
    assert city.score == pytest.approx(0.4)  # ward B has no data yet and does not count
    assert (city.n_indicators, city.n_off_track) == (1, 1)


def test_weights_overshoot_and_approval(empty_store: Store, tree: SmallTree) -> None:
    lagging = add_indicator(empty_store, tree, unit_id=tree.division)
    decreasing = add_indicator(empty_store, tree, unit_id=tree.ward_b, direction="decrease", baseline=100, target=50)
    _measure(empty_store, lagging, 40, day(6, 30))
    _measure(empty_store, decreasing, 20, day(10, 31))  # (20-100)/(50-100) = 1.6, capped at 1.2

    assert _indicator(empty_store, decreasing, tree.year_period).progress == pytest.approx(1.2)
    assert _indicator(empty_store, decreasing, tree.year_period).status == "done"
    assert _unit(empty_store, tree.ward_b, tree.year_period).own_score == pytest.approx(1.0)  # min(p, 1)
    # City: ward A 0.4 (weight 1) and ward B 1.0 (weight 3): (0.4 + 3.0) / 4.
    assert _unit(empty_store, tree.city, tree.year_period).score == pytest.approx(0.85)

    waiting = _measure(empty_store, lagging, 90, day(7, 31), status="submitted")
    assert _indicator(empty_store, lagging, tree.year_period).progress == pytest.approx(0.4)  # not approved yet
    with empty_store.write() as session:
        session.get(Measurement, waiting).status = "approved"
    assert _indicator(empty_store, lagging, tree.year_period).status == "on_track"  # 0.9 >= 0.8877 - 0.05
    assert _unit(empty_store, tree.city, tree.year_period).score == pytest.approx((0.9 + 3.0) / 4)


def test_objective_weights_shape_the_unit_score(empty_store: Store, tree: SmallTree) -> None:
    heavy = add_indicator(empty_store, tree, unit_id=tree.ward_b, objective_weight=3.0)
    light = add_indicator(empty_store, tree, unit_id=tree.ward_b, objective_weight=1.0)
    zero = add_indicator(empty_store, tree, unit_id=tree.ward_b, objective_weight=0.0)
    _measure(empty_store, heavy, 100, day(5, 31))
    _measure(empty_store, light, 20, day(5, 31))
    _measure(empty_store, zero, 0, day(5, 31))
    # (1.0 * 3 + 0.2 * 1) / 4; the zero-weight objective does not count.
    assert _unit(empty_store, tree.ward_b, tree.year_period).own_score == pytest.approx(0.8)


def test_task_counts_cover_the_subtree_and_the_periods_of_the_due_date(empty_store: Store, tree: SmallTree) -> None:
    def task(due: date, status: str, delays: int = 0) -> Task:
        return Task(
            title="t",
            assigner_unit_id=tree.city,
            assignee_unit_id=tree.division,
            start_date=due,
            due_date=due,
            original_due_date=due,
            status=status,
            delays=delays,
        )

    with empty_store.write() as session:
        session.add_all(
            [
                task(day(3, 10), "in_progress"),
                task(day(5, 5), "done"),
                task(day(5, 6), "done", delays=2),
                task(day(12, 1), "open"),
                task(day(5, 7), "cancelled"),
            ]
        )
    city_year = _unit(empty_store, tree.city, tree.year_period)
    assert (city_year.tasks_open, city_year.tasks_overdue, city_year.tasks_done_on_time, city_year.tasks_done_late) == (
        2,
        1,
        1,
        1,
    )
    may = _unit(empty_store, tree.ward_a, tree.period_ids["2026-05"])
    assert (may.tasks_open, may.tasks_done_on_time, may.tasks_done_late) == (0, 1, 1)
    assert _unit(empty_store, tree.ward_b, tree.year_period).tasks_open == 0


def test_each_write_bumps_the_version_and_a_failed_write_changes_nothing(empty_store: Store, tree: SmallTree) -> None:
    indicator = add_indicator(empty_store, tree, unit_id=tree.division)
    with empty_store.read() as session:
        before = changes.current(session)
    _measure(empty_store, indicator, 50, day(4, 30))
    with empty_store.read() as session:
        after = changes.current(session)
    assert after == before + 1
    score = _unit(empty_store, tree.city, tree.year_period).score

    with pytest.raises(RuntimeError), empty_store.write() as session:
        session.add(Measurement(indicator_id=indicator, value=100, measured_on=day(5, 31), status="approved"))
        session.flush()
        raise RuntimeError("power cut")
    with empty_store.read() as session:
        assert changes.current(session) == after
        assert len(session.execute(select(Measurement.id)).all()) == 1
    assert _unit(empty_store, tree.city, tree.year_period).score == score

"""Indicator progress, expected progress and status, with cases worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.indicators import (
    Accumulation,
    Direction,
    IndicatorSpec,
    Status,
    Tolerances,
    accumulate,
    current_value,
    expected_progress,
    progress,
    status,
)
from domain.periods import parse_period

INC = IndicatorSpec(Direction.INCREASE, baseline=70, target=95)
DEC = IndicatorSpec(Direction.DECREASE, baseline=400, target=340)


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (INC, 82.5, 0.5),  # (82.5-70)/(95-70) = 12.5/25
        (INC, 60, 0.0),  # below the baseline clips at 0
        (INC, 110, 1.2),  # (110-70)/25 = 1.6, capped at 1.2
        (DEC, 370, 0.5),  # (370-400)/(340-400) = -30/-60
        (DEC, 250, 1.2),  # a decrease that overshoots: 2.5 capped
        (DEC, 420, 0.0),  # worse than the baseline
        (IndicatorSpec(Direction.INCREASE, 50, 50), 50, 1.0),  # target equal to baseline, reached
        (IndicatorSpec(Direction.INCREASE, 50, 50), 49.9, 0.0),
        (IndicatorSpec(Direction.DECREASE, 50, 50), 49, 1.0),
        (IndicatorSpec(Direction.BAND, None, None, band_low=98, band_high=100), 98, 1.0),  # band edge is inside
        (IndicatorSpec(Direction.BAND, None, None, band_low=98, band_high=100), 97.9, 0.0),
        (IndicatorSpec(Direction.DONE, 0, 1), 1, 1.0),
        (IndicatorSpec(Direction.DONE, 0, 1), 0, 0.0),
        (IndicatorSpec(Direction.MILESTONES, 0, None, milestones_total=6), 3, 0.5),
        (IndicatorSpec(Direction.INCREASE, None, 10), 5, 0.5),  # no baseline counts as 0
        (INC, None, None),  # no measurement
    ],
)
def test_progress(spec: IndicatorSpec, value: float | None, expected: float | None) -> None:
    result = progress(spec, value)
    assert result == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("values", "how", "expected"),
    [
        ([3, 5, 4], Accumulation.LAST, 4),
        ([3, 5, 4], Accumulation.SUM, 12),
        ([3, 5, 4], Accumulation.AVERAGE, 4),
        ([], Accumulation.SUM, None),
    ],
)
def test_accumulate(values: list[float], how: Accumulation, expected: float | None) -> None:
    assert accumulate(values, how) == expected


def test_values_dated_outside_the_period_do_not_count() -> None:
    q2 = parse_period("2026-Q2")
    points = [(date(2026, 3, 31), 100.0), (date(2026, 4, 30), 2.0), (date(2026, 6, 30), 3.0), (date(2026, 7, 1), 50.0)]
    assert current_value(points, q2, Accumulation.SUM) == 5.0
    assert current_value(points, q2, Accumulation.LAST) == 3.0
    assert current_value([], q2, Accumulation.LAST) is None


@pytest.mark.parametrize(
    ("p", "expected", "result"),
    [
        (None, 0.5, Status.NO_DATA),
        (1.0, 0.5, Status.DONE),
        (0.45, 0.5, Status.ON_TRACK),  # exactly e - 0.05
        (0.4499, 0.5, Status.AT_RISK),  # just below
        (0.30, 0.5, Status.AT_RISK),  # exactly e - 0.20
        (0.2999, 0.5, Status.OFF_TRACK),
        (0.0, 0.0, Status.ON_TRACK),  # nothing expected yet
    ],
)
def test_status_boundaries(p: float | None, expected: float, result: Status) -> None:
    assert status(p, expected, Tolerances()) is result


def test_expected_progress_is_the_elapsed_share_or_the_trajectory() -> None:
    year = parse_period("2026")
    assert expected_progress(year, date(2025, 12, 31)) == 0.0
    assert expected_progress(year, date(2026, 7, 2)) == pytest.approx(183 / 365)  # 2 July is day 183
    assert expected_progress(year, date(2027, 1, 5)) == 1.0
    # Planned 75 at the end of March from a baseline of 70 at 1 January, target 95.
    trajectory = [(date(2026, 3, 31), 75.0), (date(2026, 12, 31), 95.0)]
    assert expected_progress(year, date(2026, 3, 31), trajectory, spec=INC) == pytest.approx(5 / 25)
    # Halfway between 31 March (75) and 31 December (95) in days: 137.5 of 275 days -> 85 -> 15/25.
    midway = date(2026, 3, 31).toordinal() + 137
    expected = (75 + 20 * 137 / 275 - 70) / 25
    assert expected_progress(year, date.fromordinal(midway), trajectory, spec=INC) == pytest.approx(expected)


@given(
    value=st.floats(-1e6, 1e6, allow_nan=False),
    baseline=st.floats(-1e3, 1e3, allow_nan=False),
    target=st.floats(-1e3, 1e3, allow_nan=False),
    direction=st.sampled_from([Direction.INCREASE, Direction.DECREASE]),
)
def test_progress_always_lies_between_zero_and_the_cap(
    value: float, baseline: float, target: float, direction: Direction
) -> None:
    result = progress(IndicatorSpec(direction, baseline, target), value, cap=1.2)
    assert result is not None and 0.0 <= result <= 1.2

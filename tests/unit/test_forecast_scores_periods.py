"""Forecasts, scores, periods and citizen ids, with cases worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from domain.citizen_id import InvalidCitizenId, birth_year, make_citizen_id, validate_citizen_id
from domain.forecast import forecast
from domain.indicators import Accumulation, Direction, IndicatorSpec
from domain.periods import InvalidPeriod, Period, PeriodKind, parse_period, period_of
from domain.scores import objective_score, rolled_up_score, unit_score, weighted_mean

YEAR = parse_period("2026")


def test_forecast_will_miss_by_the_shortfall() -> None:
    # Day 0 -> 70, day 181 -> 79.05: slope 0.05/day; at day 364: 70 + 0.05 * 364 = 88.2; target 95 -> miss by 6.8.
    spec = IndicatorSpec(Direction.INCREASE, 70, 95)
    result = forecast([(date(2026, 1, 1), 70.0), (date(2026, 7, 1), 79.05)], YEAR, spec)
    assert result is not None
    assert result.value_at_end == pytest.approx(88.2)
    assert not result.on_course and result.miss_by == pytest.approx(6.8)


def test_forecast_on_course_and_one_measurement_is_flat() -> None:
    spec = IndicatorSpec(Direction.DECREASE, 400, 340)
    falling = forecast([(date(2026, 1, 1), 400.0), (date(2026, 7, 1), 360.0)], YEAR, spec)
    assert falling is not None and falling.on_course and falling.miss_by == 0.0
    single = forecast([(date(2026, 5, 31), 380.0)], YEAR, spec)
    assert single is not None and single.value_at_end == 380.0 and single.miss_by == pytest.approx(40.0)


def test_forecast_of_a_sum_follows_the_running_total_and_ignores_other_years() -> None:
    spec = IndicatorSpec(Direction.INCREASE, 0, 12, accumulation=Accumulation.SUM)
    # Running totals 1, 2 at days 0 and 182 (2 July): slope 1/182; at day 364: 1 + 364/182 = 3.
    points = [(date(2025, 12, 31), 100.0), (date(2026, 1, 1), 1.0), (date(2026, 7, 2), 1.0)]
    result = forecast(points, YEAR, spec)
    assert result is not None and result.value_at_end == pytest.approx(3.0) and result.miss_by == pytest.approx(9.0)
    assert forecast([], YEAR, spec) is None
    assert forecast([(date(2026, 1, 1), 1.0)], YEAR, IndicatorSpec(Direction.BAND, None, None, 1, 2)) is None


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([(0.5, 1), (1.0, 3)], 0.875),  # (0.5 + 3) / 4
        ([(0.5, 0), (1.0, 2)], 1.0),  # zero weights do not count
        ([(None, 1), (0.4, 1)], 0.4),  # missing scores do not count
        ([], None),  # a unit with no indicators
        ([(0.5, 0)], None),  # only zero weights
    ],
)
def test_weighted_mean(items: list[tuple[float | None, float]], expected: float | None) -> None:
    result = weighted_mean(items)
    assert result == (None if expected is None else pytest.approx(expected))


def test_objective_caps_each_indicator_at_one_and_parents_roll_up_children() -> None:
    assert objective_score([(1.2, 1), (0.4, 1)]) == pytest.approx(0.7)  # (1 + 0.4) / 2, overshoot does not hide lag
    assert unit_score([(0.7, 2), (0.4, 1)]) == pytest.approx(0.6)  # (1.4 + 0.4) / 3
    assert rolled_up_score(None, 1.0, [(0.6, 1), (0.9, 2)]) == pytest.approx(0.8)  # (0.6 + 1.8) / 3
    assert rolled_up_score(0.5, 1.0, []) == 0.5
    assert rolled_up_score(None, 1.0, []) is None


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-M11", date(2026, 11, 1), date(2026, 11, 30)),
    ],
)
def test_periods_parse(code: str, start: date, end: date) -> None:
    period = parse_period(code)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("code", ["", "2026-Q5", "2026-13", "26", "1999", "Q3-2026"])
def test_bad_period_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidPeriod):
        parse_period(code)


def test_period_navigation() -> None:
    assert parse_period("2026-Q1").previous().code == "2025-Q4"
    assert parse_period("2026-12").next().code == "2027-01"
    assert [m.code for m in parse_period("2026-Q2").months()] == ["2026-04", "2026-05", "2026-06"]
    assert period_of(date(2026, 8, 15), PeriodKind.QUARTER) == Period(PeriodKind.QUARTER, 2026, 3)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("00118500123", "length"),
        ("0011850012345", "length"),
        ("00118500123a", "digits"),
        ("003185001234", "province"),
        ("001290001234", "birth_year"),
    ],  # 2 -> 2000s, 90 -> 2090, after 2026
)
def test_citizen_id_failures(value: str, reason: str) -> None:
    with pytest.raises(InvalidCitizenId) as caught:
        validate_citizen_id(value, today=date(2026, 11, 20))
    assert caught.value.reason == reason


def test_citizen_id_structure() -> None:
    made = make_citizen_id(1, female=True, birth_year=1985, serial=1234)
    assert made == "001185001234"  # Hanoi, female born in the 1900s, 85, serial
    assert validate_citizen_id(" 001 185 001234 ", today=date(2026, 1, 1)) == made
    assert birth_year(make_citizen_id(79, female=False, birth_year=2003, serial=7)) == 2003

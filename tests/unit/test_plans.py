"""The plan rules, with hand-computed cases: numbers that contradict their direction, weights that do not
sum to 100, trajectories that miss the target or leave the period, owners outside the unit."""

from __future__ import annotations

from datetime import date

import pytest

from domain.indicators import Direction
from domain.kinds import Frequency
from domain.periods import Period, PeriodKind
from domain.plans import (
    Numbers,
    back_loaded,
    checkpoints,
    date_problems,
    normalised_weights,
    number_problems,
    owner_problems,
    rescaled,
    straight_line,
    trajectory_problems,
    weight_problems,
)

YEAR_2027 = Period(PeriodKind.YEAR, 2027)


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        (Numbers(Direction.INCREASE, baseline=40, target=60), {}),
        (Numbers(Direction.INCREASE, baseline=40, target=30), {"target": "target_not_above_baseline"}),
        (Numbers(Direction.INCREASE, baseline=40, target=40), {"target": "target_not_above_baseline"}),
        (Numbers(Direction.DECREASE, baseline=12, target=8), {}),
        (Numbers(Direction.DECREASE, baseline=12, target=15), {"target": "target_not_below_baseline"}),
        (Numbers(Direction.INCREASE, baseline=None, target=None), {"target": "target_required"}),
        (Numbers(Direction.BAND, band_low=2, band_high=4), {}),
        (Numbers(Direction.BAND, band_low=5, band_high=4), {"band_low": "band_inverted"}),
        (Numbers(Direction.BAND, band_low=5), {"band_low": "band_required"}),
        (Numbers(Direction.MILESTONES, milestones_total=0), {"milestones_total": "milestones_required"}),
        (Numbers(Direction.MILESTONES, milestones_total=4), {}),
        (Numbers(Direction.DONE), {}),
        (Numbers(Direction.INCREASE, baseline=80, target=110, max_value=100), {"target": "target_outside_range"}),
        (
            Numbers(Direction.INCREASE, baseline=0, target=50, min_value=100, max_value=0),
            {"min_value": "range_inverted"},
        ),
    ],
)
def test_numbers_must_agree_with_their_direction(numbers: Numbers, expected: dict[str, str]) -> None:
    assert number_problems(numbers) == expected


def test_weights_sum_to_100_or_are_shown_normalised() -> None:
    assert weight_problems([40, 35, 25]) == {}
    assert weight_problems([33.33, 33.33, 33.34]) == {}
    assert weight_problems([40, 40]) == {"weight": "weights_not_100"}
    assert weight_problems([0, 0]) == {"weight": "weights_all_zero"}
    assert weight_problems([120, -20]) == {"weight": "weight_negative"}
    assert weight_problems([]) == {}
    # 40 and 40 become 50 and 50; 1, 1, 2 become 25, 25, 50.
    assert normalised_weights([40, 40]) == [50.0, 50.0]
    assert normalised_weights([1, 1, 2]) == [25.0, 25.0, 50.0]
    assert normalised_weights([0, 0]) == [0.0, 0.0]


def test_checkpoints_are_month_quarter_or_year_ends() -> None:
    months = checkpoints(YEAR_2027, Frequency.MONTHLY)
    assert len(months) == 12 and months[0] == date(2027, 1, 31) and months[1] == date(2027, 2, 28)
    assert checkpoints(YEAR_2027, Frequency.QUARTERLY) == [
        date(2027, 3, 31),
        date(2027, 6, 30),
        date(2027, 9, 30),
        date(2027, 12, 31),
    ]
    assert checkpoints(YEAR_2027, Frequency.YEARLY) == [date(2027, 12, 31)]


def test_straight_line_and_back_loaded_trajectories() -> None:
    quarters = checkpoints(YEAR_2027, Frequency.QUARTERLY)
    line = straight_line(YEAR_2027, quarters, start=40, target=60)
    # 30 June 2027 is day 181 of 365: 40 + 20 * 181/365 = 49.9178...
    assert line[1][1] == pytest.approx(40 + 20 * 181 / 365)
    assert line[-1] == (date(2027, 12, 31), 60)
    slow = back_loaded(YEAR_2027, quarters, start=0, target=100)
    # 31 March is day 90: 100 * (90/365)^2 = 6.0799...
    assert slow[0][1] == pytest.approx(100 * (90 / 365) ** 2)
    assert slow[-1][1] == pytest.approx(100)
    assert all(
        s <= v for (_, s), (_, v) in zip(slow, straight_line(YEAR_2027, quarters, start=0, target=100), strict=True)
    )


def test_as_last_year_keeps_the_shape_on_new_numbers() -> None:
    last_year = [(date(2026, 6, 30), 50.0), (date(2026, 12, 31), 100.0), (date(2026, 3, 31), 20.0)]
    # Last year went 0 -> 100; this year 100 -> 300: each point keeps its share of the way.
    assert rescaled(last_year, old_start=0, old_target=100, new_start=100, new_target=300, years_later=1) == [
        (date(2027, 3, 31), 140.0),
        (date(2027, 6, 30), 200.0),
        (date(2027, 12, 31), 300.0),
    ]
    leap = rescaled([(date(2028, 2, 29), 5.0)], old_start=0, old_target=10, new_start=0, new_target=20, years_later=1)
    assert leap == [(date(2029, 2, 28), 10.0)]


def test_a_trajectory_stays_in_its_period_and_ends_at_the_target() -> None:
    good = [(date(2027, 6, 30), 50.0), (date(2027, 12, 31), 60.0)]
    assert trajectory_problems(good, YEAR_2027, target=60) == {}
    assert trajectory_problems(good, YEAR_2027, target=70) == {"trajectory": "trajectory_not_at_target"}
    outside = [(date(2028, 1, 31), 60.0)]
    assert trajectory_problems(outside, YEAR_2027, target=60) == {"trajectory": "date_outside_period"}
    twice = [(date(2027, 6, 30), 50.0), (date(2027, 6, 30), 60.0)]
    assert trajectory_problems(twice, YEAR_2027, target=60) == {"trajectory": "date_repeated"}
    assert trajectory_problems([], YEAR_2027, target=60) == {}


def test_owners_belong_to_the_unit_and_dates_to_the_period() -> None:
    assert owner_problems("/1/7/42/", "/1/7/") == {}
    assert owner_problems("/1/8/", "/1/7/") == {"owner": "owner_outside_unit"}
    assert owner_problems(None, "/1/7/") == {}
    assert date_problems("due", date(2027, 5, 1), YEAR_2027) == {}
    assert date_problems("due", date(2026, 12, 31), YEAR_2027) == {"due": "date_outside_period"}

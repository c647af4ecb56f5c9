"""Reorganisation rules (domain/reorganisations.py): which merges, splits and dated renames are
allowed, on which dates, and when a unit counts as existing in a period."""

from __future__ import annotations

from datetime import date

import pytest

from domain.reorganisations import (
    PeriodSpan,
    UnitVersion,
    dated_code,
    effective_date_problems,
    exists_in,
    free_code,
    merge_problems,
    rename_problems,
    split_assignment_problems,
    split_problems,
)

CITY = UnitVersion(1, "city", "/1/", None, True)
WARD_A = UnitVersion(2, "ward", "/1/2/", 1, True)
WARD_B = UnitVersion(3, "ward", "/1/3/", 1, True)
DIVISION = UnitVersion(4, "division", "/1/2/4/", 2, True)
CLOSED_WARD = UnitVersion(5, "ward", "/1/5/", 1, False, valid_to=date(2025, 6, 30))
LAST_YEAR_LOCKED = PeriodSpan(date(2025, 1, 1), date(2025, 12, 31), locked=True)
THIS_YEAR_OPEN = PeriodSpan(date(2026, 1, 1), date(2026, 12, 31), locked=False)
TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "exists"),
    [
        (None, None, True),  # a unit that was never reorganised exists in every period
        (None, date(2025, 12, 31), False),  # merged away before the year started
        (None, date(2026, 1, 1), True),  # one day of the year is enough
        (date(2026, 1, 1), None, True),  # the merged ward from January 1
        (date(2027, 1, 1), None, False),  # opened after the year
        (date(2026, 12, 31), None, True),
    ],
)
def test_a_unit_exists_in_a_period_when_it_was_valid_on_one_of_its_days(
    valid_from: date | None, valid_to: date | None, exists: bool
) -> None:
    assert exists_in(valid_from, valid_to, date(2026, 1, 1), date(2026, 12, 31)) is exists


@pytest.mark.parametrize(
    ("effective_on", "problems"),
    [
        (date(2026, 1, 1), {}),  # the day after last year's locked periods
        (None, {"effective_on": "date_required"}),
        (date(2025, 7, 1), {"effective_on": "locked_period"}),  # would change a locked period's figures
        (date(2025, 12, 31), {"effective_on": "locked_period"}),
        (date(2026, 11, 21), {"effective_on": "in_future"}),
        (TODAY, {}),
    ],
)
def test_the_effective_date_is_after_every_locked_period_and_not_in_the_future(
    effective_on: date | None, problems: dict[str, str]
) -> None:
    periods = [LAST_YEAR_LOCKED, THIS_YEAR_OPEN]
    assert effective_date_problems(effective_on, today=TODAY, periods=periods, units=[WARD_A]) == problems


def test_the_effective_date_leaves_each_closed_row_at_least_one_day() -> None:
    started = UnitVersion(6, "ward", "/1/6/", 1, True, valid_from=date(2026, 3, 1))
    assert effective_date_problems(date(2026, 3, 1), today=TODAY, periods=[], units=[started]) == {
        "effective_on": "before_unit_start"
    }
    assert effective_date_problems(date(2026, 3, 2), today=TODAY, periods=[], units=[started]) == {}


def test_two_open_wards_merge_into_a_new_ward_under_the_city() -> None:
    assert merge_problems([WARD_A, WARD_B], name=" Phường  Hoàn Kiếm ", parent=CITY) == {}


@pytest.mark.parametrize(
    ("units", "name", "parent", "problems"),
    [
        ([WARD_A], "X", CITY, {"units": "merge_needs_two"}),
        ([WARD_A, WARD_A], "X", CITY, {"units": "merge_needs_two"}),
        ([WARD_A, WARD_B], "   ", CITY, {"name": "required"}),
        ([WARD_A, CLOSED_WARD], "X", CITY, {"units": "closed"}),
        ([WARD_A, DIVISION], "X", CITY, {"units": "mixed_kinds"}),
        ([CITY, WARD_A], "X", CITY, {"units": "root_fixed", "parent": "not_under_parent"}),
        ([WARD_A, WARD_B], "X", DIVISION, {"parent": "not_under_parent"}),
        ([WARD_A, WARD_B], "X", CLOSED_WARD, {"parent": "parent_closed"}),
    ],
)
def test_a_merge_is_refused_with_the_reason(
    units: list[UnitVersion], name: str, parent: UnitVersion, problems: dict[str, str]
) -> None:
    assert merge_problems(units, name=name, parent=parent) == problems


def test_a_merge_of_more_than_fifty_units_is_refused() -> None:
    wards = [UnitVersion(100 + i, "ward", f"/1/{100 + i}/", 1, True) for i in range(51)]
    assert merge_problems(wards, name="X", parent=CITY) == {"units": "merge_too_many"}
    assert merge_problems(wards[:50], name="X", parent=CITY) == {}


def test_merging_a_division_with_its_own_ward_is_nested() -> None:
    inner = UnitVersion(7, "ward", "/1/2/7/", 2, True)  # not a real tree, but a ward inside a ward
    assert merge_problems([WARD_A, inner], name="X", parent=CITY) == {"units": "nested"}


@pytest.mark.parametrize(
    ("unit", "names", "problems"),
    [
        (DIVISION, ["Phòng Văn hóa", "Phòng Thông tin"], {}),
        (DIVISION, ["Phòng Văn hóa"], {"names": "split_needs_two"}),
        (DIVISION, ["Phòng A", "  "], {"names": "required"}),
        (DIVISION, ["Phòng A", "phòng  a"], {"names": "duplicate_names"}),
        (DIVISION, [f"P{i}" for i in range(11)], {"names": "too_many"}),
        (CLOSED_WARD, ["A", "B"], {"units": "closed"}),
        (CITY, ["A", "B"], {"units": "root_fixed"}),
    ],
)
def test_a_split_needs_two_distinct_names_and_an_open_unit(
    unit: UnitVersion, names: list[str], problems: dict[str, str]
) -> None:
    assert split_problems(unit, names) == problems


def test_a_split_sends_only_the_units_people_to_its_parts() -> None:
    assert split_assignment_problems({10: 0, 11: 1}, people={10, 11, 12}, parts=2) == {}
    assert split_assignment_problems({99: 0}, people={10}, parts=2) == {"people": "not_in_unit"}
    assert split_assignment_problems({10: 2}, people={10}, parts=2) == {"people": "unknown_part"}


def test_a_dated_rename_needs_a_new_name() -> None:
    assert rename_problems(WARD_A, "Phường Cửa Nam", "Phường  Cửa Nam") == {"name": "same_name"}
    assert rename_problems(WARD_A, "Phường Cửa Nam", "Phường Hoàn Kiếm") == {}
    assert rename_problems(CLOSED_WARD, "A", "B") == {"units": "closed"}


def test_codes_stay_unique_and_within_forty_characters() -> None:
    assert dated_code("W00070", date(2026, 1, 1)) == "W00070@20251231"
    assert len(dated_code("X" * 40, date(2026, 1, 1))) <= 40
    assert free_code("KT-01", {"KT-02"}, 7) == "KT-01"
    assert free_code("KT-01", {"KT-01"}, 7) == "KT-01~7"
    assert free_code("KT-01", {"KT-01", "KT-01~7"}, 7) == "KT-01~7~2"

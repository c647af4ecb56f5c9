"""The rules of /admin/periods, computed by hand: which year opens next, grace days, lock and unlock."""

from __future__ import annotations

from datetime import date

import pytest

from domain import periods

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("existing", "expected"),
    [(set(), 2026), ({2025, 2026}, 2027), ({2026}, 2027), ({2024, 2026, 2025}, 2027)],
)
def test_the_next_year_follows_the_latest(existing: set[int], expected: int) -> None:
    assert periods.year_to_open(existing, TODAY) == expected


@pytest.mark.parametrize(
    ("year", "existing", "problems"),
    [
        (2027, {2025, 2026}, {}),
        (2028, {2026, 2027}, {}),
        (2029, {2027, 2028}, {"year": "too_far_ahead"}),  # more than two years ahead of today
        (2026, {2026}, {"year": "already_open"}),
        (1999, set(), {"year": "too_far_ahead"}),
    ],
)
def test_opening_a_year(year: int, existing: set[int], problems: dict[str, str]) -> None:
    assert periods.opening_problems(year, existing, TODAY) == problems


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        (0, {}),
        (60, {}),
        ("15", {}),
        (" 7 ", {}),
        (61, {"grace_days": "grace_range"}),
        (-1, {"grace_days": "grace_range"}),
        ("-1", {"grace_days": "whole_number"}),  # typed text: digits only
        (2.5, {"grace_days": "whole_number"}),
        ("mười", {"grace_days": "whole_number"}),
        (True, {"grace_days": "whole_number"}),
        (None, {"grace_days": "whole_number"}),
    ],
)
def test_grace_days_from_0_to_60(value: object, problems: dict[str, str]) -> None:
    assert periods.grace_problems(value) == problems


@pytest.mark.parametrize(
    ("locked", "end", "problems"),
    [
        (False, date(2026, 11, 30), {}),
        (False, date(2026, 12, 31), {"period": "not_ended"}),  # this month still takes today's reports
        (False, TODAY, {"period": "not_ended"}),
        (True, date(2025, 12, 31), {"period": "already_locked"}),
    ],
)
def test_locking_needs_an_open_period_that_is_over(locked: bool, end: date, problems: dict[str, str]) -> None:
    assert periods.lock_problems(locked=locked, end=end, today=TODAY) == problems


@pytest.mark.parametrize(
    ("locked", "enclosing_locked", "problems"),
    [
        (True, False, {}),
        (True, True, {"period": "enclosing_locked"}),
        (False, False, {"period": "already_open"}),
    ],
)
def test_unlocking(locked: bool, enclosing_locked: bool, problems: dict[str, str]) -> None:
    assert periods.unlock_problems(locked=locked, enclosing_locked=enclosing_locked) == problems


@pytest.mark.parametrize(
    ("code", "enclosing"),
    [("2026-08", ("2026-Q3", "2026")), ("2026-12", ("2026-Q4", "2026")), ("2026-Q1", ("2026",)), ("2026", ())],
)
def test_what_a_period_lies_in(code: str, enclosing: tuple[str, ...]) -> None:
    assert periods.enclosing_codes(periods.parse_period(code)) == enclosing

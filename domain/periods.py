"""Reporting periods: a year, a quarter or a month, with their codes ("2026", "2026-Q3", "2026-07")."""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

MIN_YEAR = 2000
MAX_YEAR = 2100

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-M?(\d{1,2})$", re.IGNORECASE)


class PeriodKind(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"


class InvalidPeriod(ValueError):
    """A period code that cannot be read."""


@dataclass(frozen=True, order=True)
class Period:
    """A year (number 0), a quarter (1-4) or a month (1-12)."""

    kind: PeriodKind
    year: int
    number: int = 0

    @property
    def code(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @property
    def start(self) -> date:
        if self.kind is PeriodKind.YEAR:
            return date(self.year, 1, 1)
        if self.kind is PeriodKind.QUARTER:
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, self.number, 1)

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        if self.kind is PeriodKind.YEAR:
            return date(self.year, 12, 31)
        last_month = 3 * self.number if self.kind is PeriodKind.QUARTER else self.number
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind is PeriodKind.YEAR:
            return Period(self.kind, self.year - 1)
        size = 4 if self.kind is PeriodKind.QUARTER else 12
        if self.number == 1:
            return Period(self.kind, self.year - 1, size)
        return Period(self.kind, self.year, self.number - 1)

    def next(self) -> Period:
        """The period of the same kind just after this one."""
        if self.kind is PeriodKind.YEAR:
            return Period(self.kind, self.year + 1)
        size = 4 if self.kind is PeriodKind.QUARTER else 12
        if self.number == size:
            return Period(self.kind, self.year + 1, 1)
        return Period(self.kind, self.year, self.number + 1)

    def months(self) -> list[Period]:
        """The month periods inside this period."""
        first, last = self.start.month, self.end.month
        return [Period(PeriodKind.MONTH, self.year, m) for m in range(first, last + 1)]

    def year_period(self) -> Period:
        return Period(PeriodKind.YEAR, self.year)

    def elapsed_share(self, at: date) -> float:
        """Share of the period's days elapsed on `at`, counting `at` itself; 0 before, 1 after."""
        if at < self.start:
            return 0.0
        if at >= self.end:
            return 1.0
        return ((at - self.start).days + 1) / self.days


def parse_period(code: str) -> Period:
    """Read "2026", "2026-Q3", "2026-07" or "2026-M07"; raise InvalidPeriod otherwise."""
    text = (code or "").strip()
    if match := _YEAR.match(text):
        period = Period(PeriodKind.YEAR, int(match[1]))
    elif match := _QUARTER.match(text):
        period = Period(PeriodKind.QUARTER, int(match[1]), int(match[2]))
    elif (match := _MONTH.match(text)) and 1 <= int(match[2]) <= 12:
        period = Period(PeriodKind.MONTH, int(match[1]), int(match[2]))
    else:
        raise InvalidPeriod(f"Unknown period {code!r}: use 2026, 2026-Q3 or 2026-07.")
    if not MIN_YEAR <= period.year <= MAX_YEAR:
        raise InvalidPeriod(f"Year {period.year} is outside {MIN_YEAR}-{MAX_YEAR}.")
    return period


def period_of(day: date, kind: PeriodKind) -> Period:
    """The period of the given kind that contains the day."""
    if kind is PeriodKind.YEAR:
        return Period(kind, day.year)
    if kind is PeriodKind.QUARTER:
        return Period(kind, day.year, (day.month - 1) // 3 + 1)
    return Period(kind, day.year, day.month)


def periods_of_year(year: int) -> list[Period]:
    """The year, its four quarters and its twelve months."""
    return (
        [Period(PeriodKind.YEAR, year)]
        + [Period(PeriodKind.QUARTER, year, q) for q in range(1, 5)]
        + [Period(PeriodKind.MONTH, year, m) for m in range(1, 13)]
    )


# --- administering periods (/admin/periods) ----------------------------------------------------

GRACE_DAYS_MIN = 0
GRACE_DAYS_MAX = 60  # two months after a month's end is already a quarter's report: more is a typo


def year_to_open(existing_years: Collection[int], today: date) -> int:
    """The year "open the next year" creates: the one after the latest there is (this year on an empty store)."""
    return max(existing_years) + 1 if existing_years else today.year


def opening_problems(year: int, existing_years: Collection[int], today: date) -> dict[str, str]:
    """Opening a year: only the next one in line, and not further than two years ahead (a plan that far
    is a slip of the button, and every empty year would show in every period selector)."""
    if year < MIN_YEAR or year > MAX_YEAR or year > today.year + 2:
        return {"year": "too_far_ahead"}
    if year in existing_years:
        return {"year": "already_open"}
    return {}


def grace_problems(value: object) -> dict[str, str]:
    """Grace days: a whole number from 0 to 60. Entries go into months, so a month's grace days are the
    ones that count; set on a quarter or a year, they go to each of its months."""
    if isinstance(value, bool) or not isinstance(value, int):
        if not (isinstance(value, str) and value.strip().isdigit()):
            return {"grace_days": "whole_number"}
        value = int(value.strip())
    if not GRACE_DAYS_MIN <= value <= GRACE_DAYS_MAX:
        return {"grace_days": "grace_range"}
    return {}


def lock_problems(*, locked: bool, end: date, today: date) -> dict[str, str]:
    """Locking a period: it must be open and over (locking a running month would stop today's reports)."""
    if locked:
        return {"period": "already_locked"}
    if end >= today:
        return {"period": "not_ended"}
    return {}


def unlock_problems(*, locked: bool, enclosing_locked: bool) -> dict[str, str]:
    """Unlocking a period: it must be locked, and not inside a locked quarter or year (entries check those
    too, so unlocking the month alone would change nothing: unlock the enclosing period first)."""
    if not locked:
        return {"period": "already_open"}
    if enclosing_locked:
        return {"period": "enclosing_locked"}
    return {}


def enclosing_codes(period: Period) -> tuple[str, ...]:
    """The codes of the periods a period lies in: a month's quarter and year, a quarter's year."""
    if period.kind is PeriodKind.MONTH:
        return (f"{period.year}-Q{(period.number - 1) // 3 + 1}", str(period.year))
    if period.kind is PeriodKind.QUARTER:
        return (str(period.year),)
    return ()

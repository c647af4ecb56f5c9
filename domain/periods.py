"""Reporting periods: a year, a quarter or a month, with their codes ("2026", "2026-Q3", "2026-07")."""

from __future__ import annotations

import calendar
import re
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

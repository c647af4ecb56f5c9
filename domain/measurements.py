"""Rules for entering an indicator's value: what a value may be, when it may still be reported.

A value is checked against its indicator (a number; 0 or 1 for done/not done; a whole count of
milestones up to the total; inside the indicator's own minimum and maximum) and against the
calendar: dated inside the indicator's year, not in the future, and reported while its month is
open. A month stays open until its end plus a grace window (late reporting into an ended period,
as users of OKR tools ask for), unless an administrator locked it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from domain.indicators import Direction

COMMENT_MAX = 1000
# A value this large is a typo (a citizen id pasted into the value column), whatever the indicator.
ABSOLUTE_LIMIT = 1e12


@dataclass(frozen=True)
class ValueRules:
    """What an indicator accepts."""

    direction: Direction
    year: int
    min_value: float | None = None
    max_value: float | None = None
    milestones_total: int | None = None


@dataclass(frozen=True)
class ReportingWindow:
    """Whether the month of a value can still take reports."""

    month_end: date
    grace_days: int
    locked: bool

    def closes_on(self) -> date:
        """The last day a value of this month may be entered."""
        return self.month_end + timedelta(days=self.grace_days)


def parse_number(raw: object, *, decimal_comma: bool = True) -> float | None:
    """A number typed by a person, read with the language's separators; None when it is not a number.

    With ``decimal_comma`` (Vietnamese, French) "1.234,5" is 1234.5 and "1,5" is 1.5; without it
    (English) "1,234.5" is 1234.5. Spaces (French thousands) and a trailing % are ignored.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").removesuffix("%")
    decimal, thousands = (",", ".") if decimal_comma else (".", ",")
    if not text or text.count(decimal) > 1:
        return None
    text = text.replace(thousands, "").replace(decimal, ".")
    try:
        return float(text)
    except ValueError:
        return None


def value_problems(
    rules: ValueRules, value: float | None, measured_on: date | None, *, today: date, window: ReportingWindow | None
) -> dict[str, str]:
    """Field -> problem code for a value; empty when it can be recorded."""
    problems: dict[str, str] = {}
    if value is None or not math.isfinite(value):
        problems["value"] = "required_number"
    elif abs(value) > ABSOLUTE_LIMIT:
        problems["value"] = "value_range"
    elif rules.direction is Direction.DONE and value not in (0.0, 1.0):
        problems["value"] = "done_zero_one"
    elif rules.direction is Direction.MILESTONES and (
        value != int(value) or value < 0 or (rules.milestones_total is not None and value > rules.milestones_total)
    ):
        problems["value"] = "milestones_range"
    elif (rules.min_value is not None and value < rules.min_value) or (
        rules.max_value is not None and value > rules.max_value
    ):
        problems["value"] = "value_range"
    if measured_on is None:
        problems["measured_on"] = "required_date"
    elif measured_on.year != rules.year:
        problems["measured_on"] = "outside_period"
    elif measured_on > today:
        problems["measured_on"] = "future_date"
    elif window is None:
        problems["measured_on"] = "outside_period"
    elif window.locked:
        problems["measured_on"] = "period_locked"
    elif today > window.closes_on():
        problems["measured_on"] = "period_closed"
    return problems


def comment_problems(comment: str) -> dict[str, str]:
    return {"comment": "too_long"} if len(comment) > COMMENT_MAX else {}

"""Action plans: an indicator of direction "milestones" whose progress is its milestones done.

When an indicator has milestones, they drive its progress: the value at a date is how many were done
by then, the total is how many there are, and the planned trajectory is how many were due by then.
Indicators of that direction without milestone rows (the demo's, and any entered before milestones
existed) keep counting the "milestones reached" values entered as measurements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

TITLE_MAX = 300


@dataclass(frozen=True)
class MilestoneSeries:
    """A milestone plan read as an indicator's numbers."""

    done: list[tuple[date, float]]  # (date, milestones done by then), one point per date something was done
    planned: list[tuple[date, float]]  # (date, milestones due by then)
    total: int


def milestone_series(milestones: Sequence[tuple[date, date | None]]) -> MilestoneSeries:
    """The done counts and due counts over time of (due_on, done_on) pairs."""
    done_dates = sorted(d for _, d in milestones if d is not None)
    due_dates = sorted(d for d, _ in milestones)
    return MilestoneSeries(_cumulative(done_dates), _steps(_cumulative(due_dates)), len(milestones))


def _steps(points: list[tuple[date, float]]) -> list[tuple[date, float]]:
    """A planned trajectory that steps up on each due date: the expected count at a date is how many
    milestones were due by then (the trajectory is read by straight lines between its points)."""
    out: list[tuple[date, float]] = []
    before = 0.0
    for day, count in points:
        out.append((day - timedelta(days=1), before))
        out.append((day, count))
        before = count
    return out


def _cumulative(dates: list[date]) -> list[tuple[date, float]]:
    points: list[tuple[date, float]] = []
    for n, day in enumerate(dates, start=1):
        if points and points[-1][0] == day:
            points[-1] = (day, float(n))
        else:
            points.append((day, float(n)))
    return points


def milestone_problems(title: str, due_on: date | None, *, year: int) -> dict[str, str]:
    """Field -> problem code for a milestone's title and due date (inside the indicator's year)."""
    problems: dict[str, str] = {}
    text = title.strip()
    if not text:
        problems["title"] = "required"
    elif len(text) > TITLE_MAX:
        problems["title"] = "too_long"
    if due_on is None:
        problems["due_on"] = "required_date"
    elif due_on.year != year:
        problems["due_on"] = "outside_period"
    return problems


def done_problems(done_on: date | None, *, today: date, year: int) -> dict[str, str]:
    """Field -> problem code for the day a milestone was done (None: not done any more)."""
    if done_on is None:
        return {}
    if done_on > today:
        return {"done_on": "future_date"}
    if done_on.year != year:
        return {"done_on": "outside_period"}
    return {}

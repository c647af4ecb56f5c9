"""Rules of a unit's plan: what makes an objective's key results and an indicator's numbers coherent,
and the planned trajectories people start from ("straight line", "back-loaded", "as last year").

Pure functions over plain values. Problems are {field: code} maps, as in domain/org_changes.py: the pages
and the plan import turn the codes into messages in the user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.indicators import Direction
from domain.kinds import Frequency
from domain.periods import Period

# Weights are entered as percentages; within this much of 100 they count as summing to 100.
WEIGHT_TOLERANCE = 0.01
# A trajectory's last value within this share of the target's size counts as reaching the target.
TRAJECTORY_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Numbers:
    """What an indicator promises: its direction and the numbers that give progress a meaning."""

    direction: Direction
    baseline: float | None = None
    target: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    min_value: float | None = None
    max_value: float | None = None
    milestones_total: int | None = None


def number_problems(numbers: Numbers) -> dict[str, str]:
    """Everything incoherent in an indicator's numbers for its direction.

    A target on the wrong side of the baseline would read as progress when things get worse; a band
    with its low above its high can never be met; a target outside the possible range never reached.
    """
    n = numbers
    problems: dict[str, str] = {}
    if n.direction in (Direction.INCREASE, Direction.DECREASE):
        if n.target is None:
            problems["target"] = "target_required"
        elif n.baseline is not None:
            if n.direction is Direction.INCREASE and n.target <= n.baseline:
                problems["target"] = "target_not_above_baseline"
            if n.direction is Direction.DECREASE and n.target >= n.baseline:
                problems["target"] = "target_not_below_baseline"
    if n.direction is Direction.BAND:
        if n.band_low is None or n.band_high is None:
            problems["band_low"] = "band_required"
        elif n.band_low > n.band_high:
            problems["band_low"] = "band_inverted"
    if n.direction is Direction.MILESTONES and (n.milestones_total is None or n.milestones_total < 1):
        problems["milestones_total"] = "milestones_required"
    if n.min_value is not None and n.max_value is not None and n.min_value > n.max_value:
        problems["min_value"] = "range_inverted"
    elif n.target is not None and not _inside(n.target, n.min_value, n.max_value):
        problems.setdefault("target", "target_outside_range")
    return problems


def _inside(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


# --- weights -----------------------------------------------------------------------------------


def weights_sum_to_100(weights: Sequence[float]) -> bool:
    """True when the weights (percentages) add up to 100, give or take rounding."""
    return abs(sum(weights) - 100.0) <= WEIGHT_TOLERANCE


def weight_problems(weights: Sequence[float]) -> dict[str, str]:
    """The key results under one objective: no negative weight, at least one positive, summing to 100."""
    if any(w < 0 for w in weights):
        return {"weight": "weight_negative"}
    if weights and not any(w > 0 for w in weights):
        return {"weight": "weights_all_zero"}
    if weights and not weights_sum_to_100(weights):
        return {"weight": "weights_not_100"}
    return {}


def normalised_weights(weights: Sequence[float]) -> list[float]:
    """The weights scaled to sum to 100 (what the rollups use when authors leave them otherwise); the
    pages show both, so nobody is surprised by the scaling. All zero stays all zero."""
    total = sum(w for w in weights if w > 0)
    if total <= 0:
        return [0.0 for _ in weights]
    return [max(w, 0.0) * 100.0 / total for w in weights]


# --- trajectories --------------------------------------------------------------------------------


def checkpoints(period: Period, frequency: Frequency) -> list[date]:
    """The dates a trajectory has values at: the end of every month, every quarter, or the year."""
    if frequency is Frequency.YEARLY:
        return [period.end]
    months = period.months()
    if frequency is Frequency.QUARTERLY:
        return [m.end for m in months if m.number % 3 == 0]
    return [m.end for m in months]


def straight_line(period: Period, dates: Sequence[date], *, start: float, target: float) -> list[tuple[date, float]]:
    """From the start value on the period's first day to the target on its last, evenly by days."""
    return [(d, start + (target - start) * period.elapsed_share(d)) for d in dates]


def back_loaded(
    period: Period, dates: Sequence[date], *, start: float, target: float, power: float = 2.0
) -> list[tuple[date, float]]:
    """Slow first, fast at the end (investment, construction, procurement): progress grows as the
    elapsed share to the given power."""
    return [(d, start + (target - start) * period.elapsed_share(d) ** power) for d in dates]


def rescaled(
    points: Sequence[tuple[date, float]],
    *,
    old_start: float,
    old_target: float,
    new_start: float,
    new_target: float,
    years_later: int = 0,
) -> list[tuple[date, float]]:
    """A trajectory's shape carried over to new numbers: each point keeps its share of the way from
    start to target ("as last year", and copying a plan into the next year). Dates move by whole years;
    29 February becomes the 28th."""
    span = old_target - old_start
    moved: list[tuple[date, float]] = []
    for at, value in sorted(points):
        share = (value - old_start) / span if span else 1.0
        moved.append((_years_after(at, years_later), new_start + (new_target - new_start) * share))
    return moved


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year that has none
        return day.replace(year=day.year + years, day=28)


def trajectory_problems(
    points: Sequence[tuple[date, float]], period: Period, *, target: float | None
) -> dict[str, str]:
    """A trajectory lies inside its period, has one value per date, and ends at the target."""
    if not points:
        return {}
    dates = [at for at, _ in points]
    if any(not period.contains(at) for at in dates):
        return {"trajectory": "date_outside_period"}
    if len(set(dates)) != len(dates):
        return {"trajectory": "date_repeated"}
    last = max(points)[1]
    if target is not None and abs(last - target) > TRAJECTORY_TOLERANCE * max(1.0, abs(target)):
        return {"trajectory": "trajectory_not_at_target"}
    return {}


# --- who and when ----------------------------------------------------------------------------------


def owner_problems(owner_unit_path: str | None, unit_path: str) -> dict[str, str]:
    """An owner works in the unit whose plan it is (or one of its divisions)."""
    if owner_unit_path is not None and not owner_unit_path.startswith(unit_path):
        return {"owner": "owner_outside_unit"}
    return {}


def date_problems(field: str, day: date | None, period: Period) -> dict[str, str]:
    """A milestone's due or done date, or a trajectory point, inside the plan's period."""
    if day is not None and not period.contains(day):
        return {field: "date_outside_period"}
    return {}

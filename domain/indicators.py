"""Indicator rules: accumulate values, progress for each direction, expected progress, status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.periods import Period

# Boundaries count as the better status: float noise must not turn "exactly on" into "below".
EPSILON = 1e-9


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    BAND = "band"
    DONE = "done"
    MILESTONES = "milestones"


class Accumulation(StrEnum):
    LAST = "last"
    SUM = "sum"
    AVERAGE = "average"


class Status(StrEnum):
    DONE = "done"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Tolerances:
    """How far below the expected progress still counts as on track / at risk; the progress cap."""

    on_track: float = 0.05
    at_risk: float = 0.20
    cap: float = 1.2


@dataclass(frozen=True)
class IndicatorSpec:
    """What progress of an indicator means."""

    direction: Direction
    baseline: float | None
    target: float | None
    band_low: float | None = None
    band_high: float | None = None
    milestones_total: int | None = None
    accumulation: Accumulation = Accumulation.LAST


def accumulate(values: Sequence[float], how: Accumulation) -> float | None:
    """The period's value from its measurements in date order (None when there are none)."""
    if not values:
        return None
    if how is Accumulation.SUM:
        return float(sum(values))
    if how is Accumulation.AVERAGE:
        return float(sum(values)) / len(values)
    return float(values[-1])


def current_value(points: Sequence[tuple[date, float]], period: Period, how: Accumulation) -> float | None:
    """Accumulated value of the points dated inside the period."""
    inside = sorted((p for p in points if period.contains(p[0])), key=lambda p: p[0])
    return accumulate([value for _, value in inside], how)


def progress(spec: IndicatorSpec, value: float | None, *, cap: float = 1.2) -> float | None:
    """Progress towards the target as a fraction in [0, cap]; None without a value."""
    if value is None:
        return None
    direction = Direction(spec.direction)
    if direction is Direction.BAND:
        low = spec.band_low if spec.band_low is not None else float("-inf")
        high = spec.band_high if spec.band_high is not None else float("inf")
        return 1.0 if low - EPSILON <= value <= high + EPSILON else 0.0
    if direction is Direction.DONE:
        return 1.0 if value >= 1 - EPSILON else 0.0
    if direction is Direction.MILESTONES:
        if not spec.milestones_total:
            return None
        return _clip(value / spec.milestones_total, cap)
    if spec.target is None:
        return None
    baseline = spec.baseline if spec.baseline is not None else 0.0
    if abs(spec.target - baseline) < EPSILON:
        reached = value >= spec.target - EPSILON if direction is Direction.INCREASE else value <= spec.target + EPSILON
        return 1.0 if reached else 0.0
    return _clip((value - baseline) / (spec.target - baseline), cap)


def _clip(share: float, cap: float) -> float:
    return max(0.0, min(cap, share))


def expected_progress(
    period: Period,
    at: date,
    trajectory: Sequence[tuple[date, float]] | None = None,
    *,
    spec: IndicatorSpec | None = None,
) -> float:
    """Progress one should have reached by `at`: the elapsed share, or the planned trajectory."""
    if (
        not trajectory
        or spec is None
        or spec.direction not in (Direction.INCREASE, Direction.DECREASE, Direction.MILESTONES)
    ):
        return period.elapsed_share(at)
    planned = planned_value(period, at, trajectory, start_value=spec.baseline or 0.0)
    share = progress(spec, planned, cap=1.0)
    return share if share is not None else period.elapsed_share(at)


def planned_value(period: Period, at: date, trajectory: Sequence[tuple[date, float]], *, start_value: float) -> float:
    """Planned value at a date, interpolated linearly from the baseline at the period's start."""
    points = [(period.start, start_value)] + sorted(trajectory, key=lambda p: p[0])
    if at <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if d0 <= at <= d1:
            span = (d1 - d0).days
            return v1 if span == 0 else v0 + (v1 - v0) * (at - d0).days / span
    return points[-1][1]


def status(p: float | None, expected: float, tol: Tolerances = Tolerances()) -> Status:
    """Done, on track, at risk, off track or no data, from progress against expectation."""
    if p is None:
        return Status.NO_DATA
    if p >= 1 - EPSILON:
        return Status.DONE
    if p >= expected - tol.on_track - EPSILON:
        return Status.ON_TRACK
    if p >= expected - tol.at_risk - EPSILON:
        return Status.AT_RISK
    return Status.OFF_TRACK

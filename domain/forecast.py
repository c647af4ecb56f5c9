"""Forecast: a least-squares line through the period's values, read at the period's end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.indicators import EPSILON, Accumulation, Direction, IndicatorSpec, Status, progress
from domain.periods import Period


@dataclass(frozen=True)
class Forecast:
    """Where the indicator is heading; miss_by is the shortfall in the target's units (0 when on course)."""

    value_at_end: float
    progress_at_end: float | None
    on_course: bool
    miss_by: float


def _running(values: list[float], how: Accumulation) -> list[float]:
    """The accumulated value after each point, so the line follows what progress is measured on."""
    if how is Accumulation.SUM:
        out, total = [], 0.0
        for v in values:
            total += v
            out.append(total)
        return out
    if how is Accumulation.AVERAGE:
        out, total = [], 0.0
        for i, v in enumerate(values, start=1):
            total += v
            out.append(total / i)
        return out
    return values


def _line_at(xs: list[float], ys: list[float], x_end: float) -> float:
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx < EPSILON:
        return mean_y  # one date only: no slope to speak of
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return mean_y + slope * (x_end - mean_x)


def forecast(
    points: Sequence[tuple[date, float]], period: Period, spec: IndicatorSpec, *, cap: float = 1.2
) -> Forecast | None:
    """Value expected at the period's end if the trend holds; None when it cannot be said."""
    direction = Direction(spec.direction)
    if direction in (Direction.BAND, Direction.DONE) or (direction is not Direction.MILESTONES and spec.target is None):
        return None
    inside = sorted((p for p in points if period.contains(p[0])), key=lambda p: p[0])
    if not inside:
        return None
    xs = [float((d - period.start).days) for d, _ in inside]
    ys = _running([v for _, v in inside], Accumulation(spec.accumulation))
    value = _line_at(xs, ys, float((period.end - period.start).days))
    target = float(spec.milestones_total or 0) if direction is Direction.MILESTONES else float(spec.target or 0)
    shortfall = value - target if direction is Direction.DECREASE else target - value
    miss_by = max(0.0, shortfall)
    return Forecast(
        value_at_end=value,
        progress_at_end=progress(spec, value, cap=cap),
        on_course=miss_by <= EPSILON,
        miss_by=0.0 if miss_by <= EPSILON else miss_by,
    )


class Outlook(StrEnum):
    """What a row says about the year's end, decided with its status so that the two never contradict."""

    NONE = "none"  # nothing to forecast
    REACHED = "reached"  # the target is already reached
    ON_COURSE = "on_course"  # on track now, and the trend reaches the target
    CATCHING_UP = "catching_up"  # behind now, but the trend reaches the target by the year's end
    SLIPPING = "slipping"  # on track now, but the trend misses the target
    WILL_MISS = "will_miss"  # behind now, and the trend misses the target


def outlook(status: str | None, on_course: bool | None, miss_by: float | None, *, digits: int = 1) -> Outlook:
    """One rule for status and forecast together: a row is never "at risk" and plainly "on course", nor
    "on track" and "will miss by 0.0" (a miss that rounds to zero where it is shown is no miss)."""
    if status == Status.DONE:
        return Outlook.REACHED
    if on_course is None or on_course != on_course:  # None or NaN
        return Outlook.NONE
    misses = not on_course and miss_by is not None and round(miss_by, digits) > 0
    behind = status in (Status.AT_RISK, Status.OFF_TRACK)
    if misses:
        return Outlook.WILL_MISS if behind else Outlook.SLIPPING
    return Outlook.CATCHING_UP if behind else Outlook.ON_COURSE

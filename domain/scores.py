"""Scores: objectives from indicators, units from objectives, parents from children (all in [0, 1])."""

from __future__ import annotations

from collections.abc import Iterable


def weighted_mean(items: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of (score, weight) pairs, skipping missing scores and non-positive weights."""
    total = weight_sum = 0.0
    for score, weight in items:
        if score is None or weight is None or weight <= 0:
            continue
        total += score * weight
        weight_sum += weight
    return None if weight_sum == 0 else total / weight_sum


def objective_score(indicators: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of the indicators' progress, each counted at most 1 (overshoot does not hide lag)."""
    return weighted_mean((None if p is None else min(p, 1.0), w) for p, w in indicators)


def unit_score(objectives: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of the unit's objective scores."""
    return weighted_mean(objectives)


def rolled_up_score(
    own: float | None, own_weight: float, children: Iterable[tuple[float | None, float]]
) -> float | None:
    """A parent's score: its own score and its children's, by their weights."""
    return weighted_mean([(own, own_weight), *children])

"""Rankings: who stands where among like units or people, and what lifted or dragged a unit.

One rule for every ranking Pulse shows (/rankings, /emulation, the big screen, the overview's best and
weakest units): best score first; equal scores share a rank and the next rank skips ("competition"
ranking: 1, 2, 2, 4), ties listed by name; whatever has no score comes last, without a rank.
Everything here works on plain values: the caller says how to read an item's score, name and group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from domain.periods import Period, PeriodKind

T = TypeVar("T")


@dataclass(frozen=True)
class Placed(Generic[T]):
    """An item with its rank (None: no score, not ranked)."""

    rank: int | None
    item: T


def _score_of(value: float | None) -> float | None:
    """NaN (a missing value in a frame) counts as no score."""
    return None if value is None or value != value else float(value)


def _placed(
    scored: list[tuple[float, T]],
    unscored: list[T],
    name: Callable[[T], str],
    tiebreak: Callable[[T], int],
) -> list[Placed[T]]:
    ordered = sorted(scored, key=lambda pair: (-pair[0], name(pair[1]), tiebreak(pair[1])))
    out: list[Placed[T]] = []
    previous: float | None = None
    rank = 0
    for position, (value, item) in enumerate(ordered, start=1):
        if previous is None or value != previous:
            rank = position
        previous = value
        out.append(Placed(rank, item))
    out.extend(Placed(None, item) for item in sorted(unscored, key=lambda i: (name(i), tiebreak(i))))
    return out


def rank(
    items: Sequence[T],
    *,
    score: Callable[[T], float | None],
    name: Callable[[T], str] = lambda _item: "",
    tiebreak: Callable[[T], int] = lambda _item: 0,
) -> list[Placed[T]]:
    """Best first, competition ranks (1, 2, 2, 4), equal scores ordered by name then ``tiebreak``;
    items without a score follow, unranked and ordered by name."""
    scored: list[tuple[float, T]] = []
    unscored: list[T] = []
    for item in items:
        value = _score_of(score(item))
        if value is None:
            unscored.append(item)
        else:
            scored.append((value, item))
    return _placed(scored, unscored, name, tiebreak)


def rank_within_groups(
    items: Sequence[T],
    *,
    group: Callable[[T], Hashable],
    score: Callable[[T], float | None],
    name: Callable[[T], str] = lambda _item: "",
    tiebreak: Callable[[T], int] = lambda _item: 0,
) -> list[tuple[Hashable, list[Placed[T]]]]:
    """Like is compared with like: one ranking per group (position group, kind of unit), groups in order."""
    groups: dict[Hashable, list[T]] = defaultdict(list)
    for item in items:
        groups[group(item)].append(item)
    return [
        (key, rank(groups[key], score=score, name=name, tiebreak=tiebreak))
        for key in sorted(groups, key=lambda k: (k is None, str(k)))
    ]


def best_and_weakest(
    items: Sequence[T], *, score: Callable[[T], float | None], name: Callable[[T], str], most: int = 5
) -> tuple[list[T], list[T]]:
    """The best few and the weakest few (weakest first), never the same item in both lists."""
    ranked = [p.item for p in rank(items, score=score, name=name) if p.rank is not None]
    best = ranked[: min(most, (len(ranked) + 1) // 2)]
    weakest = ranked[len(ranked) - min(most, len(ranked) // 2) :][::-1]
    return best, weakest


@dataclass(frozen=True)
class Contribution:
    """One indicator under a unit: its progress (capped at 1, as scores count it) and its weight."""

    name: str
    progress: float
    weight: float


def lifted_and_dragged(score: float | None, contributions: Iterable[Contribution]) -> tuple[str | None, str | None]:
    """The indicator that lifted the unit's score most (weight x how far above the score it stands)
    and the one that dragged it most (below); None where no indicator did."""
    base = score or 0.0
    effects = [(c.name, c.weight * (min(c.progress, 1.0) - base)) for c in contributions]
    lifted = max(effects, key=lambda e: e[1], default=None)
    dragged = min(effects, key=lambda e: e[1], default=None)
    return (lifted[0] if lifted and lifted[1] > 0 else None, dragged[0] if dragged and dragged[1] < 0 else None)


SAME_DATE_LAST_YEAR = "same_date_last_year"
PREVIOUS_PERIOD = "previous_period"


def compared_with(chosen: Period, today: date) -> tuple[Period, str]:
    """The period a ranking's "change" compares a score with, like with like, and which comparison it is.

    A year still running is compared with last year's score at the same point (the month rollup of last
    year that ended where this year's last finished month ends: month rollups hold the year-to-date score);
    comparing it with last year's whole year made every unit seem to collapse until December. A finished
    year, a quarter or a month is compared with the period of its kind just before it.
    """
    if chosen.kind is PeriodKind.YEAR and chosen.contains(today):
        return Period(PeriodKind.MONTH, chosen.year - 1, max(today.month - 1, 1)), SAME_DATE_LAST_YEAR
    return chosen.previous(), PREVIOUS_PERIOD

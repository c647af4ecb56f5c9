"""What a score should be by now, so a score is never read alone.

Indicators carry their own expectation (the elapsed share of their year or their planned trajectory,
stored in the rollups). A unit's score mixes many indicators; its expectation is the share of the year
elapsed as of the period's end (or today, inside the period): the line an even pace would follow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

from domain.kinds import UnitKind
from domain.periods import Period

T = TypeVar("T")


def expected_by(period: Period, today: date) -> float:
    """The share of the period's year elapsed by the period's end, or by today while the period runs."""
    return period.year_period().elapsed_share(min(today, period.end))


def expected_trend(months: Sequence[Period], today: date) -> list[float | None]:
    """The expected score at each month's end; None for months not started yet."""
    return [None if m.start > today else expected_by(m, today) for m in months]


def peer_kind(kind: str) -> str:
    """The kind a unit is compared within: communes and wards are the same level of government."""
    return UnitKind.WARD.value if kind == UnitKind.COMMUNE.value else kind


def weakest_by_kind(
    items: Sequence[T],
    *,
    score: Callable[[T], float | None],
    kind: Callable[[T], str],
    most: int = 5,
) -> list[tuple[str, list[T]]]:
    """The weakest few of each kind (weakest first), kinds with most members first, so wards are
    compared with wards and departments with departments. Items without a score are left out; a kind
    with a single scored member has no one to be compared with and is left out too."""
    groups: dict[str, list[tuple[float, T]]] = defaultdict(list)
    for item in items:
        value = score(item)
        if value is not None and value == value:
            groups[kind(item)].append((value, item))
    out = []
    for name, members in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
        if len(members) < 2:
            continue
        # Only the lower half can "need support": a kind of two shows its weaker one.
        ordered = sorted(members, key=lambda pair: pair[0])
        out.append((name, [item for _, item in ordered[: min(most, len(ordered) // 2)]]))
    return out

"""The one ranking rule: competition ranks, ties by name, no score no rank; groups compared like with like."""

from __future__ import annotations

from datetime import date

import pytest

from domain.periods import parse_period
from domain.rankings import (
    PREVIOUS_PERIOD,
    SAME_DATE_LAST_YEAR,
    Contribution,
    best_and_weakest,
    compared_with,
    lifted_and_dragged,
    rank,
    rank_within_groups,
)


def _names_and_ranks(items: list[tuple[str, float | None]]) -> list[tuple[str, int | None]]:
    return [(p.item[0], p.rank) for p in rank(items, score=lambda i: i[1], name=lambda i: i[0])]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], []),
        ([("A", 0.5)], [("A", 1)]),
        ([("B", 0.5), ("A", 0.9), ("C", 0.1)], [("A", 1), ("B", 2), ("C", 3)]),
        # equal scores share a rank, the next one skips, ties listed by name
        ([("D", 0.2), ("C", 0.8), ("B", 0.8), ("A", 0.9)], [("A", 1), ("B", 2), ("C", 2), ("D", 4)]),
        # no score (None, or NaN from a frame): last, unranked, by name
        ([("Z", None), ("Y", float("nan")), ("X", 0.0)], [("X", 1), ("Y", None), ("Z", None)]),
    ],
)
def test_competition_ranking(items: list[tuple[str, float | None]], expected: list[tuple[str, int | None]]) -> None:
    assert _names_and_ranks(items) == expected


def test_ties_with_one_name_fall_back_to_the_tiebreak() -> None:
    items = [(7, "An", 80.0), (3, "An", 80.0)]
    placed = rank(items, score=lambda i: i[2], name=lambda i: i[1], tiebreak=lambda i: i[0])
    assert [(p.item[0], p.rank) for p in placed] == [(3, 1), (7, 1)]


def test_each_group_is_ranked_on_its_own() -> None:
    people = [("expert", "A", 60.0), ("clerk", "B", 90.0), ("expert", "C", 75.0), ("clerk", "D", 90.0)]
    groups = rank_within_groups(people, group=lambda p: p[0], score=lambda p: p[2], name=lambda p: p[1])
    assert [(g, [(p.item[1], p.rank) for p in places]) for g, places in groups] == [
        ("clerk", [("B", 1), ("D", 1)]),
        ("expert", [("C", 1), ("A", 2)]),
    ]


@pytest.mark.parametrize(
    ("scores", "best", "weakest"),
    [
        ([0.9], ["u0"], []),
        ([0.9, 0.1], ["u0"], ["u1"]),
        ([0.9, 0.5, 0.1], ["u0", "u1"], ["u2"]),
        ([0.1 * i for i in range(12)], ["u11", "u10", "u9", "u8", "u7"], ["u0", "u1", "u2", "u3", "u4"]),
    ],
)
def test_best_and_weakest_never_overlap(scores: list[float], best: list[str], weakest: list[str]) -> None:
    units = [(f"u{i}", s) for i, s in enumerate(scores)] + [("no data", None)]
    top, bottom = best_and_weakest(units, score=lambda u: u[1], name=lambda u: u[0])
    assert [u[0] for u in top] == best
    assert [u[0] for u in bottom] == weakest


def test_what_lifted_and_dragged_a_unit() -> None:
    # unit score 0.6: "roads" (weight 2, 1.0 capped from 1.3) lifts by 0.8, "schools" (weight 1, 0.2) drags by 0.4
    found = lifted_and_dragged(
        0.6, [Contribution("roads", 1.3, 2.0), Contribution("schools", 0.2, 1.0), Contribution("water", 0.6, 5.0)]
    )
    assert found == ("roads", "schools")
    assert lifted_and_dragged(0.6, [Contribution("water", 0.6, 1.0)]) == (None, None)
    assert lifted_and_dragged(None, []) == (None, None)


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        # A running year against the same point last year, never against last year's whole year.
        ("2026", date(2026, 12, 8), ("2025-11", SAME_DATE_LAST_YEAR)),
        ("2026", date(2026, 6, 30), ("2025-05", SAME_DATE_LAST_YEAR)),
        ("2026", date(2026, 1, 10), ("2025-01", SAME_DATE_LAST_YEAR)),
        # A finished year against the year before; quarters and months against the one before them.
        ("2025", date(2026, 12, 8), ("2024", PREVIOUS_PERIOD)),
        ("2026-Q1", date(2026, 12, 8), ("2025-Q4", PREVIOUS_PERIOD)),
        ("2026-07", date(2026, 12, 8), ("2026-06", PREVIOUS_PERIOD)),
    ],
)
def test_change_compares_like_with_like(period: str, today: date, expected: tuple[str, str]) -> None:
    baseline, comparison = compared_with(parse_period(period), today)
    assert (baseline.code, comparison) == expected

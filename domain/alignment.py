"""The alignment cascade: objectives linked to the objective they serve one level up, and their scores.

An objective's score rolls up like a unit's (domain.scores): its key results' score (weight 1, each
key result counted at most 1) and the scores of the objectives aligned to it, by their weights. The
expected progress rolls up the same way, so an objective's status compares like with like.

Orphans are objectives below the top of the tree that serve nothing; unsupported objectives are the
top unit's objectives that nothing serves. Nothing here reads the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from domain.indicators import Status, Tolerances, status
from domain.scores import rolled_up_score


@dataclass(frozen=True)
class KeyResult:
    """What an objective's own indicator contributes: its progress, expected progress and weight."""

    progress: float | None
    expected: float | None
    weight: float


@dataclass(frozen=True)
class ObjectiveLink:
    """An objective as the cascade sees it."""

    id: int
    parent_id: int | None
    weight: float
    key_results: tuple[KeyResult, ...] = ()


@dataclass(frozen=True)
class ObjectiveFigures:
    score: float | None
    expected: float | None
    status: Status
    children: tuple[int, ...] = field(default_factory=tuple)


def children_of(links: Iterable[ObjectiveLink]) -> dict[int, list[int]]:
    """Aligned objectives by the objective they serve (only links between the given objectives)."""
    known = {link.id: link for link in links}
    out: dict[int, list[int]] = defaultdict(list)
    for link in known.values():
        if link.parent_id is not None and link.parent_id in known and link.parent_id != link.id:
            out[link.parent_id].append(link.id)
    return out


def roll_up(links: Sequence[ObjectiveLink], tol: Tolerances | None = None) -> dict[int, ObjectiveFigures]:
    """Score, expected progress and status of every objective, from its key results and aligned objectives.

    A link that loops back (bad data: A serves B serves A) is cut where the walk meets it again, so every
    objective still gets figures and nothing recurses forever.
    """
    by_id = {link.id: link for link in links}
    children = children_of(links)
    done: dict[int, ObjectiveFigures] = {}

    def visit(root: int) -> None:
        # Iterative post-order walk: a city's cascade is deep enough that recursion is a needless risk.
        stack: list[tuple[int, bool]] = [(root, False)]
        on_path: set[int] = set()
        while stack:
            node, expanded = stack.pop()
            if node in done:
                continue
            if not expanded:
                on_path.add(node)
                stack.append((node, True))
                stack.extend((c, False) for c in children.get(node, []) if c not in done and c not in on_path)
                continue
            on_path.discard(node)
            link = by_id[node]
            own, own_expected = _own(link.key_results)
            below = [(c, by_id[c].weight) for c in children.get(node, []) if c in done]
            score = rolled_up_score(own, 1.0, [(done[c].score, w) for c, w in below])
            # Expected counts only where there is progress to compare, or an empty branch would pull it down.
            expected = rolled_up_score(
                own_expected if own is not None else None,
                1.0,
                [(done[c].expected if done[c].score is not None else None, w) for c, w in below],
            )
            done[node] = ObjectiveFigures(
                score=score,
                expected=expected,
                status=status(score, expected if expected is not None else 0.0, tol or Tolerances()),
                children=tuple(children.get(node, [])),
            )

    for link in links:
        visit(link.id)
    return done


def _own(key_results: Sequence[KeyResult]) -> tuple[float | None, float | None]:
    """The key results' score (each counted at most 1, as domain.scores.objective_score) and expected progress.

    One plain loop: a city's cascade has thousands of key results, and this runs on every refresh.
    """
    total = weights = expected_total = expected_weights = 0.0
    for kr in key_results:
        if kr.progress is None or kr.weight is None or kr.weight <= 0:
            continue
        total += min(kr.progress, 1.0) * kr.weight
        weights += kr.weight
        if kr.expected is not None:
            expected_total += kr.expected * kr.weight
            expected_weights += kr.weight
    return (
        None if weights == 0 else total / weights,
        None if expected_weights == 0 else expected_total / expected_weights,
    )


def orphans(links: Iterable[ObjectiveLink], *, top_level: set[int]) -> list[int]:
    """Objectives outside the top level that serve no objective (``top_level``: the top unit's objective ids)."""
    return [link.id for link in links if link.parent_id is None and link.id not in top_level]


def unsupported(links: Sequence[ObjectiveLink], *, top_level: set[int]) -> list[int]:
    """Top-level objectives that no objective serves."""
    children = children_of(links)
    return [link.id for link in links if link.id in top_level and not children.get(link.id)]

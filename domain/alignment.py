"""The alignment cascade: objectives linked to the objective they serve one level up, and their scores.

An objective's score rolls up like a unit's (domain.scores): its key results' score (weight 1, each
key result counted at most 1) and the scores of the objectives aligned to it, by their weights. The
expected progress rolls up the same way, so an objective's status compares like with like.

Orphans are objectives below the top of the tree that serve nothing; unsupported objectives are the
top unit's objectives that nothing serves. Nothing here reads the database. (Tuples, not dataclasses:
a city's cascade builds thousands of them on every refresh, and a frozen dataclass costs ~4x to make.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from domain.indicators import Status, Tolerances, status
from domain.scores import rolled_up_score


class KeyResult(NamedTuple):
    """What an objective's own indicator contributes: its progress, expected progress and weight."""

    progress: float | None
    expected: float | None
    weight: float


class KeyResultSums(NamedTuple):
    """An objective's key results summed (those with progress and a positive weight): the weighted
    progress, each counted at most 1 (as domain.scores.objective_score), the weights, and the same for
    the expected progress. Sums, so that a store can add them up for thousands of objectives at once."""

    progress_weighted: float = 0.0
    weight: float = 0.0
    expected_weighted: float = 0.0
    expected_weight: float = 0.0

    @property
    def score(self) -> float | None:
        return None if self.weight <= 0 else self.progress_weighted / self.weight

    @property
    def expected(self) -> float | None:
        return None if self.expected_weight <= 0 else self.expected_weighted / self.expected_weight


def sum_key_results(key_results: Sequence[KeyResult]) -> KeyResultSums:
    """The sums of these key results (see KeyResultSums)."""
    total = weights = expected_total = expected_weights = 0.0
    for kr in key_results:
        if kr.progress is None or kr.weight is None or kr.weight <= 0:
            continue
        total += min(kr.progress, 1.0) * kr.weight
        weights += kr.weight
        if kr.expected is not None:
            expected_total += kr.expected * kr.weight
            expected_weights += kr.weight
    return KeyResultSums(total, weights, expected_total, expected_weights)


class ObjectiveLink(NamedTuple):
    """An objective as the cascade sees it."""

    id: int
    parent_id: int | None
    weight: float
    key_results: KeyResultSums = KeyResultSums()


class ObjectiveFigures(NamedTuple):
    score: float | None
    expected: float | None
    status: Status
    children: tuple[int, ...] = ()


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
    tol = tol or Tolerances()
    done: dict[int, ObjectiveFigures] = {}
    for node in _post_order(by_id, children):
        link = by_id[node]
        own, own_expected = link.key_results.score, link.key_results.expected
        # Children met again on a loop are not scored yet: they are left out, which cuts the loop.
        below = [(done[c], by_id[c].weight) for c in children.get(node, ()) if c in done]
        score = rolled_up_score(own, 1.0, [(f.score, w) for f, w in below])
        # Expected counts only where there is progress to compare, or an empty branch would pull it down.
        expected = rolled_up_score(
            own_expected if own is not None else None,
            1.0,
            [(f.expected if f.score is not None else None, w) for f, w in below],
        )
        done[node] = ObjectiveFigures(
            score,
            expected,
            status(score, expected if expected is not None else 0.0, tol),
            tuple(children.get(node, ())),
        )
    return done


def _post_order(by_id: dict[int, ObjectiveLink], children: dict[int, list[int]]) -> list[int]:
    """Every objective once, each after the objectives aligned to it (iterative: no recursion limit)."""
    seen: set[int] = set()
    order: list[int] = []
    for start in by_id:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(children.get(start, ())))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(children.get(child, ()))))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def orphans(links: Iterable[ObjectiveLink], *, top_level: set[int]) -> list[int]:
    """Objectives outside the top level that serve no objective (``top_level``: the top unit's objective ids)."""
    return [link.id for link in links if link.parent_id is None and link.id not in top_level]


def unsupported(links: Sequence[ObjectiveLink], *, top_level: set[int]) -> list[int]:
    """Top-level objectives that no objective serves."""
    children = children_of(links)
    return [link.id for link in links if link.id in top_level and not children.get(link.id)]


def alignment_loop_problems(
    objective_id: int | None, parent_id: int | None, parent_of: Mapping[int, int | None]
) -> dict[str, str]:
    """Refuse an alignment that would loop: an objective serving itself, or serving an objective that
    (through any number of links, ``parent_of``: objective id -> the id it serves) already serves it.

    A new objective (no id yet) cannot close a loop. A loop already present above, not through this
    objective, is not this alignment's doing: the walk stops where it meets an objective again.
    """
    if parent_id is None or objective_id is None:
        return {}
    if parent_id == objective_id:
        return {"parent_objective_id": "alignment_to_itself"}
    seen: set[int] = set()
    node: int | None = parent_id
    while node is not None and node not in seen:
        if node == objective_id:
            return {"parent_objective_id": "alignment_loop"}
        seen.add(node)
        node = parent_of.get(node)
    return {}

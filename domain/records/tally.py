"""Counting what fails: how many records of each owner (a unit) fail each of the six qualities.

A record with three problems of one quality counts once for that quality: the page answers "how many
records to fix", not "how many messages".
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from domain.records.problems import Problem, Quality

Owner = TypeVar("Owner", bound=Hashable)


def failing_by_quality(
    problems: Iterable[Problem], owner_of: Callable[[int], Owner]
) -> dict[Owner, dict[Quality, int]]:
    """For each owner, per quality, the number of distinct records (by index) with a problem of it."""
    seen: dict[Owner, dict[Quality, set[int]]] = {}
    for problem in problems:
        owner = owner_of(problem.record)
        seen.setdefault(owner, {}).setdefault(problem.quality, set()).add(problem.record)
    return {owner: {q: len(records) for q, records in by_quality.items()} for owner, by_quality in seen.items()}


def failing_records(problems: Iterable[Problem], owner_of: Callable[[int], Owner]) -> dict[Owner, int]:
    """For each owner, the number of distinct records with any problem."""
    seen: dict[Owner, set[int]] = {}
    for problem in problems:
        seen.setdefault(owner_of(problem.record), set()).add(problem.record)
    return {owner: len(records) for owner, records in seen.items()}

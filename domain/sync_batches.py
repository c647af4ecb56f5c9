"""Rules of a sync batch for the national cadre database: which records go, which stay out and why.

A record failing "correct" or "sufficient" never leaves (the ministry's first two qualities); the other
qualities are reported on /admin/quality but do not hold a record back. A record goes again only when
its content changed since the receiver last accepted it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from domain.records import Problem, Quality

BLOCKING = (Quality.CORRECT, Quality.SUFFICIENT)
DRY_RUN_MIN, DRY_RUN_MAX = 1, 10
# Not a problem of a record read from the store: the store's own record is not a duplicate of itself.
SELF_DUPLICATE = "duplicate_in_store"


def record_key(shape: str, record: Mapping[str, Any]) -> str:
    """The key a record keeps across batches: a unit by its code, a person by citizen id (the national key)."""
    if shape == "org_unit":
        return f"unit:{record.get('code')}"
    return f"profile:{record.get('citizen_id')}"


def blocking_reasons(problems: Iterable[Problem]) -> dict[int, str]:
    """Record index -> why it stays out ("field: code (quality)", joined), for the blocking qualities only."""
    reasons: dict[int, list[str]] = defaultdict(list)
    for problem in problems:
        if problem.quality in BLOCKING and problem.code != SELF_DUPLICATE:
            reasons[problem.record].append(f"{problem.field}: {problem.code} ({problem.quality.value})")
    return {index: "; ".join(found) for index, found in reasons.items()}


def dry_run_problem(chosen: Sequence[str]) -> str | None:
    """A message code when the records chosen for a dry run are not 1 to 10 distinct keys."""
    if not DRY_RUN_MIN <= len(set(chosen)) <= DRY_RUN_MAX or len(set(chosen)) != len(chosen):
        return "dry_run_size"
    return None


def changed(key: str, sha256: str, last_accepted: Mapping[str, str]) -> bool:
    """True when the record was never accepted or differs from what was last accepted."""
    return last_accepted.get(key) != sha256


def reason_parts(reason: str | None) -> list[tuple[str, str, str]]:
    """A kept-out reason back into (field, code, quality) parts, as `blocking_reasons` wrote them; a reason of
    another shape (the receiver's own code) is one part with no field and no quality."""
    parts = []
    for piece in (reason or "").split("; "):
        field, colon, rest = piece.partition(": ")
        code, _space, quality = rest.partition(" (")
        if colon and quality.endswith(")"):
            parts.append((field, code, quality[:-1]))
        elif piece:
            parts.append(("", piece, ""))
    return parts

"""What a bulk import into Pulse adds to the six qualities: which problems stop a record, what Pulse's
store needs that the exchange format leaves optional, where a new unit may go, and in which order a
file's units are created so that every parent exists before its children.

The validators judge a record against the exchange format; the import asks a narrower question, "may
this record become a row of Pulse?". A record that is only stale (live) or lacks a field the national
database wants (shared) can still come in; anything else stops it, and so does a field Pulse requires.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from domain.org_changes import ALLOWED_CHILDREN
from domain.records.problems import Problem, Quality

SHAPES = ("profiles", "units")
# Problems that are reported but do not keep a record out of Pulse.
WARNING_CODES = frozenset({"stale", "needed_for_exchange"})
# Fields the exchange format leaves optional but Pulse's store cannot do without: a person's
# civil-servant code is unique and not null in the people table; a unit hangs under a parent
# (the top of the tree comes from the official list when an agency starts, never from a file).
PULSE_REQUIRED = {"profiles": ("civil_servant_code",), "units": ("parent_code",)}
# Kinds of the exchange format Pulse's tree has no place for.
UNIT_KINDS_IN_PULSE = frozenset({"city", "department", "ward", "commune", "division", "party_board"})
# A commune sits where a ward does (the 2025 reform made them the same level).
_SAME_LEVEL = {"commune": "ward"}


def blocks(problem: Problem) -> bool:
    """True when the problem keeps its record out of Pulse."""
    return problem.code not in WARNING_CODES


def pulse_problems(shape: str, index: int, record: object) -> list[Problem]:
    """What Pulse needs of one record beyond the exchange format (the record's index in the file from 0)."""
    if not isinstance(record, Mapping):
        return []
    found = [
        Problem(index, name, "required_in_pulse", Quality.SUFFICIENT)
        for name in PULSE_REQUIRED[shape]
        if _empty(record.get(name))
    ]
    kind = record.get("kind")
    if shape == "units" and isinstance(kind, str) and kind.strip() and kind not in UNIT_KINDS_IN_PULSE:
        found.append(Problem(index, "kind", "kind_not_in_pulse", Quality.UNIFIED))
    return found


def merged(shape: str, records: Sequence[object], problems: Sequence[Problem]) -> list[Problem]:
    """The validator's problems with Pulse's own added, in record order; a field Pulse requires is reported
    once, as required, rather than also as merely "needed for the exchange"."""
    own = [p for index, record in enumerate(records) for p in pulse_problems(shape, index, record)]
    required = {(p.record, p.field) for p in own if p.code == "required_in_pulse"}
    kept = [p for p in problems if not (p.code == "needed_for_exchange" and (p.record, p.field) in required)]
    return sorted([*kept, *own], key=lambda p: p.record)


def placement_problem(parent_kind: str, kind: str) -> str | None:
    """ "not_under_parent" when a unit of this kind cannot go directly under a unit of the parent's kind.

    The org tree's own rules (domain.org_changes), extended to what only an import creates: wards
    and communes under a city, a commune wherever a ward may be.
    """
    parent = _SAME_LEVEL.get(parent_kind, parent_kind)
    child = _SAME_LEVEL.get(kind, kind)
    if parent == "city" and child == "ward":
        return None
    return None if child in ALLOWED_CHILDREN.get(parent, frozenset()) else "not_under_parent"


def parents_first(records: Sequence[Mapping[str, Any]]) -> list[int]:
    """Indexes of unit records in an order where a parent in the same file comes before its children
    (file order otherwise kept). Records caught in a cycle keep their place after the others: the
    validator reports the cycle and they are never created."""
    by_code: dict[str, int] = {}
    for index, record in enumerate(records):
        code = record.get("code")
        if isinstance(code, str):
            by_code.setdefault(code.strip(), index)
    placed: list[int] = []
    done: set[int] = set()
    for start in range(len(records)):
        chain: list[int] = []
        current: int | None = start
        while current is not None and current not in done and current not in chain:
            chain.append(current)
            parent = records[current].get("parent_code")
            current = by_code.get(parent.strip()) if isinstance(parent, str) else None
        for index in reversed(chain):
            if index not in done:
                done.add(index)
                placed.append(index)
    return placed


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def orphaned(records: Sequence[object], kept_out: set[int]) -> dict[int, str]:
    """Unit records whose parent in the same file is kept out (or is itself orphaned): index -> the parent's
    code. They cannot be created either, and the report says why before anyone imports."""
    by_code: dict[str, int] = {}
    for index, record in enumerate(records):
        code = record.get("code") if isinstance(record, Mapping) else None
        if isinstance(code, str) and code.strip():
            by_code.setdefault(code.strip(), index)
    found: dict[int, str] = {}
    changed = True
    while changed:  # a chain of n units settles in n rounds; files are small
        changed = False
        for index, record in enumerate(records):
            if index in kept_out or index in found or not isinstance(record, Mapping):
                continue
            parent = record.get("parent_code")
            parent_index = by_code.get(parent.strip()) if isinstance(parent, str) else None
            if (
                parent_index is not None
                and parent_index != index
                and (parent_index in kept_out or parent_index in found)
            ):
                found[index] = parent.strip()  # type: ignore[union-attr]
                changed = True
    return found


def same_person(record: Mapping[str, Any], stored_name: str, stored_birth: date | None) -> bool:
    """Whether a record with a citizen id already in Pulse says the same of that person: the same name
    (spaces and Unicode form aside; case counts, since a name's capitals are part of it) and the same
    date of birth. When it does, the record is already in Pulse; when it does not, a person decides."""
    name = record.get("full_name")
    born = record.get("date_of_birth")
    same_name = isinstance(name, str) and _plain_name(name) == _plain_name(stored_name)
    return same_name and stored_birth is not None and born == stored_birth.isoformat()


def _plain_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


def matched_by_citizen_id(
    problems: Sequence[Problem], records: Sequence[object], stored: Mapping[str, tuple[str, date | None]]
) -> list[Problem]:
    """The validator's "already recorded" for a citizen id, told apart for an import: the same person
    (same name and date of birth) stays "duplicate_in_store" (already in Pulse, nothing to change);
    another name or date of birth becomes a "citizen_id_conflict" for a person to resolve (never
    overwritten silently). `stored` holds, by citizen id, the name and birth date Pulse has."""
    told: list[Problem] = []
    for problem in problems:
        record = records[problem.record] if 0 <= problem.record < len(records) else None
        if isinstance(record, Mapping) and _conflict(problem, record, stored):
            problem = Problem(
                problem.record, "citizen_id", "citizen_id_conflict", Quality.UNIFIED, dict(problem.params)
            )
        told.append(problem)
    return told


def _conflict(problem: Problem, record: Mapping[str, Any], stored: Mapping[str, tuple[str, date | None]]) -> bool:
    citizen_id = record.get("citizen_id")
    if problem.code != "duplicate_in_store" or problem.field != "citizen_id" or not isinstance(citizen_id, str):
        return False
    return citizen_id in stored and not same_person(record, *stored[citizen_id])

"""Rules for reorganisations with an effective date: merge, split, rename and move.

How the store keeps history (data_access/commands/admin_reorgs.py does the writing): an org unit row
is one version of a unit. A reorganisation effective on day D closes the rows it replaces
(valid_to = D - 1) and opens successor rows (valid_from = D), linked by a succession of the change's
kind. A merge always opens a new unit (no predecessor "survives"): the 2025 reform gave merged wards a
new name and code, and a new row leaves every predecessor's past exactly as it was. A rename or a move
also opens a new row, so a past period still shows the old name and the old place in the tree.

A reorganisation is recorded on or after its effective date, never ahead of it: the replaced rows turn
inactive (closed to new work) as it is recorded, and nothing has to switch over later by itself. The
date must come after every locked period, whose figures never change.

A unit exists in a period when it was valid on at least one of the period's days; dashboards,
rankings and rollups of a period count only the units that existed in it.

Pure functions; problems are {field: code} maps that the pages turn into messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.org_changes import ALLOWED_CHILDREN, clean_name, name_problems


class ChangeKind(StrEnum):
    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"
    MOVE = "move"


SPLIT_MAX = 10  # more parts than this is a typing slip, not a reorganisation
MERGE_MAX = 50  # the 2025 reform merged at most a handful of wards into one; more is a forged request


@dataclass(frozen=True)
class UnitVersion:
    """What the rules need to know of a unit row taking part in a reorganisation."""

    id: int
    kind: str
    path: str
    parent_id: int | None
    active: bool
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class PeriodSpan:
    start: date
    end: date
    locked: bool


def exists_in(valid_from: date | None, valid_to: date | None, start: date, end: date) -> bool:
    """True when a row valid from ``valid_from`` to ``valid_to`` (None: open) overlaps [start, end]."""
    return (valid_from is None or valid_from <= end) and (valid_to is None or valid_to >= start)


def day_before(effective_on: date) -> date:
    """The last day of the rows a reorganisation effective on this day closes."""
    return effective_on - timedelta(days=1)


def effective_date_problems(
    effective_on: date | None, *, today: date, periods: Sequence[PeriodSpan], units: Sequence[UnitVersion]
) -> dict[str, str]:
    """The effective date must be given, not in the future (the change takes effect when it is recorded:
    people move and the predecessors stop taking new work at once), after every locked period (a locked
    period's figures never change), and after each unit's own start (the closed row keeps at least a day)."""
    if effective_on is None:
        return {"effective_on": "date_required"}
    if effective_on > today:
        return {"effective_on": "in_future"}
    if any(p.locked and p.end >= effective_on for p in periods):
        return {"effective_on": "locked_period"}
    if any(u.valid_from is not None and u.valid_from >= effective_on for u in units):
        return {"effective_on": "before_unit_start"}
    return {}


def open_unit_problems(unit: UnitVersion) -> dict[str, str]:
    """A unit taking part in a reorganisation is open (not closed, not replaced) and not the root."""
    return _open_problems([unit])


def _open_problems(units: Sequence[UnitVersion]) -> dict[str, str]:
    if any(not u.active or u.valid_to is not None for u in units):
        return {"units": "closed"}
    if any(u.parent_id is None for u in units):
        return {"units": "root_fixed"}
    return {}


def merge_problems(units: Sequence[UnitVersion], *, name: object, parent: UnitVersion | None) -> dict[str, str]:
    """A merge takes at least two distinct open units of one kind, none inside another, and gives the
    new unit a name and an open parent that accepts that kind."""
    problems = dict(name_problems(name))
    if len(units) > MERGE_MAX:
        return {**problems, "units": "merge_too_many"}
    if len({u.id for u in units}) < 2 or len({u.id for u in units}) != len(units):
        return {**problems, "units": "merge_needs_two"}
    problems.update(_open_problems(units))
    if len({u.kind for u in units}) > 1:
        problems.setdefault("units", "mixed_kinds")
    if any(a.id != b.id and b.path.startswith(a.path) for a in units for b in units):
        problems.setdefault("units", "nested")
    if parent is None or not parent.active or parent.valid_to is not None:
        problems["parent"] = "parent_closed"
    elif units and units[0].kind not in ALLOWED_CHILDREN.get(parent.kind, frozenset()):
        problems["parent"] = "not_under_parent"
    elif any(parent.path.startswith(u.path) for u in units):
        problems["parent"] = "cycle"
    return problems


def split_problems(unit: UnitVersion, names: Sequence[object]) -> dict[str, str]:
    """A split turns one open unit into at least two, each with its own non-empty name."""
    problems = dict(_open_problems([unit]))
    cleaned = [clean_name(n) for n in names]
    if len(cleaned) < 2:
        problems["names"] = "split_needs_two"
    elif len(cleaned) > SPLIT_MAX:
        problems["names"] = "too_many"
    elif any(name_problems(n) for n in names):
        problems["names"] = next(v for n in names for v in name_problems(n).values())
    elif len({n.casefold() for n in cleaned}) != len(cleaned):
        problems["names"] = "duplicate_names"
    return problems


def rename_problems(unit: UnitVersion, current_name: str, name: object) -> dict[str, str]:
    """A dated rename gives an open unit a new name, different from the current one."""
    problems = {**_open_problems([unit]), **name_problems(name)}
    if not problems and clean_name(name) == current_name:
        problems["name"] = "same_name"
    return problems


def split_assignment_problems(assignment: dict[int, int], *, people: set[int], parts: int) -> dict[str, str]:
    """Each person named in a split's assignment works in the split unit and goes to one of its parts."""
    if any(person not in people for person in assignment):
        return {"people": "not_in_unit"}
    if any(not 0 <= part < parts for part in assignment.values()):
        return {"people": "unknown_part"}
    return {}


def sees_history(scope_path: str, successor_paths: Sequence[str]) -> bool:
    """A viewer reads a replaced unit's history when one of its successors (followed through later
    reorganisations) lies in the viewer's scope: the leader of a merged ward sees the wards it was
    formed from. Reading only: writes still need the unit itself in the viewer's scope."""
    return bool(scope_path) and any(path.startswith(scope_path) for path in successor_paths)


def dated_code(code: str, effective_on: date) -> str:
    """The code a closed row keeps once its successor takes over the unit's code (codes are unique):
    the old code and the last day it was valid, within the 40 characters a code may have."""
    return f"{code[:29]}@{day_before(effective_on):%Y%m%d}"


def free_code(code: str, taken: set[str], suffix: object) -> str:
    """A code for a row moving into a unit that already uses ``code`` (two merged wards both had an
    indicator "KT-01" this year): the same code with the predecessor's mark, still unique."""
    if code not in taken:
        return code
    candidate = f"{code[:30]}~{suffix}"
    n = 2
    while candidate in taken:
        candidate = f"{code[:27]}~{suffix}~{n}"
        n += 1
    return candidate

"""The publication ladder: who outside an indicator's unit may see it, and who moves it up or down.

An indicator is seen by its own unit (and everything inside it) whatever its visibility. Above that it
climbs four rungs: the unit only, its parent unit, every level above up to the city leadership, the
public. The unit's head raises it from a date on; raising it to the public needs the approval of the
head of the level above; lowering takes effect at once. Scores and rollups do not depend on it: a
hidden indicator still counts in its unit's score, which its parent sees as a number without the
detail (a unit's score must not change with what it chooses to show). A new indicator starts at CITY,
which is what every leader saw of their scope before the ladder existed.

Units are named by materialised paths as in domain.access. Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.access import Viewer, may_approve, may_approve_unit, parent_path


class Visibility(StrEnum):
    """The rungs, lowest first."""

    UNIT = "unit"
    PARENT = "parent"
    CITY = "city"  # every level above the unit, up to the city leadership
    PUBLIC = "public"


LADDER = tuple(Visibility)


def rank(level: Visibility) -> int:
    """The rung's height (unit 0 ... public 3)."""
    return LADDER.index(level)


def at_least(level: Visibility) -> tuple[Visibility, ...]:
    """The rungs at or above ``level`` (what SQL filters with IN)."""
    return LADDER[rank(level) :]


class PublicationStatus(StrEnum):
    """A request to publish to the public, waiting for the level above."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"  # lowered (or asked again) before the level above decided


def effective(level: Visibility, *, since: date | None, before: Visibility, today: date) -> Visibility:
    """The rung in force today: ``level`` from ``since`` on (always when None), ``before`` until then."""
    return level if since is None or since <= today else before


def needed_rung(*, viewer_scope_path: str, unit_path: str) -> Visibility | None:
    """The lowest rung at which a viewer scoped at ``viewer_scope_path`` sees an indicator of ``unit_path``.

    UNIT: the viewer is inside the unit (sees everything, as before the ladder existed). PARENT: the
    viewer is scoped at the unit's parent. CITY: any other level above. None: the unit lies outside
    the viewer's scope, where only the public page shows it.
    """
    if viewer_scope_path.startswith(unit_path):
        return Visibility.UNIT
    if not unit_path.startswith(viewer_scope_path):
        return None
    return Visibility.PARENT if parent_path(unit_path) == viewer_scope_path else Visibility.CITY


def sees(viewer: Viewer, *, unit_path: str, level: Visibility) -> bool:
    """Whether the viewer may see an indicator of ``unit_path`` whose rung in force is ``level``."""
    needed = needed_rung(viewer_scope_path=viewer.scope_path, unit_path=unit_path)
    return needed is not None and rank(level) >= rank(needed)


def inside_paths(scope_path: str) -> list[str]:
    """The paths of the units a viewer is inside of: its scope unit and every unit above it."""
    parts = [p for p in scope_path.split("/") if p]
    return ["/" + "".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


# --- who moves it ----------------------------------------------------------------------------


def may_set(viewer: Viewer, *, unit_id: int, unit_path: str) -> bool:
    """The unit's head raises and lowers: a leader over the unit or the manager of that very unit."""
    return may_approve(viewer, unit_id=unit_id, unit_path=unit_path)


def may_approve_public(viewer: Viewer, *, unit_path: str) -> bool:
    """The head of the level above approves publication to the public."""
    return may_approve_unit(viewer, unit_path=unit_path)


class Move(StrEnum):
    """What asking for a rung does."""

    SAME = "same"  # nothing to do
    RAISE = "raise"  # applied from the effective date
    REQUEST = "request"  # to the public: waits for the level above
    LOWER = "lower"  # applied at once


@dataclass(frozen=True)
class Decision:
    """The move, and the problem (a code for data_access.errors.Invalid) that refuses it, if any."""

    move: Move
    problem: str | None = None


def decide(
    *,
    current: Visibility,
    scheduled: Visibility,
    wanted: Visibility,
    effective_from: date,
    today: date,
    approved: bool = True,
) -> Decision:
    """What asking for ``wanted`` does, given the rung in force and the one scheduled (equal when none is).

    A raise starts today or later (a past date would rewrite what people saw), and only for an indicator
    of an approved plan (``approved``: a draft's numbers may still change); lowering below the rung in
    force, or below a rung still to come, is immediate and needs no date.
    """
    if wanted == current and wanted == scheduled:
        return Decision(Move.SAME)
    if rank(wanted) < rank(current) or rank(wanted) < rank(scheduled):
        return Decision(Move.LOWER)
    if not approved:
        return Decision(Move.RAISE, "plan_not_approved")
    if effective_from < today:
        return Decision(Move.RAISE, "effective_in_past")
    return Decision(Move.REQUEST if wanted is Visibility.PUBLIC else Move.RAISE)


# --- the public page ---------------------------------------------------------------------------

# What citizens ask about first (the national service-quality set): online procedures, on-time handling,
# satisfaction. The codes are the agency's catalogue codes; the public page lists these first.
CITIZEN_FACING = ("TTHC-TT", "DUNGHAN", "HAILONG")


def public_order(code: str, name: str) -> tuple[int, str]:
    """Sort key of a unit's public indicators: the citizen-facing ones first, in that order, then by name."""
    return (CITIZEN_FACING.index(code) if code in CITIZEN_FACING else len(CITIZEN_FACING), name)


def mean_of(values: Iterable[float | None]) -> float | None:
    """The plain mean of the values present (None when none is): the city's figure for an indicator the
    wards publish, each ward counting once whatever its size, as citizens compare wards."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None

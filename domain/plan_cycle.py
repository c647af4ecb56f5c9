"""The approval cycle of a unit's plan and who may move it: pure rules on a viewer and unit paths.

draft -> submitted (the unit's head) -> approved | returned (a leader of the level above);
returned -> submitted again. Authors (leaders and managers whose scope covers the unit) edit a draft or
returned plan directly. Once the plan is approved, the numbers of its published indicators change only
through a change request with a reason, decided by the level above; new objectives and key results may
still be added, which puts the plan back to draft until it is approved again (what was approved stays
published meanwhile). Paths are the org tree's materialised paths ("/1/7/42/").
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from domain.access import Viewer, parent_path, path_ids
from domain.kinds import PlanStatus, Role

# Who writes plans: the heads of units and those over them. Administrators set up, they do not plan.
AUTHOR_ROLES = frozenset({Role.LEADER, Role.MANAGER})
# The numbers of an approved indicator that only a change request may change.
CHANGEABLE_NUMBERS = ("baseline", "target", "band_low", "band_high", "weight")
REASON_MAX = 1000


class PlanAction(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"


_TRANSITIONS: dict[PlanAction, tuple[frozenset[PlanStatus], PlanStatus]] = {
    PlanAction.SUBMIT: (frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED}), PlanStatus.SUBMITTED),
    PlanAction.APPROVE: (frozenset({PlanStatus.SUBMITTED}), PlanStatus.APPROVED),
    PlanAction.RETURN: (frozenset({PlanStatus.SUBMITTED}), PlanStatus.RETURNED),
}


def next_status(status: PlanStatus, action: PlanAction) -> PlanStatus | None:
    """Where the action takes a plan in this status, or None when it cannot be taken from there."""
    allowed, target = _TRANSITIONS[action]
    return target if status in allowed else None


# --- who ---------------------------------------------------------------------------------------


def may_see_plan(viewer: Viewer, unit_path: str, status: PlanStatus) -> bool:
    """Inside the scope: the approved plan for everyone, a draft for its authors (and administrators).
    Above the scope: the approved plans of the levels above, which the viewer's objectives align to."""
    if viewer.is_screen:
        return False
    if viewer.covers_path(unit_path):
        return status is PlanStatus.APPROVED or viewer.role in AUTHOR_ROLES or viewer.is_admin
    return status is PlanStatus.APPROVED and viewer.scope_path.startswith(unit_path)


def may_author(viewer: Viewer, unit_path: str) -> bool:
    """Write objectives and key results: a leader or manager of the unit's subtree (the unit included)."""
    return viewer.role in AUTHOR_ROLES and viewer.covers_path(unit_path)


def may_submit(viewer: Viewer, *, unit_id: int) -> bool:
    """The unit's head submits: a leader scoped to that very unit, or the manager heading a division."""
    return viewer.role in AUTHOR_ROLES and viewer.scope_unit_id == unit_id


def may_decide(viewer: Viewer, unit_path: str) -> bool:
    """A leader of the level above approves or returns a plan and decides its change requests: the
    leader's scope strictly covers the unit, so a ward leader never approves the ward's own plan.

    The root (the city) has no level above: its own leaders adopt its plan."""
    if viewer.role is not Role.LEADER:
        return False
    if parent_path(unit_path) is None:
        return viewer.scope_path == unit_path
    return viewer.covers_path(unit_path) and viewer.scope_path != unit_path


def may_act(viewer: Viewer, action: PlanAction, *, unit_id: int, unit_path: str) -> bool:
    """Whether the viewer may take this action on the plan of that unit (whatever its status)."""
    if action is PlanAction.SUBMIT:
        return may_submit(viewer, unit_id=unit_id) and unit_path.endswith(f"/{unit_id}/")
    return may_decide(viewer, unit_path)


# --- what an edit is ---------------------------------------------------------------------------


class EditMode(StrEnum):
    DIRECT = "direct"  # written as it is
    CHANGE_REQUEST = "change_request"  # asked for, decided by the level above
    LOCKED = "locked"  # waiting for the decision on the submitted plan


def edit_mode(status: PlanStatus, *, published: bool) -> EditMode:
    """How a change of an objective's or indicator's numbers is made in a plan of this status.

    A submitted plan is frozen until decided (the approver must see what was submitted); an approved
    item's numbers are what evaluations count, so they change only with a reason and a decision."""
    if status is PlanStatus.SUBMITTED:
        return EditMode.LOCKED
    if published:
        return EditMode.CHANGE_REQUEST
    return EditMode.DIRECT


def may_delete(status: PlanStatus, *, published: bool) -> bool:
    """Only what was never approved can be deleted, and not while its plan waits for a decision."""
    return not published and status is not PlanStatus.SUBMITTED


def numbers_changed(
    before: Mapping[str, float | None], proposed: Mapping[str, float | None]
) -> dict[str, float | None]:
    """The changeable numbers a request really changes (unchanged and unknown fields dropped)."""
    return {k: v for k, v in proposed.items() if k in CHANGEABLE_NUMBERS and before.get(k) != v}


def reason_problems(reason: object) -> dict[str, str]:
    """A return or a change request says why: not blank, not longer than the column holds."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        return {"reason": "reason_required"}
    if len(text) > REASON_MAX:
        return {"reason": "too_long"}
    return {}


def parent_unit_id(unit_path: str) -> int | None:
    """The id of the level above (whose approved plan a unit's objectives align to)."""
    above = parent_path(unit_path)
    return path_ids(above)[-1] if above else None

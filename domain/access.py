"""Who may do what: the viewer and every permission rule, as pure functions of the viewer and a unit path.

A unit is named by its materialised path ("/1/5/23/": the root's id first, the unit's own id last), so a
scope check is a prefix test and "the level above" is the path without its last step. Nothing here reads
the database: callers load the paths (and, for units a person answers for, the set of unit ids) and ask.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from domain.kinds import WRITER_ROLES, EvaluationStatus, Role

# Who reviews and approves evaluations: the heads of units and those over them, not administrators.
EVALUATOR_ROLES = frozenset({Role.MANAGER, Role.LEADER})
OPEN_EVALUATION = frozenset({EvaluationStatus.DRAFT, EvaluationStatus.SELF_ASSESSED, EvaluationStatus.REVIEWED})
SELF_ASSESSABLE = frozenset({EvaluationStatus.DRAFT, EvaluationStatus.SELF_ASSESSED})
DONE_EVALUATION = frozenset({EvaluationStatus.APPROVED, EvaluationStatus.LOCKED})


@dataclass(frozen=True)
class Viewer:
    """A logged-in user as the rules and the data layer see it (no ORM object leaks out)."""

    user_id: int
    username: str
    role: Role
    scope_unit_id: int
    scope_path: str
    person_id: int | None = None
    language: str = "vi"
    scope_kind: str = ""  # the kind of the scope unit (ward, department, ...): delegated administration needs it
    person_name: str = ""  # the person behind the login, shown where a person's name belongs ("" for none)

    @property
    def display_name(self) -> str:
        """The person's name, or the login for an account tied to no person (the administrator, a screen)."""
        return self.person_name or self.username

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_screen(self) -> bool:
        """A meeting-room screen: reads dashboards, never works on anything."""
        return self.role is Role.SCREEN

    @property
    def cache_key(self) -> str:
        """What distinguishes this viewer's view of the data (role and scope)."""
        return f"{self.role.value}:{self.scope_unit_id}"

    def covers_path(self, unit_path: str) -> bool:
        """True when a unit with this materialized path lies inside the viewer's scope."""
        return unit_path.startswith(self.scope_path)


# --- paths ----------------------------------------------------------------------------------


def path_ids(path: str) -> list[int]:
    """The unit ids along a materialized path ("/1/7/42/" -> [1, 7, 42])."""
    return [int(part) for part in path.strip("/").split("/") if part]


def parent_path(unit_path: str) -> str | None:
    """The parent's materialised path ("/1/5/23/" -> "/1/5/"); None for the root."""
    parts = [p for p in unit_path.split("/") if p]
    return "/" + "".join(f"{p}/" for p in parts[:-1]) if len(parts) > 1 else None


# --- indicator values -----------------------------------------------------------------------


def may_enter(
    viewer: Viewer, *, owner_person_id: int | None, unit_path: str, reporter_person_id: int | None = None
) -> bool:
    """The owner or the person they (or the unit head) delegated entry to, or a leader, manager or
    administrator whose scope covers the indicator's unit."""
    if viewer.is_screen:
        return False
    mine = viewer.person_id is not None and viewer.person_id in (owner_person_id, reporter_person_id)
    if mine and viewer.covers_path(unit_path):
        return True
    return viewer.role in WRITER_ROLES and viewer.covers_path(unit_path)


def may_review_value(viewer: Viewer, *, unit_path: str, entered_by_id: int | None) -> bool:
    """A leader, manager or administrator over the unit, who did not enter the value (four eyes)."""
    return viewer.role in WRITER_ROLES and viewer.covers_path(unit_path) and entered_by_id != viewer.user_id


# --- tasks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRoles:
    visible: bool
    is_assigner: bool
    is_assignee: bool


def task_roles(
    viewer: Viewer,
    *,
    assigner_user_id: int | None,
    assigner_path: str,
    assignee_path: str,
    assignee_person_id: int | None,
    viewer_unit_path: str | None,
) -> TaskRoles:
    """Whether the viewer sees the task, assigned it (or answers for its assigning unit), or works on it.

    The assignee of a task given to a person is that person; of a task given to a unit, the people of
    that unit or of the divisions directly below it (``viewer_unit_path`` is the path of the viewer's
    person's unit), and the users scoped to that unit.
    """
    if assignee_person_id is not None:
        is_assignee = viewer.person_id == assignee_person_id
    else:
        own_or_parent = viewer_unit_path is not None and (
            viewer_unit_path == assignee_path
            or (
                viewer_unit_path.startswith(assignee_path)
                and len(path_ids(viewer_unit_path)) == len(path_ids(assignee_path)) + 1
            )
        )
        is_assignee = own_or_parent or viewer.scope_path == assignee_path
    is_assignee = is_assignee and not viewer.is_screen
    is_assigner = viewer.user_id == assigner_user_id or (
        viewer.role in WRITER_ROLES and viewer.covers_path(assigner_path)
    )
    visible = is_assignee or is_assigner or viewer.covers_path(assignee_path) or viewer.covers_path(assigner_path)
    return TaskRoles(visible=visible, is_assigner=is_assigner, is_assignee=is_assignee)


def may_act_on_task(viewer: Viewer, roles: TaskRoles, *, as_assignee: bool) -> bool:
    """An assignee's action needs the assignee, an assigner's the assigner; screens never act."""
    return not viewer.is_screen and (roles.is_assignee if as_assignee else roles.is_assigner)


# --- evaluations ----------------------------------------------------------------------------


def may_see_persons_work(viewer: Viewer, person_id: int) -> bool:
    """A person's tasks, task points and indicators: their own, or anyone's for managers, leaders and
    administrators. A colleague (staff) sees another person's name, position and unit only, and the
    meeting screen, which shows units on the wall, no person's work at all."""
    if viewer.is_screen:
        return False
    if viewer.role is Role.STAFF:
        return viewer.person_id is not None and viewer.person_id == person_id
    return True


def may_see_people_rankings(viewer: Viewer) -> bool:
    """People ranked by task points: not for staff (colleagues' points) nor for the meeting screen."""
    return not viewer.is_screen and viewer.role is not Role.STAFF


def may_see_evaluations(viewer: Viewer) -> bool:
    """Evaluations are personal: never on a meeting screen."""
    return not viewer.is_screen


def may_open_evaluations(viewer: Viewer, unit_path: str) -> bool:
    """An administrator, leader or manager opens a period's evaluations for a unit of their scope."""
    return viewer.role in WRITER_ROLES and viewer.covers_path(unit_path)


def may_review_person(viewer: Viewer, unit_path: str) -> bool:
    """Managers and leaders review the people of their scope."""
    return viewer.role in EVALUATOR_ROLES and viewer.covers_path(unit_path)


def may_approve(viewer: Viewer, *, unit_id: int, unit_path: str) -> bool:
    """The unit head approves: a leader whose scope covers the unit, or the manager of that very unit."""
    if viewer.role is Role.LEADER:
        return viewer.covers_path(unit_path)
    return viewer.role is Role.MANAGER and viewer.scope_unit_id == unit_id


def may_review_unit(viewer: Viewer, unit_path: str) -> bool:
    """The level above reviews a unit: a manager or leader whose scope covers the unit's parent."""
    above = parent_path(unit_path)
    return above is not None and viewer.role in EVALUATOR_ROLES and viewer.covers_path(above)


def may_approve_unit(viewer: Viewer, *, unit_path: str) -> bool:
    """The head of the level above approves a unit: as may_approve, for the unit's parent."""
    above = parent_path(unit_path)
    if above is None:
        return False
    return may_approve(viewer, unit_id=path_ids(above)[-1], unit_path=above)


def evaluation_hidden(viewer: Viewer, *, person_id: int | None, unit_path: str) -> bool:
    """What the viewer may not even learn exists (as the reads hide it): outside the scope, or,
    for staff and screens, anyone's evaluation but their own."""
    own = person_id is not None and person_id == viewer.person_id
    if viewer.role in (Role.STAFF, Role.SCREEN):
        return not own
    return not viewer.covers_path(unit_path)


def answers_for(viewer: Viewer, *, person_id: int | None, unit_id: int, responsible: Collection[int]) -> bool:
    """The person themselves, or, for a unit's evaluation, a viewer who answers for that unit
    (``responsible``: the units the viewer heads or is scoped to as manager or leader)."""
    if person_id is None:
        return unit_id in responsible
    return person_id == viewer.person_id


@dataclass(frozen=True)
class EvaluationRights:
    """What the viewer may do with one evaluation they can see."""

    self_assess: bool
    review: bool
    approve: bool
    appeal: bool
    unlock: bool
    send_back: bool = False  # return to the person to self-assess again (a reviewer, once self-assessed)
    answer_appeal: bool = False  # the approving head answers an appeal (given with has_appeal)


def evaluation_rights(
    viewer: Viewer,
    *,
    status: EvaluationStatus,
    person_id: int | None,
    unit_id: int,
    unit_path: str,
    responsible: Collection[int],
    has_appeal: bool = False,
) -> EvaluationRights:
    """A person is reviewed by the managers and leaders over them and approved by their unit's head;
    a unit is filled in by its head and reviewed and approved by the level above. Nobody reviews or
    approves what they answer for."""
    own = answers_for(viewer, person_id=person_id, unit_id=unit_id, responsible=responsible)
    if person_id is None:
        reviewer = may_review_unit(viewer, unit_path)
        approver = may_approve_unit(viewer, unit_path=unit_path)
    else:
        reviewer = may_review_person(viewer, unit_path)
        approver = may_approve(viewer, unit_id=unit_id, unit_path=unit_path)
    return EvaluationRights(
        self_assess=own and status in SELF_ASSESSABLE,
        review=status in OPEN_EVALUATION and not own and reviewer,
        approve=status is EvaluationStatus.REVIEWED and not own and approver,
        appeal=own and status is EvaluationStatus.APPROVED,
        unlock=viewer.is_admin and status in DONE_EVALUATION,
        send_back=not own and reviewer and status in (EvaluationStatus.SELF_ASSESSED, EvaluationStatus.REVIEWED),
        answer_appeal=has_appeal and not own and approver and status in DONE_EVALUATION,
    )

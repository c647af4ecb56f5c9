"""Write commands on tasks: assign (to one person, one unit or many units at once), report progress,
mark done, accept, return, extend, cancel.

Each command validates its input (Invalid, with a problem code per field), authorises the viewer
against the task (refusals audited), checks the version the user saw (Conflict names who changed
it and when), then writes the task, a check-in, the audit entry with before and after, and the
notices in one transaction. The rollup hooks recompute the dashboards in that same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import today as clock_today
from data_access import audit
from data_access.commands.common import Refused, check_version, flush_or_conflict, refusals_and_conflicts, refuse
from data_access.commands.evidence import Evidence, accept_files
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.evidence_store import EvidenceStore
from data_access.models import Indicator, Objective, OrgUnit, Person, Task, TaskCheckin, TaskType
from data_access.notifications import notify, responsible_users, responsible_users_of
from data_access.queries.work import follow_up_draft, roles_on
from data_access.viewer import Viewer
from domain.access import may_act_on_task
from domain.evidence import Upload
from domain.kinds import OPEN_TASK_STATUSES, TaskStatus
from domain.tasks import (
    ASSIGNEE_ACTIONS,
    COMMENT_MAX,
    NewTask,
    TaskAction,
    acceptance_problems,
    delays_at_acceptance,
    extension_problems,
    next_status,
    progress_problems,
    reason_problems,
    safe_url,
    task_problems,
)

AUDITED = (
    "title",
    "status",
    "due_date",
    "progress_pct",
    "completed_on",
    "delays",
    "major_errors",
    "quality_accepted",
    "exceeded",
    "cancel_reason",
    "assignee_unit_id",
    "assignee_person_id",
    "version",
)
MAX_UNITS_PER_ASSIGNMENT = 500


@dataclass(frozen=True)
class TaskState:
    """What a command leaves behind, for the page to carry on with."""

    task_id: int
    status: str
    version: int


# --- assigning ------------------------------------------------------------------------------


def assign(
    store: Store,
    *,
    viewer: Viewer,
    title: str,
    due_date: date | None,
    unit_ids: Sequence[int] = (),
    person_id: int | None = None,
    description: str = "",
    priority: str = "normal",
    task_type_id: int | None = None,
    objective_id: int | None = None,
    indicator_id: int | None = None,
    start_date: date | None = None,
    attachments: Sequence[Upload] = (),
    files: EvidenceStore | None = None,
) -> list[int]:
    """Give work to a person, a unit, or many units at once (each copy followed separately, one batch key).

    Returns the new task ids. Only leaders, managers and administrators assign, inside their scope.
    """
    today = clock_today()
    new = NewTask(
        title=title or "",
        due_date=due_date,
        start_date=start_date or today,
        priority=priority,
        description=description or "",
    )
    problems = task_problems(new, today=today)
    targets = list(dict.fromkeys(unit_ids))
    if person_id is None and not targets:
        problems["assignee"] = "required_choice"
    if len(targets) > MAX_UNITS_PER_ASSIGNMENT:
        problems["assignee"] = "too_many"
    if problems:
        raise Invalid(problems)
    evidence = accept_files(files, attachments)
    if not viewer.can_write:
        raise refuse(
            store,
            viewer,
            action="task.assign",
            entity="task",
            entity_id=None,
            detail=f"role {viewer.role.value} may not assign",
        )
    with (
        refusals_and_conflicts(store, viewer, action="task.assign", entity="task", entity_id=None),
        evidence.kept_only_if_committed(),
        store.write() as session,
    ):
        assignees = _assignees(session, viewer, targets, person_id)
        coefficient, task_type = _task_type(session, task_type_id)
        objective_id, indicator_id = _links(session, viewer, objective_id, indicator_id)
        batch_key = uuid.uuid4().hex[:16] if len(assignees) > 1 else None
        tasks = [
            Task(
                title=new.title.strip(),
                description=new.description.strip(),
                assigner_user_id=viewer.user_id,
                assigner_unit_id=viewer.scope_unit_id,
                assignee_unit_id=unit_id,
                assignee_person_id=assignee_person,
                batch_key=batch_key,
                task_type_id=task_type,
                coefficient=coefficient,
                priority=priority,
                objective_id=objective_id,
                indicator_id=indicator_id,
                start_date=new.start_date,
                due_date=due_date,
                original_due_date=due_date,
                status=TaskStatus.OPEN.value,
                progress_pct=0,
                delays=0,
                major_errors=0,
            )
            for unit_id, assignee_person in assignees
        ]
        session.add_all(tasks)
        session.flush()  # one flush for every copy
        recipients = responsible_users_of(session, assignees)
        for task in tasks:
            evidence.save(session, viewer, task_id=task.id)  # each copy carries the files (stored once)
            audit.record(
                session,
                user_id=viewer.user_id,
                action="task.assign",
                entity="task",
                entity_id=task.id,
                after=audit.snapshot(task, AUDITED),
                detail=f"batch {batch_key}" if batch_key else None,
            )
            notify(
                session,
                user_ids=recipients[(task.assignee_unit_id, task.assignee_person_id)],
                kind="assigned",
                task_id=task.id,
                actor_user_id=viewer.user_id,
            )
    return [task.id for task in tasks]


def _assignees(
    session: Session, viewer: Viewer, unit_ids: list[int], person_id: int | None
) -> list[tuple[int, int | None]]:
    """(unit, person) pairs to create, each checked against the viewer's scope."""
    if person_id is not None:
        person = session.get(Person, person_id)
        if person is None or not person.active:
            raise Invalid({"assignee": "unknown_choice"})
        unit = session.get(OrgUnit, person.unit_id)
        if unit is None:  # a foreign key holds it; only a row deleted meanwhile gets here
            raise NotFound("unit", person.unit_id)
        if not viewer.covers_path(unit.path):
            raise Refused(f"person {person_id} outside the viewer's scope")
        if unit_ids and unit_ids != [unit.id]:
            raise Invalid({"assignee": "person_not_in_unit"})
        return [(unit.id, person.id)]
    units = {u.id: u for u in session.execute(select(OrgUnit).where(OrgUnit.id.in_(unit_ids))).scalars()}
    missing = [i for i in unit_ids if i not in units or not units[i].active]
    if missing:
        raise Invalid({"assignee": "unknown_choice"})
    outside = [i for i in unit_ids if not viewer.covers_path(units[i].path)]
    if outside:
        raise Refused(f"units {outside[:5]} outside the viewer's scope")
    return [(i, None) for i in unit_ids]


def _task_type(session: Session, task_type_id: int | None) -> tuple[float, int | None]:
    if task_type_id is None:
        return 1.0, None
    task_type = session.get(TaskType, task_type_id)
    if task_type is None:
        raise Invalid({"task_type": "unknown_choice"})
    return task_type.coefficient, task_type.id


def _links(
    session: Session, viewer: Viewer, objective_id: int | None, indicator_id: int | None
) -> tuple[int | None, int | None]:
    """The objective and indicator a task serves, both inside the viewer's scope; an indicator brings its objective."""
    if indicator_id is not None:
        indicator = session.get(Indicator, indicator_id)
        unit = session.get(OrgUnit, indicator.unit_id) if indicator else None
        if indicator is None or unit is None:
            raise Invalid({"indicator": "unknown_choice"})
        if not viewer.covers_path(unit.path):
            raise Refused(f"indicator {indicator_id} outside the viewer's scope")
        objective_id = objective_id or indicator.objective_id
    if objective_id is not None:
        objective = session.get(Objective, objective_id)
        unit = session.get(OrgUnit, objective.unit_id) if objective else None
        if objective is None or unit is None:
            raise Invalid({"objective": "unknown_choice"})
        if not viewer.covers_path(unit.path):
            raise Refused(f"objective {objective_id} outside the viewer's scope")
    return objective_id, indicator_id


def follow_up(
    store: Store,
    *,
    viewer: Viewer,
    indicator_id: int,
    title: str,
    due_date: date | None,
    description: str = "",
    priority: str = "high",
) -> int:
    """A meeting's decision on a lagging indicator becomes tracked work in one step: a task linked to the
    indicator, given to its owner (or to its unit when nobody owns it). Returns the task id."""
    with store.read() as session:
        draft = follow_up_draft(session, viewer=viewer, indicator_id=indicator_id)
    (task_id,) = assign(
        store,
        viewer=viewer,
        title=title,
        due_date=due_date,
        description=description,
        priority=priority,
        unit_ids=[] if draft.owner_person_id else [draft.unit_id],
        person_id=draft.owner_person_id,
        indicator_id=indicator_id,
    )
    return task_id


# --- editing what was assigned --------------------------------------------------------------

EDITED = ("title", "description", "version")


def edit(
    store: Store, *, viewer: Viewer, task_id: int, version: int | None, title: str, description: str = ""
) -> TaskState:
    """The assigner rewrites the title or the description of a task still under way; the assignee is told.

    Same frame as the other actions (authorise, check the version seen, audit before and after), but the
    state does not move and no check-in is written: the audit keeps the old wording.
    """
    problems = {
        field: code
        for field, code in task_problems(
            NewTask(title=title or "", due_date=clock_today(), start_date=clock_today(), description=description or ""),
            today=clock_today(),
        ).items()
        if field in ("title", "description")
    }
    if problems:
        raise Invalid(problems)
    with (
        refusals_and_conflicts(store, viewer, action="task.edit", entity="task", entity_id=task_id),
        store.write() as session,
    ):
        task = session.get(Task, task_id)
        if task is None:
            raise NotFound("task", task_id)
        roles = roles_on(session, viewer, task)
        if not roles.visible:
            raise NotFound("task", task_id)
        if not may_act_on_task(viewer, roles, as_assignee=False):
            raise Refused(f"task.edit on task {task_id}: not the assigner")
        check_version(session, "task", task_id, current=task.version, seen=version)
        if TaskStatus(task.status) not in OPEN_TASK_STATUSES:
            raise Invalid({"status": "not_allowed_now"}, status=task.status)
        before = audit.snapshot(task, EDITED)
        new_title, new_description = title.strip(), (description or "").strip()
        if (new_title, new_description) == (task.title, task.description or ""):
            return TaskState(task.id, task.status, task.version)  # nothing changed: no audit, no notice
        task.title, task.description = new_title, new_description
        flush_or_conflict(session, "task", task_id)
        audit.record(
            session,
            user_id=viewer.user_id,
            action="task.edit",
            entity="task",
            entity_id=task_id,
            before=before,
            after=audit.snapshot(task, EDITED),
        )
        notify(
            session,
            user_ids=responsible_users(session, unit_id=task.assignee_unit_id, person_id=task.assignee_person_id),
            kind="edited",
            task_id=task.id,
            actor_user_id=viewer.user_id,
            detail=new_title[:500],
        )
        return TaskState(task.id, task.status, task.version)


# --- acting on a task -----------------------------------------------------------------------


def report_progress(
    store: Store,
    *,
    viewer: Viewer,
    task_id: int,
    version: int | None,
    progress_pct: Any,
    comment: str = "",
    evidence_url: str | None = None,
    attachments: Sequence[Upload] = (),
    files: EvidenceStore | None = None,
) -> TaskState:
    """The assignee reports how far the work is, with a comment and optionally a link to evidence or
    photos and PDFs (checked before anything is written)."""
    problems = progress_problems(progress_pct, comment or "", evidence_url)
    if problems:
        raise Invalid(problems)
    evidence = accept_files(files, attachments)

    def change(session: Session, task: Task) -> dict[str, Any]:
        task.progress_pct = int(progress_pct)
        return {"progress_pct": int(progress_pct), "comment": comment, "evidence_url": evidence_url or None}

    return _act(store, viewer, task_id, version, TaskAction.PROGRESS, change, evidence)


def mark_done(
    store: Store,
    *,
    viewer: Viewer,
    task_id: int,
    version: int | None,
    comment: str = "",
    evidence_url: str | None = None,
    attachments: Sequence[Upload] = (),
    files: EvidenceStore | None = None,
) -> TaskState:
    """The assignee hands the work in; it waits for the assigner's acceptance."""
    problems = progress_problems(100, comment or "", evidence_url)
    if problems:
        raise Invalid(problems)
    evidence = accept_files(files, attachments)

    def change(session: Session, task: Task) -> dict[str, Any]:
        task.progress_pct = 100
        task.completed_on = clock_today()
        notify(
            session,
            user_ids=[task.assigner_user_id] if task.assigner_user_id else [],
            kind="submitted",
            task_id=task.id,
            actor_user_id=viewer.user_id,
        )
        return {"progress_pct": 100, "comment": comment, "evidence_url": evidence_url or None}

    return _act(store, viewer, task_id, version, TaskAction.DONE, change, evidence)


def accept(
    store: Store,
    *,
    viewer: Viewer,
    task_id: int,
    version: int | None,
    quality_accepted: bool = True,
    major_errors: Any = 0,
    exceeded: bool = False,
    comment: str = "",
) -> TaskState:
    """The assigner accepts the handed-in work: quality accepted or not, major errors noted.

    A task handed in after its due date counts one more delay (Decree 335 takes 25% of its progress
    points per delay); extensions were counted when granted.
    """
    problems = acceptance_problems(major_errors, comment or "")
    if problems:
        raise Invalid(problems)

    def change(session: Session, task: Task) -> dict[str, Any]:
        completed_on = task.completed_on or clock_today()
        task.completed_on = completed_on
        task.delays = delays_at_acceptance(task.delays, completed_on=completed_on, due=task.due_date)
        task.quality_accepted = bool(quality_accepted)
        task.major_errors = int(major_errors)
        task.exceeded = bool(exceeded)
        return {"comment": comment}

    return _act(store, viewer, task_id, version, TaskAction.ACCEPT, change)


def return_task(store: Store, *, viewer: Viewer, task_id: int, version: int | None, reason: str) -> TaskState:
    """The assigner sends the handed-in work back with a reason; the assignee hears of it."""
    problems = reason_problems(reason or "")
    if problems:
        raise Invalid(problems)

    def change(session: Session, task: Task) -> dict[str, Any]:
        task.completed_on = None
        notify(
            session,
            user_ids=responsible_users(session, unit_id=task.assignee_unit_id, person_id=task.assignee_person_id),
            kind="returned",
            task_id=task.id,
            actor_user_id=viewer.user_id,
            detail=reason.strip(),
        )
        return {"comment": reason.strip()}

    return _act(store, viewer, task_id, version, TaskAction.RETURN, change)


def extend(
    store: Store, *, viewer: Viewer, task_id: int, version: int | None, new_due_date: date | None, reason: str
) -> TaskState:
    """The assigner moves the deadline; the extension counts as a delay."""

    def change(session: Session, task: Task) -> dict[str, Any]:
        problems = extension_problems(
            current_due=task.due_date, new_due=new_due_date, today=clock_today(), reason=reason or ""
        )
        if problems or new_due_date is None:  # a missing date is always among the problems ("required_date")
            raise Invalid(problems)
        previous = task.due_date
        task.due_date = new_due_date
        task.delays += 1
        return {"comment": f"{previous.isoformat()} → {new_due_date.isoformat()}: {reason.strip()}"}

    return _act(store, viewer, task_id, version, TaskAction.EXTEND, change)


def cancel(store: Store, *, viewer: Viewer, task_id: int, version: int | None, reason: str) -> TaskState:
    """The assigner cancels the task with a reason; it no longer counts anywhere."""
    problems = reason_problems(reason or "")
    if problems:
        raise Invalid(problems)

    def change(session: Session, task: Task) -> dict[str, Any]:
        task.cancel_reason = reason.strip()
        return {"comment": reason.strip()}

    return _act(store, viewer, task_id, version, TaskAction.CANCEL, change)


def _act(
    store: Store,
    viewer: Viewer,
    task_id: int,
    version: int | None,
    action: TaskAction,
    change: Callable[[Session, Task], dict[str, Any]],
    evidence: Evidence | None = None,
) -> TaskState:
    """Shared frame: load, authorise, check version and state, change, check-in (with its files), audit;
    one transaction."""
    name = f"task.{action.value}"
    evidence = evidence or Evidence(None, [])
    with (
        refusals_and_conflicts(store, viewer, action=name, entity="task", entity_id=task_id),
        evidence.kept_only_if_committed(),
        store.write() as session,
    ):
        task = session.get(Task, task_id)
        if task is None:
            raise NotFound("task", task_id)
        roles = roles_on(session, viewer, task)
        if not roles.visible:
            raise NotFound("task", task_id)
        if not may_act_on_task(viewer, roles, as_assignee=action in ASSIGNEE_ACTIONS):
            raise Refused(
                f"{name} on task {task_id}: not the {'assignee' if action in ASSIGNEE_ACTIONS else 'assigner'}"
            )
        check_version(session, "task", task_id, current=task.version, seen=version)
        try:
            new_status = next_status(action, TaskStatus(task.status))
        except ValueError:
            raise Invalid({"status": "not_allowed_now"}, status=task.status) from None
        before = audit.snapshot(task, AUDITED)
        with session.no_autoflush:  # one UPDATE (one version step) even when the change also adds a notice
            checkin = change(session, task)
            task.status = new_status.value
        flush_or_conflict(session, "task", task_id)
        comment = (checkin.get("comment") or "")[:COMMENT_MAX]
        link = checkin.get("evidence_url")
        entry = TaskCheckin(
            task_id=task_id,
            author_user_id=viewer.user_id,
            kind=action.value,
            progress_pct=checkin.get("progress_pct"),
            comment=comment,
            evidence_url=link if link and safe_url(link) else None,
        )
        session.add(entry)
        if evidence.prepared:
            session.flush()  # the check-in's id, for its files
            evidence.save(session, viewer, task_id=task_id, checkin_id=entry.id)
        audit.record(
            session,
            user_id=viewer.user_id,
            action=name,
            entity="task",
            entity_id=task_id,
            before=before,
            after=audit.snapshot(task, AUDITED),
            detail=_with_files(comment, evidence) or None,
        )
        return TaskState(task.id, task.status, task.version)


def _with_files(text: str, evidence: Evidence) -> str:
    """An audit detail that also names the files a write attached (their keys are in the attachments table)."""
    names = ", ".join(item.filename for item in evidence.prepared)
    return f"{text} [files: {names}]".strip() if names else text

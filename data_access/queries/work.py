"""Reads of work management: who stands where on a task, the work lists, a task with its history.

Who is who on a task:
- the assignee of a task given to a person is that person; of a task given to a unit, the people
  of that unit or of the divisions directly below it, and the users whose scope is that unit (a
  ward's task is worked on by the ward's divisions);
- the assigner is the user who assigned it, or a leader or manager whose scope covers the
  assigning unit;
- a task is visible to its assigner and assignees and to anyone whose scope covers either unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from data_access.errors import NotFound
from data_access.models import Indicator, Objective, OrgUnit, Person, Task, TaskCheckin, TaskType, User
from data_access.queries.attachments import AttachmentView, task_attachments
from data_access.viewer import Viewer
from domain.access import TaskRoles, path_ids, task_roles
from domain.kinds import OPEN_TASK_STATUSES, TaskStatus, UnitKind
from domain.tasks import DUE_SOON_DAYS, TaskAction, allowed_actions, due_state
from domain.text import fold

BOXES = ("to_me", "by_me", "my_unit")
# Which tasks of a box: the open ones (the default), those waiting for the viewer's acceptance, the closed
# ones (due in the period), or all of them.
SHOWS = ("open", "waiting", "closed", "all")
LIST_LIMIT = 2000


def _task_units(session: Session, task: Task) -> tuple[OrgUnit, OrgUnit]:
    """The assignee's and the assigner's units (foreign keys hold both: NotFound only if deleted meanwhile)."""
    assignee_unit = session.get(OrgUnit, task.assignee_unit_id)
    if assignee_unit is None:
        raise NotFound("unit", task.assignee_unit_id)
    assigner_unit = session.get(OrgUnit, task.assigner_unit_id)
    if assigner_unit is None:
        raise NotFound("unit", task.assigner_unit_id)
    return assignee_unit, assigner_unit


def roles_on(session: Session, viewer: Viewer, task: Task) -> TaskRoles:
    """The viewer's standing on a loaded task."""
    assignee_unit, assigner_unit = _task_units(session, task)
    return task_roles(
        viewer,
        assigner_user_id=task.assigner_user_id,
        assigner_path=assigner_unit.path,
        assignee_path=assignee_unit.path,
        assignee_person_id=task.assignee_person_id,
        viewer_unit_path=person_unit_path(session, viewer),
    )


def person_unit_path(session: Session, viewer: Viewer) -> str | None:
    """The path of the unit the viewer's person belongs to (None for logins without a person)."""
    if viewer.person_id is None:
        return None
    return session.execute(
        select(OrgUnit.path).join(Person, Person.unit_id == OrgUnit.id).where(Person.id == viewer.person_id)
    ).scalar_one_or_none()


def _assignee_units(session: Session, viewer: Viewer) -> list[int]:
    """Units whose unit-level tasks the viewer works on: the person's unit and its parent, the scope unit."""
    ids = {viewer.scope_unit_id}
    path = person_unit_path(session, viewer)
    if path:
        chain = path_ids(path)
        ids.add(chain[-1])
        if len(chain) > 1:
            ids.add(chain[-2])
    return sorted(ids)


@dataclass(frozen=True)
class WorkCounts:
    open_to_me: int
    overdue_to_me: int
    due_soon_to_me: int
    waiting_my_acceptance: int
    unread_notices: int


def _to_me(session: Session, viewer: Viewer) -> ColumnElement[bool]:
    units = _assignee_units(session, viewer)
    mine = Task.assignee_person_id == viewer.person_id if viewer.person_id is not None else false()
    return or_(mine, and_(Task.assignee_person_id.is_(None), Task.assignee_unit_id.in_(units)))


def work_counts(session: Session, *, viewer: Viewer, today: date) -> WorkCounts:
    """The figures of the navbar badge: my open, overdue and due-soon tasks, what waits for me, unread notices."""
    from data_access.notifications import unread_count

    if viewer.is_screen:
        return WorkCounts(0, 0, 0, 0, 0)
    open_values = [s.value for s in OPEN_TASK_STATUSES]
    soon = date.fromordinal(today.toordinal() + DUE_SOON_DAYS)
    figures = (
        func.count(),
        func.coalesce(func.sum(case((Task.due_date < today, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(Task.due_date >= today, Task.due_date <= soon), 1), else_=0)), 0),
    )
    # Two indexed counts (by person, by unit) instead of one OR that would scan every task of the city.
    row = [0, 0, 0]
    conditions = [and_(Task.assignee_person_id.is_(None), Task.assignee_unit_id.in_(_assignee_units(session, viewer)))]
    if viewer.person_id is not None:
        conditions.append(Task.assignee_person_id == viewer.person_id)
    for condition in conditions:
        part = session.execute(select(*figures).where(condition, Task.status.in_(open_values))).one()
        row = [a + int(b) for a, b in zip(row, part, strict=True)]
    waiting = session.execute(
        select(func.count())
        .select_from(Task)
        .where(Task.status == TaskStatus.SUBMITTED.value, Task.assigner_user_id == viewer.user_id)
    ).scalar_one()
    return WorkCounts(int(row[0]), int(row[1]), int(row[2]), int(waiting), unread_count(session, viewer=viewer))


def _list_query() -> tuple[Select, type[OrgUnit]]:
    assignee_unit = aliased(OrgUnit)
    assigner_unit = aliased(OrgUnit)
    person = aliased(Person)
    assigner = aliased(User)
    assigner_person = aliased(Person)
    return (
        select(
            Task.id,
            Task.title,
            Task.status,
            Task.priority,
            Task.due_date,
            Task.original_due_date,
            Task.progress_pct,
            Task.delays,
            Task.batch_key,
            Task.version,
            Task.assigner_user_id,
            Task.assignee_person_id,
            assignee_unit.id.label("assignee_unit_id"),
            assignee_unit.name.label("assignee_unit"),
            assignee_unit.path.label("assignee_path"),
            assigner_unit.path.label("assigner_path"),
            assigner_unit.name.label("assigner_unit"),
            person.full_name.label("assignee_person"),
            # People, not logins: the account's name only for an account tied to no person.
            func.coalesce(assigner_person.full_name, assigner.username).label("assigner"),
            TaskType.name.label("task_type"),
            Task.coefficient,
        )
        .join(assignee_unit, assignee_unit.id == Task.assignee_unit_id)
        .join(assigner_unit, assigner_unit.id == Task.assigner_unit_id)
        .outerjoin(person, person.id == Task.assignee_person_id)
        .outerjoin(assigner, assigner.id == Task.assigner_user_id)
        .outerjoin(assigner_person, assigner_person.id == assigner.person_id)
        .outerjoin(TaskType, TaskType.id == Task.task_type_id)
    ), assignee_unit


WORK_COLUMNS = [
    "id",
    "title",
    "status",
    "priority",
    "due_date",
    "original_due_date",
    "progress_pct",
    "delays",
    "batch_key",
    "version",
    "assignee_unit_id",
    "assignee_unit",
    "assignee_person",
    "assigner",
    "assigner_unit",
    "task_type",
    "coefficient",
    "due_state",
]


def work_list(
    session: Session,
    *,
    viewer: Viewer,
    box: str,
    today: date,
    start: date | None = None,
    end: date | None = None,
    show: str = "all",
) -> pd.DataFrame:
    """Tasks in one box: assigned to me (or my unit), assigned by me, or of my scope.

    Open tasks show unless ``show`` is "closed"; closed ones only when due inside [start, end] (the period
    in the URL) and ``show`` is "closed" or "all". "waiting": the submitted tasks the viewer assigned, the
    very ones the "waiting for my acceptance" count counts. At most LIST_LIMIT rows, the most urgent first.
    """
    if box not in BOXES:
        raise NotFound("box", box)
    if show not in SHOWS:
        raise NotFound("show", show)
    # First the ids, in order, from the tasks table alone (an index walk, not a join over a city's
    # 220,000 tasks), then the details of those few.
    if box == "to_me":
        mine = _to_me(session, viewer)
    elif box == "by_me":
        mine = Task.assigner_user_id == viewer.user_id
    else:
        mine = Task.assignee_unit_id.in_(
            select(OrgUnit.id).where(OrgUnit.path.startswith(viewer.scope_path, autoescape=True))
        )
    open_values = [s.value for s in OPEN_TASK_STATUSES]
    if show == "waiting":
        mine = Task.assigner_user_id == viewer.user_id
        open_values = [TaskStatus.SUBMITTED.value]
    ids = (
        list(
            session.execute(
                select(Task.id)
                .where(mine, Task.status.in_(open_values))
                .order_by(Task.due_date, Task.id)
                .limit(LIST_LIMIT)
            ).scalars()
        )
        if show != "closed"
        else []
    )
    with_closed = show in ("closed", "all")
    if with_closed and start is not None and end is not None and len(ids) < LIST_LIMIT:
        ids += session.execute(
            select(Task.id)
            .where(mine, Task.status.not_in(open_values), Task.due_date >= start, Task.due_date <= end)
            .order_by(Task.due_date, Task.id)
            .limit(LIST_LIMIT - len(ids))
        ).scalars()
    order = {task_id: n for n, task_id in enumerate(ids)}
    query, _unit = _list_query()
    query = query.where(Task.id.in_(ids)) if ids else query.where(Task.id.is_(None))
    rows = sorted(session.execute(query).mappings().all(), key=lambda row: order[row["id"]])
    frame = pd.DataFrame(
        rows,
        columns=[c for c in WORK_COLUMNS if c != "due_state"]
        + ["assigner_user_id", "assignee_person_id", "assignee_path", "assigner_path"],
    )
    frame["due_state"] = [
        due_state(TaskStatus(s), d, today).value for s, d in zip(frame["status"], frame["due_date"], strict=True)
    ]
    return frame


@dataclass(frozen=True)
class CheckinView:
    kind: str
    at: datetime
    author: str | None
    progress_pct: int | None
    comment: str
    evidence_url: str | None
    id: int | None = None
    attachments: tuple[AttachmentView, ...] = ()


@dataclass(frozen=True)
class TaskView:
    """One task as its page shows it, with what the viewer may do to it."""

    id: int
    title: str
    description: str
    status: str
    priority: str
    start_date: date
    due_date: date
    original_due_date: date
    progress_pct: int
    delays: int
    major_errors: int
    quality_accepted: bool | None
    completed_on: date | None
    cancel_reason: str | None
    coefficient: float
    task_type: str | None
    assigner: str | None
    assigner_unit: str
    assignee_unit_id: int
    assignee_unit: str
    assignee_person_id: int | None
    assignee_person: str | None
    objective_id: int | None
    objective: str | None
    indicator_id: int | None
    indicator: str | None
    batch_key: str | None
    version: int
    due_state: str
    actions: frozenset[TaskAction]
    checkins: list[CheckinView]
    # Files given with the task at assignment (those of a check-in are listed with the check-in).
    attachments: tuple[AttachmentView, ...] = ()
    editable: bool = False  # the assigner may still rewrite the title and description


def task_detail(session: Session, *, viewer: Viewer, task_id: int, today: date) -> TaskView:
    """A task and its check-in history; NotFound when it does not exist or lies outside what the viewer may see."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("task", task_id)
    roles = roles_on(session, viewer, task)
    if not roles.visible:
        raise NotFound("task", task_id)
    assignee_unit, assigner_unit = _task_units(session, task)
    person = session.get(Person, task.assignee_person_id) if task.assignee_person_id else None
    assigner = session.get(User, task.assigner_user_id) if task.assigner_user_id else None
    assigner_person = session.get(Person, assigner.person_id) if assigner and assigner.person_id else None
    task_type = session.get(TaskType, task.task_type_id) if task.task_type_id else None
    objective = session.get(Objective, task.objective_id) if task.objective_id else None
    indicator = session.get(Indicator, task.indicator_id) if task.indicator_id else None
    files = task_attachments(session, task_id=task.id)
    by_checkin: dict[int | None, tuple[AttachmentView, ...]] = {}
    for f in files:
        by_checkin[f.checkin_id] = (*by_checkin.get(f.checkin_id, ()), f)
    checkins = [
        CheckinView(c.kind, c.at, c.author, c.progress_pct, c.comment, c.evidence_url, c.id, by_checkin.get(c.id, ()))
        for c in session.execute(
            select(
                TaskCheckin.kind,
                TaskCheckin.at,
                # signed by a person: the account's name only for an account tied to no person
                func.coalesce(Person.full_name, User.username).label("author"),
                TaskCheckin.progress_pct,
                TaskCheckin.comment,
                TaskCheckin.evidence_url,
                TaskCheckin.id,
            )
            .outerjoin(User, User.id == TaskCheckin.author_user_id)
            .outerjoin(Person, Person.id == User.person_id)
            .where(TaskCheckin.task_id == task_id)
            .order_by(TaskCheckin.at, TaskCheckin.id)
        )
    ]
    status = TaskStatus(task.status)
    return TaskView(
        task.id,
        task.title,
        task.description or "",
        task.status,
        task.priority,
        task.start_date,
        task.due_date,
        task.original_due_date,
        task.progress_pct,
        task.delays,
        task.major_errors,
        task.quality_accepted,
        task.completed_on,
        task.cancel_reason,
        task.coefficient,
        task_type.name if task_type else None,
        assigner_person.full_name if assigner_person else assigner.username if assigner else None,
        assigner_unit.name,
        assignee_unit.id,
        assignee_unit.name,
        task.assignee_person_id,
        person.full_name if person else None,
        objective.id if objective else None,
        objective.title if objective else None,
        indicator.id if indicator else None,
        indicator.name if indicator else None,
        task.batch_key,
        task.version,
        due_state(status, task.due_date, today).value,
        allowed_actions(status, is_assigner=roles.is_assigner, is_assignee=roles.is_assignee)
        if not viewer.is_screen
        else frozenset(),
        checkins,
        by_checkin.get(None, ()),
        roles.is_assigner and not viewer.is_screen and viewer.can_write and status in OPEN_TASK_STATUSES,
    )


def task_version(session: Session, *, viewer: Viewer, task_id: int) -> int | None:
    """The current version of a task the viewer may see (to tell an open page that someone changed it)."""
    task = session.get(Task, task_id)
    if task is None:
        return None
    roles = roles_on(session, viewer, task)
    return task.version if roles.visible else None


@dataclass(frozen=True)
class Choice:
    value: int
    label: str
    kind: str = ""
    search: str = ""  # what a typed search matches: the label and its accent-free form


# A division's name repeats in every ward ("Phòng Kinh tế"): these kinds are shown with their parent's name.
NAMED_WITH_PARENT = frozenset({UnitKind.DIVISION.value, UnitKind.PARTY_BOARD.value})


def assignable_units(session: Session, *, viewer: Viewer) -> list[Choice]:
    """Units the viewer may give work to: the scope's subtree, each division with its ward or department
    ("Phòng Kinh tế — Phường Hoàn Kiếm"), searchable without accents (kind carried for "every ward")."""
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, OrgUnit.path)
        .where(OrgUnit.path.startswith(viewer.scope_path, autoescape=True), OrgUnit.active.is_(True))
        .order_by(OrgUnit.path)
    ).all()
    names = {r.id: r.name for r in rows}
    parents = {r.id: path_ids(r.path)[-2] for r in rows if len(path_ids(r.path)) > 1}
    missing = {p for p in parents.values() if p not in names}  # the parent of a division manager's own scope
    if missing:
        found = session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(missing))).all()
        names.update({unit_id: name for unit_id, name in found})
    choices = []
    for r in rows:
        parent = names.get(parents.get(r.id, -1))
        label = f"{r.name} — {parent}" if r.kind in NAMED_WITH_PARENT and parent else r.name
        choices.append(Choice(r.id, label, r.kind, f"{label} {fold(label)}"))
    return choices


def assignable_people(session: Session, *, viewer: Viewer, unit_id: int) -> list[Choice]:
    """Active people of one unit in the viewer's scope (the viewer's own team first when it is that unit)."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not viewer.covers_path(unit.path):
        return []
    rows = session.execute(
        select(Person.id, Person.full_name)
        .where(Person.unit_id == unit_id, Person.active.is_(True))
        .order_by(Person.full_name)
    ).all()
    return [Choice(r.id, r.full_name) for r in rows]


def task_types(session: Session) -> list[tuple[int, str, float]]:
    """The catalogue of task types with their conversion coefficients."""
    return [(r.id, r.name, r.coefficient) for r in session.execute(select(TaskType).order_by(TaskType.name)).scalars()]


LINK_LIMIT = 300


@dataclass(frozen=True)
class Goal:
    """An objective or an indicator a new task can serve ("objective:12", "indicator:34")."""

    value: str
    name: str
    kind: str  # objective | indicator
    unit: str
    search: str


def linkable_goals(session: Session, *, viewer: Viewer, unit_ids: list[int], year: int) -> list[Goal]:
    """Objectives and published indicators of the year that a task can be linked to at assignment: those of
    the chosen units and of the viewer's own scope unit (what the assigner answers for), inside the scope."""
    from data_access.models import Period

    ids = {viewer.scope_unit_id, *unit_ids}
    units = {
        u.id: u.name
        for u in session.execute(select(OrgUnit).where(OrgUnit.id.in_(ids))).scalars()
        if viewer.covers_path(u.path)
    }
    if not units:
        return []
    objectives = session.execute(
        select(Objective.id, Objective.title, Objective.unit_id)
        .join(Period, Period.id == Objective.period_id)
        .where(Objective.unit_id.in_(units), Period.year == year)
        .order_by(Objective.unit_id, Objective.title)
        .limit(LINK_LIMIT)
    ).all()
    indicators = session.execute(
        select(Indicator.id, Indicator.name, Indicator.unit_id)
        .join(Period, Period.id == Indicator.period_id)
        .where(Indicator.unit_id.in_(units), Period.year == year, Indicator.published.is_(True))
        .order_by(Indicator.unit_id, Indicator.name)
        .limit(LINK_LIMIT)
    ).all()
    goals = [
        Goal(f"indicator:{i.id}", i.name, "indicator", units[i.unit_id], f"{i.name} {fold(i.name)}") for i in indicators
    ]
    goals += [
        Goal(f"objective:{o.id}", o.title, "objective", units[o.unit_id], f"{o.title} {fold(o.title)}")
        for o in objectives
    ]
    return goals


def linkable_indicators(session: Session, *, viewer: Viewer, unit_id: int, year: int) -> list[Choice]:
    """Indicators of a unit in the viewer's scope for a year, to link a task to."""
    from data_access.models import Period

    unit = session.get(OrgUnit, unit_id)
    if unit is None or not viewer.covers_path(unit.path):
        return []
    rows = session.execute(
        select(Indicator.id, Indicator.name)
        .join(Period, Period.id == Indicator.period_id)
        .where(Indicator.unit_id == unit_id, Period.year == year, Indicator.published.is_(True))
        .order_by(Indicator.name)
    ).all()
    return [Choice(r.id, r.name) for r in rows]


@dataclass(frozen=True)
class FollowUpDraft:
    """What a follow-up task on a lagging indicator is prefilled with."""

    indicator_id: int
    indicator: str
    unit_id: int
    unit: str
    owner_person_id: int | None
    owner: str | None
    status: str
    progress: float | None
    expected: float | None


def follow_up_draft(session: Session, *, viewer: Viewer, indicator_id: int) -> FollowUpDraft:
    """The indicator, its owner (the assignee when active) and where it stands this year."""
    from data_access.models import IndicatorRollup, Period

    indicator = session.get(Indicator, indicator_id)
    unit = session.get(OrgUnit, indicator.unit_id) if indicator else None
    if indicator is None or unit is None or not viewer.covers_path(unit.path):
        raise NotFound("indicator", indicator_id)
    owner = session.get(Person, indicator.owner_person_id) if indicator.owner_person_id else None
    year = session.get(Period, indicator.period_id)
    rollup = session.get(IndicatorRollup, (indicator.id, year.id)) if year else None
    return FollowUpDraft(
        indicator.id,
        indicator.name,
        unit.id,
        unit.name,
        owner.id if owner and owner.active else None,
        owner.full_name if owner and owner.active else None,
        rollup.status if rollup else "no_data",
        rollup.progress if rollup else None,
        rollup.expected if rollup else None,
    )


@dataclass(frozen=True)
class BatchCopy:
    task_id: int
    unit: str
    status: str
    progress_pct: int
    due_date: date
    due_state: str


def batch_copies(session: Session, *, viewer: Viewer, batch_key: str, today: date) -> list[BatchCopy]:
    """The copies of a multi-unit assignment the viewer may see, laggards first: who has not delivered yet.

    The assigning side sees every copy; a unit sees the copies inside its scope.
    """
    rows = session.execute(
        select(Task.id, OrgUnit.name, OrgUnit.path, Task.status, Task.progress_pct, Task.due_date)
        .join(OrgUnit, OrgUnit.id == Task.assignee_unit_id)
        .where(Task.batch_key == batch_key)
    ).all()
    if not rows:
        return []
    first = session.get(Task, rows[0].id)
    assigner = first is not None and roles_on(session, viewer, first).is_assigner
    copies = [
        BatchCopy(
            r.id, r.name, r.status, r.progress_pct, r.due_date, due_state(TaskStatus(r.status), r.due_date, today).value
        )
        for r in rows
        if assigner or viewer.covers_path(r.path)
    ]
    order = {"overdue": 0, "due_soon": 1, "on_time": 2, "closed": 3}
    return sorted(copies, key=lambda c: (order.get(c.due_state, 4), c.status == "done", c.progress_pct, c.unit))

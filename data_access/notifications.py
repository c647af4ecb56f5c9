"""In-app notices: raised inside the write that causes them, listed and marked read by their owner.

Kinds: ``assigned`` (new task for me or my unit), ``submitted`` (a task I assigned waits for my
acceptance), ``returned`` (my task came back with a reason), ``due_soon`` (due within three days),
``overdue``, ``value_rejected`` (a value I entered was rejected with a reason), and the evaluation
notices ``eval_*`` (opened, returned, approved, moved by the quota, decided by the council, appeal
answered; data_access.commands.evaluation_notices). Deadline notices
come from a sweep (`raise_deadline_notices`, run at login and by `flask notices sweep`), made
idempotent by a dedupe key per user, task, kind and due date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from config.clock import now
from data_access import audit
from data_access.db import changed_rows
from data_access.models import Indicator, Notification, Person, Task, User
from data_access.viewer import Viewer
from domain.kinds import OPEN_TASK_STATUSES, WRITER_ROLES
from domain.tasks import DUE_SOON_DAYS

# "edited": the assigner changed a task's title or description.
TASK_KINDS = ("assigned", "submitted", "returned", "due_soon", "overdue", "value_rejected", "edited")
# Evaluation notices (data_access.commands.evaluation_notices): their detail is a JSON object.
EVALUATION_KINDS = ("eval_opened", "eval_returned", "eval_approved", "eval_quota", "eval_council", "eval_answered")
KINDS = (*TASK_KINDS, "report_ready", "report_failed", *EVALUATION_KINDS)


@dataclass(frozen=True)
class Notice:
    id: int
    kind: str
    created_at: datetime
    read: bool
    task_id: int | None
    task_title: str | None
    indicator_id: int | None
    indicator_name: str | None
    actor: str | None
    detail: str | None
    report_job_id: int | None = None


def responsible_users(session: Session, *, unit_id: int, person_id: int | None) -> list[int]:
    """Who hears about work given to a person (that person's login) or to a unit (its leaders and
    managers, whose scope is exactly that unit)."""
    return responsible_users_of(session, [(unit_id, person_id)])[(unit_id, person_id)]


def responsible_users_of(
    session: Session, assignees: Iterable[tuple[int, int | None]]
) -> dict[tuple[int, int | None], list[int]]:
    """`responsible_users` for many (unit, person) assignees at once, in at most two queries."""
    wanted = list(dict.fromkeys(assignees))
    people = {p for _u, p in wanted if p is not None}
    units = {u for u, p in wanted if p is None}
    by_person: dict[int, list[int]] = {}
    by_unit: dict[int, list[int]] = {}
    if people:
        for user_id, person_id in session.execute(
            select(User.id, User.person_id).where(User.person_id.in_(people), User.active.is_(True)).order_by(User.id)
        ):
            if person_id is not None:  # always: the query asks for these people (the check types the key)
                by_person.setdefault(person_id, []).append(user_id)
    if units:
        for user_id, unit_id in session.execute(
            select(User.id, User.scope_unit_id)
            .where(User.scope_unit_id.in_(units), User.active.is_(True), User.role.in_([r.value for r in WRITER_ROLES]))
            .order_by(User.id)
        ):
            by_unit.setdefault(unit_id, []).append(user_id)
    return {(u, p): (by_person.get(p, []) if p is not None else by_unit.get(u, [])) for u, p in wanted}


def notify_each(
    session: Session,
    *,
    kind: str,
    notices: Iterable[tuple[Iterable[int], str | None]],
    actor_user_id: int | None = None,
) -> int:
    """Like ``notify`` for many notices of one kind, each with its own users and detail, in one insert
    (opening a city's evaluations notifies thousands of people in the one transaction)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    stamp = now()
    rows = [
        {
            "user_id": uid,
            "kind": kind,
            "task_id": None,
            "indicator_id": None,
            "actor_user_id": actor_user_id,
            "detail": (detail or "")[:500] or None,
            "created_at": stamp,
        }
        for user_ids, detail in notices
        for uid in dict.fromkeys(user_ids)
        if uid != actor_user_id
    ]
    if rows:
        session.execute(Notification.__table__.insert(), rows)
    return len(rows)


def notify(
    session: Session,
    *,
    user_ids: Iterable[int],
    kind: str,
    task_id: int | None = None,
    indicator_id: int | None = None,
    actor_user_id: int | None = None,
    detail: str | None = None,
) -> int:
    """Add a notice for each user (the actor does not notify themselves), in the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    rows = [
        {
            "user_id": uid,
            "kind": kind,
            "task_id": task_id,
            "indicator_id": indicator_id,
            "actor_user_id": actor_user_id,
            "detail": (detail or "")[:500] or None,
            "created_at": now(),
        }
        for uid in dict.fromkeys(user_ids)
        if uid != actor_user_id
    ]
    if rows:
        session.execute(Notification.__table__.insert(), rows)
    return len(rows)


def unread_count(session: Session, *, viewer: Viewer) -> int:
    return session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == viewer.user_id, Notification.read_at.is_(None))
    ).scalar_one()


def list_notices(session: Session, *, viewer: Viewer, limit: int = 50) -> list[Notice]:
    """The viewer's own notices, unread first, newest first."""
    actor = User.__table__.alias("actor")
    actor_person = Person.__table__.alias("actor_person")
    rows = session.execute(
        # who acted, by the person's name (the login only for an account tied to no person)
        select(Notification, Task.title, Indicator.name, func.coalesce(actor_person.c.full_name, actor.c.username))
        .outerjoin(Task, Task.id == Notification.task_id)
        .outerjoin(Indicator, Indicator.id == Notification.indicator_id)
        .outerjoin(actor, actor.c.id == Notification.actor_user_id)
        .outerjoin(actor_person, actor_person.c.id == actor.c.person_id)
        .where(Notification.user_id == viewer.user_id)
        .order_by(Notification.read_at.is_not(None), Notification.id.desc())
        .limit(limit)
    ).all()
    return [
        Notice(
            n.id,
            n.kind,
            n.created_at,
            n.read_at is not None,
            n.task_id,
            title,
            n.indicator_id,
            name,
            username,
            n.detail,
            n.report_job_id,
        )
        for n, title, name, username in rows
    ]


def mark_read(session: Session, *, viewer: Viewer, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the viewer's notices read (all of them when no ids are given); others' notices are untouched.

    Audited in the caller's transaction like every write.
    """
    query = update(Notification).where(Notification.user_id == viewer.user_id, Notification.read_at.is_(None))
    ids: list[int] | None = None
    if notice_ids is not None:
        ids = [i for i in notice_ids if isinstance(i, int) and not isinstance(i, bool)]
        if not ids:
            return 0
        query = query.where(Notification.id.in_(ids))
    marked = changed_rows(session.execute(query.values(read_at=now())))
    audit.record(
        session,
        user_id=viewer.user_id,
        action="notice.read",
        entity="notification",
        entity_id=ids[0] if ids and len(ids) == 1 else None,
        after={"marked": marked, "all": ids is None},
    )
    return marked


def raise_deadline_notices(session: Session, *, today: date, user_id: int | None = None) -> int:
    """Notices for open tasks due within three days or overdue, once per user, task, kind and due date.

    With ``user_id`` only that user's tasks are swept (cheap enough to run at login).
    """
    soon = today + timedelta(days=DUE_SOON_DAYS)
    open_values = [s.value for s in OPEN_TASK_STATUSES]
    person_users = (
        select(Task.id, Task.due_date, User.id.label("user_id"))
        .join(User, and_(User.person_id == Task.assignee_person_id, User.active.is_(True)))
        .where(Task.status.in_(open_values), Task.due_date <= soon)
    )
    unit_users = (
        select(Task.id, Task.due_date, User.id.label("user_id"))
        .join(
            User,
            and_(
                User.scope_unit_id == Task.assignee_unit_id,
                User.active.is_(True),
                User.role.in_([r.value for r in WRITER_ROLES]),
            ),
        )
        .where(Task.status.in_(open_values), Task.due_date <= soon, Task.assignee_person_id.is_(None))
    )
    if user_id is not None:
        person_users = person_users.where(User.id == user_id)
        unit_users = unit_users.where(User.id == user_id)
    rows = []
    for task_id, due, uid in [*session.execute(person_users), *session.execute(unit_users)]:
        kind = "overdue" if due < today else "due_soon"
        rows.append(
            {
                "user_id": uid,
                "kind": kind,
                "task_id": task_id,
                "created_at": now(),
                "dedupe_key": f"{kind}:{task_id}:{due.isoformat()}",
            }
        )
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    created = 0
    for start in range(0, len(rows), 1000):
        # RETURNING counts what went in on both backends (psycopg reports no rowcount for this statement).
        result = session.execute(
            insert(Notification)
            .values(rows[start : start + 1000])
            .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
            .returning(Notification.id)
        )
        created += len(result.all())
    return created

"""Notices on the real store (SQLite and PostgreSQL): deadline notices raised once per task and due date
however often the sweep runs, a new one when the deadline moves; each user marks only their own read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from config.clock import today
from data_access import notifications
from data_access.commands import tasks as commands
from data_access.db import Store
from data_access.models import AuditEntry, Notification, OrgUnit, Task, User
from data_access.seed import DEMO_USERNAMES
from data_access.viewer import Viewer, load_viewer


def task_version(store: Store, task_id: int) -> int:
    """The version a screen showing the task would send back."""
    with store.read() as session:
        return session.execute(select(Task.version).where(Task.id == task_id)).scalar_one()


def viewer_of(store: Store, role: str) -> Viewer:
    with store.read() as session:
        user_id = session.execute(select(User.id).where(User.username == DEMO_USERNAMES[role])).scalar_one()
        return load_viewer(session, user_id)


def kinds_for(store: Store, viewer: Viewer, task_id: int) -> list[str]:
    with store.read() as session:
        return sorted(
            session.execute(
                select(Notification.kind).where(Notification.user_id == viewer.user_id, Notification.task_id == task_id)
            ).scalars()
        )


def test_deadline_sweep_is_idempotent_and_follows_extensions(demo_store: Store) -> None:
    manager, ward_leader = viewer_of(demo_store, "city_manager"), viewer_of(demo_store, "ward_leader")
    with demo_store.read() as session:
        ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
    (soon,) = commands.assign(
        demo_store, viewer=manager, title="Sắp đến hạn", due_date=today() + timedelta(days=2), unit_ids=[ward]
    )
    (later,) = commands.assign(
        demo_store, viewer=manager, title="Còn lâu", due_date=today() + timedelta(days=30), unit_ids=[ward]
    )
    for _ in range(3):
        with demo_store.write() as session:
            notifications.raise_deadline_notices(session, today=today())
    assert kinds_for(demo_store, ward_leader, soon) == ["assigned", "due_soon"]
    assert kinds_for(demo_store, ward_leader, later) == ["assigned"]

    # Five days on, the first task is overdue: one more notice, still only once.
    for _ in range(2):
        with demo_store.write() as session:
            notifications.raise_deadline_notices(session, today=today() + timedelta(days=5))
    assert kinds_for(demo_store, ward_leader, soon) == ["assigned", "due_soon", "overdue"]

    # An extension moves the due date: its new approach is announced again.
    commands.extend(
        demo_store,
        viewer=manager,
        task_id=soon,
        version=task_version(demo_store, soon),
        new_due_date=today() + timedelta(days=40),
        reason="Chờ số liệu của Sở",
    )
    with demo_store.write() as session:
        notifications.raise_deadline_notices(session, today=today() + timedelta(days=38))
    assert kinds_for(demo_store, ward_leader, soon) == ["assigned", "due_soon", "due_soon", "overdue"]


def test_each_user_marks_only_their_own_notices_read(demo_store: Store) -> None:
    manager, ward_leader, staff = (viewer_of(demo_store, r) for r in ("city_manager", "ward_leader", "staff"))
    with demo_store.read() as session:
        ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
    (task_id,) = commands.assign(
        demo_store, viewer=manager, title="Báo cáo", due_date=today() + timedelta(days=9), unit_ids=[ward]
    )
    with demo_store.read() as session:
        notice = session.execute(select(Notification.id).where(Notification.task_id == task_id)).scalar_one()
        unread_before = notifications.unread_count(session, viewer=ward_leader)
    with demo_store.write() as session:
        assert notifications.mark_read(session, viewer=staff, notice_ids=[notice]) == 0  # not theirs
    with demo_store.read() as session:
        assert notifications.unread_count(session, viewer=ward_leader) == unread_before
        listed = notifications.list_notices(session, viewer=ward_leader)
    # The notice names who acted by the person's name, not the login.
    assert listed[0].id == notice and not listed[0].read and listed[0].actor == manager.person_name
    assert listed[0].actor != DEMO_USERNAMES["city_manager"]
    with demo_store.write() as session:
        assert notifications.mark_read(session, viewer=ward_leader, notice_ids=[notice]) == 1
    with demo_store.write() as session:
        notifications.mark_read(session, viewer=ward_leader)
    with demo_store.read() as session:
        assert notifications.unread_count(session, viewer=ward_leader) == 0
        audited = session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "notice.read", AuditEntry.user_id == ward_leader.user_id)
        ).scalar_one()
    assert audited == 2

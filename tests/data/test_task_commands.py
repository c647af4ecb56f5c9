"""Task commands on the real store (SQLite and PostgreSQL): assigning to a person, a unit or every
ward at once; progress, hand-in, acceptance, return, extension, cancellation; who may do what
(refusals audited, nothing written); optimistic locking with two sessions and with threads; a
forced failure mid-write leaves no partial rows; rollups and notices follow in the same transaction.
"""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from config.clock import today
from data_access.commands import tasks as commands
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid, NotFound
from data_access.models import AuditEntry, Notification, OrgUnit, Period, Task, TaskCheckin, UnitRollup
from data_access.queries import work
from data_access.seed import DEMO_USERNAMES
from data_access.viewer import Viewer
from tests.support.viewers import demo_viewers


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def unit_id(store: Store, code: str) -> int:
    with store.read() as session:
        return session.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def count(store: Store, model: type, *where: object) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def due(days: int = 10) -> date:
    return today() + timedelta(days=days)


def ward_task(store: Store, people: dict[str, Viewer], **extra: object) -> int:
    """The city manager gives Phuong Hoan Kiem a task; returns its id."""
    (task_id,) = commands.assign(
        store,
        viewer=people["city_manager"],
        title="Rà soát hồ sơ Đề án 06",
        due_date=due(),
        unit_ids=[unit_id(store, "W00070")],
        **extra,
    )
    return task_id


def version_of(store: Store, task_id: int) -> int:
    with store.read() as session:
        return session.execute(select(Task.version).where(Task.id == task_id)).scalar_one()


# --- assigning ------------------------------------------------------------------------------


def test_one_assignment_to_every_ward_makes_one_copy_each(demo_store: Store, people: dict[str, Viewer]) -> None:
    with demo_store.read() as session:
        wards = session.execute(select(OrgUnit.id).where(OrgUnit.kind == "ward").order_by(OrgUnit.id)).scalars().all()
    assert len(wards) >= 2
    ids = commands.assign(
        demo_store,
        viewer=people["city_manager"],
        title="Báo cáo quý IV",
        due_date=due(20),
        unit_ids=wards,
        priority="high",
    )
    assert len(ids) == len(wards)
    with demo_store.read() as session:
        rows = session.execute(select(Task).where(Task.id.in_(ids))).scalars().all()
        audits = (
            session.execute(
                select(AuditEntry).where(
                    AuditEntry.action == "task.assign", AuditEntry.entity_id.in_([str(i) for i in ids])
                )
            )
            .scalars()
            .all()
        )
        ward_leader = people["ward_leader"]
        notices = (
            session.execute(
                select(Notification).where(
                    Notification.user_id == ward_leader.user_id,
                    Notification.kind == "assigned",
                    Notification.task_id.in_(ids),
                )
            )
            .scalars()
            .all()
        )
    assert {r.assignee_unit_id for r in rows} == set(wards)
    assert len({r.batch_key for r in rows}) == 1 and rows[0].batch_key  # one batch, each copy its own row
    assert all(r.status == "open" and r.assigner_user_id == people["city_manager"].user_id for r in rows)
    assert len(audits) == len(wards) and all(json.loads(a.after_json)["title"] == "Báo cáo quý IV" for a in audits)
    assert len(notices) == 1  # the Hoan Kiem ward leader hears about Hoan Kiem's copy


def test_assigning_to_a_person_notifies_that_person(demo_store: Store, people: dict[str, Viewer]) -> None:
    manager, staff = people["manager"], people["staff"]
    (task_id,) = commands.assign(
        demo_store, viewer=manager, title="Dự thảo kế hoạch", due_date=due(), person_id=staff.person_id
    )
    with demo_store.read() as session:
        task = session.get(Task, task_id)
        notices = session.execute(select(Notification.user_id).where(Notification.task_id == task_id)).scalars().all()
        listed = work.work_list(session, viewer=staff, box="to_me", today=today())
    assert task.assignee_person_id == staff.person_id and task.assignee_unit_id == manager.scope_unit_id
    assert notices == [staff.user_id]
    assert task_id in set(listed["id"])


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"title": "   "}, ("title", "required")),
        ({"title": "x" * 301}, ("title", "too_long")),
        ({"due_date": None}, ("due_date", "required_date")),
        ({"due_date": date(2020, 1, 1)}, ("due_date", "due_in_past")),
        ({"due_date": date(2040, 1, 1)}, ("due_date", "due_too_far")),
        ({"priority": "whenever"}, ("priority", "unknown_choice")),
        ({"unit_ids": []}, ("assignee", "required_choice")),
    ],
)
def test_bad_assignments_say_what_to_fix_and_write_nothing(
    demo_store: Store, people: dict[str, Viewer], fields: dict, problem: tuple[str, str]
) -> None:
    before = count(demo_store, Task)
    args = {"title": "Báo cáo", "due_date": due(), "unit_ids": [unit_id(demo_store, "W00070")], **fields}
    with pytest.raises(Invalid) as raised:
        commands.assign(demo_store, viewer=people["city_manager"], **args)
    assert raised.value.problems[problem[0]] == problem[1]
    assert count(demo_store, Task) == before


def test_staff_and_out_of_scope_assignments_are_refused_and_audited(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    before = count(demo_store, Task)
    with pytest.raises(Forbidden):
        commands.assign(
            demo_store, viewer=people["staff"], title="X", due_date=due(), unit_ids=[people["staff"].scope_unit_id]
        )
    other_ward = unit_id(demo_store, "W00592")
    with pytest.raises(Forbidden):
        commands.assign(demo_store, viewer=people["ward_leader"], title="X", due_date=due(), unit_ids=[other_ward])
    assert count(demo_store, Task) == before
    denied = count(demo_store, AuditEntry, AuditEntry.action == "task.assign", AuditEntry.outcome == "denied")
    assert denied == 2


# --- the life of a task ---------------------------------------------------------------------


def test_ward_reports_hands_in_and_the_manager_accepts(demo_store: Store, people: dict[str, Viewer]) -> None:
    manager, ward_staff = people["city_manager"], people["ward_staff"]
    ward = unit_id(demo_store, "W00070")
    with demo_store.read() as session:
        year = session.execute(select(Period.id).where(Period.code == str(today().year))).scalar_one()
        open_before = session.get(UnitRollup, (ward, year)).tasks_open
        done_before = session.get(UnitRollup, (ward, year)).tasks_done_on_time
    task_id = ward_task(demo_store, people)
    with demo_store.read() as session:
        assert session.get(UnitRollup, (ward, year)).tasks_open == open_before + 1  # the dashboards see it at once

    state = commands.report_progress(
        demo_store,
        viewer=ward_staff,
        task_id=task_id,
        version=version_of(demo_store, task_id),
        progress_pct=40,
        comment="Đã rà soát 40% hồ sơ",
        evidence_url="https://dvc.hanoi.gov.vn/bao-cao",
    )
    assert state.status == "in_progress"
    state = commands.mark_done(demo_store, viewer=ward_staff, task_id=task_id, version=state.version, comment="Xong")
    assert state.status == "submitted"
    with demo_store.read() as session:
        waiting = (
            session.execute(
                select(Notification).where(Notification.user_id == manager.user_id, Notification.kind == "submitted")
            )
            .scalars()
            .all()
        )
    assert [n.task_id for n in waiting] == [task_id]
    state = commands.accept(
        demo_store,
        viewer=manager,
        task_id=task_id,
        version=state.version,
        quality_accepted=True,
        major_errors=1,
        comment="Còn một lỗi lớn",
    )
    assert state.status == "done"
    assert state.version == 4  # one version step per action, notices included

    with demo_store.read() as session:
        task = session.get(Task, task_id)
        rollup = session.get(UnitRollup, (ward, year))
        detail_for_staff = work.task_detail(session, viewer=ward_staff, task_id=task_id, today=today())
        detail_for_manager = work.task_detail(session, viewer=manager, task_id=task_id, today=today())
    assert (task.major_errors, task.delays, task.quality_accepted, task.progress_pct) == (1, 0, True, 100)
    assert task.completed_on == today()
    assert rollup.tasks_open == open_before and rollup.tasks_done_on_time == done_before + 1
    kinds = ["progress", "done", "accepted"]
    assert [c.kind for c in detail_for_staff.checkins] == kinds == [c.kind for c in detail_for_manager.checkins]
    assert detail_for_staff.checkins[0].evidence_url == "https://dvc.hanoi.gov.vn/bao-cao"
    assert detail_for_staff.actions == frozenset() and detail_for_manager.actions == frozenset()


def test_return_with_reason_reaches_the_ward_and_work_resumes(demo_store: Store, people: dict[str, Viewer]) -> None:
    manager, ward_staff, ward_leader = people["city_manager"], people["ward_staff"], people["ward_leader"]
    task_id = ward_task(demo_store, people)
    state = commands.mark_done(demo_store, viewer=ward_staff, task_id=task_id, version=version_of(demo_store, task_id))
    with pytest.raises(Invalid) as raised:
        commands.return_task(demo_store, viewer=manager, task_id=task_id, version=state.version, reason="  ")
    assert raised.value.problems == {"reason": "reason_required"}
    state = commands.return_task(
        demo_store, viewer=manager, task_id=task_id, version=state.version, reason="Thiếu số liệu phường"
    )
    assert state.status == "returned"
    with demo_store.read() as session:
        notice = session.execute(
            select(Notification).where(Notification.user_id == ward_leader.user_id, Notification.kind == "returned")
        ).scalar_one()
    assert notice.detail == "Thiếu số liệu phường" and notice.task_id == task_id
    state = commands.report_progress(
        demo_store, viewer=ward_staff, task_id=task_id, version=state.version, progress_pct=80
    )
    assert state.status == "in_progress"


def test_extension_counts_a_delay_and_late_hand_in_another(demo_store: Store, people: dict[str, Viewer]) -> None:
    manager, ward_staff = people["city_manager"], people["ward_staff"]
    task_id = ward_task(demo_store, people)
    with demo_store.read() as session:
        first_due = session.get(Task, task_id).due_date
    with pytest.raises(Invalid) as raised:
        commands.extend(
            demo_store,
            viewer=manager,
            task_id=task_id,
            version=version_of(demo_store, task_id),
            new_due_date=first_due,
            reason="Chờ số liệu",
        )
    assert raised.value.problems == {"due_date": "not_later"}
    state = commands.extend(
        demo_store,
        viewer=manager,
        task_id=task_id,
        version=version_of(demo_store, task_id),
        new_due_date=first_due + timedelta(days=7),
        reason="Chờ số liệu",
    )
    with demo_store.write() as session:  # the work comes in after the new deadline
        task = session.get(Task, task_id)
        assert (task.delays, task.original_due_date, task.due_date) == (1, first_due, first_due + timedelta(days=7))
        task.due_date = today() - timedelta(days=2)
    state = commands.mark_done(demo_store, viewer=ward_staff, task_id=task_id, version=version_of(demo_store, task_id))
    commands.accept(demo_store, viewer=manager, task_id=task_id, version=state.version)
    with demo_store.read() as session:
        assert session.get(Task, task_id).delays == 2


def test_cancel_needs_a_reason_and_only_the_assigner_side_may(demo_store: Store, people: dict[str, Viewer]) -> None:
    task_id = ward_task(demo_store, people)
    with pytest.raises(Forbidden):
        commands.cancel(
            demo_store,
            viewer=people["ward_staff"],
            task_id=task_id,
            version=version_of(demo_store, task_id),
            reason="Không làm",
        )
    with pytest.raises(Forbidden):  # the assignee side cannot accept its own work either
        commands.accept(
            demo_store, viewer=people["ward_leader"], task_id=task_id, version=version_of(demo_store, task_id)
        )
    state = commands.cancel(
        demo_store,
        viewer=people["city_leader"],
        task_id=task_id,
        version=version_of(demo_store, task_id),
        reason="Trùng với nhiệm vụ khác",
    )
    assert state.status == "cancelled"
    with pytest.raises(Invalid) as raised:
        commands.report_progress(
            demo_store,
            viewer=people["ward_staff"],
            task_id=task_id,
            version=version_of(demo_store, task_id),
            progress_pct=10,
        )
    assert raised.value.problems == {"status": "not_allowed_now"}
    denied = count(demo_store, AuditEntry, AuditEntry.entity == "task", AuditEntry.outcome == "denied")
    assert denied == 2


def test_tasks_outside_the_scope_do_not_exist_for_the_viewer(demo_store: Store, people: dict[str, Viewer]) -> None:
    task_id = ward_task(demo_store, people)
    with pytest.raises(NotFound):
        commands.report_progress(
            demo_store,
            viewer=people["staff"],
            task_id=task_id,
            version=version_of(demo_store, task_id),
            progress_pct=10,
        )
    with demo_store.read() as session, pytest.raises(NotFound):
        work.task_detail(session, viewer=people["staff"], task_id=task_id, today=today())


@pytest.mark.parametrize(
    ("pct", "url", "problems"),
    [
        (101, None, {"progress_pct": "percent_range"}),
        (-1, None, {"progress_pct": "percent_range"}),
        ("40", None, {"progress_pct": "required_number"}),
        (40, "javascript:alert(1)", {"evidence_url": "bad_url"}),
        (40, "/relative/path", {"evidence_url": "bad_url"}),
    ],
)
def test_bad_progress_reports_are_refused(
    demo_store: Store, people: dict[str, Viewer], pct: object, url: str | None, problems: dict
) -> None:
    task_id = ward_task(demo_store, people)
    with pytest.raises(Invalid) as raised:
        commands.report_progress(
            demo_store,
            viewer=people["ward_staff"],
            task_id=task_id,
            version=version_of(demo_store, task_id),
            progress_pct=pct,
            evidence_url=url,
        )
    assert raised.value.problems == problems
    assert count(demo_store, TaskCheckin, TaskCheckin.task_id == task_id) == 0


# --- integrity ------------------------------------------------------------------------------


def test_second_editor_on_a_stale_copy_is_told_who_changed_it(demo_store: Store, people: dict[str, Viewer]) -> None:
    task_id = ward_task(demo_store, people)
    seen_by_both = version_of(demo_store, task_id)
    commands.report_progress(
        demo_store, viewer=people["ward_staff"], task_id=task_id, version=seen_by_both, progress_pct=30
    )
    with pytest.raises(Conflict) as raised:
        commands.report_progress(
            demo_store,
            viewer=people["ward_leader"],
            task_id=task_id,
            version=seen_by_both,
            progress_pct=50,
            comment="Tôi cũng cập nhật",
        )
    assert raised.value.changed_by == DEMO_USERNAMES["ward_staff"] and raised.value.changed_at is not None
    with demo_store.read() as session:
        task = session.get(Task, task_id)
    assert task.progress_pct == 30  # the first report stands; the second was refused, not merged
    assert count(demo_store, TaskCheckin, TaskCheckin.task_id == task_id) == 1


def test_concurrent_reports_commit_or_conflict_and_nothing_is_lost(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    """Threads race to report on the same task with the version they read: every attempt either
    commits (one check-in, one audit entry, one version step) or is told of a conflict."""
    task_id = ward_task(demo_store, people)
    start_version = version_of(demo_store, task_id)
    attempts, barrier = 12, threading.Barrier(12)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        seen = version_of(demo_store, task_id)
        barrier.wait()
        try:
            commands.report_progress(
                demo_store, viewer=people["ward_staff"], task_id=task_id, version=seen, progress_pct=n
            )
            result = "committed"
        except Conflict:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    committed, conflicts = outcomes.count("committed"), outcomes.count("conflict")
    assert committed + conflicts == attempts == len(outcomes)
    assert committed >= 1 and conflicts >= 1
    assert version_of(demo_store, task_id) == start_version + committed
    assert count(demo_store, TaskCheckin, TaskCheckin.task_id == task_id) == committed
    assert (
        count(demo_store, AuditEntry, AuditEntry.action == "task.progress", AuditEntry.entity_id == str(task_id))
        == committed
    )


def test_a_failure_mid_assignment_leaves_no_partial_rows(
    demo_store: Store, people: dict[str, Viewer], monkeypatch: pytest.MonkeyPatch
) -> None:
    with demo_store.read() as session:
        wards = session.execute(select(OrgUnit.id).where(OrgUnit.kind == "ward")).scalars().all()
    before = (count(demo_store, Task), count(demo_store, Notification), count(demo_store, AuditEntry))
    calls = {"n": 0}
    real_notify = commands.notify

    def failing_notify(session, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # the first copy is written, the second fails half-way
            raise RuntimeError("disk full")
        return real_notify(session, **kwargs)

    monkeypatch.setattr(commands, "notify", failing_notify)
    with pytest.raises(RuntimeError):
        commands.assign(demo_store, viewer=people["city_manager"], title="Báo cáo", due_date=due(), unit_ids=wards)
    assert (count(demo_store, Task), count(demo_store, Notification), count(demo_store, AuditEntry)) == before


def test_work_counts_follow_the_tasks(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward_leader = people["ward_leader"]
    with demo_store.read() as session:
        before = work.work_counts(session, viewer=ward_leader, today=today())
    ward_task(demo_store, people)
    commands.assign(
        demo_store, viewer=people["city_manager"], title="Gấp", due_date=due(1), unit_ids=[ward_leader.scope_unit_id]
    )
    with demo_store.read() as session:
        after = work.work_counts(session, viewer=ward_leader, today=today())
    assert after.open_to_me == before.open_to_me + 2
    assert after.due_soon_to_me == before.due_soon_to_me + 1
    assert after.unread_notices == before.unread_notices + 2


def test_the_assigner_follows_every_copy_of_a_batch_and_a_ward_only_its_own(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    manager, ward_staff = people["city_manager"], people["ward_staff"]
    with demo_store.read() as session:
        wards = session.execute(select(OrgUnit.id).where(OrgUnit.kind == "ward").order_by(OrgUnit.id)).scalars().all()
    ids = commands.assign(demo_store, viewer=manager, title="Báo cáo quý", due_date=due(5), unit_ids=wards)
    hoan_kiem = unit_id(demo_store, "W00070")
    with demo_store.read() as session:
        own_copy = session.execute(
            select(Task.id).where(Task.id.in_(ids), Task.assignee_unit_id == hoan_kiem)
        ).scalar_one()
        batch = session.get(Task, own_copy).batch_key
    state = commands.mark_done(
        demo_store, viewer=ward_staff, task_id=own_copy, version=version_of(demo_store, own_copy)
    )
    commands.accept(demo_store, viewer=manager, task_id=own_copy, version=state.version)
    with demo_store.read() as session:
        seen_by_manager = work.batch_copies(session, viewer=manager, batch_key=batch, today=today())
        seen_by_ward = work.batch_copies(session, viewer=ward_staff, batch_key=batch, today=today())
    assert len(seen_by_manager) == len(wards)
    assert seen_by_manager[-1].task_id == own_copy and seen_by_manager[-1].status == "done"  # who delivered comes last
    assert [c.task_id for c in seen_by_ward] == []  # a division's official sees no other ward's copy...
    with demo_store.read() as session:
        seen_by_leader = work.batch_copies(session, viewer=people["ward_leader"], batch_key=batch, today=today())
    assert [c.task_id for c in seen_by_leader] == [own_copy]  # ...and the ward's leader only the ward's own

"""Assignment a manager can use (issue 15, section 4), on SQLite and PostgreSQL: the unit picker names each
division with its ward or department and matches without accents; a division manager assigns to a person of
the division with the task linked to an indicator and a file attached; the assigner rewords a task under way
(audited, the assignee told) and nobody else may; people's names, not logins, on tasks and check-ins.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from config.clock import today
from data_access.commands import tasks as commands
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid
from data_access.evidence_store import FolderStore
from data_access.models import AuditEntry, Notification, Person, Task, User
from data_access.queries import work
from data_access.viewer import Viewer
from domain.evidence import Upload
from domain.text import fold
from tests.support.evidence_files import pdf_bytes
from tests.support.viewers import demo_viewers


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def test_the_unit_picker_names_each_division_with_its_ward(demo_store: Store, people: dict[str, Viewer]) -> None:
    with demo_store.read() as session:
        units = work.assignable_units(session, viewer=people["city_manager"])
    labels = [u.label for u in units]
    assert len(labels) == len(set(labels)), "no two units look the same in the picker"
    economy = [u for u in units if u.label.startswith("Phòng Kinh tế — ")]
    assert len(economy) >= 2  # one per ward, told apart by the ward's name
    assert all(u.label.split(" — ")[1].startswith("Phường") for u in economy)
    # Typed without accents, "phong kinh te" finds them.
    assert all("phong kinh te" in u.search for u in economy)
    assert all(fold(u.label) in u.search for u in units)


def test_a_division_manager_assigns_to_a_person_linked_to_an_indicator_with_a_file(
    demo_store: Store, people: dict[str, Viewer], tmp_path: Path
) -> None:
    manager = people["manager"]
    with demo_store.read() as session:
        (division,) = work.assignable_units(session, viewer=manager)
        assert division.label == "Phòng Quản lý công nghệ — Sở Khoa học và Công nghệ"
        team = work.assignable_people(session, viewer=manager, unit_id=division.value)
        goals = work.linkable_goals(session, viewer=manager, unit_ids=[division.value], year=today().year)
    staff = next(p for p in team if p.value == people["staff"].person_id)
    indicator = next(g for g in goals if g.kind == "indicator")
    files = FolderStore(tmp_path)
    (task_id,) = commands.assign(
        demo_store,
        viewer=manager,
        title="Tổng hợp số liệu hồ sơ điện tử",
        due_date=today() + timedelta(days=7),
        person_id=staff.value,
        indicator_id=int(indicator.value.split(":")[1]),
        attachments=[Upload("Hướng dẫn.pdf", pdf_bytes())],
        files=files,
    )
    with demo_store.read() as session:
        task = work.task_detail(session, viewer=people["staff"], task_id=task_id, today=today())
    assert task.indicator == indicator.name
    assert task.assignee_person == staff.label
    assert task.assigner == manager.person_name  # "Người giao: Lê Bảo Hà (...)", not "truongphong.khcn"
    assert [a.filename for a in task.attachments] == ["Hướng dẫn.pdf"]


def test_a_division_manager_cannot_give_work_outside_the_division(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward_official = people["ward_staff"].person_id
    with pytest.raises(Forbidden):
        commands.assign(
            demo_store,
            viewer=people["manager"],
            title="Ngoài phạm vi",
            due_date=today() + timedelta(days=7),
            person_id=ward_official,
        )


def _task_for_staff(store: Store, people: dict[str, Viewer]) -> int:
    (task_id,) = commands.assign(
        store,
        viewer=people["manager"],
        title="Báo cáo tuần",
        description="Số liệu tuần 49",
        due_date=today() + timedelta(days=5),
        person_id=people["staff"].person_id,
    )
    return task_id


def test_the_assigner_rewords_a_task_and_the_assignee_is_told(demo_store: Store, people: dict[str, Viewer]) -> None:
    task_id = _task_for_staff(demo_store, people)
    with demo_store.read() as session:
        before = work.task_detail(session, viewer=people["manager"], task_id=task_id, today=today())
    assert before.editable
    state = commands.edit(
        demo_store,
        viewer=people["manager"],
        task_id=task_id,
        version=before.version,
        title="Báo cáo tuần 49 (bổ sung số liệu)",
        description="Thêm số liệu hồ sơ trực tuyến",
    )
    assert state.version == before.version + 1
    with demo_store.read() as session:
        task = session.get(Task, task_id)
        assert task is not None and task.title == "Báo cáo tuần 49 (bổ sung số liệu)"
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "task.edit", AuditEntry.entity_id == str(task_id))
        ).scalar_one()
        assert json.loads(entry.before_json or "{}")["title"] == "Báo cáo tuần"
        assert json.loads(entry.after_json or "{}")["title"] == "Báo cáo tuần 49 (bổ sung số liệu)"
        told = (
            session.execute(
                select(Notification.user_id).where(Notification.task_id == task_id, Notification.kind == "edited")
            )
            .scalars()
            .all()
        )
        assert told == [people["staff"].user_id]
        staff_view = work.task_detail(session, viewer=people["staff"], task_id=task_id, today=today())
    assert not staff_view.editable


def test_only_the_assigner_rewords_and_a_stale_page_is_refused(demo_store: Store, people: dict[str, Viewer]) -> None:
    task_id = _task_for_staff(demo_store, people)
    with demo_store.read() as session:
        version = work.task_version(session, viewer=people["staff"], task_id=task_id)
    with pytest.raises(Forbidden):
        commands.edit(demo_store, viewer=people["staff"], task_id=task_id, version=version, title="Tự sửa")
    with pytest.raises(Invalid) as problem:
        commands.edit(demo_store, viewer=people["manager"], task_id=task_id, version=version, title="   ")
    assert problem.value.problems == {"title": "required"}
    commands.edit(demo_store, viewer=people["manager"], task_id=task_id, version=version, title="Lần một")
    with pytest.raises(Conflict):
        commands.edit(demo_store, viewer=people["manager"], task_id=task_id, version=version, title="Lần hai")
    with demo_store.read() as session:
        task = session.get(Task, task_id)
        assert task is not None and task.title == "Lần một"


def test_check_ins_are_signed_by_the_person(demo_store: Store, people: dict[str, Viewer]) -> None:
    task_id = _task_for_staff(demo_store, people)
    with demo_store.read() as session:
        version = work.task_version(session, viewer=people["staff"], task_id=task_id)
    commands.report_progress(
        demo_store, viewer=people["staff"], task_id=task_id, version=version, progress_pct=30, comment="Đang làm"
    )
    with demo_store.read() as session:
        task = work.task_detail(session, viewer=people["manager"], task_id=task_id, today=today())
        name = session.execute(
            select(Person.full_name).join(User, User.person_id == Person.id).where(User.id == people["staff"].user_id)
        ).scalar_one()
    assert task.checkins[-1].author == name != people["staff"].username

"""A plan from Excel on the real store (SQLite and PostgreSQL): the plan export is the template. A ward
leader exports the ward's draft plan, changes a target, adds an objective with a key result and its
trajectory and two bad rows, and imports it: exactly the bad rows are reported, the rest lands in the
draft; the same file again writes nothing; bad files write nothing; another ward's plan is refused
(audited), and a plan waiting for approval takes nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from data_access import plan_imports
from data_access.commands import plans as commands
from data_access.db import Store
from data_access.errors import Forbidden, Invalid
from data_access.exports import plan_workbook
from data_access.models import AuditEntry, ImportJob, Indicator, Objective, Period, Plan, TrajectoryPoint
from data_access.viewer import Viewer
from domain.plan_imports import choice_labels
from domain.plan_items import ObjectiveDraft
from tests.conftest import TEST_TODAY
from tests.data.test_plan_commands import HOAN_KIEM, TU_LIEM, YEAR, key_result, people, unit_id  # noqa: F401

LABELS = choice_labels()
ONLINE = "Hồ sơ trực tuyến của phường"
NEW_OBJECTIVE = "Cải cách hành chính phường Hoàn Kiếm"


def ward_draft(store: Store, leader: Viewer) -> int:
    """The ward's draft plan: one objective with two key results (with quarterly trajectories)."""
    ward = unit_id(store, HOAN_KIEM)
    objective = commands.add_objective(
        store,
        viewer=leader,
        unit_id=ward,
        period_code=YEAR,
        draft=ObjectiveDraft(title="Chuyển đổi số phường Hoàn Kiếm", source_kind="key_task", weight=1),
    )
    for name, baseline, target in ((ONLINE, 50, 85), ("Thủ tục giải quyết đúng hạn", 80, 98)):
        commands.add_indicator(
            store, viewer=leader, objective_id=objective.id, draft=key_result(name, baseline=baseline, target=target)
        )
    return ward


def exported(store: Store, viewer: Viewer, ward: int) -> Any:
    with store.read() as session:
        content = plan_workbook(session, viewer=viewer, unit_id=ward, period_code=YEAR)
    return load_workbook(io.BytesIO(content))


def as_bytes(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def changed_file(store: Store, viewer: Viewer, ward: int) -> bytes:
    """The export with: the online target raised from 85 to 90 (its last point too), a new objective
    with a key result and two points, and two bad rows (a target that is no number, a key result of
    an objective number not in the file)."""
    book = exported(store, viewer, ward)
    objectives, key_results, trajectory = (book.worksheets[i] for i in range(3))
    new = max(row[0].value for row in objectives.iter_rows(min_row=3)) + 1  # the next objective number
    for row in key_results.iter_rows(min_row=2):
        if row[2].value == ONLINE:
            row[6].value = 90
    for row in trajectory.iter_rows(min_row=2):
        if row[1].value == ONLINE and row[3].value == 85:
            row[3].value = 90
    objectives.append([new, NEW_OBJECTIVE, "regular_work", "Kế hoạch 12/KH-UBND", 1, "", ""])
    kr = [new, NEW_OBJECTIVE, "Hồ sơ một cửa đúng hạn", "%", "increase", 70, 95, None, None, None, None, 100, 100]
    key_results.append([*kr, "last", "quarterly", "", "Yes", "entered"])
    bad_target = [new, NEW_OBJECTIVE, "Chỉ tiêu gõ sai", "%", "increase", 10, "chín mươi", None, None, None, None, 1, 1]
    key_results.append([*bad_target, "last", "quarterly", "", "No", "entered"])
    no_objective = [new + 5, "?", "Kết quả không có mục tiêu", "%", "increase", 1, 2, None, None, None, None, 1, 1]
    key_results.append([*no_objective, "last", "quarterly", "", "No", "entered"])
    trajectory.append([new, "Hồ sơ một cửa đúng hạn", datetime(TEST_TODAY.year, 6, 30), 80])
    trajectory.append([new, "Hồ sơ một cửa đúng hạn", f"31/12/{TEST_TODAY.year}", 95])
    return as_bytes(book)


def run_import(store: Store, viewer: Viewer, ward: int, content: bytes) -> tuple[Any, list[dict[str, Any]]]:
    state = plan_imports.stage(
        store, viewer=viewer, unit_id=ward, period_code=YEAR, filename="ke-hoach.xlsx", content=content, labels=LABELS
    )
    state = plan_imports.run(store, viewer=viewer, job_id=state.job_id)
    assert state.status == "checked"
    with store.read() as session:
        return plan_imports.job_report(session, viewer=viewer, job_id=state.job_id)


def count(store: Store, model: Any, *where: Any) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_an_exported_plan_changed_and_imported_lands_in_the_draft_and_only_the_bad_rows_are_reported(
    demo_store: Store,
    people: dict[str, Viewer],  # noqa: F811
) -> None:
    leader = people["ward_leader"]
    ward = ward_draft(demo_store, leader)
    content = changed_file(demo_store, leader, ward)
    objectives_before = count(demo_store, Objective, Objective.unit_id == ward)

    checked, report = run_import(demo_store, leader, ward, content)
    wrong = {(e["sheet"], e["label"]): e["problems"] for e in report if e["problems"]}
    assert wrong == {
        ("key_results", "Chỉ tiêu gõ sai"): {"target": "not_a_number"},
        ("key_results", "Kết quả không có mục tiêu"): {"objective": "objective_not_in_file"},
    }
    assert (checked.valid, checked.invalid) == (len(report) - 2, 2)
    assert count(demo_store, Objective, Objective.unit_id == ward) == objectives_before  # nothing written yet

    plan_imports.start_import(demo_store, viewer=leader, job_id=checked.job_id)
    done = plan_imports.run(demo_store, viewer=leader, job_id=checked.job_id)
    assert done.status == "imported"

    with demo_store.read() as session:
        online = session.execute(select(Indicator).where(Indicator.name == ONLINE)).scalar_one()
        assert (online.baseline, online.target, online.published) == (50, 90, False)
        points = session.execute(
            select(TrajectoryPoint.at, TrajectoryPoint.value)
            .where(TrajectoryPoint.indicator_id == online.id)
            .order_by(TrajectoryPoint.at)
        ).all()
        assert points[-1] == (date(TEST_TODAY.year, 12, 31), 90)
        new = session.execute(select(Objective).where(Objective.title == NEW_OBJECTIVE)).scalar_one()
        assert (new.unit_id, new.source_kind, new.source_ref, new.published) == (
            ward,
            "regular_work",
            "Kế hoạch 12/KH-UBND",
            False,
        )
        (added,) = session.execute(select(Indicator).where(Indicator.objective_id == new.id)).scalars()
        assert (added.name, added.target, added.frequency, added.evidence_required) == (
            "Hồ sơ một cửa đúng hạn",
            95,
            "quarterly",
            True,
        )
        added_points = (
            session.execute(
                select(TrajectoryPoint.value)
                .where(TrajectoryPoint.indicator_id == added.id)
                .order_by(TrajectoryPoint.at)
            )
            .scalars()
            .all()
        )
        assert added_points == [80, 95]
        assert (
            session.execute(
                select(Plan.status).where(Plan.unit_id == ward, Plan.period_id == online.period_id)
            ).scalar_one()
            == "draft"
        )
        assert not session.execute(select(Indicator).where(Indicator.name == "Chỉ tiêu gõ sai")).first()
        imported_edits = session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.action.in_(("objective.create", "indicator.create", "indicator.edit", "objective.edit")),
                AuditEntry.user_id == leader.user_id,
                AuditEntry.after_json.contains('"import"'),
            )
        ).scalar_one()
    assert imported_edits == 3  # the new objective, its key result, the changed target; nothing else

    # The same file again: every row is the same as the plan now, nothing is written.
    writes_before = count(demo_store, AuditEntry, AuditEntry.after_json.contains('"import"'))
    again, report = run_import(demo_store, leader, ward, content)
    assert [e["action"] for e in report if not e["problems"]] == ["unchanged"] * again.valid
    plan_imports.start_import(demo_store, viewer=leader, job_id=again.job_id)
    rested = plan_imports.run(demo_store, viewer=leader, job_id=again.job_id)
    assert rested.status == "imported" and rested.saved == 0
    assert count(demo_store, AuditEntry, AuditEntry.after_json.contains('"import"')) == writes_before


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (80 * 1024 * 1024) + b"</a>")
    return out.getvalue()


def _values_template() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Id", "Code", "Indicator", "Unit", "Measured in", "Allowed", "Date", "Value", "Comment"])
    book.active.append([1, "KPI", "x", "y", "%", "", "2026-01-01", 3, ""])
    return as_bytes(book)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"x" * (plan_imports.MAX_BYTES + 1), "file_too_large"),
        ("bomb", "file_unpacks_too_large"),
        (b"PK\x03\x04 not really a workbook", "unreadable_file"),
        ("values", "wrong_columns"),
    ],
)
def test_a_bad_file_is_refused_whole_and_writes_nothing(
    demo_store: Store,
    people: dict[str, Viewer],  # noqa: F811
    content: Any,
    code: str,
) -> None:
    leader = people["ward_leader"]
    ward = ward_draft(demo_store, leader)
    body = {"bomb": _zip_bomb, "values": _values_template}[content]() if isinstance(content, str) else content
    jobs, objectives = count(demo_store, ImportJob), count(demo_store, Objective)
    with pytest.raises(Invalid) as refused:
        plan_imports.stage(
            demo_store, viewer=leader, unit_id=ward, period_code=YEAR, filename="x.xlsx", content=body, labels=LABELS
        )
    assert refused.value.problems == {"file": code}
    assert (count(demo_store, ImportJob), count(demo_store, Objective)) == (jobs, objectives)


def test_another_wards_plan_is_refused_and_audited_and_a_submitted_plan_takes_nothing(
    demo_store: Store,
    people: dict[str, Viewer],  # noqa: F811
) -> None:
    leader = people["ward_leader"]
    ward = ward_draft(demo_store, leader)
    content = changed_file(demo_store, leader, ward)
    denied = count(demo_store, AuditEntry, AuditEntry.outcome == "denied", AuditEntry.user_id == leader.user_id)
    with pytest.raises(Forbidden):
        plan_imports.stage(
            demo_store,
            viewer=leader,
            unit_id=unit_id(demo_store, TU_LIEM),
            period_code=YEAR,
            filename="x.xlsx",
            content=content,
            labels=LABELS,
        )
    assert (
        count(demo_store, AuditEntry, AuditEntry.outcome == "denied", AuditEntry.user_id == leader.user_id)
        == denied + 1
    )

    with demo_store.read() as session:
        period = session.execute(select(Period.id).where(Period.code == YEAR)).scalar_one()
        plan = session.execute(select(Plan).where(Plan.unit_id == ward, Plan.period_id == period)).scalar_one()
    commands.submit_plan(demo_store, viewer=leader, plan_id=plan.id, version=plan.version)
    checked, report = run_import(demo_store, leader, ward, content)
    changes = [e for e in report if e["action"] != "unchanged"]
    assert changes and all(e["problems"].get("plan") == "plan_locked" or e["problems"] for e in changes)
    assert {e["label"] for e in changes if e["problems"] == {"plan": "plan_locked"}} >= {NEW_OBJECTIVE, ONLINE}
    plan_imports.start_import(demo_store, viewer=leader, job_id=checked.job_id)
    assert plan_imports.run(demo_store, viewer=leader, job_id=checked.job_id).saved == 0

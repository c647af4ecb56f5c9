"""The pure rules of work management: task states and who may move them, deadlines, delays,
input checks; values typed in each language, and when a month still takes reports."""

from __future__ import annotations

from datetime import date

import pytest

from domain.indicators import Direction
from domain.kinds import TaskStatus
from domain.measurements import ReportingWindow, ValueRules, parse_number, value_problems
from domain.tasks import (
    DueState,
    NewTask,
    TaskAction,
    allowed_actions,
    delays_at_acceptance,
    due_state,
    extension_problems,
    next_status,
    period_state,
    progress_problems,
    safe_url,
    task_problems,
)

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("status", "assigner", "assignee", "expected"),
    [
        (TaskStatus.OPEN, False, True, {TaskAction.PROGRESS, TaskAction.DONE}),
        (TaskStatus.OPEN, True, False, {TaskAction.EXTEND, TaskAction.CANCEL}),
        (
            TaskStatus.SUBMITTED,
            True,
            False,
            {TaskAction.ACCEPT, TaskAction.RETURN, TaskAction.EXTEND, TaskAction.CANCEL},
        ),
        (TaskStatus.SUBMITTED, False, True, set()),  # handed in: the assignee waits
        (TaskStatus.RETURNED, False, True, {TaskAction.PROGRESS, TaskAction.DONE}),
        (TaskStatus.DONE, True, True, set()),
        (TaskStatus.CANCELLED, True, True, set()),
        (TaskStatus.IN_PROGRESS, False, False, set()),  # an onlooker does nothing
    ],
)
def test_allowed_actions(status: TaskStatus, assigner: bool, assignee: bool, expected: set[TaskAction]) -> None:
    assert allowed_actions(status, is_assigner=assigner, is_assignee=assignee) == expected


def test_transitions() -> None:
    assert next_status(TaskAction.PROGRESS, TaskStatus.OPEN) is TaskStatus.IN_PROGRESS
    assert next_status(TaskAction.DONE, TaskStatus.RETURNED) is TaskStatus.SUBMITTED
    assert next_status(TaskAction.ACCEPT, TaskStatus.SUBMITTED) is TaskStatus.DONE
    assert next_status(TaskAction.RETURN, TaskStatus.SUBMITTED) is TaskStatus.RETURNED
    assert next_status(TaskAction.EXTEND, TaskStatus.IN_PROGRESS) is TaskStatus.IN_PROGRESS
    with pytest.raises(ValueError, match="not possible"):
        next_status(TaskAction.ACCEPT, TaskStatus.OPEN)


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        (TaskStatus.OPEN, date(2026, 11, 19), DueState.OVERDUE),
        (TaskStatus.IN_PROGRESS, date(2026, 11, 20), DueState.DUE_SOON),
        (TaskStatus.RETURNED, date(2026, 11, 23), DueState.DUE_SOON),  # three days ahead
        (TaskStatus.OPEN, date(2026, 11, 24), DueState.ON_TIME),
        (TaskStatus.DONE, date(2026, 1, 1), DueState.CLOSED),
        (TaskStatus.CANCELLED, date(2026, 1, 1), DueState.CLOSED),
    ],
)
def test_due_state(status: TaskStatus, due: date, expected: DueState) -> None:
    assert due_state(status, due, TODAY) is expected


def test_delays_at_acceptance() -> None:
    assert delays_at_acceptance(0, completed_on=date(2026, 11, 20), due=date(2026, 11, 20)) == 0
    assert delays_at_acceptance(0, completed_on=date(2026, 11, 21), due=date(2026, 11, 20)) == 1
    assert delays_at_acceptance(2, completed_on=date(2026, 11, 21), due=date(2026, 11, 20)) == 3


def test_new_task_checks() -> None:
    good = NewTask(title="Báo cáo", due_date=date(2026, 12, 1), start_date=TODAY)
    assert task_problems(good, today=TODAY) == {}
    assert task_problems(
        NewTask(title="x", due_date=date(2026, 11, 25), start_date=date(2026, 11, 30)), today=TODAY
    ) == {"due_date": "due_before_start"}
    assert extension_problems(current_due=date(2026, 12, 1), new_due=date(2026, 12, 5), today=TODAY, reason="") == {
        "reason": "reason_required"
    }


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://dvc.hanoi.gov.vn/ho-so/1", True),
        ("http://10.0.0.5/minh-chung.pdf", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example/x", False),
        ("https://", False),
        ("https://a.vn/x y", False),
    ],
)
def test_safe_url(url: str, safe: bool) -> None:
    assert safe_url(url) is safe
    assert ("evidence_url" in progress_problems(50, "", url)) is not safe


@pytest.mark.parametrize(
    ("raw", "decimal_comma", "value"),
    [
        ("1.234,5", True, 1234.5),
        ("1 234,5", True, 1234.5),
        ("12,5%", True, 12.5),
        ("1,234.5", False, 1234.5),
        ("0,5", True, 0.5),
        ("1,2,3", True, None),
        ("", True, None),
        ("mười", True, None),
        (7, True, 7.0),
        (True, True, None),
    ],
)
def test_numbers_typed_in_each_language(raw: object, decimal_comma: bool, value: float | None) -> None:
    assert parse_number(raw, decimal_comma=decimal_comma) == value


OPEN_NOVEMBER = ReportingWindow(month_end=date(2026, 11, 30), grace_days=10, locked=False)


@pytest.mark.parametrize(
    ("rules", "value", "problems"),
    [
        (ValueRules(Direction.DONE, 2026), 1.0, {}),
        (ValueRules(Direction.DONE, 2026), 0.5, {"value": "done_zero_one"}),
        (ValueRules(Direction.MILESTONES, 2026, milestones_total=4), 3.0, {}),
        (ValueRules(Direction.MILESTONES, 2026, milestones_total=4), 5.0, {"value": "milestones_range"}),
        (ValueRules(Direction.MILESTONES, 2026, milestones_total=4), 2.5, {"value": "milestones_range"}),
        (ValueRules(Direction.INCREASE, 2026, min_value=0, max_value=100), 100.0, {}),
        (ValueRules(Direction.INCREASE, 2026, min_value=0, max_value=100), 100.1, {"value": "value_range"}),
        (ValueRules(Direction.INCREASE, 2026), float("nan"), {"value": "required_number"}),
        (ValueRules(Direction.INCREASE, 2026), 1e13, {"value": "value_range"}),
    ],
)
def test_value_checks(rules: ValueRules, value: float, problems: dict[str, str]) -> None:
    assert value_problems(rules, value, date(2026, 11, 20), today=TODAY, window=OPEN_NOVEMBER) == problems


def test_grace_window_boundary() -> None:
    october = ReportingWindow(month_end=date(2026, 10, 31), grace_days=20, locked=False)
    rules = ValueRules(Direction.INCREASE, 2026)
    assert value_problems(rules, 1.0, date(2026, 10, 15), today=date(2026, 11, 20), window=october) == {}
    assert value_problems(rules, 1.0, date(2026, 10, 15), today=date(2026, 11, 21), window=october) == {
        "measured_on": "period_closed"
    }


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        (TaskStatus.OPEN, date(2026, 11, 19), "late"),
        (TaskStatus.RETURNED, date(2026, 11, 19), "late"),
        (TaskStatus.IN_PROGRESS, date(2026, 11, 20), "open"),
        (TaskStatus.SUBMITTED, date(2026, 12, 31), "open"),
        (TaskStatus.DONE, date(2026, 11, 1), "done"),
        (TaskStatus.CANCELLED, date(2026, 11, 1), "cancelled"),
    ],
)
def test_period_state_counts_overdue_open_work_as_late(status: TaskStatus, due: date, expected: str) -> None:
    assert period_state(status, due, date(2026, 11, 20)) == expected

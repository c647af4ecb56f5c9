"""Task rules: who may do what to a task in which state, deadlines, and how an ending is recorded.

The life of a task:
    open -> in_progress (the assignee reports progress) -> submitted (the assignee marks it done)
    submitted -> done (the assigner accepts: quality accepted or major errors noted)
    submitted -> returned (the assigner returns it with a reason) -> in_progress / submitted again
    any open state -> cancelled (the assigner, with a reason); -> same state with a later due date
    (the assigner extends it: each extension counts one delay, as Decree 335 counts delays).
A task completed after its (possibly extended) due date counts one more delay when accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from urllib.parse import urlsplit

from domain.kinds import OPEN_TASK_STATUSES, Priority, TaskStatus

TITLE_MAX = 300
DESCRIPTION_MAX = 4000
COMMENT_MAX = 2000
REASON_MAX = 500
URL_MAX = 500
DUE_SOON_DAYS = 3
MAX_MAJOR_ERRORS = 20
# A deadline further than this is almost certainly a typo (2062 for 2026).
MAX_HORIZON_DAYS = 3 * 366


class TaskAction(StrEnum):
    """What can be done to a task; each is recorded as a check-in of the same name."""

    PROGRESS = "progress"
    DONE = "done"
    ACCEPT = "accepted"
    RETURN = "returned"
    EXTEND = "extended"
    CANCEL = "cancelled"


ASSIGNEE_ACTIONS = frozenset({TaskAction.PROGRESS, TaskAction.DONE})
ASSIGNER_ACTIONS = frozenset({TaskAction.ACCEPT, TaskAction.RETURN, TaskAction.EXTEND, TaskAction.CANCEL})

# From which states each action may start.
_ALLOWED_FROM: dict[TaskAction, frozenset[TaskStatus]] = {
    TaskAction.PROGRESS: frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED}),
    TaskAction.DONE: frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED}),
    TaskAction.ACCEPT: frozenset({TaskStatus.SUBMITTED}),
    TaskAction.RETURN: frozenset({TaskStatus.SUBMITTED}),
    TaskAction.EXTEND: frozenset(OPEN_TASK_STATUSES),
    TaskAction.CANCEL: frozenset(OPEN_TASK_STATUSES),
}
_RESULT: dict[TaskAction, TaskStatus | None] = {
    TaskAction.PROGRESS: TaskStatus.IN_PROGRESS,
    TaskAction.DONE: TaskStatus.SUBMITTED,
    TaskAction.ACCEPT: TaskStatus.DONE,
    TaskAction.RETURN: TaskStatus.RETURNED,
    TaskAction.EXTEND: None,  # the state does not change, only the due date
    TaskAction.CANCEL: TaskStatus.CANCELLED,
}


class DueState(StrEnum):
    """How a task stands against its deadline, for highlighting and notices."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TIME = "on_time"
    CLOSED = "closed"  # done or cancelled


def allowed_actions(status: TaskStatus, *, is_assigner: bool, is_assignee: bool) -> frozenset[TaskAction]:
    """The actions this person may take on a task in this state."""
    mine: set[TaskAction] = set()
    if is_assignee:
        mine |= ASSIGNEE_ACTIONS
    if is_assigner:
        mine |= ASSIGNER_ACTIONS
    return frozenset(a for a in mine if status in _ALLOWED_FROM[a])


def next_status(action: TaskAction, status: TaskStatus) -> TaskStatus:
    """The state after the action, or ValueError when the action cannot start from this state."""
    if status not in _ALLOWED_FROM[action]:
        raise ValueError(f"{action.value} is not possible on a task that is {status.value}")
    return _RESULT[action] or status


def due_state(status: TaskStatus, due: date, today: date, *, soon_days: int = DUE_SOON_DAYS) -> DueState:
    """Overdue (open and due before today), due soon (open and due within `soon_days`), on time, closed."""
    if status not in OPEN_TASK_STATUSES:
        return DueState.CLOSED
    if due < today:
        return DueState.OVERDUE
    if (due - today).days <= soon_days:
        return DueState.DUE_SOON
    return DueState.ON_TIME


def period_state(status: TaskStatus, due: date, today: date) -> str:
    """How a period's list of someone's work counts a task: "late" (overdue), "open" (due today or later),
    "done", or how else it closed ("cancelled")."""
    state = due_state(status, due, today)
    if state is DueState.OVERDUE:
        return "late"
    if state is DueState.CLOSED:
        return status.value
    return "open"


def delays_at_acceptance(delays: int, *, completed_on: date, due: date) -> int:
    """The delays counted when a task is accepted: the extensions, plus one when it came in after the due date."""
    return delays + (1 if completed_on > due else 0)


@dataclass(frozen=True)
class NewTask:
    """What a manager types to assign work (already parsed from the form)."""

    title: str
    due_date: date | None
    start_date: date
    priority: str = Priority.NORMAL.value
    description: str = ""


def task_problems(task: NewTask, *, today: date) -> dict[str, str]:
    """Field -> problem code for a new task; empty when it can be saved."""
    problems: dict[str, str] = {}
    title = task.title.strip()
    if not title:
        problems["title"] = "required"
    elif len(title) > TITLE_MAX:
        problems["title"] = "too_long"
    if len(task.description) > DESCRIPTION_MAX:
        problems["description"] = "too_long"
    if task.due_date is None:
        problems["due_date"] = "required_date"
    elif task.due_date < today:
        problems["due_date"] = "due_in_past"
    elif task.due_date < task.start_date:
        problems["due_date"] = "due_before_start"
    elif (task.due_date - today).days > MAX_HORIZON_DAYS:
        problems["due_date"] = "due_too_far"
    if task.priority not in {p.value for p in Priority}:
        problems["priority"] = "unknown_choice"
    return problems


def extension_problems(*, current_due: date, new_due: date | None, today: date, reason: str) -> dict[str, str]:
    """Field -> problem code for moving a deadline."""
    problems: dict[str, str] = {}
    if new_due is None:
        problems["due_date"] = "required_date"
    elif new_due <= current_due:
        problems["due_date"] = "not_later"
    elif new_due < today:
        problems["due_date"] = "due_in_past"
    elif (new_due - today).days > MAX_HORIZON_DAYS:
        problems["due_date"] = "due_too_far"
    problems.update(reason_problems(reason))
    return problems


def reason_problems(reason: str, *, field: str = "reason") -> dict[str, str]:
    """A reason is required and bounded (returning, cancelling, extending, rejecting)."""
    text = reason.strip()
    if not text:
        return {field: "reason_required"}
    if len(text) > REASON_MAX:
        return {field: "too_long"}
    return {}


def progress_problems(progress_pct: object, comment: str, evidence_url: str | None) -> dict[str, str]:
    """Field -> problem code for a progress report."""
    problems: dict[str, str] = {}
    if isinstance(progress_pct, bool) or not isinstance(progress_pct, int | float):
        problems["progress_pct"] = "required_number"
    elif not 0 <= progress_pct <= 100 or progress_pct != int(progress_pct):
        problems["progress_pct"] = "percent_range"
    if len(comment) > COMMENT_MAX:
        problems["comment"] = "too_long"
    if evidence_url and not safe_url(evidence_url):
        problems["evidence_url"] = "bad_url"
    return problems


def acceptance_problems(major_errors: object, comment: str) -> dict[str, str]:
    """Field -> problem code for accepting a task."""
    problems: dict[str, str] = {}
    if isinstance(major_errors, bool) or not isinstance(major_errors, int) or not 0 <= major_errors <= MAX_MAJOR_ERRORS:
        problems["major_errors"] = "count_range"
    if len(comment) > COMMENT_MAX:
        problems["comment"] = "too_long"
    return problems


def safe_url(url: str) -> bool:
    """Only absolute http(s) links with a host: never javascript:, data: or a relative path."""
    if len(url) > URL_MAX or any(ch.isspace() for ch in url.strip()):
        return False
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)

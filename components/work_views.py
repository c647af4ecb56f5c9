"""Builders for the work pages: labels of task states, priorities and notices, the problem alert
that tells people what to fix (in their language), the check-in history. Pure: data in, components out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.evidence_views import attachment_list
from components.i18n import _, format_date, format_number


def checkin_label(kind: str) -> str:
    labels = {
        "progress": _("reported progress"),
        "done": _("handed in the work"),
        "accepted": _("accepted the work"),
        "returned": _("returned the work"),
        "extended": _("extended the deadline"),
        "cancelled": _("cancelled the task"),
    }
    return labels.get(kind, kind)


def notice_text(kind: str) -> str:
    labels = {
        "assigned": _("New task assigned"),
        "submitted": _("Work handed in, waiting for your acceptance"),
        "returned": _("Your work was returned"),
        "due_soon": _("Due within three days"),
        "overdue": _("Overdue"),
        "value_rejected": _("A value you entered was rejected"),
        "report_ready": _("Your report is ready"),
        "report_failed": _("Your report could not be made"),
        "eval_opened": _("Your evaluation is open"),
        "eval_returned": _("Your evaluation was returned to you"),
        "eval_approved": _("Your evaluation was approved"),
        "eval_quota": _("Your level was changed by the quota"),
        "eval_council": _("The council decided your tie at the quota's cut"),
        "eval_answered": _("Your appeal was answered"),
        "edited": _("A task given to you was reworded by its assigner"),
    }
    return labels.get(kind, kind)


def field_label(field: str) -> str:
    labels = {
        "title": _("Task title"),
        "description": _("Description"),
        "due_date": _("Due date"),
        "priority": _("Priority"),
        "assignee": _("Assigned to"),
        "task_type": _("Task type"),
        "indicator": _("Indicator"),
        "objective": _("Objective"),
        "reason": _("Reason"),
        "progress_pct": _("Progress %"),
        "comment": _("Comment"),
        "evidence_url": _("Evidence link"),
        "major_errors": _("Major errors"),
        "status": _("State"),
        "value": _("Value"),
        "measured_on": _("Date"),
        "file": _("File"),
        "what_happened": _("What happened"),
        "why": _("Why"),
        "next_steps": _("What will be done"),
        "period": _("Period"),
        "due_on": _("Due date"),
        "done_on": _("Done on"),
        "owner": _("Owner"),
        "evidence": _("Evidence files"),
    }
    return labels.get(field, field)


def problem_text(code: str, params: dict[str, Any] | None = None) -> str:
    """What is wrong and how to fix it, for one problem code."""
    texts = {
        "required": _("this field is required"),
        "too_long": _("the text is too long"),
        "required_date": _("enter a date"),
        "due_in_past": _("the due date has already passed: choose today or later"),
        "due_before_start": _("the due date comes before the start date"),
        "due_too_far": _("the due date is more than three years away: check the year"),
        "unknown_choice": _("choose one of the offered options"),
        "required_choice": _("choose a unit or a person"),
        "too_many": _("too many units at once: at most 500"),
        "person_not_in_unit": _("the person does not belong to the chosen unit"),
        "not_later": _("the new due date must be later than the current one"),
        "reason_required": _("give a reason"),
        "required_number": _("enter a number"),
        "percent_range": _("enter a whole number from 0 to 100"),
        "bad_url": _("enter a full web address starting with http:// or https://"),
        "count_range": _("enter a whole number from 0 to 20"),
        "not_allowed_now": _("this is not possible in the task's current state: reload the page"),
        "value_range": _("the value is outside the range this indicator allows"),
        "done_zero_one": _("enter 1 for done or 0 for not done"),
        "milestones_range": _("enter the whole number of milestones reached"),
        "outside_period": _("the date lies outside the indicator's year"),
        "future_date": _("the date is in the future"),
        "period_locked": _("this period is locked: ask an administrator"),
        "period_closed": _("reporting for this month has closed (grace period over): ask an administrator"),
        "not_yours": _("you may not enter values for this indicator"),
        "unreadable_file": _("the file cannot be read: upload the Excel template (.xlsx)"),
        "no_rows": _("the file holds no values"),
        "too_many_rows": _("the file holds too many rows: at most %(n)s", n=(params or {}).get("limit", 20000)),
        "file_too_large": _("the file is larger than %(n)s MB", n=(params or {}).get("mb", 10)),
        "file_unpacks_too_large": _(
            "the file unpacks to more than %(n)s MB: upload the template with only your values",
            n=(params or {}).get("mb", 60),
        ),
        "unreadable_row": _("this row cannot be read: check its id, date and value cells"),
        "too_many_columns": _(
            "the sheet has too many columns (at most %(n)s): keep the template's columns",
            n=(params or {}).get("n", 64),
        ),
        "wrong_columns": _("the file is not the template: keep its sheets and columns as they were downloaded"),
        "no_objectives": _("the file holds no objective"),
        "unknown_indicator": _("unknown indicator code: keep the first columns of the template"),
        "duplicate_row": _("the same indicator and date appear on an earlier row"),
        "not_milestones": _("only an action plan (direction: milestones) has milestones"),
        "evidence_type": _(
            "%(file)s is not a photo (JPEG, PNG, HEIC) or a PDF: choose another file",
            file=(params or {}).get("file", ""),
        ),
        "evidence_too_large": _(
            "%(file)s is larger than 10 MB: send a smaller photo", file=(params or {}).get("file", "")
        ),
        "unreadable_evidence": _(
            "%(file)s cannot be opened: it is damaged or not what its name says", file=(params or {}).get("file", "")
        ),
        "empty_evidence": _("%(file)s is empty", file=(params or {}).get("file", "")),
        "too_many_files": _("at most %(n)s files at once", n=(params or {}).get("n", 5)),
    }
    return texts.get(code, code)


def problems_list(problems: dict[str, str], params: dict[str, Any] | None = None) -> str:
    return "; ".join(f"{field_label(field)}: {problem_text(code, params)}" for field, code in problems.items())


def problem_alert(problem: Exception, *, class_name: str = "work-message") -> dbc.Alert:
    """A domain error as a message in the user's language: what is wrong and what to do."""
    code = getattr(problem, "code", "error")
    if code == "invalid":
        text = problems_list(getattr(problem, "problems", {}), getattr(problem, "params", {}))
        return dbc.Alert(_("Please correct: %(problems)s", problems=text), color="warning", className=class_name)
    if code == "conflict":
        changed_at = getattr(problem, "changed_at", None)
        return dbc.Alert(
            _(
                "Changed by %(who)s at %(time)s in the meantime: reload the page and try again.",
                who=getattr(problem, "changed_by", None) or "?",
                time=format_date(changed_at, with_time=True) if changed_at else "?",
            ),
            color="warning",
            className=class_name,
        )
    if code == "forbidden":
        return dbc.Alert(_("You are not allowed to do this."), color="danger", className=class_name)
    if code == "not_found":
        return dbc.Alert(
            _("Nothing here: the item does not exist, or not for you."), color="secondary", className=class_name
        )
    return dbc.Alert(_("Something went wrong."), color="danger", className=class_name)


def done_alert(children: Any, *, class_name: str = "work-message") -> dbc.Alert:
    """A confirmation that fades after a while."""
    return dbc.Alert(children, color="success", className=class_name, duration=10000)


def checkin_history(checkins: Sequence[Any]) -> html.Div:
    """Who reported what on a task, oldest first, with comments and evidence links."""
    if not checkins:
        return html.Div(html.P(_("No check-ins yet."), className="text-muted"), className="checkin-history")
    items = []
    for c in checkins:
        line: list[Any] = [html.Strong(c.author or "?"), " ", checkin_label(c.kind)]
        if c.progress_pct is not None and c.kind == "progress":
            line += [" — ", format_number(c.progress_pct, 0), "%"]
        line += [html.Span(f" · {format_date(c.at, with_time=True)}", className="text-secondary small")]
        body: list[Any] = [html.Div(line)]
        if c.comment:
            body.append(html.Div(c.comment, className="checkin-comment"))
        if c.evidence_url:
            body.append(html.A(_("Evidence"), href=c.evidence_url, target="_blank", rel="noopener noreferrer nofollow"))
        files = attachment_list(getattr(c, "attachments", ()), class_name="checkin-files")
        if files is not None:
            body.append(files)
        items.append(html.Li(body, className=f"list-group-item checkin-{c.kind}"))
    return html.Div(html.Ul(items, className="list-group"), className="checkin-history")

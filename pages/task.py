"""/task/<task_id>: one task for its assigner and assignees: what, for whom, by when, linked to which
objective or indicator; the check-in history; and the forms the viewer may use in the task's state
(report progress, hand in, accept, return, extend, cancel). The page keeps the version it showed:
a change made meanwhile by someone else is refused with who and when, never silently overwritten,
and a banner says so as soon as it happens.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import (
    ALL,
    MATCH,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from components.evidence_views import attachment_list, evidence_picker
from components.labels import due_label, priority_label, task_status_label
from components.work_views import checkin_history, done_alert, problem_alert
from config.clock import today
from data_access.commands import tasks as commands
from data_access.commands.evidence import decode_uploads
from data_access.errors import NotFound, PulseError
from data_access.queries import work
from domain.kinds import Role
from domain.tasks import TaskAction
from pages._inputs import as_date, as_id, next_count
from server.context import current_store, current_viewer
from server.evidence_download import evidence_store
from server.i18n import _, format_date, format_number
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path_template="/task/<task_id>",
    name="Task",
    order=6,
    nav_label=None,
    title="Pulse",
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF],
)

TASK_ID = "task-id"
VERSION = "task-version"
REFRESH = "task-refresh"
CONTENT = "task-content"
MESSAGE = "task-message"
STALE = "task-stale"
SCROLLED = "task-scrolled"


def action_id(action: str) -> dict[str, str]:
    return {"type": "task-action", "action": action}


def field_id(field: str) -> dict[str, str]:
    return {"type": "task-field", "field": field}


# The picker lives in the forms a callback draws, so its ids are pattern-matching: a State on ALL of them is
# an empty list when the viewer has no progress form, never a missing component.
def upload_id(field: str) -> dict[str, str]:
    return {"type": "task-upload", "field": field}


def upload_names_id(field: str) -> dict[str, str]:
    return {"type": "task-upload-names", "field": field}


def upload_texts_id(field: str) -> dict[str, str]:
    return {"type": "task-upload-texts", "field": field}


def layout(task_id: str | None = None, **_kwargs: object) -> html.Div:
    parsed = as_id(task_id)
    return html.Div(
        [
            dcc.Link(_("← My work"), href="/work"),
            html.Div(id=STALE, className="mt-2"),
            html.Div(id=MESSAGE, className="mt-2"),
            dcc.Loading(html.Div(id=CONTENT)),
            dcc.Store(id=TASK_ID, data=parsed),
            dcc.Store(id=VERSION),
            dcc.Store(id=REFRESH, data=0),
            dcc.Store(id=SCROLLED),
        ],
        className="task-page",
    )


def _facts(task: work.TaskView) -> dbc.Card:
    rows = [
        (_("Assigned to"), task.assignee_person or task.assignee_unit),
        (_("Assigned by"), f"{task.assigner or '–'} ({task.assigner_unit})"),
        (
            _("Due date"),
            format_date(task.due_date)
            if task.original_due_date == task.due_date
            else _(
                "%(due)s (first due %(first)s)",
                due=format_date(task.due_date),
                first=format_date(task.original_due_date),
            ),
        ),
        (_("Priority"), priority_label(task.priority)),
        (_("Task type"), f"{task.task_type or '–'} (× {format_number(task.coefficient, 1)})"),
        (_("Delays counted"), str(task.delays)),
    ]
    if task.indicator_id:
        rows.append((_("Indicator"), html.A(task.indicator, href=f"/indicator/{task.indicator_id}")))
    elif task.objective:
        rows.append((_("Objective"), task.objective))
    if task.status == "done":
        rows.append((_("Quality"), _("accepted") if task.quality_accepted else _("not accepted")))
        rows.append((_("Major errors"), str(task.major_errors)))
    if task.cancel_reason:
        rows.append((_("Reason for cancelling"), task.cancel_reason))
    body = html.Dl(
        [
            part
            for label, value in rows
            for part in (html.Dt(label, className="col-sm-3"), html.Dd(value, className="col-sm-9"))
        ],
        className="row mb-0",
    )
    return dbc.Card(dbc.CardBody(body), className="mb-3")


def _forms(task: work.TaskView) -> list[Any]:
    """The forms of the actions the viewer may take now."""
    parts: list[Any] = []
    actions = task.actions
    if actions & {TaskAction.PROGRESS, TaskAction.DONE}:
        parts += [
            html.H2(_("Report progress"), className="h5"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(_("Progress %"), html_for="task-progress-input"),
                            dbc.Input(
                                id=field_id("progress_pct"),
                                type="number",
                                min=0,
                                max=100,
                                step=1,
                                value=task.progress_pct,
                                className="task-progress-input",
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(_("Evidence link (optional)")),
                            dbc.Input(
                                id=field_id("evidence_url"),
                                type="url",
                                maxLength=500,
                                placeholder="https://",
                                className="task-evidence-input",
                            ),
                        ],
                        md=10,
                    ),
                ],
                className="mb-2",
            ),
            dbc.Textarea(
                id=field_id("comment"),
                maxLength=2000,
                placeholder=_("What was done, what is left"),
                className="mb-2 task-comment-input",
            ),
            evidence_picker(
                upload_id("evidence"),
                upload_names_id("evidence"),
                upload_texts_id("evidence"),
                class_name="task-evidence-upload",
            ),
            dbc.Button(
                _("Report progress"), id=action_id(TaskAction.PROGRESS.value), color="primary", className="me-2"
            ),
            dbc.Button(_("Mark done and hand in"), id=action_id(TaskAction.DONE.value), color="success"),
        ]
    if TaskAction.ACCEPT in actions:
        parts += [
            html.H2(_("Accept the work"), className="h5 mt-4"),
            dbc.Checkbox(id=field_id("quality_accepted"), value=True, label=_("The quality meets the requirements")),
            dbc.Checkbox(id=field_id("exceeded"), value=False, label=_("It exceeds the requirements")),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(_("Major errors (each takes %(share)s of the quality points)", share="25%")),
                            dbc.Input(
                                id=field_id("major_errors"),
                                type="number",
                                min=0,
                                max=20,
                                step=1,
                                value=0,
                                className="task-errors-input",
                            ),
                        ],
                        md=4,
                    )
                ],
                className="mb-2",
            ),
            dbc.Textarea(
                id=field_id("accept_comment"), maxLength=2000, placeholder=_("Comment (optional)"), className="mb-2"
            ),
            dbc.Button(_("Accept"), id=action_id(TaskAction.ACCEPT.value), color="success"),
        ]
    if actions & {TaskAction.RETURN, TaskAction.EXTEND, TaskAction.CANCEL}:
        parts += [
            html.H2(_("Return, extend or cancel"), className="h5 mt-4"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(_("New due date (extending counts a delay)")),
                            dbc.Input(id=field_id("new_due_date"), type="date"),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(_("Reason (required)")),
                            dbc.Input(id=field_id("reason"), maxLength=500, className="task-reason-input"),
                        ],
                        md=9,
                    ),
                ],
                className="mb-2",
            ),
        ]
        if TaskAction.RETURN in actions:
            parts.append(
                dbc.Button(
                    _("Return with this reason"),
                    id=action_id(TaskAction.RETURN.value),
                    color="warning",
                    className="me-2",
                )
            )
        if TaskAction.EXTEND in actions:
            parts.append(
                dbc.Button(_("Extend"), id=action_id(TaskAction.EXTEND.value), color="secondary", className="me-2")
            )
        if TaskAction.CANCEL in actions:
            parts.append(
                dbc.Button(_("Cancel the task"), id=action_id(TaskAction.CANCEL.value), color="danger", outline=True)
            )
    return parts


EDIT = "edit"  # the assigner's rewording; not a state change, so not a TaskAction


def _edit_form(task: work.TaskView) -> html.Details:
    """The assigner rewords the task (folded away: most visits only read it)."""
    return html.Details(
        [
            html.Summary(_("Edit the title and description"), className="task-edit-open pulse-tap"),
            dbc.Label(_("Task title"), className="mt-2"),
            dbc.Input(id=field_id("new_title"), value=task.title, maxLength=300, className="mb-2 task-edit-title"),
            dbc.Label(_("Description")),
            dbc.Textarea(
                id=field_id("new_description"),
                value=task.description,
                maxLength=4000,
                rows=4,
                className="mb-2 task-edit-description",
            ),
            dbc.Button(_("Save the wording"), id=action_id(EDIT), color="secondary", className="task-edit-save"),
        ],
        className="task-edit mb-3",
    )


def _content(task: work.TaskView, copies: list[work.BatchCopy] | None = None) -> list[Any]:
    badge_colour = {"overdue": "danger", "due_soon": "warning"}.get(task.due_state, "secondary")
    header = html.Div(
        [
            html.H1(task.title, className="h3 mb-1", id="task-title"),
            html.Div(
                [
                    dbc.Badge(task_status_label(task.status), color="primary", className="me-2 task-status"),
                    dbc.Badge(due_label(task.due_state), color=badge_colour, className="me-2")
                    if due_label(task.due_state)
                    else None,
                    html.Span(_("Progress %(pct)s%%", pct=task.progress_pct), className="task-progress"),
                ]
            ),
        ],
        className="mb-3",
    )
    parts: list[Any] = [header, _facts(task)]
    if task.description:
        parts.append(html.P(task.description, className="task-description", style={"whiteSpace": "pre-wrap"}))
    given = attachment_list(task.attachments, class_name="task-files mb-3")
    if given is not None:
        parts += [html.H2(_("Files given with the task"), className="h6"), given]
    if task.editable:
        parts.append(_edit_form(task))
    parts += [
        html.H2(_("Check-ins"), className="h5"),
        checkin_history(task.checkins),
        html.Div(_forms(task), className="mt-3"),
    ]
    if copies and len(copies) > 1:
        parts += [html.H2(_("The same task in the other units"), className="h5 mt-4"), _copies_table(copies, task.id)]
    return parts


def _copies_table(copies: list[work.BatchCopy], shown: int) -> html.Div:
    """Each copy of a multi-unit assignment: who is late, who has delivered."""
    done = sum(1 for c in copies if c.status == "done")
    head = html.Thead(
        html.Tr([html.Th(_("Unit")), html.Th(_("State")), html.Th(_("Progress %")), html.Th(_("Due date"))])
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(html.A(c.unit, href=f"/task/{c.task_id}") if c.task_id != shown else html.Strong(c.unit)),
                    html.Td(
                        [
                            task_status_label(c.status),
                            " ",
                            dbc.Badge(due_label(c.due_state), color="danger") if c.due_state == "overdue" else None,
                        ]
                    ),
                    html.Td(str(c.progress_pct), className="text-end"),
                    html.Td(format_date(c.due_date)),
                ]
            )
            for c in copies
        ]
    )
    return html.Div(
        [
            html.P(_("%(done)s of %(total)s units have delivered.", done=done, total=len(copies))),
            dbc.Table([head, body], size="sm", striped=True, className="batch-copies"),
        ]
    )


@callback(
    Output(CONTENT, "children"),
    Output(VERSION, "data"),
    Output(STALE, "children", allow_duplicate=True),
    Input(TASK_ID, "data"),
    Input(REFRESH, "data"),
    prevent_initial_call="initial_duplicate",
)
def render(task_id: int | None, _refresh: int | None) -> tuple[Any, Any, Any]:
    """The task as the viewer may see it, with the forms the viewer may use now."""
    task_id = as_id(task_id)
    if task_id is None:
        return problem_alert(NotFound("task", None)), None, None
    viewer = current_viewer()
    try:
        with current_store().read() as session:
            task = work.task_detail(session, viewer=viewer, task_id=task_id, today=today())
            copies = (
                work.batch_copies(session, viewer=viewer, batch_key=task.batch_key, today=today())
                if task.batch_key
                else None
            )
    except PulseError as problem:
        return problem_alert(problem), None, None
    return _content(task, copies), task.version, None


@callback(
    Output(STALE, "children"),
    Input(LIVE_VERSION_ID, "data"),
    State(TASK_ID, "data"),
    State(VERSION, "data"),
    prevent_initial_call=True,
)
def warn_when_changed(_live: int | None, task_id: int | None, shown: int | None) -> Any:
    """A banner as soon as someone else changes the task shown (typed text is kept until the user reloads)."""
    task_id = as_id(task_id)
    if task_id is None or not isinstance(shown, int):
        raise PreventUpdate
    with current_store().read() as session:
        current = work.task_version(session, viewer=current_viewer(), task_id=task_id)
    if current is None or current == shown:
        return None
    return dbc.Alert(
        [_("Someone changed this task meanwhile. "), html.A(_("Reload"), href=f"/task/{task_id}")],
        color="info",
        className="task-stale",
    )


def _values(ids: object, values: object) -> dict[str, Any]:
    """Field values by their pattern-matching id (a forged request may send anything)."""
    if not isinstance(ids, list) or not isinstance(values, list):
        return {}
    return {
        i["field"]: v
        for i, v in zip(ids, values, strict=False)
        if isinstance(i, dict) and isinstance(i.get("field"), str)
    }


def _whole(value: object) -> Any:
    """A number from an input (a float like 3.0 is the whole number 3); anything else as it came, for validation."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Input(action_id(ALL), "n_clicks"),  # type: ignore[arg-type]
    State(TASK_ID, "data"),
    State(VERSION, "data"),
    State(REFRESH, "data"),
    State(field_id(ALL), "value"),
    State(field_id(ALL), "id"),  # type: ignore[arg-type]
    State(upload_id(ALL), "contents"),  # type: ignore[arg-type]
    State(upload_id(ALL), "filename"),  # type: ignore[arg-type]
    prevent_initial_call=True,
)
def act(
    clicks: list[int | None],
    task_id: int | None,
    version: int | None,
    refresh: int | None,
    values: list[Any],
    ids: list[dict[str, str]],
    uploads: list[Any] | None = None,
    upload_names: list[Any] | None = None,
) -> tuple[Any, Any]:
    """Run the clicked action with the version the page showed, then re-render."""
    trigger = ctx.triggered_id
    task_id = as_id(task_id)
    if not isinstance(trigger, dict) or task_id is None or not isinstance(clicks, list) or not any(clicks):
        raise PreventUpdate
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate  # the buttons were just rendered, not clicked
    fields = _values(ids, values)
    seen = version if isinstance(version, int) else None
    store, viewer = current_store(), current_viewer()
    comment = fields.get("comment") if isinstance(fields.get("comment"), str) else ""
    evidence = (
        fields.get("evidence_url")
        if isinstance(fields.get("evidence_url"), str) and fields.get("evidence_url")
        else None
    )
    reason = fields.get("reason") if isinstance(fields.get("reason"), str) else ""
    try:
        chosen = _first(uploads), _first(upload_names)
        match trigger.get("action"):
            case TaskAction.PROGRESS.value:
                commands.report_progress(
                    store,
                    viewer=viewer,
                    task_id=task_id,
                    version=seen,
                    progress_pct=_whole(fields.get("progress_pct")),
                    comment=comment,
                    evidence_url=evidence,
                    attachments=decode_uploads(*chosen),
                    files=evidence_store(),
                )
                message = _("Progress reported.")
            case TaskAction.DONE.value:
                commands.mark_done(
                    store,
                    viewer=viewer,
                    task_id=task_id,
                    version=seen,
                    comment=comment,
                    evidence_url=evidence,
                    attachments=decode_uploads(*chosen),
                    files=evidence_store(),
                )
                message = _("Handed in: the assigner has been told.")
            case TaskAction.ACCEPT.value:
                accept_comment = fields.get("accept_comment") if isinstance(fields.get("accept_comment"), str) else ""
                commands.accept(
                    store,
                    viewer=viewer,
                    task_id=task_id,
                    version=seen,
                    quality_accepted=fields.get("quality_accepted") is True,
                    major_errors=_whole(fields.get("major_errors") if fields.get("major_errors") is not None else 0),
                    exceeded=fields.get("exceeded") is True,
                    comment=accept_comment,
                )
                message = _("Work accepted.")
            case TaskAction.RETURN.value:
                commands.return_task(store, viewer=viewer, task_id=task_id, version=seen, reason=reason)
                message = _("Work returned with your reason.")
            case TaskAction.EXTEND.value:
                commands.extend(
                    store,
                    viewer=viewer,
                    task_id=task_id,
                    version=seen,
                    new_due_date=as_date(fields.get("new_due_date")),
                    reason=reason,
                )
                message = _("Deadline extended.")
            case "edit":
                commands.edit(
                    store,
                    viewer=viewer,
                    task_id=task_id,
                    version=seen,
                    title=fields.get("new_title") if isinstance(fields.get("new_title"), str) else "",
                    description=fields.get("new_description") if isinstance(fields.get("new_description"), str) else "",
                )
                message = _("Task reworded: the assignee has been told.")
            case TaskAction.CANCEL.value:
                commands.cancel(store, viewer=viewer, task_id=task_id, version=seen, reason=reason)
                message = _("Task cancelled.")
            case _:
                raise PreventUpdate
    except PulseError as problem:
        return problem_alert(problem), no_update
    return done_alert(message), next_count(refresh)


def _first(values: object) -> Any:
    """The one picker's value out of a pattern-matching list (absent: None)."""
    return values[0] if isinstance(values, list) and values else None


clientside_callback(
    ClientsideFunction(namespace="pulse_evidence", function_name="chosen"),
    Output(upload_names_id(MATCH), "children"),
    Output(upload_id(MATCH), "contents"),
    Input(upload_id(MATCH), "contents"),
    State(upload_id(MATCH), "filename"),
    State(upload_texts_id(MATCH), "data"),
    prevent_initial_call=True,
)


# The confirmation or the problem shows where the user's eyes are: the message sits above the task, out of view
# after reporting from the bottom of the page on a phone, so it is brought into view.
clientside_callback(
    """
    function(message) {
        var box = document.getElementById('task-message');
        if (box && box.firstChild) { box.scrollIntoView({block: 'nearest'}); }
        return null;
    }
    """,
    Output(SCROLLED, "data"),
    Input(MESSAGE, "children"),
    prevent_initial_call=True,
)

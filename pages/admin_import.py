"""/admin/import: people or units in bulk, for administrators. Choose what to import, download its
Excel template (headers in the user's language) or bring an interchange JSON file, upload it; every
record is checked with a progress bar and a report of what to fix (row, field, problem and which of
the six qualities it hurts); nothing is written until the administrator imports the valid records.
Data and writes: data_access.record_imports (staged jobs), data_access.commands.record_imports.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.tables import grid_locale
from components.work_views import problem_alert
from data_access import record_imports
from data_access.errors import PulseError
from data_access.imports import JobState
from data_access.record_files import RecordFileError
from domain.admin_access import ADMIN_PAGE_ROLES
from domain.records import message
from pages._admin import IMPORT_PATH, admin_menu, admin_viewer
from pages._inputs import as_id, as_text
from server.context import current_store
from server.i18n import _, format_number, gettext

dash.register_page(
    __name__,
    path=IMPORT_PATH,
    name="Import",
    order=92,
    nav_label=None,
    title="Pulse",
    roles=list(ADMIN_PAGE_ROLES),
    admin=True,
)

KIND = "admin-import-kind"
TEMPLATE_BUTTON = "admin-import-template"
TEMPLATE_DOWNLOAD = "admin-import-template-download"
UPLOAD = "admin-import-upload"
JOB = "admin-import-job"
TICK = "admin-import-tick"
PROGRESS = "admin-import-progress"
STATUS = "admin-import-status"
REPORT = "admin-import-report"
IMPORT_BUTTON = "admin-import-button"
CANCEL_BUTTON = "admin-import-cancel"
HIDDEN = {"display": "none"}
SHOWN = {"display": "inline-block"}
# No size cap in the browser: it would drop a bigger file without a word. A file up to 15 MB reaches the
# callback, which refuses anything over the 10 MB limit before decoding it; a bigger one exceeds the
# server's 20 MB body limit (server/security.py) and is refused unread, with the shell's "too large"
# message (assets/callback_failures.js).
UPLOAD_MAX_SIZE = -1


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            html.H1(_("Import people and units"), className="h3"),
            admin_menu(IMPORT_PATH),
            dbc.Card(
                dbc.CardBody(
                    [
                        dbc.Row(
                            [
                                dbc.Col(
                                    [
                                        dbc.Label(_("What to import"), html_for=KIND),
                                        dbc.RadioItems(
                                            id=KIND,
                                            options=[
                                                {"label": _("People"), "value": "people"},
                                                {"label": _("Organisation units"), "value": "units"},
                                            ],
                                            value="people",
                                            inline=True,
                                        ),
                                    ],
                                    md=6,
                                ),
                                dbc.Col(
                                    dbc.Button(
                                        _("Download the Excel template"),
                                        id=TEMPLATE_BUTTON,
                                        color="secondary",
                                        outline=True,
                                        n_clicks=0,
                                    ),
                                    md=6,
                                    className="text-md-end align-self-end",
                                ),
                            ],
                            className="mb-3 g-2",
                        ),
                        dcc.Download(id=TEMPLATE_DOWNLOAD),
                        html.P(
                            [
                                _(
                                    "Fill the template (one row per person or unit) or bring a JSON file in the "
                                    "exchange format, and upload it. Every record is checked first; nothing is "
                                    "saved until you import the valid ones."
                                ),
                                " ",
                                _(
                                    "At most %(mb)s MB and %(rows)s records.",
                                    mb=record_imports.MAX_BYTES // (1024 * 1024),
                                    rows=format_number(record_imports.MAX_ROWS, 0),
                                ),
                            ],
                            className="small",
                        ),
                        dcc.Upload(
                            id=UPLOAD,
                            children=html.Div([_("Drop the .xlsx or .json file here, or "), html.A(_("choose it"))]),
                            accept=".xlsx,.json",
                            max_size=UPLOAD_MAX_SIZE,
                            className="admin-import-upload border border-2 rounded p-3 text-center mb-2",
                            style={"borderStyle": "dashed"},
                        ),
                        dbc.Progress(
                            id=PROGRESS,
                            value=0,
                            striped=True,
                            animated=True,
                            className="mb-2",
                            style={"height": "1.25rem"},
                        ),
                        html.Div(id=STATUS, className="mb-2"),
                        html.Div(
                            [
                                dbc.Button(
                                    _("Import the valid records"),
                                    id=IMPORT_BUTTON,
                                    color="success",
                                    className="mb-2 me-2",
                                    n_clicks=0,
                                    style=HIDDEN,
                                ),
                                dbc.Button(
                                    _("Cancel"),
                                    id=CANCEL_BUTTON,
                                    color="secondary",
                                    outline=True,
                                    className="mb-2",
                                    n_clicks=0,
                                    style=HIDDEN,
                                ),
                            ]
                        ),
                        html.Div(id=REPORT),
                        dcc.Store(id=JOB),
                        dcc.Interval(id=TICK, interval=300, disabled=True),
                    ]
                ),
                className="mb-3",
            ),
        ],
        className="admin-import-page",
    )


def _headers(kind: str) -> dict[str, str]:
    """Column headers of the templates (and field names in the report), in the user's language."""
    if kind == "units":
        return {
            "code": _("Unit code"),
            "name": _("Unit name"),
            "kind": _("Kind (city, department, ward, commune, division, party_board)"),
            "parent_code": _("Parent unit code"),
            "official_code": _("Official code"),
            "valid_from": _("Valid from (YYYY-MM-DD)"),
            "valid_to": _("Valid to (YYYY-MM-DD)"),
            "successor_codes": _("Successor unit codes"),
            "updated_at": _("Updated at"),
        }
    return {
        "full_name": _("Full name"),
        "citizen_id": _("Citizen id (12 digits)"),
        "civil_servant_code": _("Civil-servant code"),
        "date_of_birth": _("Date of birth (YYYY-MM-DD)"),
        "gender": _("Gender (male / female)"),
        "unit_code": _("Unit code"),
        "position_code": _("Position code"),
        "rank_code": _("Rank code"),
        "start_date": _("Start date (YYYY-MM-DD)"),
        "email": _("E-mail"),
        "phone": _("Phone"),
        "is_leader": _("Leader"),
        "active": _("Active"),
        "updated_at": _("Updated at"),
    }


def _kind(value: Any) -> str:
    return value if isinstance(value, str) and value in record_imports.KINDS else "people"


@callback(
    Output(TEMPLATE_DOWNLOAD, "data"),
    Input(TEMPLATE_BUTTON, "n_clicks"),
    State(KIND, "value"),
    prevent_initial_call=True,
)
def download_template(n_clicks: Any, kind: Any) -> Any:
    viewer = admin_viewer()
    if not n_clicks:
        raise PreventUpdate
    chosen = _kind(kind)
    guide = [
        _("Fill one row per record, from row 3 down; keep the first row (the headers) and the hidden second row."),
        _("Dates as YYYY-MM-DD or DD/MM/YYYY; a citizen id has 12 digits (type it as text to keep its leading zeros)."),
        _("Gender: male or female (Nam / Nữ also work)."),
        _(
            "Unit code: a Pulse unit code or an official administrative code; the units you administer are listed on the last sheet with their position codes."
        ),
        _("For units: the parent is a unit already in Pulse or a unit earlier or later in the same file."),
        _("Nothing is saved when you upload: you see what to fix first, then import the valid records."),
    ]
    with current_store().read() as session:
        content = record_imports.template_workbook(
            session,
            viewer=viewer,
            kind=chosen,
            headers=_headers(chosen),
            title=_("People") if chosen == "people" else _("Organisation units"),
            guide_title=_("How to fill"),
            guide=guide,
            units_title=_("Units and positions"),
            units_headers=[_("Unit code"), _("Official code"), _("Unit name"), _("Kind"), _("Position codes")],
        )
    name = "pulse-nhan-su.xlsx" if chosen == "people" else "pulse-don-vi.xlsx"
    return dcc.send_bytes(content, name)


def _file_alert(problem: Exception) -> dbc.Alert:
    """A file refused whole: what is wrong with it, in the user's language."""
    if isinstance(problem, RecordFileError):
        text = message(problem.code, problem.params, gettext)
        return dbc.Alert(
            [html.Strong(_("The file was not read: ")), text, " ", _("Nothing has been saved.")],
            color="danger",
            className="admin-import-refused",
        )
    return problem_alert(problem, class_name="admin-import-refused")


def _progress(state: JobState, kind: str) -> tuple[int, str, Any]:
    share = round(100 * state.share_done)
    if state.status == "checking":
        text = _("Checking: %(done)s of %(total)s records", done=state.checked, total=state.total)
    elif state.status == "checked":
        text = _(
            "%(valid)s valid record(s), %(invalid)s with problems. Nothing has been saved yet.",
            valid=state.valid,
            invalid=state.invalid,
        )
    elif state.status == "importing":
        text = _("Importing: %(done)s of %(total)s records", done=state.imported, total=state.total)
    elif state.status == "failed":
        text = {
            "cancelled": _("Import cancelled. Records saved before it stopped: %(n)s.", n=state.saved),
            "timed_out": _(
                "This import made no progress for 10 minutes and was closed. Records saved before it stopped: %(n)s.",
                n=state.saved,
            ),
        }.get(
            state.failure or "",
            _("This file could not be processed. Records saved before it stopped: %(n)s.", n=state.saved),
        )
    else:
        done = (
            _(
                "Imported: %(n)s person(s) saved, %(left)s record(s) left out.",
                n=state.saved,
                left=state.total - state.saved,
            )
            if kind == "people"
            else _(
                "Imported: %(n)s unit(s) saved, %(left)s record(s) left out.",
                n=state.saved,
                left=state.total - state.saved,
            )
        )
        text = done
    return share, f"{share}%", html.Div(text, className="admin-import-status-text")


def _quality_labels() -> dict[str, str]:
    return {
        "correct": _("correct"),
        "sufficient": _("sufficient"),
        "clean": _("clean"),
        "live": _("live"),
        "unified": _("unified"),
        "shared": _("shared"),
    }


def _report(report: list[dict[str, Any]], kind: str) -> Any:
    """One grid row per problem: where (row of the sheet, or record of the JSON from 0), who, which field,
    what to fix and which quality it hurts. Citizen ids stay on the server: the name says who it is."""
    headers, qualities = _headers(kind), _quality_labels()
    rows = []
    for entry in report:
        where = str(entry["row"]) if entry.get("row") is not None else f"#{entry['record']}"
        who = entry.get("name") or ("" if kind == "people" else entry.get("key", "")) or "–"
        if kind == "units" and entry.get("key") and entry.get("name"):
            who = f"{entry['key']} · {entry['name']}"
        for problem in entry["problems"]:
            rows.append(
                {
                    "row": where,
                    "who": who,
                    "field": headers.get(problem["field"], problem["field"]) or "–",
                    "problem": message(problem["code"], problem.get("params") or {}, gettext),
                    "quality": qualities.get(problem["quality"], problem["quality"]),
                    "effect": _("left out") if entry["blocking"] else _("imported; worth fixing"),
                }
            )
    if not rows:
        return None
    return html.Div(
        [
            html.H2(_("What to fix"), className="h6"),
            dag.AgGrid(
                rowData=rows,
                # The problem next to the row: on a phone it is what shows without scrolling sideways.
                columnDefs=[
                    {"field": "row", "headerName": _("Row"), "width": 84, "pinned": "left", "filter": False},
                    {
                        "field": "problem",
                        "headerName": _("Problem"),
                        "flex": 1,
                        "minWidth": 250,
                        "wrapText": True,
                        "autoHeight": True,
                    },
                    {"field": "field", "headerName": _("Field"), "width": 170, "wrapText": True, "autoHeight": True},
                    {"field": "who", "headerName": _("Person") if kind == "people" else _("Unit"), "width": 170},
                    {"field": "quality", "headerName": _("Quality"), "width": 130},
                    {"field": "effect", "headerName": _("Result"), "width": 160},
                ],
                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                # A report is a few hundred rows at most: every column rendered, so a phone scrolls
                # sideways to the quality and result (and screen readers read them).
                dashGridOptions={
                    "localeText": grid_locale(),
                    "animateRows": False,
                    "suppressColumnVirtualisation": True,
                    # A short report takes its own height; a long one scrolls inside the page.
                    **({"domLayout": "autoHeight"} if len(rows) <= 20 else {}),
                },
                style={} if len(rows) <= 20 else {"height": "520px"},
                className="ag-theme-alpine admin-import-report",
            ),
        ]
    )


def _one_more(ticks: Any) -> int:
    """The interval fires once more, then waits for this answer: ticks never overlap (as on /entry)."""
    return (ticks if isinstance(ticks, int) and not isinstance(ticks, bool) and ticks >= 0 else 0) + 1


@callback(
    Output(JOB, "data"),
    Output(TICK, "disabled"),
    Output(STATUS, "children"),
    Output(REPORT, "children"),
    Output(IMPORT_BUTTON, "style"),
    Output(PROGRESS, "value"),
    Output(PROGRESS, "label"),
    Output(CANCEL_BUTTON, "style"),
    Output(TICK, "max_intervals"),
    Output(PROGRESS, "animated"),
    Input(UPLOAD, "contents"),
    State(UPLOAD, "filename"),
    State(KIND, "value"),
    State(TICK, "n_intervals"),
    prevent_initial_call=True,
)
def upload(contents: Any, filename: Any, kind: Any, ticks: Any) -> tuple[Any, ...]:
    """Stage the uploaded file; the ticks then check it chunk by chunk. The size is judged on the encoded
    text, before anything is decoded or parsed."""
    viewer = admin_viewer()
    if not isinstance(contents, str) or "," not in contents:
        raise PreventUpdate
    store = current_store()
    refused = (None, True, None, None, HIDDEN, 0, "", HIDDEN, no_update, False)
    try:
        record_imports.ensure_may_import(store, viewer=viewer)
        encoded = contents.split(",", 1)[1]
        if record_imports.too_large(len(encoded)):
            raise RecordFileError("file_too_large", limit=record_imports.MAX_BYTES // (1024 * 1024))
        content = base64.b64decode(encoded, validate=True)
        state = record_imports.stage(
            store, viewer=viewer, kind=_kind(kind), filename=as_text(filename), content=content
        )
    except (binascii.Error, ValueError):
        return refused[:2] + (_file_alert(RecordFileError("file_not_workbook")),) + refused[3:]
    except PulseError as problem:
        return refused[:2] + (_file_alert(problem),) + refused[3:]
    share, label, status = _progress(state, _kind(kind))
    return state.job_id, False, status, None, HIDDEN, share, label, SHOWN, _one_more(ticks), True


def _at(state: JobState, kind: str, report: list[dict[str, Any]] | None, ticks: Any) -> tuple[Any, ...]:
    share, label, status = _progress(state, kind)
    return (
        not state.at_work,
        status,
        _report(report, kind) if report is not None else no_update,
        SHOWN if state.status == "checked" and state.valid else HIDDEN,
        share,
        label,
        _("Import the %(n)s valid record(s)", n=state.valid),
        SHOWN if state.at_work or state.status == "checked" else HIDDEN,
        _one_more(ticks) if state.at_work else no_update,
        state.at_work,  # the stripes move only while something happens
    )


TICK_OUTPUTS = (
    Output(TICK, "disabled", allow_duplicate=True),
    Output(STATUS, "children", allow_duplicate=True),
    Output(REPORT, "children", allow_duplicate=True),
    Output(IMPORT_BUTTON, "style", allow_duplicate=True),
    Output(PROGRESS, "value", allow_duplicate=True),
    Output(PROGRESS, "label", allow_duplicate=True),
    Output(IMPORT_BUTTON, "children"),
    Output(CANCEL_BUTTON, "style", allow_duplicate=True),
    Output(TICK, "max_intervals", allow_duplicate=True),
    Output(PROGRESS, "animated", allow_duplicate=True),
)


def _stopped(problem: PulseError) -> tuple[Any, ...]:
    return (
        True,
        problem_alert(problem, class_name="admin-import-refused"),
        None,
        HIDDEN,
        0,
        "",
        no_update,
        HIDDEN,
        no_update,
        False,
    )


@callback(*TICK_OUTPUTS, Input(TICK, "n_intervals"), State(JOB, "data"), prevent_initial_call=True)
def advance(ticks: Any, job_id: Any) -> tuple[Any, ...]:
    """One chunk of checking or importing per tick; the tick that brings the job to rest sends the report."""
    viewer = admin_viewer()
    job = as_id(job_id)
    at_rest = (True, *(no_update,) * (len(TICK_OUTPUTS) - 1))
    if job is None:
        return at_rest
    store = current_store()
    try:
        state = record_imports.step(store, viewer=viewer, job_id=job)
        if state is None:
            return at_rest
        report = None
        with store.read() as session:
            kind = record_imports.job_kind(session, viewer=viewer, job_id=job)
            if not state.at_work:
                state, report = record_imports.job_report(session, viewer=viewer, job_id=job)
    except PulseError as problem:
        return _stopped(problem)
    return _at(state, kind, report, ticks)


@callback(*TICK_OUTPUTS, Input(CANCEL_BUTTON, "n_clicks"), State(JOB, "data"), prevent_initial_call=True)
def cancel(n_clicks: Any, job_id: Any) -> tuple[Any, ...]:
    viewer = admin_viewer()
    job = as_id(job_id)
    if not n_clicks or job is None:
        raise PreventUpdate
    store = current_store()
    try:
        state = record_imports.cancel(store, viewer=viewer, job_id=job)
        with store.read() as session:
            kind = record_imports.job_kind(session, viewer=viewer, job_id=job)
    except PulseError as problem:
        return _stopped(problem)
    return _at(state, kind, None, None)


@callback(
    Output(TICK, "disabled", allow_duplicate=True),
    Output(IMPORT_BUTTON, "style", allow_duplicate=True),
    Output(STATUS, "children", allow_duplicate=True),
    Output(TICK, "max_intervals", allow_duplicate=True),
    Input(IMPORT_BUTTON, "n_clicks"),
    State(JOB, "data"),
    State(TICK, "n_intervals"),
    prevent_initial_call=True,
)
def start(n_clicks: Any, job_id: Any, ticks: Any) -> tuple[Any, Any, Any, Any]:
    viewer = admin_viewer()
    job = as_id(job_id)
    if not n_clicks or job is None:
        raise PreventUpdate
    try:
        record_imports.start_import(current_store(), viewer=viewer, job_id=job)
    except PulseError as problem:
        return True, HIDDEN, problem_alert(problem, class_name="admin-import-refused"), no_update
    return False, HIDDEN, no_update, _one_more(ticks)

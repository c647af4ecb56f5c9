"""/admin/import: people or units in bulk, for administrators. Choose what to import, download its
Excel template (headers in the user's language) or bring an interchange JSON file, upload it; every
record is checked with a progress bar and a report of what to fix (row, field, problem and which of
the six qualities it hurts); nothing is written until the administrator imports the valid records.
Data and writes: data_access.record_imports (staged jobs), data_access.commands.record_imports.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from components.import_panel import ImportIds, import_panel
from components.tables import grid_locale
from components.work_views import problem_alert
from data_access import record_imports
from data_access.db import Store
from data_access.import_jobs import JobState
from data_access.record_files import RecordFileError
from data_access.viewer import Viewer
from domain.admin_access import ADMIN_PAGE_ROLES
from domain.records import message
from pages._admin import IMPORT_PATH, admin_menu, admin_viewer
from pages._import import ImportPage
from pages._import import register as register_import
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
IMPORT = ImportIds(
    upload="admin-import-upload",
    job="admin-import-job",
    tick="admin-import-tick",
    progress="admin-import-progress",
    status="admin-import-status",
    report="admin-import-report",
    import_button="admin-import-button",
    cancel_button="admin-import-cancel",
    upload_class="admin-import-upload",
)
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
                        *import_panel(
                            IMPORT,
                            drop_text=_("Drop the .xlsx or .json file here, or "),
                            choose_text=_("choose it"),
                            accept=".xlsx,.json",
                            max_size=UPLOAD_MAX_SIZE,
                            import_text=_("Import the valid records"),
                            cancel_text=_("Cancel"),
                        ),
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


def _progress_text(state: JobState, kind: str) -> str:
    if state.status == "checking":
        return _("Checking: %(done)s of %(total)s records", done=state.checked, total=state.total)
    if state.status == "checked":
        return _(
            "%(valid)s valid record(s), %(invalid)s with problems. Nothing has been saved yet.",
            valid=state.valid,
            invalid=state.invalid,
        )
    if state.status == "importing":
        return _("Importing: %(done)s of %(total)s records", done=state.imported, total=state.total)
    if state.status == "failed":
        return {
            "cancelled": _("Import cancelled. Records saved before it stopped: %(n)s.", n=state.saved),
            "timed_out": _(
                "This import made no progress for 10 minutes and was closed. Records saved before it stopped: %(n)s.",
                n=state.saved,
            ),
        }.get(
            state.failure or "",
            _("This file could not be processed. Records saved before it stopped: %(n)s.", n=state.saved),
        )
    if kind == "people":
        return _(
            "Imported: %(n)s person(s) saved, %(left)s record(s) left out.",
            n=state.saved,
            left=state.total - state.saved,
        )
    return _(
        "Imported: %(n)s unit(s) saved, %(left)s record(s) left out.", n=state.saved, left=state.total - state.saved
    )


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


def _too_large(encoded_length: int) -> None:
    if record_imports.too_large(encoded_length):
        raise RecordFileError("file_too_large", limit=record_imports.MAX_BYTES // (1024 * 1024))


def _job_kind(store: Store, viewer: Viewer, job_id: int) -> str:
    with store.read() as session:
        return record_imports.job_kind(session, viewer=viewer, job_id=job_id)


register_import(
    ImportPage(
        ids=IMPORT,
        viewer=admin_viewer,
        ensure=lambda store, viewer, _extra: record_imports.ensure_may_import(store, viewer=viewer),
        check_size=_too_large,
        stage=lambda store, viewer, filename, content, extra: record_imports.stage(
            store, viewer=viewer, kind=_kind(extra[0]), filename=filename, content=content
        ),
        extra_states=(State(KIND, "value"),),
        kind_of=_job_kind,
        step=record_imports.step,
        job_report=record_imports.job_report,
        cancel=record_imports.cancel,
        start_import=record_imports.start_import,
        progress_text=_progress_text,
        report=_report,
        import_text=lambda state: _("Import the %(n)s valid record(s)", n=state.valid),
        alert=_file_alert,
        unreadable=lambda: RecordFileError("file_not_workbook"),
        status_class="admin-import-status-text",
    )
)

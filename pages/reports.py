"""/reports: ask for a unit's periodic report (a unit of my scope, a month, quarter or year, PDF or Excel, in
my language or another), follow my reports as the worker makes them (the list polls while one is on its
way), download those that are ready.
Data: data_access.queries.reports; writes: data_access.commands.reports; the work: server.jobs (huey).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.i18n import dropdown_texts
from components.work_views import problem_alert
from config.clock import today
from data_access import report_jobs
from data_access.commands.reports import request_report
from data_access.errors import Invalid, PulseError
from data_access.queries.reports import ReportRow, my_reports, report_periods, report_units
from domain.periods import parse_period
from domain.reports import FORMATS, REPORT_ROLES
from pages._inputs import as_id, next_count
from server import jobs
from server.context import current_store, current_viewer
from server.i18n import LANGUAGES, _, format_date, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/reports",
    name="Reports",
    order=80,
    nav_label=lazy_gettext("Reports"),
    nav_group=lazy_gettext("Meetings and reports"),
    title="Pulse",
    roles=sorted(REPORT_ROLES),
)

UNIT = "reports-unit"
PERIOD = "reports-period"
FORMAT = "reports-format"
LANGUAGE = "reports-language"
REQUEST = "reports-request"
MESSAGE = "reports-message"
LIST = "reports-list"
POLL = "reports-poll"
REFRESH = "reports-refresh"
POLL_MS = 1500


def layout(period: str | None = None, **_kwargs: object) -> html.Div:
    viewer = current_viewer()
    with current_store().read() as session:
        units = report_units(session, viewer=viewer)
        periods = report_periods(session, today=today())
    chosen = _default_period(periods, period)
    return html.Div(
        [
            dcc.Store(id=REFRESH, data=0),
            dcc.Interval(id=POLL, interval=POLL_MS, disabled=True),
            html.H1(_("Reports"), className="h3"),
            dbc.Card(
                [
                    dbc.CardHeader(_("Request a report") + " · " + _("Unit's periodic report")),
                    dbc.CardBody(
                        [
                            dbc.Row(
                                [
                                    dbc.Col(
                                        [
                                            dbc.Label(_("Unit"), html_for=UNIT),
                                            dcc.Dropdown(
                                                **dropdown_texts(),
                                                id=UNIT,
                                                options=[
                                                    {"label": "\u2003" * depth + name, "value": uid}
                                                    for uid, name, depth in units
                                                ],
                                                value=viewer.scope_unit_id,
                                                clearable=False,
                                            ),
                                        ],
                                        xs=12,
                                        lg=5,
                                    ),
                                    dbc.Col(
                                        [
                                            dbc.Label(_("Period"), html_for=PERIOD),
                                            dcc.Dropdown(
                                                **dropdown_texts(),
                                                id=PERIOD,
                                                options=[{"label": code, "value": code} for code, _k in periods],
                                                value=chosen,
                                                clearable=False,
                                            ),
                                        ],
                                        xs=6,
                                        lg=2,
                                    ),
                                    dbc.Col(
                                        [
                                            dbc.Label(_("Format"), html_for=FORMAT),
                                            dbc.RadioItems(
                                                id=FORMAT,
                                                options=[{"label": f.upper(), "value": f} for f in FORMATS],
                                                value="pdf",
                                                inline=True,
                                            ),
                                        ],
                                        xs=6,
                                        lg=2,
                                    ),
                                    dbc.Col(
                                        [
                                            dbc.Label(_("Language"), html_for=LANGUAGE),
                                            dbc.Select(
                                                id=LANGUAGE,
                                                options=[
                                                    {"label": str(n), "value": str(c)} for c, n in LANGUAGES.items()
                                                ],
                                                value=viewer.language,
                                            ),
                                        ],
                                        xs=12,
                                        lg=3,
                                    ),
                                ],
                                className="g-3 mb-3",
                            ),
                            dbc.Button(_("Make the report"), id=REQUEST, color="primary", n_clicks=0),
                            html.Div(id=MESSAGE, className="mt-3"),
                        ]
                    ),
                ],
                className="mb-3",
            ),
            dbc.Card([dbc.CardHeader(_("My reports")), dbc.CardBody(html.Div(id=LIST))]),
        ],
        className="reports-page",
    )


def _default_period(periods: list[tuple[str, str]], asked: str | None) -> str | None:
    codes = [code for code, _k in periods]
    if asked:
        try:
            code = parse_period(asked).code
        except ValueError:
            code = None
        if code in codes:
            return code
    quarters = [code for code, kind in periods if kind == "quarter"]
    return quarters[0] if quarters else (codes[0] if codes else None)


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Input(REQUEST, "n_clicks"),
    State(UNIT, "value"),
    State(PERIOD, "value"),
    State(FORMAT, "value"),
    State(LANGUAGE, "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def ask(clicks: int | None, unit: object, period: object, fmt: object, language: object, refresh: int | None) -> Any:
    if not clicks:
        raise PreventUpdate
    viewer = current_viewer()
    try:
        job_id = request_report(
            current_store(), viewer=viewer, unit_id=as_id(unit), period_code=period, fmt=fmt, language=language
        )
    except Invalid as problem:
        return _invalid(problem), no_update
    except PulseError as problem:
        return problem_alert(problem, class_name="reports-problem"), no_update
    try:
        jobs.enqueue_report(job_id)
    except Exception as error:  # the queue's storage (Redis, the SQLite file) is out of reach
        reason = _("The job queue cannot be reached: try again in a moment.")
        report_jobs.fail(current_store(), job_id, reason=reason, cause=f"enqueue: {type(error).__name__}: {error}")
        return dbc.Alert(reason, color="danger", className="reports-problem"), next_count(refresh)
    return (
        dbc.Alert(
            _("The report is queued: it will appear ready below."), color="info", className="reports-queued-note"
        ),
        next_count(refresh),
    )


def _invalid(problem: Invalid) -> dbc.Alert:
    names = {
        "unit": _("the unit"),
        "period": _("the period"),
        "format": _("the format"),
        "language": _("the language"),
    }
    fields = ", ".join(str(names.get(field, field)) for field in problem.problems)
    return dbc.Alert(_("Please choose %(fields)s from the options offered.", fields=fields), color="warning")


@callback(
    Output(LIST, "children"),
    Output(POLL, "disabled"),
    Input(REFRESH, "data"),
    Input(POLL, "n_intervals"),
    Input(LIVE_VERSION_ID, "data"),
)
def render(_refresh: int | None, _ticks: int | None, _version: int | None) -> Any:
    viewer = current_viewer()
    with current_store().read() as session:
        rows = my_reports(session, viewer=viewer)
    waiting = any(row.status in ("queued", "running") for row in rows)
    if not rows:
        return html.P(_("No report yet: request one above."), className="text-muted"), True
    return _table(rows), not waiting


WIDE_ONLY = "d-none d-md-table-cell"  # a phone shows the unit, the period, the status and the download
STATUS_COLOURS = {"queued": "secondary", "running": "info", "done": "success", "failed": "danger"}


def _status_text(status: str) -> str:
    return {"queued": _("Queued"), "running": _("Running"), "done": _("Ready"), "failed": _("Failed")}.get(
        status, status
    )


def _table(rows: list[ReportRow]) -> dbc.Table:
    header = html.Thead(
        html.Tr(
            [
                html.Th(_("Unit")),
                html.Th(_("Period")),
                html.Th(_("Format"), className=WIDE_ONLY),
                html.Th(_("Requested"), className=WIDE_ONLY),
                html.Th(_("Status")),
                html.Th(""),
            ]
        )
    )
    body = []
    for row in rows:
        status: list[Any] = [dbc.Badge(_status_text(row.status), color=STATUS_COLOURS.get(row.status, "secondary"))]
        if row.status in ("queued", "running"):
            status.append(
                dbc.Progress(value=row.progress, label=f"{row.progress} %", className="mt-1 reports-progress")
            )
        if row.error:
            status.append(html.Div(row.error, className="small text-danger mt-1 reports-error"))
        action = (
            html.A(
                [html.I(className="bi bi-download me-1"), _("Download")],
                href=f"/reports/download/{row.id}",
                className="btn btn-sm btn-outline-primary text-nowrap reports-download",
            )
            if row.status == "done"
            else None
        )
        body.append(
            html.Tr(
                [
                    html.Td(row.unit_name),
                    html.Td(row.period_code),
                    html.Td(f"{row.format.upper()} · {row.language}", className=WIDE_ONLY),
                    html.Td(format_date(row.created_at, with_time=True), className=WIDE_ONLY),
                    html.Td(status),
                    html.Td(action),
                ],
                className=f"reports-row reports-{row.status}",
            )
        )
    return dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, hover=True, className="mb-0")

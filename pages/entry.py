"""/entry: KPI values. An indicator's owner (or a manager over its unit) enters a value, checked for
type, range and date, with a comment and an evidence link; the indicator's history shows every value
with who entered and who approved or rejected it, and why. Managers approve or reject the values
waiting for them. A spreadsheet of many values is downloaded as a template, filled, uploaded, checked
row by row with a report in the user's language, and imported only when the user says so, with a
progress bar for large files. Data: data_access.queries.entry, data_access.imports; writes:
data_access.commands.measurements.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.evidence_views import attachment_list, evidence_picker
from components.i18n import dropdown_labels
from components.import_panel import ImportIds, import_panel
from components.labels import value_status_label
from components.tables import grid_locale
from components.work_views import done_alert, problem_alert, problems_list
from config.clock import today
from data_access import imports
from data_access.commands import measurements as commands
from data_access.commands.evidence import decode_uploads
from data_access.errors import Invalid, PulseError
from data_access.import_jobs import JobState
from data_access.queries import entry
from data_access.queries.attachments import AttachmentView, value_attachments
from domain.kinds import Role
from domain.periods import parse_period
from pages._common import page_period
from pages._import import ImportPage, rows_progress
from pages._import import register as register_import
from pages._inputs import as_date, as_id, next_count
from server.context import current_store, current_viewer
from server.evidence_download import evidence_store
from server.i18n import _, format_date, format_number, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/entry",
    name="Entry",
    order=8,
    nav_label=lazy_gettext("KPI values"),
    title="Pulse",
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF],
)

PERIOD = "entry-period"
REFRESH = "entry-refresh"
INDICATOR = "entry-indicator"
HINT = "entry-hint"
DATE = "entry-date"
VALUE = "entry-value"
COMMENT = "entry-comment"
EVIDENCE = "entry-evidence"
EVIDENCE_FILES = "entry-evidence-files"
EVIDENCE_NAMES = "entry-evidence-names"
EVIDENCE_TEXTS = "entry-evidence-texts"
SUBMIT = "entry-submit"
MESSAGE = "entry-message"
HISTORY = "entry-history"
PENDING = "entry-pending"
PENDING_CARD = "entry-pending-card"
PENDING_VERSIONS = "entry-pending-versions"
PENDING_MESSAGE = "entry-pending-message"
APPROVE_PICKED = "entry-approve-picked"
EMPTY = "entry-empty"
SCROLLED = "entry-scrolled"
HISTORY_CARDS = "entry-history-cards"
TEMPLATE_BUTTON = "entry-template"
TEMPLATE_DOWNLOAD = "entry-template-download"
IMPORT = ImportIds(
    upload="entry-upload",
    job="entry-job",
    tick="entry-import-tick",
    progress="entry-import-progress",
    status="entry-import-status",
    report="entry-import-report",
    import_button="entry-import-button",
    cancel_button="entry-import-cancel",
    upload_class="entry-upload",
)


def approve_id(index: int | str) -> dict[str, Any]:
    return {"type": "value-approve", "index": index}


def reject_id(index: int | str) -> dict[str, Any]:
    return {"type": "value-reject", "index": index}


def reason_id(index: int | str) -> dict[str, Any]:
    return {"type": "value-reason", "index": index}


def pick_id(index: int | str) -> dict[str, Any]:
    return {"type": "value-pick", "index": index}


def layout(period: str | None = None, indicator: str | None = None, **_kwargs: object) -> html.Div:
    chosen = as_id(indicator)
    return html.Div(
        [
            dcc.Store(id=PERIOD, data=page_period(period)),
            dcc.Store(id=REFRESH, data=0),
            html.H1(_("KPI values"), className="h3 mb-3"),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Card([dbc.CardHeader(_("Enter a value")), dbc.CardBody(_entry_form(chosen))]),
                        lg=5,
                        className="mb-3",
                    ),
                    dbc.Col(
                        dbc.Card(
                            [
                                dbc.CardHeader(_("History of this indicator")),
                                dbc.CardBody(
                                    [
                                        # A phone shows the history as a list; the grid from 576 px up.
                                        html.Div(id=HISTORY_CARDS, className="entry-history-cards d-sm-none"),
                                        dag.AgGrid(
                                            id=HISTORY,
                                            rowData=[],
                                            columnDefs=_history_columns(),
                                            style={"height": "420px"},
                                            defaultColDef={"sortable": True, "filter": True, "resizable": True},
                                            dashGridOptions={
                                                "localeText": {**grid_locale(), "noRowsToShow": _("No values yet.")},
                                                "animateRows": False,
                                            },
                                            className="ag-theme-alpine entry-history d-none d-sm-block",
                                        ),
                                    ]
                                ),
                            ]
                        ),
                        lg=7,
                        className="mb-3",
                    ),
                ]
            ),
            html.Div(
                dbc.Card(
                    [
                        dbc.CardHeader(_("Waiting for my approval")),
                        dbc.CardBody(
                            [
                                html.Div(id=PENDING_MESSAGE),
                                dbc.Button(
                                    _("Approve the selected values"),
                                    id=APPROVE_PICKED,
                                    color="success",
                                    className="mb-3 pulse-tap",
                                    n_clicks=0,
                                ),
                                html.Div(id=PENDING),
                            ]
                        ),
                    ],
                    className="mb-3",
                ),
                id=PENDING_CARD,
                hidden=True,
            ),
            dcc.Store(id=PENDING_VERSIONS, data={}),
            dcc.Store(id=SCROLLED),
            dbc.Card([dbc.CardHeader(_("Import from Excel")), dbc.CardBody(_import_panel())], className="mb-3"),
        ],
        className="entry-page",
    )


def _entry_form(chosen: int | None) -> list[Any]:
    return [
        dbc.Label(_("Indicator"), html_for=INDICATOR),
        dcc.Dropdown(
            labels=dropdown_labels(),
            id=INDICATOR,
            options=[],
            value=chosen,
            clearable=False,
            placeholder=_("Choose an indicator"),
        ),
        html.Div(id=EMPTY),
        html.Div(id=HINT, className="small text-secondary my-2"),
        dbc.Row(
            [
                dbc.Col(
                    [dbc.Label(_("Date"), html_for=DATE), dbc.Input(id=DATE, type="date", value=today().isoformat())],
                    md=6,
                ),
                dbc.Col(
                    [
                        dbc.Label(_("Value"), html_for=VALUE),
                        dbc.Input(
                            id=VALUE, type="text", inputMode="decimal", maxLength=40, className="entry-value-input"
                        ),
                    ],
                    md=6,
                ),
            ],
            className="mb-2",
        ),
        dbc.Label(_("Comment (optional)"), html_for=COMMENT),
        dbc.Textarea(id=COMMENT, maxLength=1000, className="mb-2"),
        dbc.Label(_("Evidence link (optional)"), html_for=EVIDENCE),
        dbc.Input(id=EVIDENCE, type="url", maxLength=500, placeholder="https://", className="mb-2"),
        evidence_picker(EVIDENCE_FILES, EVIDENCE_NAMES, EVIDENCE_TEXTS, class_name="entry-evidence-upload"),
        dbc.Button(_("Submit the value"), id=SUBMIT, color="primary", n_clicks=0),
        html.Div(id=MESSAGE, className="mt-2"),
    ]


def _import_panel() -> list[Any]:
    return [
        html.P(
            [
                _(
                    "Download the template of your indicators, fill in the date and value columns, and upload it. "
                    "Every row is checked first; nothing is saved until you import the valid rows."
                ),
                " ",
                _(
                    "At most %(mb)s MB and %(rows)s rows.",
                    mb=imports.MAX_BYTES // (1024 * 1024),
                    rows=format_number(imports.MAX_ROWS, 0),
                ),
            ],
            className="small",
        ),
        dbc.Button(
            _("Download the template"),
            id=TEMPLATE_BUTTON,
            color="secondary",
            outline=True,
            className="mb-2",
            n_clicks=0,
        ),
        dcc.Download(id=TEMPLATE_DOWNLOAD),
        *import_panel(
            IMPORT,
            drop_text=_("Drop the filled file here, or "),
            choose_text=_("choose it"),
            accept=".xlsx",
            # A little above the limit, so that a file just too large reaches the server and is told why
            # (the browser drops bigger ones silently; the limit is printed above).
            max_size=UPLOAD_MAX_SIZE,
            import_text=_("Import the valid rows"),
            cancel_text=_("Cancel"),
        ),
    ]


# The request body limit (server/security.py) is 20 MB; a 14 MB file is about 18.7 MB in base64.
UPLOAD_MAX_SIZE = 14 * 1024 * 1024


def _history_columns() -> list[dict[str, Any]]:
    return [
        {"field": "measured_on", "headerName": _("Date"), "flex": 1, "sort": "desc"},
        {"field": "value", "headerName": _("Value"), "flex": 1, "type": "rightAligned"},
        {"field": "status", "headerName": _("State"), "flex": 1},
        {"field": "entered_by", "headerName": _("Entered by"), "flex": 1},
        {"field": "reviewed_by", "headerName": _("Reviewed by"), "flex": 1},
        {"field": "note", "headerName": _("Reason or comment"), "flex": 2},
    ]


def _year(period: str | None) -> int:
    return parse_period(page_period(period)).year


def _indicators(period: str | None) -> list[entry.EntryIndicator]:
    with current_store().read() as session:
        return entry.entry_indicators(session, viewer=current_viewer(), year=_year(period))


@callback(
    Output(INDICATOR, "options"),
    Output(INDICATOR, "value"),
    Output(EMPTY, "children"),
    Input(PERIOD, "data"),
    State(INDICATOR, "value"),
)
def fill_indicators(period: str | None, chosen: Any) -> tuple[list[dict[str, Any]], Any, Any]:
    """The viewer's own indicators first, then those of the units they manage; with none, why and who owns them."""
    items = _indicators(period)
    mine = _("mine")
    options = [
        {"label": f"{i.code} · {i.name} — {i.unit}" + (f" ({mine})" if i.owned else ""), "value": i.id} for i in items
    ]
    ids = {i.id for i in items}
    value = as_id(chosen)
    return (
        options,
        value if value in ids else (items[0].id if items else None),
        _why_empty(period) if not items else None,
    )


def _why_empty(period: str | None) -> dbc.Alert:
    """Nothing to enter is never a dead form: say whether the unit has indicators, and who enters them."""
    year = _year(period)
    with current_store().read() as session:
        why = entry.unit_indicator_owners(session, viewer=current_viewer(), year=year)
    if why is None or not why.indicator_count:
        text = _(
            "%(unit)s has no indicator for %(year)s, so there is nothing to enter here.",
            unit=why.unit if why else _("Your unit"),
            year=year,
        )
    else:
        text = _(
            "The %(n)s indicators of %(unit)s for %(year)s are entered by their owners: %(names)s. "
            "Ask one of them, or the head of the unit, to let you enter their values.",
            n=why.indicator_count,
            unit=why.unit,
            year=year,
            names=", ".join(why.owners) or "–",
        )
    return dbc.Alert(text, color="info", className="mt-2 entry-empty-why")


def _hint(item: entry.EntryIndicator) -> list[Any]:
    if item.direction == "done":
        allowed = _("enter 1 for done or 0 for not done")
    elif item.direction == "milestones":
        allowed = _("milestones reached, out of %(n)s", n=item.milestones_total or "?")
    elif item.min_value is not None or item.max_value is not None:
        allowed = _(
            "between %(low)s and %(high)s",
            low=format_number(item.min_value, 1) if item.min_value is not None else "…",
            high=format_number(item.max_value, 1) if item.max_value is not None else "…",
        )
    else:
        allowed = _("any number")
    counted = {
        "sum": _("the year's values add up"),
        "average": _("the year's values are averaged"),
        "last": _("the latest value counts"),
    }.get(item.accumulation, item.accumulation)
    parts = [
        _("Unit: %(unit)s", unit=item.unit),
        _("Measured in: %(uom)s", uom=item.unit_of_measure or "–"),
        _("Allowed: %(allowed)s", allowed=allowed),
        counted,
        _("Target: %(target)s", target=format_number(item.target, 1)),
        _(
            "Latest counted: %(value)s on %(date)s",
            value=format_number(item.latest_value, 1),
            date=format_date(item.latest_on),
        ),
    ]
    approval = (
        _("A manager approves the value before it counts.")
        if item.requires_approval
        else _("The value counts as soon as it is saved.")
    )
    return [html.Div(" · ".join(parts)), html.Div(approval, className="entry-approval-note")]


@callback(
    Output(HINT, "children"),
    Output(HISTORY, "rowData"),
    Output(HISTORY_CARDS, "children"),
    Input(INDICATOR, "value"),
    Input(LIVE_VERSION_ID, "data"),
    Input(REFRESH, "data"),
    State(PERIOD, "data"),
)
def show_indicator(
    indicator_id: Any, _version: int | None, _refresh: int | None, period: str | None
) -> tuple[Any, Any, Any]:
    """What the chosen indicator accepts, and every value it has had."""
    chosen = as_id(indicator_id)
    if chosen is None:
        return None, [], None
    with current_store().read() as session:
        found = entry.entry_indicators(session, viewer=current_viewer(), year=_year(period), indicator_id=chosen)
    item = found[0] if found else None
    if item is None:
        return dbc.Alert(_("You may not enter values for this indicator."), color="warning"), [], None
    try:
        with current_store().read() as session:
            history = entry.value_history(session, viewer=current_viewer(), indicator_id=chosen)
    except PulseError as problem:
        return problem_alert(problem), [], None
    rows = [
        {
            "id": str(v.id),
            "measured_on": v.measured_on.isoformat(),
            "value": format_number(v.value, 2),
            "status": value_status_label(v.status),
            "entered_by": v.entered_by or "–",
            "reviewed_by": v.reviewed_by or "–",
            "note": v.reject_reason or v.comment or "",
        }
        for v in history
    ]
    return _hint(item), rows, _history_list(rows)


def _history_list(rows: list[dict[str, str]]) -> Any:
    """The history on a phone: one line per value (date, value, state), who and why below it."""
    if not rows:
        return html.P(_("No values yet."), className="text-muted")
    items = [
        html.Li(
            [
                html.Div(
                    [
                        html.Span(r["measured_on"], className="me-2"),
                        html.Strong(r["value"], className="me-2"),
                        html.Span(r["status"]),
                    ]
                ),
                html.Div(
                    " · ".join(x for x in (r["entered_by"], r["note"]) if x and x != "–"),
                    className="small text-secondary",
                ),
            ],
            className="list-group-item",
        )
        for r in rows[:60]
    ]
    return html.Ul(items, className="list-group list-group-flush")


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Output(VALUE, "value"),
    Output(COMMENT, "value"),
    Output(EVIDENCE, "value"),
    Output(EVIDENCE_FILES, "contents"),
    Output(EVIDENCE_NAMES, "children", allow_duplicate=True),
    Input(SUBMIT, "n_clicks"),
    State(INDICATOR, "value"),
    State(DATE, "value"),
    State(VALUE, "value"),
    State(COMMENT, "value"),
    State(EVIDENCE, "value"),
    State(REFRESH, "data"),
    State(EVIDENCE_FILES, "contents"),
    State(EVIDENCE_FILES, "filename"),
    prevent_initial_call=True,
)
def submit(
    n_clicks: int | None,
    indicator_id: Any,
    when: Any,
    value: Any,
    comment: Any,
    evidence: Any,
    refresh: int | None,
    uploads: Any = None,
    upload_names: Any = None,
) -> tuple[Any, ...]:
    if not n_clicks:
        raise PreventUpdate
    chosen = as_id(indicator_id)
    unchanged = (no_update,) * 6
    if chosen is None:
        return problem_alert(Invalid({"indicator": "required_choice"})), *unchanged
    try:
        state = commands.enter_value(
            current_store(),
            viewer=current_viewer(),
            indicator_id=chosen,
            value=value if isinstance(value, str | int | float) else None,
            measured_on=as_date(when),
            comment=comment if isinstance(comment, str) else "",
            evidence_url=evidence if isinstance(evidence, str) and evidence else None,
            attachments=decode_uploads(uploads, upload_names),
            files=evidence_store(),
        )
    except PulseError as problem:
        return problem_alert(problem), *unchanged
    text = _("Value saved and sent for approval.") if state.status == "submitted" else _("Value saved: it counts now.")
    return done_alert(text), next_count(refresh), "", "", "", None, ""


clientside_callback(
    ClientsideFunction(namespace="pulse_evidence", function_name="chosen"),
    Output(EVIDENCE_NAMES, "children"),
    Output(EVIDENCE_FILES, "contents", allow_duplicate=True),
    Input(EVIDENCE_FILES, "contents"),
    State(EVIDENCE_FILES, "filename"),
    State(EVIDENCE_TEXTS, "data"),
    prevent_initial_call=True,
)


# The confirmation or the problem shows where the user's eyes are: on a phone the message under the button
# would sit below the fold after submitting, so it is brought into view.
clientside_callback(
    """
    function(entered, reviewed) {
        var fired = (dash_clientside.callback_context.triggered || [])[0];
        var id = fired && fired.prop_id.indexOf('entry-pending-message') === 0 ? 'entry-pending-message' : 'entry-message';
        // After the message is drawn, not before: scrolled while still empty, its top stayed below the fold.
        function bring() {
            var box = document.getElementById(id);
            if (box && box.firstChild) { box.scrollIntoView({block: 'center'}); }
        }
        window.requestAnimationFrame(bring);
        window.setTimeout(bring, 250);
        return null;
    }
    """,
    Output(SCROLLED, "data"),
    Input(MESSAGE, "children"),
    Input(PENDING_MESSAGE, "children"),
    prevent_initial_call=True,
)


# --- approvals ------------------------------------------------------------------------------


@callback(
    Output(PENDING, "children"),
    Output(PENDING_VERSIONS, "data"),
    Output(PENDING_CARD, "hidden"),
    Input(LIVE_VERSION_ID, "data"),
    Input(REFRESH, "data"),
)
def show_pending(_version: int | None, _refresh: int | None) -> tuple[Any, Any, bool]:
    viewer = current_viewer()
    if not viewer.can_write:
        return None, {}, True
    with current_store().read() as session:
        pending = entry.pending_approvals(session, viewer=viewer)
        files = value_attachments(session, measurement_ids=[v.id for v in pending])
    if not pending:
        return html.P(_("Nothing waits for your approval."), className="text-muted"), {}, False
    cards = dbc.Row(
        [dbc.Col(_pending_card(v, files.get(v.id, [])), xs=12, lg=6, xxl=4, className="mb-3") for v in pending]
    )
    return cards, {str(v.id): v.version for v in pending}, False


def _pending_card(v: entry.ValueRow, files: list[AttachmentView] | None = None) -> dbc.Card:
    """One waiting value as a card: what it is, what it is compared with, and the actions, all without
    scrolling sideways on a phone."""
    uom = f" {v.unit_of_measure}" if v.unit_of_measure else ""
    previous = (
        _("%(value)s on %(date)s", value=format_number(v.previous_value, 2), date=format_date(v.previous_on))
        if v.previous_value is not None
        else _("none yet")
    )
    link = (
        html.A(_("open the evidence"), href=v.evidence_url, target="_blank", rel="noopener noreferrer")
        if v.evidence_url
        else None
    )
    shown = attachment_list(files or [], class_name="pending-files")
    evidence: Any = [part for part in (link, shown) if part is not None] or _("none")
    who = v.entered_by_name or v.entered_by or "–"
    facts = [
        (_("Previous value"), previous),
        (_("Target"), format_number(v.target, 2) if v.target is not None else "–"),
        (_("Evidence"), evidence),
        (_("Entered by"), who),
    ]
    if v.comment:
        facts.append((_("Comment"), v.comment))
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Checkbox(
                    id=pick_id(v.id),
                    value=False,
                    label=html.A(v.indicator, href=f"/indicator/{v.indicator_id}", className="fw-semibold"),
                    className="pending-pick mb-1",
                ),
                html.Div(f"{v.unit} · {format_date(v.measured_on)}", className="small text-secondary mb-2"),
                html.Div(
                    [html.Span(format_number(v.value, 2), className="fs-4 fw-semibold"), uom],
                    className="pending-amount mb-2",
                ),
                html.Dl(
                    [item for label, value in facts for item in (html.Dt(label), html.Dd(value))],
                    className="pending-facts small mb-2",
                ),
                html.Div(
                    [
                        dbc.Button(
                            _("Approve"), id=approve_id(v.id), color="success", className="pulse-tap", n_clicks=0
                        ),
                        dbc.Input(
                            id=reason_id(v.id),
                            placeholder=_("Reason to reject"),
                            maxLength=500,
                            className="value-reason pulse-tap",
                        ),
                        dbc.Button(
                            _("Reject"),
                            id=reject_id(v.id),
                            color="danger",
                            outline=True,
                            className="pulse-tap",
                            n_clicks=0,
                        ),
                    ],
                    className="pending-actions",
                ),
            ]
        ),
        className="pending-value h-100",
    )


@callback(
    Output(PENDING_MESSAGE, "children"),
    Output(REFRESH, "data", allow_duplicate=True),
    Input(approve_id(ALL), "n_clicks"),
    Input(reject_id(ALL), "n_clicks"),  # type: ignore[arg-type]
    State(reason_id(ALL), "value"),
    State(reason_id(ALL), "id"),  # type: ignore[arg-type]
    State(PENDING_VERSIONS, "data"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def review(
    _approvals: list[Any],
    _rejections: list[Any],
    reasons: list[Any],
    reason_ids: list[dict[str, Any]],
    versions: dict[str, int] | None,
    refresh: int | None,
) -> tuple[Any, Any]:
    """Approve or reject one value, with the version the list showed."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    measurement_id = as_id(trigger.get("index"))
    if measurement_id is None:
        raise PreventUpdate
    version = (versions or {}).get(str(measurement_id)) if isinstance(versions, dict) else None
    version = version if isinstance(version, int) else None
    try:
        if trigger.get("type") == "value-approve":
            commands.approve(current_store(), viewer=current_viewer(), measurement_id=measurement_id, version=version)
            text = _("Value approved: it counts now.")
        else:
            reason = next(
                (v for i, v in zip(reason_ids, reasons, strict=False) if i.get("index") == measurement_id), ""
            )
            commands.reject(
                current_store(),
                viewer=current_viewer(),
                measurement_id=measurement_id,
                version=version,
                reason=reason if isinstance(reason, str) else "",
            )
            text = _("Value rejected: whoever entered it has been told why.")
    except PulseError as problem:
        return problem_alert(problem), no_update
    return done_alert(text), next_count(refresh)


@callback(
    Output(PENDING_MESSAGE, "children", allow_duplicate=True),
    Output(REFRESH, "data", allow_duplicate=True),
    Input(APPROVE_PICKED, "n_clicks"),
    State(pick_id(ALL), "value"),
    State(pick_id(ALL), "id"),  # type: ignore[arg-type]
    State(PENDING_VERSIONS, "data"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def approve_picked(
    n_clicks: int | None,
    picked: list[Any],
    pick_ids: list[dict[str, Any]],
    versions: dict[str, int] | None,
    refresh: int | None,
) -> tuple[Any, Any]:
    """Approve every ticked value at once, each with the version the list showed (all or none)."""
    if not n_clicks:
        raise PreventUpdate
    known = versions if isinstance(versions, dict) else {}
    seen: list[tuple[int, int | None]] = []
    for ticked, pid in zip(picked, pick_ids, strict=False):
        value_id = as_id(pid.get("index")) if ticked is True and isinstance(pid, dict) else None
        if value_id is not None:
            version = known.get(str(value_id))
            seen.append((value_id, version if isinstance(version, int) else None))
    if not seen:
        return dbc.Alert(_("Tick the values to approve first."), color="warning", className="work-message"), no_update
    try:
        states = commands.approve_many(current_store(), viewer=current_viewer(), seen=seen)
    except PulseError as problem:
        return problem_alert(problem), no_update
    return done_alert(_("%(n)s values approved: they count now.", n=len(states))), next_count(refresh)


# --- spreadsheet import ---------------------------------------------------------------------


def _headers() -> dict[str, str]:
    return {
        "id": _("Id (do not change)"),
        "code": _("Code"),
        "indicator": _("Indicator"),
        "unit": _("Unit"),
        "unit_of_measure": _("Measured in"),
        "allowed": _("Allowed values"),
        "date": _("Date (YYYY-MM-DD)"),
        "value": _("Value"),
        "comment": _("Comment"),
    }


@callback(
    Output(TEMPLATE_DOWNLOAD, "data"),
    Input(TEMPLATE_BUTTON, "n_clicks"),
    State(PERIOD, "data"),
    prevent_initial_call=True,
)
def download_template(n_clicks: int | None, period: str | None) -> Any:
    if not n_clicks:
        raise PreventUpdate
    year = _year(period)
    guide = [
        _("Fill one row per value: the date (YYYY-MM-DD or DD/MM/YYYY) and the value; a comment if useful."),
        _("Copy a row to report several dates of one indicator; keep the first column (the id) as it is."),
        _("Rows without a date and a value are ignored."),
    ]
    with current_store().read() as session:
        content = imports.template_workbook(
            session,
            viewer=current_viewer(),
            year=year,
            headers=_headers(),
            title=_("Values"),
            guide_title=_("How to fill"),
            guide=guide,
        )
    return dcc.send_bytes(content, f"pulse-kpi-{year}.xlsx")


def _progress_text(state: JobState, _kind: str) -> str:
    return rows_progress(
        state,
        stopped={
            "cancelled": _("Import cancelled. Values saved before it stopped: %(n)s.", n=state.saved),
            "timed_out": _(
                "This import made no progress for 10 minutes and was closed. Values saved before it stopped: %(n)s.",
                n=state.saved,
            ),
            "error": _("This file could not be processed. Values saved before it stopped: %(n)s.", n=state.saved),
        },
        done=_(
            "Imported: %(valid)s value(s) saved, %(invalid)s row(s) left out.", valid=state.valid, invalid=state.invalid
        ),
    )


def _report(report: list[dict[str, Any]] | None) -> Any:
    wrong = [r for r in report if r["problems"]]
    if not wrong:
        return None
    rows = [
        {
            "row": r["row"],
            "code": r.get("code") or str(r.get("indicator_id") or "–"),
            "date": r.get("measured_on") or "",
            "value": str(r.get("value", "")),
            "problems": problems_list(r["problems"]),
        }
        for r in wrong
    ]
    return html.Div(
        [
            html.H2(_("Rows with problems"), className="h6"),
            dag.AgGrid(
                rowData=rows,
                columnDefs=[
                    {"field": "row", "headerName": _("Row"), "width": 80},
                    {"field": "code", "headerName": _("Code"), "width": 140},
                    {"field": "date", "headerName": _("Date"), "width": 130},
                    {"field": "value", "headerName": _("Value"), "width": 110},
                    {
                        "field": "problems",
                        "headerName": _("What to fix"),
                        "flex": 1,
                        "wrapText": True,
                        "autoHeight": True,
                    },
                ],
                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                style={"height": "320px"},
                className="ag-theme-alpine import-report",
            ),
        ]
    )


register_import(
    ImportPage(
        ids=IMPORT,
        ensure=lambda store, viewer, _extra: imports.ensure_may_import(store, viewer=viewer),
        stage=lambda store, viewer, filename, content, _extra: imports.stage(
            store, viewer=viewer, filename=filename, content=content
        ),
        step=imports.step,
        job_report=imports.job_report,
        cancel=imports.cancel,
        start_import=imports.start_import,
        progress_text=_progress_text,
        report=lambda report, _kind: _report(report),
        import_text=lambda state: _("Import the %(n)s valid row(s)", n=state.valid),
        alert=problem_alert,
        unreadable=lambda: Invalid({"file": "unreadable_file"}),
        status_class="import-status-text",
    )
)

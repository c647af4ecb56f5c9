"""/work: my work. Tasks assigned to me (or my unit), assigned by me, and my scope's work, in a
sortable, filterable grid with overdue and due-soon rows highlighted; each opens its task page.
Leaders and managers assign new work here: to a person, a unit, or every ward at once.
Data: data_access.queries.work (scoped); writes: data_access.commands.tasks.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.evidence_views import evidence_picker
from components.i18n import dropdown_labels, dropdown_texts
from components.labels import due_label, priority_label, task_status_label
from components.tables import grid_locale, md_link
from components.work_views import done_alert, problem_alert
from config.clock import today
from data_access.commands import tasks as commands
from data_access.commands.evidence import decode_uploads
from data_access.errors import PulseError
from data_access.queries import work
from domain.kinds import Role
from domain.periods import parse_period
from domain.text import fold
from pages._common import page_period, updated_at
from pages._inputs import as_date, as_id, next_count
from server.context import current_store, current_viewer
from server.evidence_download import evidence_store
from server.i18n import _, format_date, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/work",
    name="Work",
    order=5,
    nav_label=lazy_gettext("My work"),
    title="Pulse",
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF],
)

PERIOD = "work-period"
TABS = "work-tabs"
GRID = "work-grid"
HEADER = "work-header"
REFRESH = "work-refresh"
ASSIGN_AREA = "work-assign-area"
ASSIGN_TOGGLE = "work-assign-toggle"
ASSIGN_FORM = "work-assign-form"
TITLE = "work-title"
DESCRIPTION = "work-description"
DUE = "work-due"
PRIORITY = "work-priority"
TASK_TYPE = "work-task-type"
UNITS = "work-units"
ALL_WARDS = "work-all-wards"
PERSON = "work-person"
SUBMIT = "work-submit"
MESSAGE = "work-message"
LINK = "work-link"
FILES = "work-files"
FILE_NAMES = "work-file-names"
FILE_TEXTS = "work-file-texts"
SHOW = "work-show"
CARDS = "work-cards"


def layout(period: str | None = None, box: str | None = None, show: str | None = None, **_kwargs: object) -> html.Div:
    active = box if box in work.BOXES else "to_me"
    showing = show if show in work.SHOWS else "open"
    return html.Div(
        [
            dcc.Store(id=PERIOD, data=page_period(period)),
            dcc.Store(id=REFRESH, data=0),
            html.Div(id=HEADER),
            html.Div(
                [
                    dbc.Button(_("Assign a task"), id=ASSIGN_TOGGLE, color="primary", className="mb-2", n_clicks=0),
                    dbc.Collapse(_assign_form(), id=ASSIGN_FORM, is_open=False),
                ],
                id=ASSIGN_AREA,
                hidden=True,
            ),
            html.Div(id=MESSAGE),
            dbc.Tabs(
                [
                    dbc.Tab(label=_("Assigned to me"), tab_id="to_me"),
                    dbc.Tab(label=_("Assigned by me"), tab_id="by_me"),
                    dbc.Tab(label=_("My unit's work"), tab_id="my_unit"),
                ],
                id=TABS,
                active_tab=active,
                className="mb-2",
            ),
            dbc.RadioItems(
                id=SHOW,
                options=[
                    {"label": _("Open"), "value": "open"},
                    {"label": _("Waiting for my acceptance"), "value": "waiting"},
                    {"label": _("Closed tasks"), "value": "closed"},
                    {"label": _("All tasks"), "value": "all"},
                ],
                value=showing,
                inline=True,
                className="work-show mb-2",
                inputClassName="pulse-tap-check",
            ),
            # On a phone the list is cards (title, unit, due date, state, progress); the grid from 576 px up.
            html.Div(id=CARDS, className="work-cards d-sm-none"),
            dag.AgGrid(
                id=GRID,
                rowData=[],
                columnDefs=_columns(),
                style={"height": "65vh"},
                defaultColDef={
                    "sortable": True,
                    "filter": True,
                    "floatingFilter": True,
                    "resizable": True,
                    "minWidth": 90,
                },
                dashGridOptions={
                    "pagination": True,
                    "paginationPageSize": 50,
                    "animateRows": False,
                    "localeText": {**grid_locale(), "noRowsToShow": _("No tasks here.")},
                },
                rowClassRules={
                    "task-overdue": "params.data.due_state == 'overdue'",
                    "task-due-soon": "params.data.due_state == 'due_soon'",
                },
                getRowId="params.data.id",
                className="ag-theme-alpine work-grid d-none d-sm-block",
            ),
        ],
        className="work-page",
    )


def _assign_form() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(
                    [
                        dbc.Col([dbc.Label(_("Task title"), html_for=TITLE), dbc.Input(id=TITLE, maxLength=300)], md=8),
                        dbc.Col([dbc.Label(_("Due date"), html_for=DUE), dbc.Input(id=DUE, type="date")], md=2),
                        dbc.Col(
                            [
                                dbc.Label(_("Priority"), html_for=PRIORITY),
                                dbc.Select(
                                    id=PRIORITY,
                                    value="normal",
                                    options=[
                                        {"label": priority_label(p), "value": p}
                                        for p in ("low", "normal", "high", "urgent")
                                    ],
                                ),
                            ],
                            md=2,
                        ),
                    ],
                    className="mb-2",
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label(_("Assigned to (one or more units)"), html_for=UNITS),
                                dcc.Dropdown(
                                    labels=dropdown_labels(),
                                    id=UNITS,
                                    multi=True,
                                    options=[],
                                    placeholder=_("Choose units"),
                                ),
                                dbc.Button(
                                    _("Every ward and commune"), id=ALL_WARDS, size="sm", color="link", className="px-0"
                                ),
                            ],
                            md=6,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(_("Or one person of the unit"), html_for=PERSON),
                                dcc.Dropdown(
                                    labels=dropdown_labels(),
                                    id=PERSON,
                                    options=[],
                                    placeholder=_("Choose one unit first"),
                                ),
                            ],
                            md=3,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(_("Task type"), html_for=TASK_TYPE),
                                dcc.Dropdown(**dropdown_texts(), id=TASK_TYPE, options=[]),
                            ],
                            md=3,
                        ),
                    ],
                    className="mb-2",
                ),
                dbc.Label(_("Serves (optional): an indicator or objective"), html_for=LINK),
                dcc.Dropdown(
                    id=LINK,
                    options=[],
                    placeholder=_("Type a few letters of the indicator or objective"),
                    className="mb-2 work-link",
                ),
                dbc.Label(_("Description"), html_for=DESCRIPTION),
                dbc.Textarea(id=DESCRIPTION, maxLength=4000, className="mb-2"),
                evidence_picker(FILES, FILE_NAMES, FILE_TEXTS, class_name="work-files-upload"),
                dbc.Button(_("Assign"), id=SUBMIT, color="success", n_clicks=0),
            ]
        ),
        className="mb-3",
    )


def _columns() -> list[dict[str, Any]]:
    return [
        {"field": "title", "headerName": _("Task"), "flex": 3, "cellRenderer": "markdown", "minWidth": 220},
        {"field": "assignee", "headerName": _("Assigned to"), "flex": 2},
        {"field": "assigner", "headerName": _("Assigned by"), "flex": 1},
        {"field": "due", "headerName": _("Due date"), "flex": 1, "sort": None},
        {"field": "due_label", "headerName": _("Deadline"), "flex": 1},
        {"field": "status_label", "headerName": _("State"), "flex": 1},
        {
            "field": "progress_pct",
            "headerName": _("Progress %"),
            "flex": 1,
            "filter": "agNumberColumnFilter",
            "type": "rightAligned",
        },
        {"field": "priority_label", "headerName": _("Priority"), "flex": 1},
    ]


@callback(
    Output(GRID, "rowData"),
    Output(HEADER, "children"),
    Output(ASSIGN_AREA, "hidden"),
    Output(CARDS, "children"),
    Input(LIVE_VERSION_ID, "data"),
    Input(TABS, "active_tab"),
    Input(REFRESH, "data"),
    Input(SHOW, "value"),
    State(PERIOD, "data"),
)
def render(
    _version: int | None, box: str | None, _refresh: int | None, show: str | None, period: str | None
) -> tuple[Any, Any, bool, Any]:
    viewer = current_viewer()
    chosen = parse_period(page_period(period))
    box = box if isinstance(box, str) and box in work.BOXES else "to_me"
    show = show if isinstance(show, str) and show in work.SHOWS else "open"
    with current_store().read() as session:
        frame = work.work_list(
            session, viewer=viewer, box=box, today=today(), start=chosen.start, end=chosen.end, show=show
        )
        counts = work.work_counts(session, viewer=viewer, today=today())
    rows = [
        {
            "id": str(int(r.id)),
            "title": md_link(r.title, f"/task/{int(r.id)}"),
            "assignee": r.assignee_person if isinstance(r.assignee_person, str) else r.assignee_unit,
            "assigner": r.assigner or "–",
            "due": r.due_date.isoformat(),
            "due_state": r.due_state,
            "due_label": due_label(r.due_state),
            "status_label": task_status_label(r.status),
            "progress_pct": int(r.progress_pct),
            "priority_label": priority_label(r.priority),
        }
        for r in frame.itertuples()
    ]
    header = html.Div(
        [
            html.H1(_("My work"), className="h3 mb-0"),
            html.Span(
                [
                    # Each count opens exactly the tasks it counts.
                    html.A(
                        _("%(n)s open", n=counts.open_to_me),
                        href="/work?box=to_me&show=open",
                        id="work-count-open",
                        className="work-count",
                    ),
                    " · ",
                    _("%(n)s overdue", n=counts.overdue_to_me),
                    " · ",
                    _("%(n)s due within 3 days", n=counts.due_soon_to_me),
                    " · ",
                    html.A(
                        _("%(n)s waiting for my acceptance", n=counts.waiting_my_acceptance),
                        href="/work?box=by_me&show=waiting",
                        id="work-count-waiting",
                        className="work-count",
                    ),
                ],
                id="work-counts",
            ),
            updated_at(),
        ],
        className="d-flex flex-wrap justify-content-between align-items-baseline mb-3 gap-3",
    )
    if len(rows) >= work.LIST_LIMIT:
        header = html.Div(
            [
                header,
                dbc.Alert(
                    _("Showing the first %(n)s tasks: choose a shorter period to see the rest.", n=work.LIST_LIMIT),
                    color="info",
                ),
            ]
        )
    return rows, header, not viewer.can_write, _cards(frame)


def _cards(frame: Any) -> Any:
    """The phone's list: one card per task, its title the link that opens it."""
    if frame.empty:
        return html.P(_("No tasks here."), className="text-muted")
    cards = []
    for r in frame.head(200).itertuples():
        who = r.assignee_person if isinstance(r.assignee_person, str) else r.assignee_unit
        cards.append(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.A(r.title, href=f"/task/{int(r.id)}", className="work-card-title fw-semibold"),
                        html.Div(who, className="small text-secondary"),
                        html.Div(
                            [
                                html.Span(format_date(r.due_date), className="me-2"),
                                html.Span(due_label(r.due_state), className="me-2"),
                                html.Span(task_status_label(r.status)),
                            ],
                            className="small my-1",
                        ),
                        dbc.Progress(value=int(r.progress_pct), label=f"{int(r.progress_pct)}%", className="mt-1"),
                    ]
                ),
                className=f"work-card mb-2 task-{r.due_state.replace('_', '-')}",
            )
        )
    more = (
        [html.P(_("Showing the first %(n)s tasks.", n=200), className="small text-muted")] if len(frame) > 200 else []
    )
    return [*cards, *more]


@callback(
    Output(ASSIGN_FORM, "is_open"),
    Output(UNITS, "options"),
    Output(TASK_TYPE, "options"),
    Output(DUE, "value"),
    Output(UNITS, "value", allow_duplicate=True),
    Output(ALL_WARDS, "style"),
    Input(ASSIGN_TOGGLE, "n_clicks"),
    State(ASSIGN_FORM, "is_open"),
    State(DUE, "value"),
    State(UNITS, "value"),
    prevent_initial_call=True,
)
def open_form(n_clicks: int | None, is_open: bool, due: str | None, chosen: Any) -> tuple[Any, ...]:
    """Open the form with the units of the viewer's scope (each division with its ward or department, found
    with or without accents) and the task types; the due date defaults to two weeks. A division manager's
    only unit comes chosen, so that the division's people are offered at once."""
    if not n_clicks:
        raise PreventUpdate
    viewer = current_viewer()
    if not viewer.can_write:
        raise PreventUpdate
    with current_store().read() as session:
        units = work.assignable_units(session, viewer=viewer)
        types = work.task_types(session)
    unit_options = [{"label": u.label, "value": u.value, "search": u.search} for u in units]
    type_options = [{"label": f"{name} (× {coefficient:g})", "value": type_id} for type_id, name, coefficient in types]
    preset = [units[0].value] if len(units) == 1 and not chosen else no_update
    # "Every ward and commune" only where there are wards to give work to (not in a division).
    wards = any(u.kind in ("ward", "commune") for u in units)
    return (
        not is_open,
        unit_options,
        type_options,
        due or (today() + timedelta(days=14)).isoformat(),
        preset,
        None if wards else {"display": "none"},
    )


@callback(Output(UNITS, "value"), Input(ALL_WARDS, "n_clicks"), prevent_initial_call=True)
def every_ward(n_clicks: int | None) -> list[int]:
    if not n_clicks:
        raise PreventUpdate
    with current_store().read() as session:
        units = work.assignable_units(session, viewer=current_viewer())
    return [u.value for u in units if u.kind in ("ward", "commune")]


@callback(Output(PERSON, "options"), Output(PERSON, "value"), Output(PERSON, "placeholder"), Input(UNITS, "value"))
def people_of_unit(unit_ids: list[int] | None) -> tuple[list[dict[str, Any]], None, str]:
    """A person can be chosen when exactly one unit is (found with or without accents)."""
    ids = [i for i in (as_id(u) for u in (unit_ids if isinstance(unit_ids, list) else [])) if i]
    if len(ids) != 1:
        return [], None, _("Choose one unit first")
    with current_store().read() as session:
        people = work.assignable_people(session, viewer=current_viewer(), unit_id=ids[0])
    options = [{"label": p.label, "value": p.value, "search": f"{p.label} {fold(p.label)}"} for p in people]
    return options, None, _("Anyone of the unit (optional)")


@callback(Output(LINK, "options"), Input(UNITS, "value"), State(PERIOD, "data"))
def goals_of_units(unit_ids: Any, period: str | None) -> list[dict[str, Any]]:
    """The indicators and objectives of the chosen units and of the viewer's own unit, for the year shown."""
    viewer = current_viewer()
    if not viewer.can_write:
        return []
    ids = [i for i in (as_id(u) for u in (unit_ids if isinstance(unit_ids, list) else [])) if i]
    year = parse_period(page_period(period)).start.year
    with current_store().read() as session:
        goals = work.linkable_goals(session, viewer=viewer, unit_ids=ids, year=year)
    kinds = {"indicator": _("Indicator"), "objective": _("Objective")}
    return [
        {"label": f"{kinds[g.kind]}: {g.name} ({g.unit})", "value": g.value, "search": f"{g.search} {g.unit}"}
        for g in goals
    ]


def _link(value: Any) -> tuple[int | None, int | None]:
    """(objective id, indicator id) from a "kind:id" choice (anything else links nothing: the command checks)."""
    if not isinstance(value, str) or ":" not in value:
        return None, None
    kind, _sep, raw = value.partition(":")
    number = as_id(raw)
    return (number, None) if kind == "objective" else (None, number) if kind == "indicator" else (None, None)


clientside_callback(
    ClientsideFunction(namespace="pulse_evidence", function_name="chosen"),
    Output(FILE_NAMES, "children"),
    Output(FILES, "contents"),
    Input(FILES, "contents"),
    State(FILES, "filename"),
    State(FILE_TEXTS, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Output(TITLE, "value"),
    Output(DESCRIPTION, "value"),
    Output(FILES, "contents", allow_duplicate=True),
    Output(FILE_NAMES, "children", allow_duplicate=True),
    Input(SUBMIT, "n_clicks"),
    State(TITLE, "value"),
    State(DESCRIPTION, "value"),
    State(DUE, "value"),
    State(PRIORITY, "value"),
    State(TASK_TYPE, "value"),
    State(UNITS, "value"),
    State(PERSON, "value"),
    State(REFRESH, "data"),
    State(LINK, "value"),
    State(FILES, "contents"),
    State(FILES, "filename"),
    prevent_initial_call=True,
)
def submit(
    n_clicks: int | None,
    title: str | None,
    description: str | None,
    due: str | None,
    priority: str | None,
    task_type: Any,
    unit_ids: Any,
    person: Any,
    refresh: int | None,
    link: Any = None,
    uploads: Any = None,
    upload_names: Any = None,
) -> tuple[Any, ...]:
    if not n_clicks or ctx.triggered_id != SUBMIT:
        raise PreventUpdate
    units = [i for i in (as_id(u) for u in (unit_ids if isinstance(unit_ids, list) else [])) if i]
    objective_id, indicator_id = _link(link)
    try:
        ids = commands.assign(
            current_store(),
            viewer=current_viewer(),
            title=title if isinstance(title, str) else "",
            description=description if isinstance(description, str) else "",
            due_date=as_date(due),
            priority=priority if isinstance(priority, str) else "normal",
            task_type_id=as_id(task_type),
            unit_ids=units,
            person_id=as_id(person),
            objective_id=objective_id,
            indicator_id=indicator_id,
            attachments=decode_uploads(uploads, upload_names),
            files=evidence_store(),
        )
    except PulseError as problem:
        return problem_alert(problem), no_update, no_update, no_update, no_update, no_update
    text = (
        _("Task assigned.")
        if len(ids) == 1
        else _("Task assigned to %(n)s units, each followed separately.", n=len(ids))
    )
    opened = html.A(_("Open it"), href=f"/task/{ids[0]}", className="ms-2 work-new-task") if len(ids) == 1 else None
    return done_alert([text, opened] if opened else text), next_count(refresh), "", "", None, ""

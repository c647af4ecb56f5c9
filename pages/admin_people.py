"""/admin/people: the civil servants of the administrator's subtree, for administrators. A grid paged on
the server (AG Grid's infinite row model: one block of rows per request, sorted in SQL), searched by
name with or without accents, by citizen id or civil-servant code, filtered to a unit's subtree.
Click a person to edit their record, move them to another unit or position from a date (their past
stays with the old unit), or record that they left. The form below the grid creates a new person.
Data: data_access.queries.admin_people; writes: data_access.commands.admin_people.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.i18n import dropdown_labels
from components.tables import grid_locale
from components.work_views import done_alert
from config.clock import today
from data_access.commands import admin_people as commands
from data_access.errors import PulseError
from data_access.queries import admin as tree_queries
from data_access.queries import admin_people as queries
from domain.admin_access import ADMIN_PAGE_ROLES
from domain.people import PersonInput
from domain.text import fold
from pages._admin import PEOPLE_PATH, admin_alert, admin_menu, admin_viewer
from pages._common import audit_refusal
from pages._inputs import as_date, as_id, as_text, next_count
from server.context import current_store
from server.i18n import _, format_date

dash.register_page(
    __name__,
    path=PEOPLE_PATH,
    name="People",
    order=93,
    nav_label=None,
    title="Pulse",
    roles=list(ADMIN_PAGE_ROLES),
    admin=True,
)

GRID = "admin-people-grid"
SEARCH = "admin-people-search"
UNIT_FILTER = "admin-people-unit-filter"
INACTIVE = "admin-people-inactive"
COUNT = "admin-people-count"
REFRESH = "admin-people-refresh"
REFRESHED = "admin-people-refreshed"
SELECTED = "admin-people-selected"
MESSAGE = "admin-people-message"
FORM_TITLE = "admin-people-form-title"
FULL_NAME = "admin-people-full-name"
GENDER = "admin-people-gender"
BIRTH_DATE = "admin-people-birth-date"
CITIZEN_ID = "admin-people-citizen-id"
SERVANT_CODE = "admin-people-servant-code"
RANK = "admin-people-rank"
EMAIL = "admin-people-email"
PHONE = "admin-people-phone"
START_DATE = "admin-people-start-date"
UNIT = "admin-people-unit"
POSITION = "admin-people-position"
CREATE = "admin-people-create"
SAVE = "admin-people-save"
NEW = "admin-people-new"
MOVE_CARD = "admin-people-move-card"
MOVE_UNIT = "admin-people-move-unit"
MOVE_POSITION = "admin-people-move-position"
MOVE_DATE = "admin-people-move-date"
MOVE = "admin-people-move"
DEACTIVATE = "admin-people-deactivate"
HISTORY = "admin-people-history"
BLOCK = 100  # rows per request; two pages of the grid
PAGE_SIZE = 50
EMPTY: dict[str, Any] = {"rowData": [], "rowCount": 0}
# The form's fields, in the order of PersonInput; the unit and position only count for a new person.
FORM_FIELDS = (FULL_NAME, GENDER, BIRTH_DATE, CITIZEN_ID, SERVANT_CODE, RANK, EMAIL, PHONE, START_DATE)


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=REFRESH, data=0),
            dcc.Store(id=REFRESHED),
            dcc.Store(id=SELECTED, data=None),
            html.H1(_("Personnel"), className="h3"),
            admin_menu(PEOPLE_PATH),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Input(
                            id=SEARCH,
                            type="search",
                            placeholder=_("Search by name (accents optional), citizen id or code"),
                            debounce=0.4,
                            maxLength=100,
                        ),
                        lg=4,
                    ),
                    dbc.Col(
                        dcc.Dropdown(
                            labels=dropdown_labels(), id=UNIT_FILTER, options=[], placeholder=_("All units of my scope")
                        ),
                        lg=4,
                    ),
                    dbc.Col(
                        dbc.Checkbox(id=INACTIVE, label=_("Include people who left"), value=False),
                        lg=2,
                        className="align-self-center",
                    ),
                    dbc.Col(html.Span(id=COUNT, className="text-secondary"), lg=2, className="align-self-center"),
                ],
                className="mb-2 g-2",
            ),
            dag.AgGrid(
                id=GRID,
                rowModelType="infinite",
                columnDefs=_columns(),
                style={"height": "60vh"},
                defaultColDef={"sortable": True, "resizable": True, "minWidth": 100},
                dashGridOptions={
                    "localeText": {**grid_locale(), "noRowsToShow": _("Nobody matches.")},
                    "pagination": True,
                    "paginationPageSize": PAGE_SIZE,
                    "paginationPageSizeSelector": False,
                    "cacheBlockSize": BLOCK,
                    "maxBlocksInCache": 20,
                    "animateRows": False,
                    "rowSelection": "single",
                },
                getRowId="params.data.id",
                className="ag-theme-alpine admin-people-grid mb-3",
            ),
            html.Div(id=MESSAGE),
            dbc.Row(
                [
                    dbc.Col(_person_form(), lg=7, className="mb-3"),
                    dbc.Col([_move_card(), html.Div(id=HISTORY)], lg=5),
                ]
            ),
        ],
        className="admin-people-page",
    )


def _field(label: str, component: Any, **col: Any) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component.id), component], **col)


def _person_form() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.H2(_("New person"), id=FORM_TITLE, className="h6 mb-0"),
                        dbc.Button(_("New person"), id=NEW, color="link", size="sm", n_clicks=0),
                    ],
                    className="d-flex justify-content-between align-items-center mb-2",
                ),
                dbc.Row(
                    [
                        _field(_("Full name"), dbc.Input(id=FULL_NAME, maxLength=120), md=6),
                        _field(
                            _("Gender"),
                            dbc.Select(
                                id=GENDER,
                                options=[
                                    {"label": _("Female"), "value": "female"},
                                    {"label": _("Male"), "value": "male"},
                                ],
                            ),
                            md=3,
                        ),
                        _field(_("Date of birth"), dbc.Input(id=BIRTH_DATE, type="date"), md=3),
                        _field(_("Citizen id"), dbc.Input(id=CITIZEN_ID, maxLength=12, inputMode="numeric"), md=4),
                        _field(_("Civil-servant code"), dbc.Input(id=SERVANT_CODE, maxLength=20), md=4),
                        _field(_("Rank code"), dbc.Input(id=RANK, maxLength=20, placeholder="01.003"), md=4),
                        _field(_("E-mail"), dbc.Input(id=EMAIL, type="email", maxLength=200), md=6),
                        _field(_("Phone"), dbc.Input(id=PHONE, type="tel", maxLength=20), md=6),
                        _field(
                            _("Unit"),
                            dcc.Dropdown(labels=dropdown_labels(), id=UNIT, options=[], placeholder=_("Choose a unit")),
                            md=6,
                        ),
                        _field(
                            _("Position"),
                            dcc.Dropdown(
                                labels=dropdown_labels(), id=POSITION, options=[], placeholder=_("Position (optional)")
                            ),
                            md=6,
                        ),
                        _field(_("Start date"), dbc.Input(id=START_DATE, type="date"), md=4),
                    ],
                    className="g-2 mb-3",
                ),
                html.Div(
                    [
                        dbc.Button(_("Create the person"), id=CREATE, color="success", n_clicks=0),
                        dbc.Button(_("Save changes"), id=SAVE, color="primary", n_clicks=0, disabled=True),
                    ],
                    className="d-flex flex-wrap gap-2",
                ),
            ]
        ),
        className="admin-people-form",
    )


def _move_card() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Move to another unit or position"), className="h6"),
                dbc.Label(_("New unit"), html_for=MOVE_UNIT),
                dcc.Dropdown(
                    labels=dropdown_labels(), id=MOVE_UNIT, options=[], placeholder=_("Choose a unit"), className="mb-2"
                ),
                dbc.Label(_("New position"), html_for=MOVE_POSITION),
                dcc.Dropdown(
                    labels=dropdown_labels(),
                    id=MOVE_POSITION,
                    options=[],
                    placeholder=_("Position (optional)"),
                    className="mb-2",
                ),
                dbc.Label(_("Effective date"), html_for=MOVE_DATE),
                dbc.Input(id=MOVE_DATE, type="date", className="mb-2"),
                html.P(
                    _("Until the day before, the person's work counts in the old unit."),
                    className="text-secondary small",
                ),
                html.Div(
                    [
                        dbc.Button(_("Move"), id=MOVE, color="primary", n_clicks=0),
                        dbc.Button(
                            _("Record that the person left"), id=DEACTIVATE, color="danger", outline=True, n_clicks=0
                        ),
                    ],
                    className="d-flex flex-wrap gap-2",
                ),
            ]
        ),
        id=MOVE_CARD,
        className="mb-3 admin-people-move",
        style={"display": "none"},
    )


def _columns() -> list[dict[str, Any]]:
    return [
        {"field": "full_name", "headerName": _("Full name"), "minWidth": 180, "pinned": "left"},
        {"field": "civil_servant_code", "headerName": _("Civil-servant code"), "minWidth": 130},
        {"field": "citizen_id", "headerName": _("Citizen id"), "minWidth": 140},
        {"field": "birth_date", "headerName": _("Date of birth"), "minWidth": 120},
        {"field": "gender", "headerName": _("Gender"), "minWidth": 90},
        {"field": "rank_code", "headerName": _("Rank code"), "minWidth": 100},
        {"field": "unit", "headerName": _("Unit"), "minWidth": 200},
        {"field": "position", "headerName": _("Position"), "minWidth": 180},
        {"field": "start_date", "headerName": _("Start date"), "minWidth": 120},
        {"field": "email", "headerName": _("E-mail"), "minWidth": 180, "sortable": False},
        {"field": "phone", "headerName": _("Phone"), "minWidth": 120, "sortable": False},
        {"field": "active", "headerName": _("State"), "minWidth": 100},
    ]


def _gender(value: str) -> str:
    return _("Female") if value == "female" else _("Male") if value == "male" else value


@callback(
    Output(UNIT_FILTER, "options"),
    Output(UNIT, "options"),
    Output(MOVE_UNIT, "options"),
    Input(REFRESH, "data"),
)
def unit_options(_refresh: Any) -> tuple[Any, ...]:
    """The units of the administrator's subtree, searchable with or without accents (open ones to place in)."""
    viewer = admin_viewer()
    with current_store().read() as session:
        tree = tree_queries.unit_tree(session, viewer=viewer)
    every = [{"label": u.name, "value": u.id, "search": f"{u.name} {u.folded}"} for u in tree]
    open_units = [o for o, u in zip(every, tree, strict=True) if u.active]
    return every, open_units, open_units


@callback(
    Output(POSITION, "options"),
    Output(POSITION, "value"),
    Input(UNIT, "value"),
    State(SELECTED, "data"),
    prevent_initial_call=True,
)
def position_options(unit: Any, selected: Any) -> tuple[Any, ...]:
    """The open positions of the chosen unit; a person being edited shows their own."""
    options = _positions(unit)
    person_id = as_id(selected.get("id")) if isinstance(selected, dict) else None
    if person_id is None:
        return options, None
    with current_store().read() as session:
        person = queries.person_row(session, viewer=admin_viewer(), person_id=person_id)
    held = person.position_id if person is not None and person.unit_id == as_id(unit) else None
    return options, held


@callback(
    Output(MOVE_POSITION, "options"),
    Output(MOVE_POSITION, "value"),
    Input(MOVE_UNIT, "value"),
    prevent_initial_call=True,
)
def move_position_options(unit: Any) -> tuple[Any, ...]:
    return _positions(unit), None


def _positions(unit: Any) -> list[dict[str, Any]]:
    viewer = admin_viewer()
    unit_id = as_id(unit)
    if unit_id is None:
        return []
    with current_store().read() as session:
        found = queries.open_positions(session, viewer=viewer, unit_id=unit_id)
    # Searchable with or without accents, like the units.
    return [{"label": name, "value": pid, "search": f"{name} {fold(name)}"} for pid, name in found]


@callback(
    Output(GRID, "getRowsResponse"),
    Output(COUNT, "children"),
    Input(GRID, "getRowsRequest"),
    State(SEARCH, "value"),
    State(UNIT_FILTER, "value"),
    State(INACTIVE, "value"),
    prevent_initial_call=True,
)
def fetch_rows(request: Any, search: Any, unit: Any, inactive: Any) -> tuple[Any, ...]:
    """One block of people; a malformed request, a forged sort or a unit outside the subtree gets none."""
    viewer = admin_viewer()
    if not isinstance(request, dict):
        return EMPTY, no_update
    start, end = request.get("startRow", 0), request.get("endRow", BLOCK)
    sort_model = request.get("sortModel") or []
    if not (_is_int(start) and _is_int(end) and 0 <= start < end and end - start <= queries.PEOPLE_BLOCK_MAX):
        return EMPTY, no_update
    if not isinstance(sort_model, list) or not all(
        isinstance(s, dict) and isinstance(s.get("colId"), str) and s.get("sort") in ("asc", "desc") for s in sort_model
    ):
        return EMPTY, no_update
    sort = [(s["colId"], s["sort"] == "desc") for s in sort_model[:3]]
    try:
        with current_store().read() as session:
            rows, total = queries.people_page(
                session,
                viewer=viewer,
                search=as_text(search),
                unit_id=as_id(unit),
                include_inactive=inactive is True,
                sort=sort,
                offset=start,
                limit=end - start,
            )
    except PulseError as refusal:
        audit_refusal(viewer, str(refusal))
        return EMPTY, no_update
    data = [
        {
            "id": str(r.id),
            "full_name": r.full_name,
            "civil_servant_code": r.civil_servant_code,
            "citizen_id": r.citizen_id,
            "birth_date": format_date(r.birth_date) if r.birth_date else str(r.birth_year),
            "gender": _gender(r.gender),
            "rank_code": r.rank_code or "",
            "unit": r.unit_name,
            "position": r.position_name or "",
            "start_date": format_date(r.start_date) if r.start_date else "",
            "email": r.email or "",
            "phone": r.phone or "",
            "active": _("Active") if r.active else _("Left"),
        }
        for r in rows
    ]
    return {"rowData": data, "rowCount": total}, _("%(n)s people", n=total)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# A new search, filter or change: the grid drops its blocks and asks again from the first row.
clientside_callback(
    """
    function(search, unit, inactive, refresh) {
        var grids = window.dash_ag_grid;
        if (grids && grids.getApiAsync) {
            grids.getApiAsync('admin-people-grid').then(function(api) {
                api.purgeInfiniteCache();
            }).catch(function() {});
        }
        return refresh;
    }
    """,
    Output(REFRESHED, "data"),
    Input(SEARCH, "value"),
    Input(UNIT_FILTER, "value"),
    Input(INACTIVE, "value"),
    Input(REFRESH, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(SELECTED, "data"),
    Input(GRID, "cellClicked"),
    Input(NEW, "n_clicks"),
    prevent_initial_call=True,
)
def pick(clicked: Any, _new: Any) -> Any:
    """The clicked person (their current version is read when the form fills); "New person" clears it."""
    admin_viewer()
    if ctx.triggered_id == NEW:
        return None
    person_id = as_id(clicked.get("rowId")) if isinstance(clicked, dict) else None
    if person_id is None:
        raise PreventUpdate
    return {"id": person_id}


@callback(
    Output(FORM_TITLE, "children"),
    *[Output(field, "value") for field in FORM_FIELDS],
    Output(UNIT, "value"),
    Output(UNIT, "disabled"),
    Output(POSITION, "disabled"),
    Output(START_DATE, "disabled"),
    Output(SAVE, "disabled"),
    Output(CREATE, "disabled"),
    Output(MOVE_CARD, "style"),
    Output(HISTORY, "children"),
    Output(SELECTED, "data", allow_duplicate=True),
    Input(SELECTED, "data"),
    prevent_initial_call=True,
)
def fill(selected: Any) -> tuple[Any, ...]:
    """The person's record in the form, the move card and where they worked; nobody: a blank new person."""
    viewer = admin_viewer()
    person_id = as_id(selected.get("id")) if isinstance(selected, dict) else None
    blank = ("",) * len(FORM_FIELDS)
    if person_id is None:
        return (_("New person"), *blank, None, False, False, False, True, False, {"display": "none"}, None, no_update)
    with current_store().read() as session:
        person = queries.person_row(session, viewer=viewer, person_id=person_id)
        history = queries.placements_of(session, viewer=viewer, person_id=person_id) if person else []
    if person is None:
        return (_("New person"), *blank, None, False, False, False, True, False, {"display": "none"}, None, None)
    values = (
        person.full_name,
        person.gender,
        person.birth_date.isoformat() if person.birth_date else "",
        person.citizen_id,
        person.civil_servant_code,
        person.rank_code or "",
        person.email or "",
        person.phone or "",
        person.start_date.isoformat() if person.start_date else "",
    )
    title = [_("Edit %(name)s", name=person.full_name)]
    if not person.active:
        title.append(dbc.Badge(_("Left"), color="secondary", className="ms-2"))
    return (
        title,
        *values,
        person.unit_id,
        True,
        True,
        person.start_date is not None,  # set by a move; typed only for a record that predates it
        False,
        True,  # "New person" first: the form holds someone else now
        {} if person.active else {"display": "none"},
        _history(history),
        {"id": person.id, "version": person.version},
    )


def _history(rows: list[queries.PlacementRow]) -> Any:
    if not rows:
        return None
    items = [
        html.Li(
            [
                html.Span(f"{format_date(r.valid_from)} – {format_date(r.valid_to) if r.valid_to else _('now')}: "),
                html.Strong(r.unit_name),
                html.Span(f" · {r.position_name}" if r.position_name else ""),
            ]
        )
        for r in rows
    ]
    return dbc.Card(
        dbc.CardBody([html.H2(_("Where the person worked"), className="h6"), html.Ul(items, className="mb-0 small")]),
        className="admin-people-history",
    )


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Output(SELECTED, "data", allow_duplicate=True),
    Input(CREATE, "n_clicks"),
    Input(SAVE, "n_clicks"),
    Input(MOVE, "n_clicks"),
    Input(DEACTIVATE, "n_clicks"),
    State(SELECTED, "data"),
    *[State(field, "value") for field in FORM_FIELDS],
    State(UNIT, "value"),
    State(POSITION, "value"),
    State(MOVE_UNIT, "value"),
    State(MOVE_POSITION, "value"),
    State(MOVE_DATE, "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def act(*args: Any) -> tuple[Any, ...]:
    """Create, save, move or deactivate; the page then shows the person as they now are."""
    viewer = admin_viewer()
    trigger = ctx.triggered_id
    if trigger not in (CREATE, SAVE, MOVE, DEACTIVATE) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    selected = args[4]
    typed = args[5 : 5 + len(FORM_FIELDS)]
    unit, position, move_unit, move_position, move_date, refresh = args[5 + len(FORM_FIELDS) :]
    fields = PersonInput(*(as_text(v) for v in typed))
    person_id = as_id(selected.get("id")) if isinstance(selected, dict) else None
    version = selected.get("version") if isinstance(selected, dict) else None
    version = version if _is_int(version) else None
    store = current_store()
    try:
        if trigger == CREATE:
            made = commands.create_person(
                store, viewer=viewer, unit_id=as_id(unit), position_id=as_id(position), fields=fields
            )
            text = _("%(name)s added.", name=" ".join(fields.full_name.split()))
            return done_alert(text, class_name="admin-people-done"), next_count(refresh), {"id": made.person_id}
        if person_id is None:
            return (
                dbc.Alert(_("Choose a person in the list first."), color="info", className="admin-people-problem"),
                no_update,
                no_update,
            )
        if trigger == SAVE:
            commands.edit_person(store, viewer=viewer, person_id=person_id, version=version, fields=fields)
            text = _("Changes saved.")
        elif trigger == MOVE:
            effective = as_date(move_date)
            commands.move_person(
                store,
                viewer=viewer,
                person_id=person_id,
                version=version,
                unit_id=as_id(move_unit),
                position_id=as_id(move_position),
                effective=effective,
            )
            text = _("Transferred, effective %(date)s.", date=format_date(effective)) if effective else _("Moved.")
        else:
            commands.deactivate_person(store, viewer=viewer, person_id=person_id, version=version)
            text = _("Recorded: the person left on %(date)s.", date=format_date(today()))
    except PulseError as problem:
        return admin_alert(problem, class_name="admin-people-problem"), no_update, no_update
    return done_alert(text, class_name="admin-people-done"), next_count(refresh), {"id": person_id}

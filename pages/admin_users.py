"""/admin/users: the accounts of the administrator's subtree, a page at a time (server paging), with
their open sessions' last activity; create an account for a person (role, scope unit, language),
reset a password (shown once), revoke sessions, deactivate.
Data: data_access.queries.admin.accounts_page; writes: data_access.commands.admin_users.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.i18n import dropdown_labels
from components.tables import grid_locale
from components.work_views import done_alert
from config.clock import now
from data_access.commands import admin_users as commands
from data_access.errors import PulseError
from data_access.queries import admin as queries
from domain.admin_access import ADMIN_PAGE_ROLES
from domain.text import fold
from pages._admin import USERS_PATH, admin_alert, admin_menu, admin_viewer, role_label, role_options
from pages._inputs import as_id, as_text, next_count
from server.context import current_settings, current_store
from server.i18n import LANGUAGES, _, format_date

dash.register_page(
    __name__,
    path=USERS_PATH,
    name="Accounts",
    order=91,
    nav_label=None,
    title="Pulse",
    roles=list(ADMIN_PAGE_ROLES),
    admin=True,
)

GRID = "admin-users-grid"
SEARCH = "admin-users-search"
PAGES = "admin-users-pages"
COUNT = "admin-users-count"
REFRESH = "admin-users-refresh"
USERNAME = "admin-users-username"
ROLE = "admin-users-role"
SCOPE = "admin-users-scope"
LANGUAGE = "admin-users-language"
PERSON = "admin-users-person"
CREATE = "admin-users-create"
RESET = "admin-users-reset"
REVOKE = "admin-users-revoke"
DEACTIVATE = "admin-users-deactivate"
MESSAGE = "admin-users-message"


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=REFRESH, data=0),
            html.H1(_("Accounts"), className="h3"),
            admin_menu(USERS_PATH),
            _create_form(),
            html.Div(id=MESSAGE),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Input(
                            id=SEARCH,
                            type="search",
                            placeholder=_("Search by user name or person"),
                            debounce=0.4,
                            maxLength=100,
                        ),
                        md=5,
                    ),
                    dbc.Col(html.Span(id=COUNT, className="text-secondary"), md=3, className="align-self-center"),
                    dbc.Col(
                        [
                            dbc.Button(_("Reset password"), id=RESET, color="primary", outline=True, n_clicks=0),
                            dbc.Button(
                                _("End open sessions"),
                                id=REVOKE,
                                color="primary",
                                outline=True,
                                n_clicks=0,
                                className="ms-2",
                            ),
                            dbc.Button(
                                _("Deactivate"),
                                id=DEACTIVATE,
                                color="danger",
                                outline=True,
                                n_clicks=0,
                                className="ms-2",
                            ),
                        ],
                        md=4,
                        className="text-md-end",
                    ),
                ],
                className="mb-2 g-2",
            ),
            dag.AgGrid(
                id=GRID,
                rowData=[],
                columnDefs=_columns(),
                defaultColDef={"resizable": True, "minWidth": 90, "sortable": False},
                dashGridOptions={
                    "rowSelection": "single",
                    "domLayout": "autoHeight",
                    "animateRows": False,
                    "localeText": {**grid_locale(), "noRowsToShow": _("No accounts here.")},
                },
                getRowId="params.data.id",
                className="ag-theme-alpine admin-users-grid",
            ),
            dbc.Pagination(id=PAGES, max_value=1, active_page=1, fully_expanded=False, className="mt-2"),
        ],
        className="admin-users-page",
    )


def _create_form() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("New account"), className="h6"),
                dbc.Row(
                    [
                        dbc.Col(
                            [dbc.Label(_("User name"), html_for=USERNAME), dbc.Input(id=USERNAME, maxLength=80)], md=3
                        ),
                        dbc.Col(
                            [
                                dbc.Label(_("Role"), html_for=ROLE),
                                dbc.Select(
                                    id=ROLE,
                                    value="staff",
                                    options=role_options(),
                                ),
                            ],
                            md=2,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(_("Scope unit"), html_for=SCOPE),
                                dcc.Dropdown(
                                    labels=dropdown_labels(), id=SCOPE, options=[], placeholder=_("Choose a unit")
                                ),
                            ],
                            md=3,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(_("Language"), html_for=LANGUAGE),
                                dbc.Select(
                                    id=LANGUAGE,
                                    value="vi",
                                    options=[{"label": label, "value": code} for code, label in LANGUAGES.items()],
                                ),
                            ],
                            md=2,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(_("Person (optional)"), html_for=PERSON),
                                dcc.Dropdown(
                                    labels=dropdown_labels(),
                                    id=PERSON,
                                    options=[],
                                    placeholder=_("Choose a unit first"),
                                ),
                            ],
                            md=2,
                        ),
                    ],
                    className="mb-2 g-2",
                ),
                dbc.Button(_("Create the account"), id=CREATE, color="success", n_clicks=0),
            ]
        ),
        className="mb-3",
    )


def _columns() -> list[dict[str, Any]]:
    return [
        {"field": "username", "headerName": _("User name"), "flex": 2},
        {"field": "person", "headerName": _("Person"), "flex": 2},
        {"field": "role", "headerName": _("Role"), "flex": 1},
        {"field": "scope", "headerName": _("Scope unit"), "flex": 2},
        {"field": "language", "headerName": _("Language"), "flex": 1},
        {"field": "state", "headerName": _("State"), "flex": 1},
        {"field": "last_login", "headerName": _("Last login"), "flex": 1},
        {"field": "sessions", "headerName": _("Open sessions"), "flex": 1, "type": "rightAligned"},
        {"field": "last_activity", "headerName": _("Last activity"), "flex": 1},
    ]


@callback(
    Output(GRID, "rowData"),
    Output(PAGES, "max_value"),
    Output(COUNT, "children"),
    Input(REFRESH, "data"),
    Input(SEARCH, "value"),
    Input(PAGES, "active_page"),
)
def render(_refresh: Any, search: Any, page: Any) -> tuple[Any, ...]:
    """One page of accounts; open sessions are those seen within the idle limit."""
    viewer = admin_viewer()
    page = page if isinstance(page, int) and not isinstance(page, bool) and 0 < page < 100_000 else 1
    since = now() - timedelta(minutes=current_settings().session_idle_minutes)
    with current_store().read() as session:
        rows, total = queries.accounts_page(session, viewer=viewer, search=as_text(search), page=page, since=since)
    data = [
        {
            "id": str(r.id),
            "version": r.version,
            "username": r.username,
            "person": r.person_name or "–",
            "role": role_label(r.role),
            "scope": r.scope_name,
            "language": LANGUAGES.get(r.language, r.language),
            "state": _("Active") if r.active else _("Deactivated"),
            "last_login": format_date(r.last_login_at, with_time=True),
            "sessions": r.open_sessions,
            "last_activity": format_date(r.last_activity, with_time=True),
        }
        for r in rows
    ]
    pages = max(1, math.ceil(total / queries.ACCOUNTS_PAGE_SIZE))
    return data, pages, _("%(n)s accounts", n=total)


@callback(Output(SCOPE, "options"), Output(ROLE, "options"), Input(REFRESH, "data"))
def scope_options(_refresh: Any) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The open units of the administrator's subtree, to scope a new account to, and the roles it may grant
    (a ward's administrator is not offered `administrator`; the command refuses it anyway)."""
    viewer = admin_viewer()
    with current_store().read() as session:
        tree = queries.unit_tree(session, viewer=viewer)
    units = [{"label": u.name, "value": u.id, "search": f"{u.name} {u.folded}"} for u in tree if u.active]
    return units, role_options(viewer)


@callback(Output(PERSON, "options"), Output(PERSON, "value"), Input(SCOPE, "value"))
def people_options(scope: Any) -> tuple[list[dict[str, Any]], None]:
    viewer = admin_viewer()
    unit_id = as_id(scope)
    if unit_id is None:
        return [], None
    with current_store().read() as session:
        people = queries.people_without_account(session, viewer=viewer, unit_id=unit_id)
    # Typed without accents, as the scope list is searched.
    return [{"label": p.label, "value": p.value, "search": f"{p.label} {fold(p.label)}"} for p in people], None


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Output(USERNAME, "value"),
    Input(CREATE, "n_clicks"),
    State(USERNAME, "value"),
    State(ROLE, "value"),
    State(SCOPE, "value"),
    State(LANGUAGE, "value"),
    State(PERSON, "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def create(
    n_clicks: Any, username: Any, role: Any, scope: Any, language: Any, person: Any, refresh: Any
) -> tuple[Any, ...]:
    viewer = admin_viewer()
    if not n_clicks:
        raise PreventUpdate
    try:
        made = commands.create_account(
            current_store(),
            viewer=viewer,
            username=as_text(username),
            role=as_text(role),
            scope_unit_id=as_id(scope),
            language=as_text(language),
            person_id=as_id(person),
        )
    except PulseError as problem:
        return admin_alert(problem, class_name="admin-users-problem"), no_update, no_update
    return (
        _password_alert(_("Account %(name)s created.", name=as_text(username).strip().lower()), made.password),
        next_count(refresh),
        "",
    )


def _password_alert(text: str, password: str | None) -> dbc.Alert:
    """The new password, shown this once: it is stored only as a hash."""
    return dbc.Alert(
        [
            html.P(text, className="mb-1"),
            html.P(
                [_("Password: "), html.Code(password or "", className="admin-users-password fs-5")], className="mb-1"
            ),
            html.P(_("Write it down and hand it over now: it will not be shown again."), className="small mb-0"),
        ],
        color="success",
        className="admin-users-done",
        dismissable=True,
    )


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(REFRESH, "data", allow_duplicate=True),
    Output(GRID, "selectedRows"),
    Input(RESET, "n_clicks"),
    Input(REVOKE, "n_clicks"),
    Input(DEACTIVATE, "n_clicks"),
    State(GRID, "selectedRows"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def act(_reset: Any, _revoke: Any, _deactivate: Any, selected: Any, refresh: Any) -> tuple[Any, ...]:
    """Act on the selected account with the version the grid showed."""
    viewer = admin_viewer()
    trigger = ctx.triggered_id
    if trigger not in (RESET, REVOKE, DEACTIVATE) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    row = selected[0] if isinstance(selected, list) and selected and isinstance(selected[0], dict) else None
    user_id = as_id(row.get("id")) if row else None
    if row is None or user_id is None:
        return (
            dbc.Alert(_("Choose an account in the list first."), color="info", className="admin-users-problem"),
            no_update,
            no_update,
        )
    version = row.get("version") if isinstance(row.get("version"), str) else None
    store = current_store()
    try:
        if trigger == RESET:
            state = commands.reset_password(store, viewer=viewer, user_id=user_id, version=version)
            message: Any = _password_alert(
                _("New password for %(name)s.", name=as_text(row.get("username"))), state.password
            )
        elif trigger == REVOKE:
            commands.revoke_sessions(store, viewer=viewer, user_id=user_id, version=version)
            message = done_alert(_("Every open session of the account has ended."), class_name="admin-users-done")
        else:
            commands.deactivate(store, viewer=viewer, user_id=user_id, version=version)
            message = done_alert(_("Account deactivated."), class_name="admin-users-done")
    except PulseError as problem:
        return admin_alert(problem, class_name="admin-users-problem"), no_update, no_update
    # The selection goes: its version is the old one now, and the next action should start from the list.
    return message, next_count(refresh), []

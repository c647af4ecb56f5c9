"""/admin/tokens: the machine tokens of the administrator's subtree (scopes, unit, expiry, last use);
create one for a named system (the token is shown once), revoke one.
Data: data_access.queries.api_tokens.list_tokens; writes: data_access.commands.api_tokens.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.i18n import dropdown_labels
from components.tables import grid_locale
from components.work_views import done_alert, problem_alert
from config.clock import now
from data_access.commands import api_tokens as commands
from data_access.errors import Invalid, PulseError
from data_access.queries import admin as admin_queries
from data_access.queries.api_tokens import list_tokens
from domain.api_tokens import DAYS_MAX, RATE_MAX, Scope
from pages._admin import TOKENS_PATH, admin_menu, admin_viewer
from pages._inputs import as_id, as_text, next_count
from server.context import current_store
from server.i18n import _, format_date, lazy_gettext

dash.register_page(
    __name__, path=TOKENS_PATH, name="Machine tokens", order=92, nav_label=None, title="Pulse", roles=["admin"]
)

GRID = "admin-tokens-grid"
REFRESH = "admin-tokens-refresh"
NAME = "admin-tokens-name"
SCOPES = "admin-tokens-scopes"
UNIT = "admin-tokens-unit"
DAYS = "admin-tokens-days"
RATE = "admin-tokens-rate"
CREATE = "admin-tokens-create"
REVOKE = "admin-tokens-revoke"
MESSAGE = "admin-tokens-message"

SCOPE_LABELS = {
    Scope.ORG_READ: lazy_gettext("read the organisation tree"),
    Scope.PROFILES_READ: lazy_gettext("read profiles (citizen ids masked)"),
    Scope.PROFILES_CITIZEN_ID: lazy_gettext("see full citizen ids in profiles"),
    Scope.MEASUREMENTS_WRITE: lazy_gettext("send indicator values"),
    Scope.INDICATORS_READ: lazy_gettext("read published indicators"),
}
FIELDS = {
    "name": lazy_gettext("System name"),
    "scopes": lazy_gettext("Scopes"),
    "unit": lazy_gettext("Unit"),
    "days": lazy_gettext("Valid for (days)"),
    "rate_per_minute": lazy_gettext("Calls per minute"),
}
PROBLEMS = {
    "required": lazy_gettext("this field is required"),
    "too_long": lazy_gettext("at most 120 characters"),
    "unknown_scope": lazy_gettext("choose among the scopes offered"),
    "unknown_choice": lazy_gettext("choose one of the options offered"),
    "out_of_range": lazy_gettext("outside the allowed range"),
}


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=REFRESH, data=0),
            html.H1(_("Machine tokens"), className="h3"),
            admin_menu(TOKENS_PATH),
            html.P(
                [
                    _("Other systems call the API /api/v1 with a token: it reaches its unit's subtree only. "),
                    html.A(_("API reference"), href="/admin/api", target="_blank"),
                ],
                className="text-secondary",
            ),
            _create_form(),
            html.Div(id=MESSAGE),
            html.Div(
                dbc.Button(_("Revoke"), id=REVOKE, color="danger", outline=True, n_clicks=0),
                className="mb-2 text-md-end",
            ),
            dag.AgGrid(
                id=GRID,
                rowData=[],
                columnDefs=_columns(),
                defaultColDef={
                    "resizable": True,
                    "minWidth": 110,
                    "sortable": False,
                    "wrapText": True,
                    "autoHeight": True,
                    "wrapHeaderText": True,
                    "autoHeaderHeight": True,
                },
                dashGridOptions={
                    "rowSelection": "single",
                    "domLayout": "autoHeight",
                    "animateRows": False,
                    "localeText": {**grid_locale(), "noRowsToShow": _("No tokens yet.")},
                },
                getRowId="params.data.id",
                className="ag-theme-alpine admin-tokens-grid",
            ),
        ],
        className="admin-tokens-page",
    )


def _create_form() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("New token"), className="h6"),
                dbc.Row(
                    [
                        dbc.Col(
                            [dbc.Label(_("System name"), html_for=NAME), dbc.Input(id=NAME, maxLength=120)],
                            md=4,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(_("Unit"), html_for=UNIT),
                                dcc.Dropdown(
                                    labels=dropdown_labels(), id=UNIT, options=[], placeholder=_("Choose a unit")
                                ),
                            ],
                            md=4,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(_("Valid for (days)"), html_for=DAYS),
                                dbc.Input(id=DAYS, type="number", min=1, max=DAYS_MAX, step=1, value=365),
                            ],
                            md=2,
                            xs=6,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(_("Calls per minute"), html_for=RATE),
                                dbc.Input(id=RATE, type="number", min=1, max=RATE_MAX, step=1, value=120),
                            ],
                            md=2,
                            xs=6,
                        ),
                    ],
                    className="mb-2 g-2",
                ),
                dbc.Label(_("Scopes"), html_for=SCOPES),
                dbc.Checklist(
                    id=SCOPES,
                    options=[
                        {"label": f"{label} ({scope.value})", "value": scope.value}
                        for scope, label in SCOPE_LABELS.items()
                    ],
                    value=[],
                    className="mb-2",
                ),
                dbc.Button(_("Create the token"), id=CREATE, color="success", n_clicks=0),
            ]
        ),
        className="mb-3",
    )


def _columns() -> list[dict[str, Any]]:
    return [
        {"field": "name", "headerName": _("System name"), "flex": 2},
        {"field": "prefix", "headerName": _("Token starts with"), "flex": 1, "minWidth": 150},
        {"field": "unit", "headerName": _("Unit"), "flex": 2},
        {"field": "scopes", "headerName": _("Scopes"), "flex": 2},
        {"field": "state", "headerName": _("State"), "flex": 1},
        {"field": "expires", "headerName": _("Expires"), "flex": 1},
        {"field": "last_used", "headerName": _("Last used"), "flex": 1},
    ]


@callback(Output(GRID, "rowData"), Input(REFRESH, "data"))
def render(_refresh: Any) -> list[dict[str, Any]]:
    viewer = admin_viewer()
    moment = now()
    with current_store().read() as session:
        rows = list_tokens(session, scope_path=viewer.scope_path)
    return [
        {
            "id": str(r.token_id),
            "name": r.name,
            "prefix": f"{r.prefix}…",
            "unit": r.unit_name,
            "scopes": r.scopes,
            "state": _("Revoked") if r.revoked_at else (_("Expired") if r.expires_at <= moment else _("Active")),
            "expires": format_date(r.expires_at),
            "last_used": format_date(r.last_used_at, with_time=True) if r.last_used_at else _("never"),
        }
        for r in rows
    ]


@callback(Output(UNIT, "options"), Input(REFRESH, "data"))
def unit_options(_refresh: Any) -> list[dict[str, Any]]:
    viewer = admin_viewer()
    with current_store().read() as session:
        tree = admin_queries.unit_tree(session, viewer=viewer)
    return [{"label": u.name, "value": u.id, "search": f"{u.name} {u.folded}"} for u in tree if u.active]


def _whole(value: Any) -> int:
    """A whole number from a number input (0 for anything else: the command says what is wrong)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return 0


def _alert(problem: PulseError) -> dbc.Alert:
    if problem.code == "invalid":
        found: dict[str, str] = getattr(problem, "problems", {})
        text = "; ".join(f"{FIELDS.get(f, f)}: {PROBLEMS.get(c, c)}" for f, c in found.items())
        return dbc.Alert(
            _("Please correct: %(problems)s", problems=text), color="warning", className="admin-tokens-problem"
        )
    return problem_alert(problem, class_name="admin-tokens-problem")


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Output(NAME, "value"),
    Input(CREATE, "n_clicks"),
    State(NAME, "value"),
    State(SCOPES, "value"),
    State(UNIT, "value"),
    State(DAYS, "value"),
    State(RATE, "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def create(n_clicks: Any, name: Any, scopes: Any, unit: Any, days: Any, rate: Any, refresh: Any) -> tuple[Any, ...]:
    viewer = admin_viewer()
    if not n_clicks:
        raise PreventUpdate
    chosen = [s for s in scopes if isinstance(s, str)] if isinstance(scopes, list) else []
    unit_id = as_id(unit)
    try:
        if unit_id is None:
            raise Invalid({"unit": "unknown_choice"})
        made = commands.create_token(
            current_store(),
            actor=viewer,
            name=as_text(name),
            scopes=" ".join(chosen),
            unit_id=unit_id,
            days=_whole(days),
            rate_per_minute=_whole(rate),
        )
    except PulseError as problem:
        return _alert(problem), no_update, no_update
    shown = dbc.Alert(
        [
            html.P(_("Token created for %(name)s.", name=as_text(name).strip()), className="mb-1"),
            html.P(html.Code(made.secret, className="admin-tokens-secret fs-6 text-break"), className="mb-1"),
            html.P(
                _("Copy it into the other system now: it is stored only as a hash and will not be shown again."),
                className="small mb-0",
            ),
        ],
        color="success",
        className="admin-tokens-done",
        dismissable=True,
    )
    return shown, next_count(refresh), ""


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(REFRESH, "data", allow_duplicate=True),
    Output(GRID, "selectedRows"),
    Input(REVOKE, "n_clicks"),
    State(GRID, "selectedRows"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def revoke(n_clicks: Any, selected: Any, refresh: Any) -> tuple[Any, ...]:
    viewer = admin_viewer()
    if not n_clicks or ctx.triggered_id != REVOKE:
        raise PreventUpdate
    row = selected[0] if isinstance(selected, list) and selected and isinstance(selected[0], dict) else None
    token_id = as_id(row.get("id")) if row else None
    if token_id is None:
        return (
            dbc.Alert(_("Choose a token in the list first."), color="info", className="admin-tokens-problem"),
            no_update,
            no_update,
        )
    try:
        commands.revoke_token(current_store(), actor=viewer, token_id=token_id)
    except PulseError as problem:
        return _alert(problem), no_update, no_update
    return (
        done_alert(_("Token revoked: the system can no longer call the API."), class_name="admin-tokens-done"),
        next_count(refresh),
        [],
    )

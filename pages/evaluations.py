"""/evaluations: the classification list of a period and unit (Decree 335 / Regulation 366).

For managers and leaders: open the period's evaluations, accept the rest as proposed, approve
the unit (the 20% quota is applied per position group, and among the units below of one kind;
the people and units it moved are listed), lock. Below the people, the units' own evaluations:
each unit's head self-assesses it, the level above reviews and approves it. Staff see only their
own line. Data: data_access.queries.evaluations (scoped), commands in
data_access.commands.evaluations.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.evaluation_views import evaluation_table, problem_alert, quota_moves
from components.i18n import dropdown_texts
from data_access.commands import evaluation_approval as approval
from data_access.commands import evaluations as commands
from data_access.errors import PulseError
from data_access.queries import evaluations as queries
from data_access.queries.scope import data_version
from domain.kinds import Role
from pages._common import page_period
from pages._inputs import as_id, chosen_id, next_count
from server.context import current_store, current_viewer
from server.i18n import _, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/evaluations",
    name="Evaluations",
    title="Pulse – Evaluations",
    order=60,
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF],
    nav_label=lazy_gettext("Evaluations"),
    nav_group=lazy_gettext("Evaluation and emulation"),
)

PERIOD = "evaluations-period"
UNIT = "evaluations-unit"
ACTIONS = "evaluations-actions"
OPEN_BUTTON = "evaluations-open"
REVIEW_REST_BUTTON = "evaluations-review-rest"
APPROVE_BUTTON = "evaluations-approve"
LOCK_BUTTON = "evaluations-lock"
MESSAGE = "evaluations-message"
MOVES = "evaluations-moves"
LIST = "evaluations-list"
REFRESH = "evaluations-refresh"
LIST_VERSION = "evaluations-list-version"  # the data version the list shows


def layout(period: str | None = None, **_kwargs: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Evaluation and classification"), className="h2"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(_("Period")),
                            html.Div(page_period(period), className="form-control-plaintext period-shown"),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(_("Unit"), html_for=UNIT),
                            dcc.Dropdown(**dropdown_texts(), id=UNIT, options=[], clearable=False),
                        ],
                        md=5,
                    ),
                ],
                className="mb-2",
            ),
            html.Div(
                [
                    dbc.Button(_("Open evaluations"), id=OPEN_BUTTON, color="secondary", className="me-2"),
                    dbc.Button(
                        _("Review the rest as proposed"), id=REVIEW_REST_BUTTON, color="secondary", className="me-2"
                    ),
                    dbc.Button(_("Approve the unit"), id=APPROVE_BUTTON, color="primary", className="me-2"),
                    dbc.Button(_("Lock"), id=LOCK_BUTTON, color="dark", outline=True),
                ],
                id=ACTIONS,
                # Hidden until the unit picker is filled: a click before that had no unit to act on
                # and was silently dropped (seen as a flaky journey on a loaded machine).
                hidden=True,
                className="mb-3",
            ),
            html.Div(id=MESSAGE),
            html.Div(id=MOVES),
            dcc.Loading(html.Div(id=LIST)),
            dcc.Store(id=REFRESH, data=0),
            dcc.Store(id=LIST_VERSION),
            dcc.Store(id=PERIOD, data=page_period(period)),
        ],
        className="evaluations-page",
    )


@callback(
    Output(UNIT, "options"),
    Output(UNIT, "value"),
    Output(ACTIONS, "hidden"),
    Input(PERIOD, "data"),
    State(UNIT, "value"),
)
def fill_units(_period: str, current: int | None) -> tuple[list[dict[str, Any]], int | None, bool]:
    """Units the viewer may pick (tree order); staff get no action buttons."""
    who = current_viewer()
    try:
        with current_store().read() as session:
            units = queries.units_for_picker(session, viewer=who)
    except PulseError:
        return [], None, True
    base = min((depth for _id, _name, depth in units), default=0)
    options = [{"label": "\u00a0\u00a0" * (depth - base) + name, "value": unit_id} for unit_id, name, depth in units]
    valid = {o["value"] for o in options}
    value = chosen_id(current, valid, who.scope_unit_id, next(iter(valid), None))
    return options, value, who.role not in (Role.ADMIN, Role.LEADER, Role.MANAGER)


@callback(
    Output(MESSAGE, "children"),
    Output(MOVES, "children"),
    Output(REFRESH, "data"),
    Input(OPEN_BUTTON, "n_clicks"),
    Input(REVIEW_REST_BUTTON, "n_clicks"),
    Input(APPROVE_BUTTON, "n_clicks"),
    Input(LOCK_BUTTON, "n_clicks"),
    State(PERIOD, "data"),
    State(UNIT, "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def act(
    _o: int | None,
    _r: int | None,
    _a: int | None,
    _l: int | None,
    period: str,
    unit_id: int | None,
    refresh: int | None,
) -> tuple[Any, Any, Any]:
    """Run the clicked command for the chosen period and unit."""
    unit_id = as_id(unit_id)
    if not unit_id or not isinstance(period, str) or not ctx.triggered_id:
        raise PreventUpdate
    period = page_period(period)  # a forged period (say "\x00") must not reach the database as text
    who = current_viewer()
    moves: Any = no_update
    try:
        if ctx.triggered_id == OPEN_BUTTON:
            count = commands.open_evaluations(current_store(), viewer=who, period_code=period, unit_id=unit_id)
            message = _("%(n)s evaluation(s) opened.", n=count)
        elif ctx.triggered_id == REVIEW_REST_BUTTON:
            count = approval.review_remaining(current_store(), viewer=who, unit_id=unit_id, period_code=period)
            message = _("%(n)s evaluation(s) accepted as proposed.", n=count)
        elif ctx.triggered_id == APPROVE_BUTTON:
            result = approval.approve_unit(current_store(), viewer=who, unit_id=unit_id, period_code=period)
            message = _("%(n)s evaluation(s) approved.", n=result.approved)
            moves = quota_moves(result.moves)
        elif ctx.triggered_id == LOCK_BUTTON:
            count = approval.lock_unit(current_store(), viewer=who, unit_id=unit_id, period_code=period)
            message = _("%(n)s evaluation(s) locked.", n=count)
        else:
            raise PreventUpdate
    except PulseError as problem:
        return problem_alert(problem), no_update, no_update
    return dbc.Alert(message, color="success", className="evaluation-message"), moves, next_count(refresh)


@callback(
    Output(LIST, "children"),
    Output(LIST_VERSION, "data"),
    Input(PERIOD, "data"),
    Input(UNIT, "value"),
    Input(REFRESH, "data"),
    Input(LIVE_VERSION_ID, "data"),
    State(LIST_VERSION, "data"),
)
def render_list(
    period: str | None, unit_id: int | None, _refresh: int | None, live: int | None, shown: int | None
) -> tuple[Any, Any]:
    """The classification list for the period and unit, then the evaluations of its units; live, but not
    twice for one change (after the viewer's own action the list is already as new as the poll says)."""
    if not isinstance(period, str) or not period:
        raise PreventUpdate
    if ctx.triggered_id == LIVE_VERSION_ID and isinstance(live, int) and isinstance(shown, int) and live <= shown:
        raise PreventUpdate
    period = page_period(period)  # a forged period (say "\x00") must not reach the database as text
    who = current_viewer()
    try:
        with current_store().read() as session:
            version = data_version(session)
            rows = queries.list_evaluations(session, viewer=who, period_code=period, unit_id=as_id(unit_id))
            units = (
                []
                if who.role is Role.STAFF
                else queries.list_evaluations(
                    session, viewer=who, period_code=period, unit_id=as_id(unit_id), people=False
                )
            )
    except PulseError as problem:
        return problem_alert(problem), no_update
    parts = [evaluation_table(rows)]
    if units:
        parts += [
            html.H4(_("Units")),
            html.P(
                _(
                    "Each unit is evaluated on its own 100-point scale: its head self-assesses the unit's "
                    "general criteria, the level above reviews and approves it; excellent units are capped "
                    "among the units of one kind under the same parent."
                ),
                className="text-muted small",
            ),
            html.Div(evaluation_table(units), className="unit-evaluations"),
        ]
    return parts, version

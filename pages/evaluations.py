"""/evaluations: the classification list of a period and unit (Decree 335 / Regulation 366).

For managers and leaders: open the period's evaluations, accept the rest as proposed, approve
the unit (the 20% quota is applied per position group, and among the units below of one kind;
the people and units it moved are listed; those tied at the cut wait, and the unit head records the
council's decision among them here), lock. Without a period in the URL the page opens on the
period that has an evaluation in progress. Below the people, the units' own evaluations:
each unit's head self-assesses it, the level above reviews and approves it. Staff see only their
own line. Data: data_access.queries.evaluations (scoped), commands in
data_access.commands.evaluations.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.evaluation_views import council_section, evaluation_table, problem_alert, quota_moves
from components.i18n import dropdown_texts
from components.labels import period_label
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
from server.shell import PAGES_LOCATION

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
URL_PERIOD = "evaluations-url-period"  # the period the URL names (None: the page picks one in progress)
COUNCIL = "evaluations-council"
COUNCIL_MESSAGE = "evaluations-council-message"


def keep_id(group: str) -> dict[str, str]:
    return {"type": "council-keep", "group": group}


def council_reason_id(group: str) -> dict[str, str]:
    return {"type": "council-reason", "group": group}


def decide_id(group: str) -> dict[str, str]:
    return {"type": "council-decide", "group": group}


def layout(period: str | None = None, **_kwargs: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Evaluation and classification"), className="h2"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(_("Period")),
                            html.Div(
                                period_label(page_period(period)), className="form-control-plaintext period-shown"
                            ),
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
            html.Div(id=COUNCIL_MESSAGE),
            html.Div(id=COUNCIL),
            dcc.Loading(html.Div(id=LIST)),
            dcc.Store(id=REFRESH, data=0),
            dcc.Store(id=LIST_VERSION),
            dcc.Store(id=PERIOD, data=page_period(period)),
            dcc.Store(id=URL_PERIOD, data=period if isinstance(period, str) and period else None),
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
            moves = quota_moves(result.moves, result.awaiting)
        elif ctx.triggered_id == LOCK_BUTTON:
            count = approval.lock_unit(current_store(), viewer=who, unit_id=unit_id, period_code=period)
            message = _("%(n)s evaluation(s) locked.", n=count)
        else:
            raise PreventUpdate
    except PulseError as problem:
        return problem_alert(problem), no_update, no_update
    return dbc.Alert(message, color="success", className="evaluation-message"), moves, next_count(refresh)


@callback(
    Output(PAGES_LOCATION, "search", allow_duplicate=True),
    Input(URL_PERIOD, "data"),
    prevent_initial_call="initial_duplicate",
)
def open_on_period_in_progress(url_period: str | None) -> Any:
    """Without a period in the URL, go to the period that has an evaluation in progress (staff would
    otherwise land on the year, where there is none); the navbar follows the URL."""
    if isinstance(url_period, str) and url_period:
        raise PreventUpdate
    try:
        with current_store().read() as session:
            found = queries.period_in_progress(session, viewer=current_viewer())
    except PulseError:
        raise PreventUpdate from None
    if found is None or found == page_period(None):
        raise PreventUpdate
    return "?" + urlencode({"period": found})


@callback(
    Output(COUNCIL, "children"),
    Input(PERIOD, "data"),
    Input(UNIT, "value"),
    Input(REFRESH, "data"),
    Input(LIVE_VERSION_ID, "data"),
)
def render_council(period: str | None, unit_id: int | None, _refresh: int | None, _live: int | None) -> Any:
    """The ties at the quota's cut that the unit head decides for the council (nothing for anyone else)."""
    unit_id = as_id(unit_id)
    if not isinstance(period, str) or unit_id is None:
        return None
    try:
        with current_store().read() as session:
            ties = queries.awaiting_ties(
                session, viewer=current_viewer(), period_code=page_period(period), unit_id=unit_id
            )
    except PulseError:
        return None
    return council_section(ties, keep_id=keep_id, reason_id=council_reason_id, decide_id=decide_id) if ties else None


@callback(
    Output(COUNCIL_MESSAGE, "children"),
    Output(REFRESH, "data", allow_duplicate=True),
    Input(decide_id(ALL), "n_clicks"),  # type: ignore[arg-type]
    State(keep_id(ALL), "value"),  # type: ignore[arg-type]
    State(keep_id(ALL), "id"),  # type: ignore[arg-type]
    State(council_reason_id(ALL), "value"),  # type: ignore[arg-type]
    State(council_reason_id(ALL), "id"),  # type: ignore[arg-type]
    State(PERIOD, "data"),
    State(UNIT, "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def decide_tie(
    clicks: list[int | None],
    keeps: list[Any],
    keep_ids: list[Any],
    reasons: list[Any],
    reason_ids: list[Any],
    period: Any,
    unit_id: Any,
    refresh: int | None,
) -> tuple[Any, Any]:
    """The head's decision for one group: who keeps excellent, and why."""
    trigger = ctx.triggered_id
    unit_id = as_id(unit_id)
    if not isinstance(trigger, dict) or not isinstance(trigger.get("group"), str) or unit_id is None:
        raise PreventUpdate
    if not any(clicks or []) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    group = trigger["group"]
    keep = _by_group(keep_ids, keeps).get(group)
    reason = _by_group(reason_ids, reasons).get(group)
    try:
        decided = approval.resolve_tie(
            current_store(),
            viewer=current_viewer(),
            unit_id=unit_id,
            period_code=page_period(period),
            group=group,
            keep=[i for i in (as_id(v) for v in keep) if i is not None] if isinstance(keep, list) else [],
            reason=reason if isinstance(reason, str) else "",
        )
    except PulseError as problem:
        return problem_alert(problem), no_update
    message = _("The council's decision is recorded for %(n)s person(s); each of them is notified.", n=decided)
    return dbc.Alert(message, color="success", className="council-message"), next_count(refresh)


def _by_group(ids: Any, values: Any) -> dict[str, Any]:
    """Values of pattern-matching fields by their group (a forged request may send anything)."""
    if not isinstance(ids, list) or not isinstance(values, list):
        return {}
    return {
        i["group"]: v
        for i, v in zip(ids, values, strict=False)
        if isinstance(i, dict) and isinstance(i.get("group"), str)
    }


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

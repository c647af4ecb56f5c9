"""The publication card of /indicator/<id>: where the indicator stands on the publication ladder (who outside
its unit sees it, from when), the unit head's form to raise or lower it, and the level above's buttons to
approve or refuse a request to publish it to the public.

The card sits outside the page's live body, so a refresh never resets a choice being made; it redraws
itself after each write and whenever the data version moves. The writes are data_access.commands.publication.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.work_views import done_alert, problem_alert
from config.clock import today
from data_access.commands.publication import decide_request, set_visibility
from data_access.errors import PulseError
from data_access.queries.publication import LadderState, ladder_state
from domain.publication import LADDER, Move, Visibility
from pages._inputs import as_date, as_id
from server.context import current_store, current_viewer
from server.i18n import _, format_date
from server.live import LIVE_VERSION_ID

AREA = "publication-area"
STATE = "publication-state"
SET_AREA = "publication-set"
LEVEL = "publication-level"
FROM = "publication-from"
APPLY = "publication-apply"
DECIDE_AREA = "publication-decide"
APPROVE = "publication-approve"
REFUSE = "publication-refuse"
MESSAGE = "publication-message"
SEEN = "publication-seen"


def level_label(level: Visibility) -> str:
    labels = {
        Visibility.UNIT: _("Own unit only"),
        Visibility.PARENT: _("The unit above"),
        Visibility.CITY: _("Every level up to the city leadership"),
        Visibility.PUBLIC: _("The public (the /public page)"),
    }
    return labels[level]


def problem_message(problem: PulseError) -> dbc.Alert:
    """The ladder's own refusals in words; the rest as every form says them."""
    texts = {
        "effective_in_past": _("The effective date has passed: choose today or a later date."),
        "plan_not_approved": _("Only an indicator of an approved plan can be published: approve the plan first."),
    }
    codes = getattr(problem, "problems", {}).values()
    for code in codes:
        if code in texts:
            return dbc.Alert(texts[code], color="warning", className="publication-problem")
    return problem_alert(problem, class_name="publication-problem")


def controls(item_store_id: str) -> html.Div:
    """The card's skeleton; ``item_store_id`` is the page's store of the indicator id."""
    return html.Div(
        dbc.Card(
            [
                dbc.CardHeader(_("Publication")),
                dbc.CardBody(
                    [
                        dcc.Store(id=SEEN),
                        html.Div(id=STATE, className="mb-2"),
                        html.Div(
                            [
                                dbc.Row(
                                    [
                                        dbc.Col(
                                            [
                                                dbc.Label(_("Who may see it"), html_for=LEVEL),
                                                dbc.Select(
                                                    id=LEVEL,
                                                    placeholder=_("Choose who may see it."),
                                                    options=[
                                                        {"label": level_label(v), "value": v.value} for v in LADDER
                                                    ],
                                                ),
                                            ],
                                            md=6,
                                        ),
                                        dbc.Col(
                                            [
                                                dbc.Label(_("From (for a raise)"), html_for=FROM),
                                                dbc.Input(id=FROM, type="date"),
                                            ],
                                            md=3,
                                        ),
                                        dbc.Col(
                                            dbc.Button(
                                                _("Apply"), id=APPLY, color="primary", n_clicks=0, className="w-100"
                                            ),
                                            md=3,
                                            className="d-flex align-items-end mt-2 mt-md-0",
                                        ),
                                    ],
                                    className="g-2",
                                ),
                                html.P(
                                    _(
                                        "Lowering takes effect at once. Publishing to the public waits for the "
                                        "approval of the level above."
                                    ),
                                    className="small text-secondary mt-2 mb-0",
                                ),
                            ],
                            id=SET_AREA,
                            hidden=True,
                        ),
                        html.Div(
                            [
                                dbc.Button(
                                    _("Approve publication to the public"),
                                    id=APPROVE,
                                    color="success",
                                    n_clicks=0,
                                    className="me-2 mb-2",
                                ),
                                dbc.Button(_("Refuse"), id=REFUSE, color="secondary", n_clicks=0, className="mb-2"),
                            ],
                            id=DECIDE_AREA,
                            hidden=True,
                            className="mt-2",
                        ),
                        html.Div(id=MESSAGE, className="mt-2"),
                    ]
                ),
            ],
            className="mb-3",
        ),
        id=AREA,
        hidden=True,
    )


def _state_text(state: LadderState) -> list[Any]:
    lines: list[Any] = [
        html.P([_("Seen by: "), html.Strong(level_label(state.in_force))], className="mb-1 publication-now")
    ]
    if state.scheduled != state.in_force and state.scheduled_from:
        lines.append(
            html.P(
                _(
                    "From %(date)s: %(level)s",
                    date=format_date(state.scheduled_from),
                    level=level_label(state.scheduled),
                ),
                className="mb-1 publication-scheduled",
            )
        )
    if state.request_id is not None:
        lines.append(
            html.P(
                _(
                    "Publication to the public requested from %(date)s, waiting for the level above.",
                    date=format_date(state.request_from),
                ),
                className="mb-1 publication-pending",
            )
        )
    return lines


def register(item_store_id: str) -> None:
    """The card's callbacks, for the page whose store of the indicator id is ``item_store_id``."""

    @callback(
        Output(AREA, "hidden"),
        Output(STATE, "children"),
        Output(SET_AREA, "hidden"),
        Output(DECIDE_AREA, "hidden"),
        Output(SEEN, "data"),
        Input(LIVE_VERSION_ID, "data"),
        Input(MESSAGE, "children"),
        Input(item_store_id, "data"),
    )
    def show(_version: Any, _message: Any, indicator_id: Any) -> tuple[Any, ...]:
        indicator = as_id(indicator_id)
        viewer = current_viewer()
        if indicator is None or viewer.is_screen:
            return True, None, True, True, None
        with current_store().read() as session:
            state = ladder_state(session, viewer=viewer, indicator_id=indicator, today=today())
        if state is None:
            return True, None, True, True, None
        seen = {
            "indicator": state.indicator_id,
            "version": state.version,
            "request": state.request_id,
            "request_version": state.request_version,
        }
        return False, _state_text(state), not state.may_set, not state.may_approve, seen

    @callback(
        Output(MESSAGE, "children"),
        Input(APPLY, "n_clicks"),
        State(LEVEL, "value"),
        State(FROM, "value"),
        State(SEEN, "data"),
        prevent_initial_call=True,
    )
    def apply(n_clicks: int | None, level: Any, effective_from: Any, seen: Any) -> Any:
        if not n_clicks or not isinstance(seen, dict):
            raise PreventUpdate
        if not isinstance(level, str) or not level:
            return dbc.Alert(_("Choose who may see it."), color="warning", className="publication-problem")
        try:
            state = set_visibility(
                current_store(),
                current_viewer(),
                indicator_id=as_id(seen.get("indicator")) or 0,
                wanted=level,
                effective_from=as_date(effective_from),
                version=seen.get("version") if isinstance(seen.get("version"), int) else None,
            )
        except PulseError as problem:
            return problem_message(problem)
        texts = {
            Move.SAME: _("Nothing to change."),
            Move.LOWER: _("Lowered: it takes effect now."),
            Move.RAISE: _("Raised."),
            Move.REQUEST: _("Publication to the public requested: the level above decides."),
        }
        return done_alert(texts[state.move], class_name="publication-done")

    @callback(
        Output(MESSAGE, "children", allow_duplicate=True),
        Input(APPROVE, "n_clicks"),
        Input(REFUSE, "n_clicks"),
        State(SEEN, "data"),
        prevent_initial_call=True,
    )
    def decide(approve: int | None, refuse: int | None, seen: Any) -> Any:
        if not (approve or refuse) or not isinstance(seen, dict) or ctx.triggered_id not in (APPROVE, REFUSE):
            raise PreventUpdate
        request_id = as_id(seen.get("request"))
        if request_id is None:
            return no_update
        approving = ctx.triggered_id == APPROVE
        try:
            decide_request(
                current_store(),
                current_viewer(),
                request_id=request_id,
                approve=approving,
                version=seen.get("request_version") if isinstance(seen.get("request_version"), int) else None,
            )
        except PulseError as problem:
            return problem_message(problem)
        done = _("Approved: it is public from the requested date.") if approving else _("Refused.")
        return done_alert(done, class_name="publication-done")

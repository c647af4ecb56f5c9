"""/indicator/<indicator_id>: one indicator for leaders and its owner: values against the planned
trajectory, the forecast to the year's end ("on course" or "will miss by X"), and the
measurement history with who entered what and when, with their comments.

Leaders and managers turn a meeting's decision on the indicator into tracked work from here: one
button opens a follow-up task prefilled for the owner with a deadline (``?followup=1`` opens it
straight away, as the lagging list and the meeting companion do). The form sits outside the live
body, so a refresh never wipes what is being typed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import charts
from components.kpi_card import kpi_card
from components.labels import status_label
from components.status import STATUS_COLOURS, status_badge
from components.tables import column, data_grid
from components.work_views import done_alert, problem_alert
from config.clock import today
from data_access.commands import tasks as task_commands
from data_access.errors import PulseError
from data_access.queries import work
from data_access.queries.indicators import indicator_detail
from data_access.queries.plans import target_history
from domain.kinds import Role
from pages._common import DetailIds, cached, detail_layout, render_detail, updated_at
from pages._inputs import as_date, as_id
from server.context import current_store, current_viewer
from server.i18n import _, format_date, format_number, format_percent
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path_template="/indicator/<indicator_id>",
    name="Indicator",
    order=6,
    nav_label=None,
    title="Pulse",
    roles=[Role.ADMIN, Role.UNIT_ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF, Role.SCREEN],
)

IDS = DetailIds("indicator")
FOLLOW_AREA = "followup-area"
FOLLOW_OPEN = "followup-open"
FOLLOW_MODAL = "followup-modal"
FOLLOW_ABOUT = "followup-about"
FOLLOW_TITLE = "followup-title"
FOLLOW_DUE = "followup-due"
FOLLOW_NOTE = "followup-note"
FOLLOW_CREATE = "followup-create"
FOLLOW_MESSAGE = "followup-message"
FOLLOW_ERROR = "followup-error"
FOLLOW_AUTO = "followup-auto"
FOLLOW_DAYS = 14


def layout(
    indicator_id: str | None = None, period: str | None = None, followup: str | None = None, **_kwargs: object
) -> html.Div:
    return html.Div([_follow_up_controls(followup == "1"), detail_layout(IDS, indicator_id, period)])


def _follow_up_controls(open_now: bool) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=FOLLOW_AUTO, data=open_now),
            dbc.Button(
                [html.I(className="bi bi-flag me-1", **{"aria-hidden": "true"}), _("Create a follow-up task")],
                id=FOLLOW_OPEN,
                color="warning",
                size="sm",
                n_clicks=0,
                className="float-end ms-2",
            ),
            html.Div(id=FOLLOW_MESSAGE, className="clearfix"),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle(_("Follow-up task"))),
                    dbc.ModalBody(
                        [
                            html.Div(id=FOLLOW_ABOUT, className="small text-secondary mb-2"),
                            dbc.Label(_("Task title"), html_for=FOLLOW_TITLE),
                            dbc.Input(id=FOLLOW_TITLE, maxLength=300, className="mb-2"),
                            dbc.Label(_("Due date"), html_for=FOLLOW_DUE),
                            dbc.Input(id=FOLLOW_DUE, type="date", className="mb-2"),
                            dbc.Label(_("What was decided"), html_for=FOLLOW_NOTE),
                            dbc.Textarea(id=FOLLOW_NOTE, maxLength=4000),
                            html.Div(id=FOLLOW_ERROR, className="mt-2"),
                        ]
                    ),
                    dbc.ModalFooter(dbc.Button(_("Create the task"), id=FOLLOW_CREATE, color="primary", n_clicks=0)),
                ],
                id=FOLLOW_MODAL,
                is_open=False,
            ),
        ],
        id=FOLLOW_AREA,
        hidden=True,
    )


@callback(
    Output(IDS.body, "children"), Input(LIVE_VERSION_ID, "data"), Input(IDS.period, "data"), State(IDS.item, "data")
)
def render(_version: int | None, period: str, indicator_id: str | None) -> object:
    return render_detail(indicator_id, period, _render)


def _render(viewer, indicator_id: int, period: str) -> html.Div:  # type: ignore[no-untyped-def]
    detail = cached(
        "indicator",
        viewer,
        period,
        lambda s: indicator_detail(s, viewer=viewer, indicator_id=indicator_id, period=period),
        indicator_id,
    )
    counted = detail.measurements[detail.measurements["status"] == "approved"]
    if detail.on_course is None:
        forecast = "–"
    elif detail.on_course:
        forecast = _("on course")
    else:
        forecast = _("will miss by %(gap)s", gap=f"{format_number(detail.forecast_miss_by)} {detail.unit_of_measure}")
    figure = charts.indicator_history(
        counted,
        detail.trajectory,
        target=detail.target,
        forecast_value=detail.forecast_value,
        year_end=f"{detail.year}-12-31",
        labels=(_("Values"), _("Planned trajectory"), _("Target"), _("Forecast")),
    )
    history = [
        {
            "date": format_date(r.measured_on),
            "value": float(r.value),
            "status": _measurement_status(r.status),
            "by": r.entered_by or "–",
            "at": format_date(r.entered_at, with_time=True),
            "comment": r.comment if isinstance(r.comment, str) else "",
        }
        for r in detail.measurements.iloc[::-1].itertuples()
    ]
    history_columns = [
        column("date", _("Date")),
        column("value", _("Value"), numeric=True),
        column("status", _("Status")),
        column("by", _("Entered by")),
        column("at", _("Entered at")),
        column("comment", _("Comment"), flex=3),
    ]
    return html.Div(
        [
            html.A(f"← {detail.unit}", href=f"/unit/{detail.unit_id}?period={period}"),
            html.Div(
                [html.H1(detail.name, className="h3 mb-0", id="indicator-title"), updated_at()],
                className="d-flex justify-content-between align-items-baseline my-2",
            ),
            html.P(
                [
                    _("Owner: "),
                    html.A(detail.owner, href=f"/person/{detail.owner_id}?period={period}") if detail.owner else "–",
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        kpi_card(
                            _("Progress"),
                            format_percent(detail.progress),
                            detail=_("expected %(share)s", share=format_percent(detail.expected)),
                        ),
                        md=3,
                    ),
                    dbc.Col(
                        kpi_card(_("Status"), status_label(detail.status), colour=STATUS_COLOURS.get(detail.status)),
                        md=3,
                    ),
                    dbc.Col(kpi_card(_("Target"), f"{format_number(detail.target)} {detail.unit_of_measure}"), md=3),
                    dbc.Col(
                        kpi_card(
                            _("Forecast at year end"),
                            forecast,
                            card_id="indicator-forecast",
                            colour=STATUS_COLOURS["on_track" if detail.on_course else "at_risk"],
                        ),
                        md=3,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dbc.Card(
                [
                    dbc.CardHeader(_("Values against the plan")),
                    dbc.CardBody(dcc.Graph(figure=figure, config={"displaylogo": False})),
                ],
                className="mb-3",
            ),
            dbc.Card(
                [
                    dbc.CardHeader(_("Measurement history")),
                    dbc.CardBody(data_grid("indicator-history", history, history_columns)),
                ]
            ),
            _target_history(viewer, indicator_id, detail.unit_of_measure),
            html.Span(status_badge(detail.status, status_label(detail.status)), className="d-none"),
        ]
    )


def _target_history(viewer: Any, indicator_id: int, unit_of_measure: str) -> html.Div:
    """The target as approved, then as changed by each approved request, each from its date."""
    with current_store().read() as session:
        revisions = target_history(session, viewer=viewer, indicator_id=indicator_id)
    if not revisions:
        return html.Div()
    items = [
        html.Li(
            _(
                "From %(date)s: target %(target)s (baseline %(baseline)s)",
                date=format_date(r.effective_at, with_time=True),
                target=f"{format_number(r.target)} {unit_of_measure}".strip(),
                baseline=format_number(r.baseline),
            ),
            className="list-group-item indicator-target-revision",
        )
        for r in revisions
    ]
    return dbc.Card(
        [dbc.CardHeader(_("Target history")), dbc.CardBody(html.Ul(items, className="list-group"))],
        className="mt-3",
        id="indicator-targets",
    )


def _measurement_status(status: str) -> str:
    labels = {
        "draft": _("draft"),
        "submitted": _("waiting for approval"),
        "approved": _("approved"),
        "rejected": _("rejected"),
    }
    return labels.get(status, status)


@callback(Output(FOLLOW_AREA, "hidden"), Input(IDS.item, "data"))
def show_follow_up(indicator_id: Any) -> bool:
    """Only leaders, managers and administrators assign follow-up work."""
    return not current_viewer().can_write


@callback(
    Output(FOLLOW_MODAL, "is_open"),
    Output(FOLLOW_ABOUT, "children"),
    Output(FOLLOW_TITLE, "value"),
    Output(FOLLOW_DUE, "value"),
    Output(FOLLOW_NOTE, "value"),
    Input(FOLLOW_OPEN, "n_clicks"),
    Input(FOLLOW_AUTO, "data"),
    State(IDS.item, "data"),
)
def open_follow_up(n_clicks: int | None, auto: Any, indicator_id: Any) -> tuple[Any, ...]:
    """The form prefilled: for the owner (or the unit), two weeks from today, with where the indicator stands."""
    if not n_clicks and auto is not True:
        raise PreventUpdate
    viewer = current_viewer()
    indicator = as_id(indicator_id)
    if not viewer.can_write or indicator is None:
        raise PreventUpdate
    try:
        with current_store().read() as session:
            draft = work.follow_up_draft(session, viewer=viewer, indicator_id=indicator)
    except PulseError as problem:
        return False, problem_alert(problem), no_update, no_update, no_update
    about = _(
        "For %(who)s · %(status)s: progress %(progress)s, expected %(expected)s",
        who=draft.owner or draft.unit,
        status=status_label(draft.status),
        progress=format_percent(draft.progress),
        expected=format_percent(draft.expected),
    )
    note = _(
        "Indicator %(name)s (%(unit)s) is %(status)s: progress %(progress)s against %(expected)s expected.",
        name=draft.indicator,
        unit=draft.unit,
        status=status_label(draft.status).lower(),
        progress=format_percent(draft.progress),
        expected=format_percent(draft.expected),
    )
    due = (today() + timedelta(days=FOLLOW_DAYS)).isoformat()
    return True, about, _("Follow up: %(name)s", name=draft.indicator)[:300], due, note


@callback(
    Output(FOLLOW_MESSAGE, "children"),
    Output(FOLLOW_ERROR, "children"),
    Output(FOLLOW_MODAL, "is_open", allow_duplicate=True),
    Input(FOLLOW_CREATE, "n_clicks"),
    State(IDS.item, "data"),
    State(FOLLOW_TITLE, "value"),
    State(FOLLOW_DUE, "value"),
    State(FOLLOW_NOTE, "value"),
    prevent_initial_call=True,
)
def create_follow_up(n_clicks: int | None, indicator_id: Any, title: Any, due: Any, note: Any) -> tuple[Any, Any, Any]:
    indicator = as_id(indicator_id)
    if not n_clicks or indicator is None:
        raise PreventUpdate
    due_date = as_date(due)
    try:
        task_id = task_commands.follow_up(
            current_store(),
            viewer=current_viewer(),
            indicator_id=indicator,
            title=title if isinstance(title, str) else "",
            due_date=due_date,
            description=note if isinstance(note, str) else "",
        )
    except PulseError as problem:
        return no_update, problem_alert(problem), no_update
    return (
        done_alert(
            [
                _("Follow-up task created."),
                " ",
                html.A(_("Open it"), href=f"/task/{task_id}", className="followup-task-link"),
            ]
        ),
        None,
        False,
    )

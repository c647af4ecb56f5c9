"""/indicator/<indicator_id>: one indicator for leaders and its owner: values against the planned
trajectory, the forecast to the year's end ("on course" or "will miss by X"), and the
measurement history with who entered what and when, with their comments.

Beside the numbers: the owner's analysis for the period (what happened, why, what will be done), the
tasks already linked to the indicator (so a second follow-up of the same problem is seen before it is
made) and, for an action plan, its milestones on a timeline (planned due dates against done dates).
The owner, or a leader or manager over the unit, writes the analysis; leaders and managers plan the
milestones and the owner marks them done. The forms sit outside the live body like the follow-up one.

Below the body, the publication card (pages/_publication.py): who outside the unit sees the indicator,
the unit head's form to raise or lower it, the level above's approval of a publication to the public.

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
from components.i18n import dropdown_texts
from components.kpi_card import kpi_card
from components.labels import status_label, task_status_label
from components.progress import outlook_text
from components.status import STATUS_COLOURS, status_badge
from components.tables import column, data_grid
from components.work_views import done_alert, problem_alert
from config.clock import today
from data_access.commands import analyses as analysis_commands
from data_access.commands import milestones as milestone_commands
from data_access.commands import tasks as task_commands
from data_access.errors import PulseError
from data_access.queries import work
from data_access.queries.follow_through import (
    Analysis,
    LinkedTask,
    MilestonePlan,
    indicator_analysis,
    linked_tasks,
    milestone_plan,
)
from data_access.queries.indicator_breakdown import indicator_breakdown
from data_access.queries.indicators import indicator_detail
from data_access.queries.plans import target_history
from domain.kinds import Role
from pages import _publication as publication
from pages._common import DetailIds, cached, detail_layout, page_period, render_detail, updated_at
from pages._inputs import as_date, as_id, as_text
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
publication.register(IDS.item)
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
    return html.Div(
        [
            # One row of actions on the right; their messages below it (assets/pulse.css).
            html.Div(
                [_follow_up_controls(followup == "1"), _analysis_controls(), _milestone_controls()],
                className="indicator-actions",
            ),
            detail_layout(IDS, indicator_id, period),
            publication.controls(IDS.item),
        ]
    )


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
    # Not cached: what the viewer may do here depends on who they are, not only on their role and scope.
    with current_store().read() as session:
        analysis = indicator_analysis(session, viewer=viewer, indicator_id=indicator_id, period=period)
        tasks = linked_tasks(session, viewer=viewer, indicator_id=indicator_id)
        plan = milestone_plan(session, viewer=viewer, indicator_id=indicator_id)
    breakdown = cached(
        "indicator-breakdown",
        viewer,
        period,
        lambda s: indicator_breakdown(s, viewer=viewer, indicator_id=indicator_id, period=period),
        indicator_id,
    )
    counted = detail.measurements[detail.measurements["status"] == "approved"]
    forecast = outlook_text(detail.status, detail.on_course, detail.forecast_miss_by, detail.unit_of_measure)
    figure = charts.indicator_history(
        counted,
        detail.trajectory,
        target=detail.target,
        forecast_value=detail.forecast_value,
        year_end=f"{detail.year}-12-31",
        labels=(_("Values"), _("Planned trajectory"), _("Target"), _("Forecast")),
    )
    # An action plan's target is all of its milestones done.
    target = format_number(len(plan.milestones), 0) if plan.milestones else format_number(detail.target)
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
        column("value", _("Value"), numeric=True, digits=1),
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
                    dbc.Col(kpi_card(_("Target"), f"{target} {detail.unit_of_measure}"), md=3),
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
            _analysis_card(analysis),
            # An action plan with milestones is tracked by them: their timeline replaces the values chart.
            _milestones_card(plan) if plan.is_action_plan or plan.milestones else None,
            None
            if plan.milestones
            else dbc.Card(
                [
                    dbc.CardHeader(_("Values against the plan")),
                    dbc.CardBody(dcc.Graph(figure=figure, config=charts.graph_config())),
                ],
                className="mb-3",
            ),
            dbc.Card(
                [
                    dbc.CardHeader(
                        [
                            _("Measurement history"),
                            # Values entered before the milestones existed stay visible but no longer count.
                            html.Span(
                                " · " + _("not counted: the milestones drive this plan's progress"),
                                className="small text-secondary",
                            )
                            if plan.milestones
                            else None,
                        ]
                    ),
                    dbc.CardBody(data_grid("indicator-history", history, history_columns)),
                ],
                className="mb-3",
            ),
            _target_history(viewer, indicator_id, detail.unit_of_measure),
            _breakdown_card(breakdown, period),
            _tasks_card(tasks, period),
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


# --- the owner's analysis ------------------------------------------------------------------------

ANALYSIS_AREA = "analysis-area"
ANALYSIS_OPEN = "analysis-open"
ANALYSIS_MODAL = "analysis-modal"
ANALYSIS_WHAT = "analysis-what"
ANALYSIS_WHY = "analysis-why"
ANALYSIS_NEXT = "analysis-next"
ANALYSIS_SEEN = "analysis-seen"  # the period and version the form was opened on
ANALYSIS_SAVE = "analysis-save"
ANALYSIS_ERROR = "analysis-error"
ANALYSIS_MESSAGE = "analysis-message"


def _analysis_controls() -> html.Div:
    def area(label: str, element_id: str, hint: str) -> list[Any]:
        return [
            dbc.Label(label, html_for=element_id),
            dbc.Textarea(id=element_id, maxLength=4000, rows=3, placeholder=hint, className="mb-2"),
        ]

    return html.Div(
        [
            dbc.Button(
                [html.I(className="bi bi-chat-left-text me-1", **{"aria-hidden": "true"}), _("Write the analysis")],
                id=ANALYSIS_OPEN,
                color="primary",
                outline=True,
                size="sm",
                n_clicks=0,
                className="float-end ms-2",
            ),
            html.Div(id=ANALYSIS_MESSAGE, className="clearfix"),
            dcc.Store(id=ANALYSIS_SEEN),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle(_("Analysis of the period"))),
                    dbc.ModalBody(
                        [
                            *area(_("What happened"), ANALYSIS_WHAT, _("The facts behind the number")),
                            *area(_("Why"), ANALYSIS_WHY, _("The causes")),
                            *area(_("What will be done"), ANALYSIS_NEXT, _("Actions, who and by when")),
                            html.Div(id=ANALYSIS_ERROR, className="mt-2"),
                        ]
                    ),
                    dbc.ModalFooter(dbc.Button(_("Save the analysis"), id=ANALYSIS_SAVE, color="primary", n_clicks=0)),
                ],
                id=ANALYSIS_MODAL,
                is_open=False,
                size="lg",
            ),
        ],
        id=ANALYSIS_AREA,
        hidden=True,
    )


def _analysis_card(analysis: Analysis) -> dbc.Card:
    if analysis.version is None:
        body: Any = html.P(_("No analysis written for this period yet."), className="text-secondary mb-0")
    else:
        parts = [
            (_("What happened"), analysis.what_happened),
            (_("Why"), analysis.why),
            (_("What will be done"), analysis.next_steps),
        ]
        body = [
            html.Dl(
                [
                    item
                    for label, text in parts
                    if text
                    for item in (html.Dt(label), html.Dd(text, className="checkin-comment"))
                ],
                className="mb-1",
            ),
            html.Div(
                _(
                    "Written by %(who)s, %(time)s",
                    who=analysis.author or "–",
                    time=format_date(analysis.updated_at, with_time=True),
                ),
                className="small text-secondary",
            ),
        ]
    return dbc.Card(
        [
            dbc.CardHeader(_("Owner's analysis · %(period)s", period=analysis.period)),
            dbc.CardBody(body, id="indicator-analysis"),
        ],
        className="mb-3",
    )


@callback(Output(ANALYSIS_AREA, "hidden"), Input(IDS.item, "data"), Input(IDS.period, "data"))
def show_analysis(indicator_id: Any, period: Any) -> bool:
    """Only those who answer for the indicator see the button (the command checks again)."""
    analysis = _analysis(indicator_id, period)
    return analysis is None or not analysis.may_write


def _analysis(indicator_id: Any, period: Any) -> Analysis | None:
    indicator = as_id(indicator_id)
    if indicator is None:
        return None
    try:
        with current_store().read() as session:
            return indicator_analysis(
                session, viewer=current_viewer(), indicator_id=indicator, period=page_period(period)
            )
    except PulseError:
        return None


@callback(
    Output(ANALYSIS_MODAL, "is_open"),
    Output(ANALYSIS_WHAT, "value"),
    Output(ANALYSIS_WHY, "value"),
    Output(ANALYSIS_NEXT, "value"),
    Output(ANALYSIS_SEEN, "data"),
    Input(ANALYSIS_OPEN, "n_clicks"),
    State(IDS.item, "data"),
    State(IDS.period, "data"),
    prevent_initial_call=True,
)
def open_analysis(n_clicks: int | None, indicator_id: Any, period: Any) -> tuple[Any, ...]:
    """The form with the analysis as it stands, and the version it shows (what a save is checked against)."""
    analysis = _analysis(indicator_id, period) if n_clicks else None
    if analysis is None or not analysis.may_write:
        raise PreventUpdate
    seen = {"period": analysis.period, "version": analysis.version}
    return True, analysis.what_happened, analysis.why, analysis.next_steps, seen


@callback(
    Output(ANALYSIS_MESSAGE, "children"),
    Output(ANALYSIS_ERROR, "children"),
    Output(ANALYSIS_MODAL, "is_open", allow_duplicate=True),
    Input(ANALYSIS_SAVE, "n_clicks"),
    State(IDS.item, "data"),
    State(ANALYSIS_SEEN, "data"),
    State(ANALYSIS_WHAT, "value"),
    State(ANALYSIS_WHY, "value"),
    State(ANALYSIS_NEXT, "value"),
    prevent_initial_call=True,
)
def save_analysis(
    n_clicks: int | None, indicator_id: Any, seen: Any, what: Any, why: Any, next_steps: Any
) -> tuple[Any, Any, Any]:
    indicator = as_id(indicator_id)
    if not n_clicks or indicator is None or not isinstance(seen, dict):
        raise PreventUpdate
    version = seen.get("version")
    try:
        analysis_commands.write_analysis(
            current_store(),
            viewer=current_viewer(),
            indicator_id=indicator,
            period=seen.get("period") if isinstance(seen.get("period"), str) else "",
            what_happened=as_text(what),
            why=as_text(why),
            next_steps=as_text(next_steps),
            version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        )
    except PulseError as problem:
        return no_update, problem_alert(problem), no_update
    return done_alert(_("Analysis saved.")), None, False


# --- linked tasks ---------------------------------------------------------------------------------


def _breakdown_card(frame, period: str) -> html.Div | dbc.Card:  # type: ignore[no-untyped-def]
    """The same indicator in the units below (nothing when it exists in none), each with its progress."""
    if frame.empty:
        return html.Div()
    rows = [
        html.Tr(
            [
                html.Td(html.A(r.unit, href=f"/indicator/{int(r.indicator_id)}?period={period}")),
                html.Td(format_number(r.current_value), className="text-end"),
                html.Td(format_number(r.target), className="text-end"),
                html.Td(format_percent(r.progress), className="text-end"),
                html.Td(status_label(r.status if isinstance(r.status, str) else None)),
            ]
        )
        for r in frame.itertuples()
    ]
    head = html.Thead(
        html.Tr(
            [
                html.Th(_("Unit")),
                html.Th(_("Value"), className="text-end"),
                html.Th(_("Target"), className="text-end"),
                html.Th(_("Progress"), className="text-end"),
                html.Th(_("Status")),
            ]
        )
    )
    return dbc.Card(
        [
            dbc.CardHeader(_("By unit below (%(n)s)", n=format_number(len(rows), 0))),
            dbc.CardBody(
                dbc.Table(
                    [head, html.Tbody(rows)], size="sm", responsive=True, className="mb-0", id="indicator-breakdown"
                )
            ),
        ],
        className="mb-3",
    )


def _tasks_card(tasks: list[LinkedTask], period: str) -> dbc.Card:
    if not tasks:
        body: Any = html.P(_("No task is linked to this indicator yet."), className="text-secondary mb-0")
    else:
        body = html.Ul(
            [
                html.Li(
                    [
                        html.A(t.title, href=f"/task/{t.task_id}"),
                        f" · {task_status_label(t.status)} · {t.assignee} · ",
                        _("due %(date)s", date=format_date(t.due_date)),
                    ]
                )
                for t in tasks
            ],
            className="mb-0",
            id="indicator-tasks",
        )
    return dbc.Card(
        [dbc.CardHeader(_("Linked tasks (%(n)s)", n=format_number(len(tasks), 0))), dbc.CardBody(body)],
        className="mb-3",
    )


# --- milestones of an action plan -------------------------------------------------------------------

MS_AREA = "milestone-area"
MS_OPEN = "milestone-open"
MS_MODAL = "milestone-modal"
MS_CHOICE = "milestone-choice"
MS_TITLE = "milestone-title"
MS_DUE = "milestone-due"
MS_DONE = "milestone-done"
MS_KNOWN = "milestone-known"  # the milestones as the form showed them (with their versions)
MS_SAVE = "milestone-save"
MS_ERROR = "milestone-error"
MS_MESSAGE = "milestone-message"
NEW = "new"


def _milestone_controls() -> html.Div:
    return html.Div(
        [
            dbc.Button(
                [html.I(className="bi bi-signpost-split me-1", **{"aria-hidden": "true"}), _("Milestones")],
                id=MS_OPEN,
                color="secondary",
                outline=True,
                size="sm",
                n_clicks=0,
                className="float-end ms-2",
            ),
            html.Div(id=MS_MESSAGE, className="clearfix"),
            dcc.Store(id=MS_KNOWN),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle(_("Milestone"))),
                    dbc.ModalBody(
                        [
                            dbc.Label(_("Milestone"), html_for=MS_CHOICE),
                            dcc.Dropdown(**dropdown_texts(), id=MS_CHOICE, clearable=False, className="mb-2"),
                            dbc.Label(_("Title"), html_for=MS_TITLE),
                            dbc.Input(id=MS_TITLE, maxLength=300, className="mb-2"),
                            dbc.Label(_("Due date"), html_for=MS_DUE),
                            dbc.Input(id=MS_DUE, type="date", className="mb-2"),
                            dbc.Label(_("Done on (empty: not done)"), html_for=MS_DONE),
                            dbc.Input(id=MS_DONE, type="date", className="mb-2"),
                            html.Div(id=MS_ERROR, className="mt-2"),
                        ]
                    ),
                    dbc.ModalFooter(dbc.Button(_("Save the milestone"), id=MS_SAVE, color="primary", n_clicks=0)),
                ],
                id=MS_MODAL,
                is_open=False,
            ),
        ],
        id=MS_AREA,
        hidden=True,
    )


def _milestones_card(plan: MilestonePlan) -> dbc.Card:
    if not plan.milestones:
        body: Any = html.P(
            _("No milestones yet: progress counts the milestones reached entered as values."),
            className="text-secondary mb-0",
        )
    else:
        done = sum(1 for m in plan.milestones if m.done_on is not None)
        figure = charts.milestone_timeline(
            [
                (f"{i}. {m.title}", m.due_on.isoformat(), m.done_on.isoformat() if m.done_on else None)
                for i, m in enumerate(plan.milestones, start=1)
            ],
            today=today().isoformat(),
            labels=(_("Planned"), _("Done"), _("Today")),
        )
        rows = [
            {
                "n": i,
                "title": " ".join([m.title, "(" + _("carried over") + ")"]) if m.carried else m.title,
                "owner": m.owner or "–",
                "due": format_date(m.due_on),
                "done": format_date(m.done_on) if m.done_on else "–",
            }
            for i, m in enumerate(plan.milestones, start=1)
        ]
        body = [
            html.P(
                _(
                    "%(done)s of %(total)s milestones done",
                    done=format_number(done, 0),
                    total=format_number(len(plan.milestones), 0),
                ),
                className="fw-semibold mb-1",
                id="milestones-count",
            ),
            dcc.Graph(figure=figure, config=charts.graph_config(), id="milestones-timeline"),
            data_grid(
                "milestones-table",
                rows,
                [
                    column("n", "#", numeric=True),
                    column("title", _("Milestone"), flex=3),
                    column("owner", _("Owner")),
                    column("due", _("Due date")),
                    column("done", _("Done on")),
                ],
            ),
        ]
    return dbc.Card([dbc.CardHeader(_("Milestones: planned against done")), dbc.CardBody(body)], className="mb-3")


def _plan(indicator_id: Any) -> MilestonePlan | None:
    indicator = as_id(indicator_id)
    if indicator is None:
        return None
    try:
        with current_store().read() as session:
            return milestone_plan(session, viewer=current_viewer(), indicator_id=indicator)
    except PulseError:
        return None


@callback(Output(MS_AREA, "hidden"), Input(IDS.item, "data"))
def show_milestones(indicator_id: Any) -> bool:
    plan = _plan(indicator_id)
    # Planners add milestones; the owner only marks existing ones done, so needs some to be there.
    return plan is None or not plan.is_action_plan or not (plan.may_plan or (plan.may_report and plan.milestones))


@callback(
    Output(MS_MODAL, "is_open"),
    Output(MS_CHOICE, "options"),
    Output(MS_CHOICE, "value"),
    Output(MS_KNOWN, "data"),
    Input(MS_OPEN, "n_clicks"),
    State(IDS.item, "data"),
    prevent_initial_call=True,
)
def open_milestones(n_clicks: int | None, indicator_id: Any) -> tuple[Any, ...]:
    plan = _plan(indicator_id) if n_clicks else None
    if plan is None or not plan.is_action_plan:
        raise PreventUpdate
    options = [{"label": _("New milestone"), "value": NEW}] if plan.may_plan else []
    options += [{"label": f"{i}. {m.title}", "value": str(m.milestone_id)} for i, m in enumerate(plan.milestones, 1)]
    known = {
        str(m.milestone_id): {
            "title": m.title,
            "due": m.due_on.isoformat(),
            "done": m.done_on.isoformat() if m.done_on else None,
            "version": m.version,
        }
        for m in plan.milestones
    }
    if not options:
        raise PreventUpdate
    return True, options, options[0]["value"], known


@callback(
    Output(MS_TITLE, "value"),
    Output(MS_DUE, "value"),
    Output(MS_DONE, "value"),
    Input(MS_CHOICE, "value"),
    State(MS_KNOWN, "data"),
    prevent_initial_call=True,
)
def pick_milestone(choice: Any, known: Any) -> tuple[Any, Any, Any]:
    entry = known.get(choice) if isinstance(known, dict) and isinstance(choice, str) else None
    if not isinstance(entry, dict):
        return "", None, None
    return entry.get("title"), entry.get("due"), entry.get("done")


@callback(
    Output(MS_MESSAGE, "children"),
    Output(MS_ERROR, "children"),
    Output(MS_MODAL, "is_open", allow_duplicate=True),
    Input(MS_SAVE, "n_clicks"),
    State(IDS.item, "data"),
    State(MS_CHOICE, "value"),
    State(MS_KNOWN, "data"),
    State(MS_TITLE, "value"),
    State(MS_DUE, "value"),
    State(MS_DONE, "value"),
    prevent_initial_call=True,
)
def save_milestone(
    n_clicks: int | None, indicator_id: Any, choice: Any, known: Any, title: Any, due: Any, done: Any
) -> tuple[Any, Any, Any]:
    """A new milestone is added; a known one gets its title and due date (planning) and its done date
    (reporting) changed, each only when it differs from what the form showed."""
    indicator = as_id(indicator_id)
    if not n_clicks or indicator is None:
        raise PreventUpdate
    store, viewer = current_store(), current_viewer()
    done_on = as_date(done)
    try:
        if choice == NEW:
            state = milestone_commands.add_milestone(
                store, viewer=viewer, indicator_id=indicator, title=as_text(title), due_on=as_date(due)
            )
            if done_on is not None:
                milestone_commands.mark_done(
                    store, viewer=viewer, milestone_id=state.milestone_id, version=state.version, done_on=done_on
                )
            return done_alert(_("Milestone added.")), None, False
        milestone = as_id(choice)
        entry = known.get(choice) if isinstance(known, dict) and isinstance(choice, str) else None
        if milestone is None or not isinstance(entry, dict):
            raise PreventUpdate
        version = entry.get("version") if isinstance(entry.get("version"), int) else None
        if as_text(title) != entry.get("title") or (due or None) != entry.get("due"):
            version = milestone_commands.edit_milestone(
                store, viewer=viewer, milestone_id=milestone, version=version, title=as_text(title), due_on=as_date(due)
            ).version
        if (done or None) != entry.get("done"):
            milestone_commands.mark_done(store, viewer=viewer, milestone_id=milestone, version=version, done_on=done_on)
    except PulseError as problem:
        return no_update, problem_alert(problem), no_update
    return done_alert(_("Milestone saved.")), None, False

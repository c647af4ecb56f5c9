"""/notices: my notices (new assignments, work handed in to me, returns, deadlines, rejected values),
unread first, each linked to its task or indicator, marked read one by one or all at once.

This module also fills the navbar's work badge on every page: my open and overdue tasks and my
unread notices, refreshed with the live data version.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from components.evaluation_views import evaluation_notice
from components.navbar import NAV_BADGE_ID
from components.work_views import notice_text
from config.clock import today
from data_access import notifications
from data_access.errors import Forbidden
from data_access.queries import work
from domain.kinds import Role
from pages._inputs import as_id, next_count
from server.context import current_store, current_viewer
from server.i18n import _, format_date
from server.live import LIVE_VERSION_ID
from server.security import every_page

dash.register_page(
    __name__,
    path="/notices",
    name="Notices",
    order=90,
    nav_label=None,
    title="Pulse",
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF],
)

LIST = "notices-list"
ALL_READ = "notices-all-read"
REFRESH = "notices-refresh"


def read_id(notice_id: int) -> dict[str, Any]:
    return {"type": "notice-read", "index": notice_id}


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.H1(_("Notices"), className="h3 mb-0"),
                    dbc.Button(
                        _("Mark all as read"), id=ALL_READ, color="secondary", outline=True, size="sm", n_clicks=0
                    ),
                ],
                className="d-flex justify-content-between align-items-baseline mb-3",
            ),
            dcc.Store(id=REFRESH, data=0),
            html.Div(id=LIST),
        ],
        className="notices-page",
    )


def _item(notice: notifications.Notice) -> html.Li:
    if notice.kind in notifications.EVALUATION_KINDS:
        return _evaluation_item(notice)
    target = (
        html.A(notice.task_title, href=f"/task/{notice.task_id}")
        if notice.task_id
        else html.A(notice.indicator_name, href=f"/indicator/{notice.indicator_id}")
        if notice.indicator_id
        else _report_link(notice)
        if notice.report_job_id
        else None
    )
    body: list[Any] = [
        html.Div([html.Strong(notice_text(notice.kind)), ": " if target else "", target]),
        html.Small(
            " · ".join(x for x in (notice.actor, format_date(notice.created_at, with_time=True)) if x),
            className="text-secondary",
        ),
    ]
    if notice.detail and notice.kind != "report_ready":
        body.insert(1, html.Div(notice.detail, className="notice-detail"))
    if not notice.read:
        body.append(dbc.Button(_("Mark as read"), id=read_id(notice.id), size="sm", color="link", className="p-0 ms-2"))
    return html.Li(body, className="list-group-item" + ("" if notice.read else " list-group-item-info notice-unread"))


def _evaluation_item(notice: notifications.Notice) -> html.Li:
    """An evaluation notice: what happened, the period, the deadline or the reason, and a link to it."""
    sentence, href = evaluation_notice(notice.detail)
    body: list[Any] = [
        html.Div(
            [
                html.Strong(notice_text(notice.kind)),
                " ",
                html.A(_("Open the evaluation"), href=href, className="notice-evaluation-link") if href else None,
            ]
        ),
        html.Div(sentence, className="notice-detail"),
        html.Small(
            " · ".join(x for x in (notice.actor, format_date(notice.created_at, with_time=True)) if x),
            className="text-secondary",
        ),
    ]
    if not notice.read:
        body.append(dbc.Button(_("Mark as read"), id=read_id(notice.id), size="sm", color="link", className="p-0 ms-2"))
    classes = "list-group-item notice-" + notice.kind.replace("_", "-")
    return html.Li(body, className=classes + ("" if notice.read else " list-group-item-info notice-unread"))


def _report_link(notice: notifications.Notice) -> html.A:
    """A ready report downloads from the notice (its name is the file's); a failed one leads to /reports."""
    if notice.kind == "report_ready":
        return html.A(notice.detail, href=f"/reports/download/{notice.report_job_id}", className="notice-report")
    return html.A(_("Reports"), href="/reports")


@callback(Output(LIST, "children"), Input(LIVE_VERSION_ID, "data"), Input(REFRESH, "data"))
def render(_version: int | None, _refresh: int | None) -> Any:
    with current_store().read() as session:
        notices = notifications.list_notices(session, viewer=current_viewer())
    if not notices:
        return html.P(_("No notices."), className="text-muted")
    return html.Ul([_item(n) for n in notices], className="list-group")


@callback(
    Output(REFRESH, "data"),
    Input(ALL_READ, "n_clicks"),
    Input(read_id(ALL), "n_clicks"),  # type: ignore[arg-type]
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def mark_read(_all: int | None, _each: list[int | None], refresh: int | None) -> int:
    """Only the viewer's own notices change, whatever ids a request carries."""
    trigger = ctx.triggered_id
    index = as_id(trigger.get("index")) if isinstance(trigger, dict) else None  # bounded: 2**70 overflowed the driver
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    if trigger == ALL_READ:
        ids = None
    elif index is not None:
        ids = [index]
    else:
        raise PreventUpdate
    with current_store().write() as session:
        notifications.mark_read(session, viewer=current_viewer(), notice_ids=ids)
    return next_count(refresh)


@callback(Output(NAV_BADGE_ID, "children"), Input(LIVE_VERSION_ID, "data"), Input("_pages_location", "pathname"))
@every_page  # the navbar's badge: it answers every role, whatever /notices allows
def work_badge(_version: int | None, _path: str | None) -> Any:
    """My open tasks (overdue in red) and unread notices, in the navbar of every page."""
    try:
        viewer = current_viewer()
    except Forbidden:
        return None
    if viewer.is_screen:
        return None
    with current_store().read() as session:
        counts = work.work_counts(session, viewer=viewer, today=today())
    return [
        html.A(
            [
                _("Work"),
                " ",
                dbc.Badge(str(counts.open_to_me), color="light", text_color="dark", className="ms-1"),
                dbc.Badge(str(counts.overdue_to_me), color="danger", className="ms-1", title=_("Overdue"))
                if counts.overdue_to_me
                else None,
            ],
            href="/work",
            className="text-white text-decoration-none me-3",
            id="pulse-work-link",
        ),
        html.A(
            [
                html.I(className="bi bi-bell", **{"aria-hidden": "true"}),
                html.Span(_("Notices"), className="visually-hidden"),
                dbc.Badge(
                    str(counts.unread_notices),
                    color="warning",
                    text_color="dark",
                    className="ms-1",
                    id="pulse-notice-count",
                )
                if counts.unread_notices
                else None,
            ],
            href="/notices",
            className="text-white text-decoration-none",
            id="pulse-notice-link",
        ),
    ]

"""/present/companion: the chair's view beside the big screen. The same URL parameters as /present
(?slides=overview,lagging,unit:12&period=2026-Q3) give the indicators the wall is showing as lagging,
each with one action that turns the meeting's decision into a follow-up task for its owner, and the
follow-up tasks this user assigned today, so the meeting ends with its decisions tracked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from components.labels import due_label, status_label, task_status_label
from config.clock import today
from data_access.queries import work
from data_access.queries.lagging import lagging_indicators
from domain.kinds import Role
from pages._common import guarded, page_period, updated_at
from pages._playlist import parse_playlist
from server.context import current_store
from server.i18n import _, format_date, format_percent
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/present/companion",
    name="Meeting companion",
    order=81,
    nav_label=None,
    title="Pulse",
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER],
)

PLAYLIST = "companion-playlist"
BODY = "companion-body"
LIMIT = 20


def layout(
    slides: str | None = None, period: str | None = None, interval: str | None = None, **_kwargs: object
) -> html.Div:
    playlist = parse_playlist(slides)
    chosen = page_period(period)
    wall = "/present?" + urlencode(
        {"slides": ",".join(playlist), "period": chosen, **({"interval": interval} if interval else {})}
    )
    return html.Div(
        [
            dcc.Store(id=PLAYLIST, data={"slides": playlist, "period": chosen}),
            html.Div(
                [
                    html.H1(_("Meeting companion"), className="h3 mb-0"),
                    html.A(
                        _("Open the big screen"),
                        href=wall,
                        target="_blank",
                        rel="noopener",
                        className="btn btn-outline-secondary btn-sm",
                    ),
                ],
                className="d-flex justify-content-between align-items-baseline mb-3",
            ),
            html.Div(dbc.Spinner(color="primary"), id=BODY),
        ],
        className="companion-page",
    )


def _units(slides: list[str]) -> list[int | None]:
    """The scopes the wall shows: the viewer's whole scope, and each unit slide's unit."""
    units: list[int | None] = [None] if any(not s.startswith("unit:") for s in slides) else []
    return units + [int(s[5:]) for s in slides if s.startswith("unit:")]


@callback(Output(BODY, "children"), Input(LIVE_VERSION_ID, "data"), Input(PLAYLIST, "data"))
def render(_version: int | None, playlist: Any) -> Any:
    slides = parse_playlist(",".join(playlist.get("slides", [])) if isinstance(playlist, dict) else None)
    period = page_period(playlist.get("period") if isinstance(playlist, dict) else None)
    return guarded(lambda viewer: _render(viewer, slides, period))


def _render(viewer, slides: list[str], period: str) -> html.Div:  # type: ignore[no-untyped-def]
    seen: set[int] = set()
    rows = []
    with current_store().read() as session:
        for unit_id in _units(slides):
            frame = lagging_indicators(session, viewer=viewer, period=period, limit=LIMIT, unit_id=unit_id)
            for r in frame.itertuples():
                if int(r.indicator_id) in seen:
                    continue
                seen.add(int(r.indicator_id))
                rows.append(r)
        assigned = work.work_list(session, viewer=viewer, box="by_me", today=today())
    table = (
        dbc.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(_("Indicator")),
                            html.Th(_("Unit")),
                            html.Th(_("Owner")),
                            html.Th(_("Status")),
                            html.Th(_("Progress")),
                            html.Th(_("Expected")),
                            html.Th(""),
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(html.A(r.indicator, href=f"/indicator/{int(r.indicator_id)}?period={period}")),
                                html.Td(r.unit),
                                html.Td(r.owner if isinstance(r.owner, str) else "–"),
                                html.Td(status_label(r.status)),
                                html.Td(format_percent(r.progress)),
                                html.Td(format_percent(r.expected)),
                                html.Td(
                                    html.A(
                                        _("Follow up"),
                                        href=f"/indicator/{int(r.indicator_id)}?period={period}&followup=1",
                                        className="btn btn-warning btn-sm companion-follow-up",
                                    )
                                ),
                            ]
                        )
                        for r in rows
                    ]
                ),
            ],
            size="sm",
            hover=True,
            responsive=True,
        )
        if rows
        else html.P(_("No lagging indicator: everything is on track."))
    )
    recent = assigned.head(15)
    decisions = (
        html.Ul(
            [
                html.Li(
                    [
                        html.A(t.title, href=f"/task/{int(t.id)}"),
                        " — ",
                        t.assignee_person if isinstance(t.assignee_person, str) else t.assignee_unit,
                        " · ",
                        format_date(t.due_date),
                        " · ",
                        task_status_label(t.status),
                        " ",
                        due_label(t.due_state),
                    ]
                )
                for t in recent.itertuples()
            ],
            className="companion-decisions",
        )
        if len(recent)
        else html.P(_("No task assigned yet."), className="text-muted")
    )
    return html.Div(
        [
            html.Div(updated_at(), className="mb-2"),
            dbc.Card([dbc.CardHeader(_("Lagging indicators on the screen")), dbc.CardBody(table)], className="mb-3"),
            dbc.Card([dbc.CardHeader(_("Tasks I assigned, open first")), dbc.CardBody(decisions)]),
        ]
    )

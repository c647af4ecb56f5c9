"""/present/companion: the chair's view beside the big screen. With ?playlist=<name> (a playlist saved at
/playlists) it follows the wall: it shows the slide the wall shows, and moves the wall (previous, pause,
next) from a tablet; the wall picks the move up within about a second (pages/_wall.py). The URL
parameters of /present (?slides=overview,lagging,unit:12&period=2026-Q3) still work, without steering.
It lists the indicators the wall shows as lagging, each with one action that turns the meeting's decision
into a follow-up task for its owner, or, where one is already open, a link to it instead of a second one;
and the follow-up tasks this user assigned, so the meeting ends with its decisions tracked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.labels import due_label, status_label, task_status_label
from components.work_views import problem_alert
from config.clock import now, today
from data_access.commands.playlists import steer_wall
from data_access.errors import PulseError
from data_access.queries import work
from data_access.queries.lagging import lagging_indicators
from data_access.queries.playlists import open_follow_ups, unit_names
from domain.kinds import Role
from domain.playlists import Steer, position
from pages._common import guarded, page_period, updated_at
from pages._inputs import as_id
from pages._playlist import parse_playlist
from server.context import current_store, current_viewer
from server.i18n import _, format_date, format_percent
from server.live import LIVE_VERSION_ID
from server.walls import load_wall, reload_wall

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
NOW = "companion-now"
FOLLOW = "companion-follow"
NEXT, PREVIOUS, PAUSE = "companion-next", "companion-previous", "companion-pause"
STEER_MESSAGE = "companion-steer-message"
LIMIT = 6  # what the wall's lagging slide shows for each scope (pages/_wall.py LAGGING_ON_SCREEN)
FOLLOW_MS = 1000


def layout(
    slides: str | None = None,
    period: str | None = None,
    interval: str | None = None,
    playlist: str | None = None,
    **_kwargs: object,
) -> html.Div:
    name = playlist.strip().lower() if isinstance(playlist, str) and playlist.strip() else None
    chosen_slides = parse_playlist(slides)
    chosen = page_period(period)
    wall = (
        f"/present/{name}"
        if name
        else "/present?"
        + urlencode(
            {"slides": ",".join(chosen_slides), "period": chosen, **({"interval": interval} if interval else {})}
        )
    )
    steering = (
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(dbc.Spinner(size="sm", color="primary"), id=NOW, className="companion-now mb-2"),
                    dbc.ButtonGroup(
                        [
                            dbc.Button(["← ", _("Previous")], id=PREVIOUS, color="secondary", outline=True),
                            dbc.Button(_("Pause / resume"), id=PAUSE, color="secondary", outline=True),
                            dbc.Button([_("Next"), " →"], id=NEXT, color="primary"),
                        ],
                        size="lg",
                        className="companion-steer",
                    ),
                    html.Div(id=STEER_MESSAGE, className="mt-2"),
                    dcc.Interval(id=FOLLOW, interval=FOLLOW_MS),
                ]
            ),
            className="mb-3 companion-wall",
        )
        if name
        else None
    )
    return html.Div(
        [
            dcc.Store(id=PLAYLIST, data={"slides": chosen_slides, "period": chosen, "name": name}),
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
                className="d-flex justify-content-between align-items-baseline mb-3 flex-wrap gap-2",
            ),
            steering,
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
    given = playlist if isinstance(playlist, dict) else {}
    name = given.get("name") if isinstance(given.get("name"), str) else None

    def draw(viewer):  # type: ignore[no-untyped-def]
        if name:  # a saved playlist: its slides and period come from the server, never from the browser
            saved, _anchor, _seq = load_wall(viewer, name)
            return _render(viewer, list(saved.slides), page_period(saved.period or None))
        slides = given.get("slides")
        chosen = parse_playlist(",".join(s for s in slides if isinstance(s, str)) if isinstance(slides, list) else None)
        return _render(viewer, chosen, page_period(given.get("period")))

    return guarded(draw)


def _slide_name(slide: str, units: dict[int, str]) -> str:
    names = {"overview": _("Overview"), "lagging": _("Lagging indicators"), "rankings": _("Ranking of units")}
    return names.get(slide) or units.get(as_id(slide[5:]) or 0, _("Unit"))


@callback(
    Output(NOW, "children"),
    Input(FOLLOW, "n_intervals"),
    State(PLAYLIST, "data"),
)
def follow_wall(_tick: Any, playlist: Any) -> Any:
    """What the wall shows now, read as the wall reads it (the same anchor, the same clock)."""
    name = playlist.get("name") if isinstance(playlist, dict) else None
    if not isinstance(name, str) or not name:
        raise PreventUpdate
    return guarded(lambda viewer: _now_showing(viewer, name))


def _now_showing(viewer, name: str) -> html.Div:  # type: ignore[no-untyped-def]
    saved, anchor, _seq = load_wall(viewer, name)
    where = position(anchor, slides=len(saved.slides), interval=saved.interval, now=now())
    unit_ids = [as_id(s[5:]) for s in saved.slides if s.startswith("unit:")]
    with current_store().read() as session:
        units = unit_names(session, viewer=viewer, unit_ids=[u for u in unit_ids if u])
    slide = saved.slides[where.index]
    state = _("paused") if where.paused else _("%(seconds)s s left", seconds=where.remaining)
    return html.Div(
        [
            html.Div(saved.title, className="fw-semibold"),
            html.Div(
                [
                    _("The wall shows"),
                    ": ",
                    html.Strong(_slide_name(slide, units), id="companion-slide-name"),
                    f" ({where.index + 1}/{len(saved.slides)}) · ",
                    html.Span(state, id="companion-slide-state"),
                ]
            ),
            html.Ol(
                [
                    html.Li(_slide_name(s, units), className="fw-bold" if i == where.index else "text-muted")
                    for i, s in enumerate(saved.slides)
                ],
                className="companion-slides mb-0",
            ),
        ],
        **{"data-index": str(where.index)},
    )


@callback(
    Output(STEER_MESSAGE, "children"),
    Output(NOW, "children", allow_duplicate=True),
    Input(NEXT, "n_clicks"),
    Input(PREVIOUS, "n_clicks"),
    Input(PAUSE, "n_clicks"),
    State(PLAYLIST, "data"),
    prevent_initial_call=True,
)
def steer(_next: Any, _previous: Any, _pause: Any, playlist: Any) -> tuple[Any, Any]:
    """Move the wall: the command writes the new position; the wall reads it on its next poll."""
    name = playlist.get("name") if isinstance(playlist, dict) else None
    action = {NEXT: Steer.NEXT, PREVIOUS: Steer.PREVIOUS, PAUSE: Steer.PAUSE}.get(str(ctx.triggered_id))
    if not isinstance(name, str) or not name or action is None or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    viewer = current_viewer()
    try:
        steer_wall(current_store(), viewer, name=name, action=action)
    except PulseError as problem:
        return problem_alert(problem, class_name="companion-problem"), no_update
    reload_wall(viewer, name)  # Redis's copy (where configured) now holds the new position
    return None, guarded(lambda v: _now_showing(v, name))


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
        followed = open_follow_ups(session, viewer=viewer, indicator_ids=seen)
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
                                html.Td(_follow_up(int(r.indicator_id), followed, period)),
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


def _follow_up(indicator_id: int, followed: dict[int, int], period: str) -> html.A:
    """The link to the open follow-up task where there is one, else the action that makes one."""
    task_id = followed.get(indicator_id)
    if task_id is not None:
        return html.A(
            ["✓ ", _("Follow-up open: task #%(id)s", id=task_id)],
            href=f"/task/{task_id}",
            className="btn btn-outline-success btn-sm companion-followed",
        )
    return html.A(
        _("Follow up"),
        href=f"/indicator/{indicator_id}?period={period}&followup=1",
        className="btn btn-warning btn-sm companion-follow-up",
    )

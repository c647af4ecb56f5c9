"""The meeting-room wall that /present (a playlist from the URL) and /present/<name> (a playlist saved on
the server) share: its layout, its clock in the browser, and the slides it draws. Timing runs in the
browser, so a network cut or a server restart only delays the next data refresh. A saved playlist's wall
also follows the server's position of the playlist (domain/playlists.py) through its own one-second
poll, so the chair's companion moves it (SERVER_ID).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from components.labels import status_label, unit_kinds_label
from components.wall import (
    Headline,
    LaggingRow,
    MonthScore,
    RankedUnit,
    headline_cards,
    lagging_table,
    ranking_bars,
    score_chart,
    status_distribution,
    wall_time,
)
from config.clock import now, today
from data_access.errors import Forbidden, NotFound, PulseError
from data_access.queries.lagging import lagging_indicators
from data_access.queries.playlists import SavedPlaylist
from data_access.queries.units import children_figures, score_trend, unit_figures
from domain.analysis import summary
from domain.expectation import expected_by, expected_trend, peer_kind
from domain.periods import parse_period
from domain.playlists import DEFAULT_INTERVAL, MAX_INTERVAL, MIN_INTERVAL, position
from domain.rankings import rank
from pages._common import cached, guarded, page_period
from pages._playlist import parse_playlist
from server.context import current_viewer
from server.i18n import _
from server.live import LIVE_VERSION_ID
from server.walls import load_wall

ROOT_ID = "present-root"
PLAYLIST_ID = "present-playlist"
STATE_ID = "present-state"
INDEX_ID = "present-index"  # changes only when the slide does, so the server renders once per slide
CLOCK_ID = "present-clock"
SLIDE_ID = "present-slide"
TITLE_ID = "present-title"
COUNTDOWN_ID = "present-countdown"
DOTS_ID = "present-dots"
AS_OF_ID = "present-as-of"
NEXT_ID, PREV_ID, PAUSE_ID = "present-next", "present-prev", "present-pause"
NAME_ID = "present-name"
SERVER_ID = "present-server"  # the server's position of a saved playlist, as last polled
FOLLOW_ID = "present-follow"
# A saved playlist's wall reads its position twice a second: the chair's step shows within that plus one
# round trip and the slide's render (measured 1.3 s on the loaded test machine; the bound is 2 s).
FOLLOW_MS = 500
LAGGING_TABLE_ID = "present-lagging"
# Six rows of two lines each fit one slide at >= 3.3 % of the height per line of text.
LAGGING_ON_SCREEN = 6
RANKED_ON_SCREEN = 12  # rows that stay legible (>= 3.3 % of the height each) on one slide


def parse_interval(interval: str | None) -> int:
    """The URL's seconds per slide, kept within the allowed range."""
    try:
        return max(MIN_INTERVAL, min(MAX_INTERVAL, int(interval or DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


def wall_layout(playlist: dict[str, Any], *, theme: str, name: str | None = None) -> html.Div:
    """The wall: `playlist` is {"slides", "interval", "period"}; with a saved playlist's `name`, the wall
    loads it (and follows its position) from the server instead."""
    seconds = int(playlist.get("interval") or DEFAULT_INTERVAL)
    following = name is not None
    return html.Div(
        [
            dcc.Store(id=PLAYLIST_ID, data=playlist),
            dcc.Store(id=NAME_ID, data=name),
            dcc.Store(id=SERVER_ID),
            dcc.Store(id=STATE_ID, data={"index": 0, "remaining": seconds, "paused": False}),
            dcc.Store(id=INDEX_ID, data=0),
            dcc.Interval(id=CLOCK_ID, interval=1000),
            # Only a saved playlist has a position on the server to follow: one light read a second.
            dcc.Interval(id=FOLLOW_ID, interval=FOLLOW_MS, disabled=not following),
            html.Div(
                [
                    html.H1(id=TITLE_ID, className="present-title"),
                    html.Div([html.Span(id=COUNTDOWN_ID, className="present-countdown", **{"aria-live": "off"})]),
                ],
                className="present-header",
            ),
            html.Div(id=SLIDE_ID, className="present-body"),
            html.Div(
                [
                    html.Div(id=DOTS_ID, className="present-dots"),
                    html.Span(id=AS_OF_ID, className="present-meta present-as-of"),
                ],
                className="present-footer",
                title=_("Keys: → next · ← previous · P pause · F full screen"),
            ),
            html.Div(
                [html.Button("next", id=NEXT_ID), html.Button("prev", id=PREV_ID), html.Button("pause", id=PAUSE_ID)],
                className="present-hidden-controls",
                **{"aria-hidden": "true"},
            ),
        ],
        id=ROOT_ID,
        className=theme_class(theme),
    )


def theme_class(theme: object) -> str:
    return f"theme-{'light' if theme == 'light' else 'dark'}"


def render_slide(index: int | None, _version: int | None, playlist: dict) -> tuple:
    # The playlist comes back from the browser: re-read it as the URL would be, never trust its shape.
    given = playlist if isinstance(playlist, dict) else {}
    if given.get("missing"):
        return (
            html.Div(_("There is no playlist of this name for this screen."), className="present-empty"),
            _("Big screen"),
            _data_as_of(),
        )
    if given.get("slides") == []:
        raise PreventUpdate  # a saved playlist not loaded yet
    slides = parse_playlist(
        ",".join(s for s in given.get("slides", []) if isinstance(s, str))
        if isinstance(given.get("slides"), list)
        else None
    )
    index = (index if isinstance(index, int) and not isinstance(index, bool) else 0) % len(slides)
    slide = slides[index]
    period = page_period(given.get("period") if isinstance(given.get("period"), str) else None)
    shown = guarded(lambda viewer: _slide(viewer, slide, period))
    if isinstance(shown, tuple):
        title, body = shown
        return body, f"{title} · {period}", _data_as_of()
    unit = _("Unit")
    return shown, f"{unit} · {period}", _data_as_of()


def _slide(viewer, slide: str, period: str) -> tuple[str, Any]:  # type: ignore[no-untyped-def]
    """The slide's title and body."""
    if slide == "lagging":
        return _("Lagging indicators"), html.Div(_lagging_table(viewer, period), className="wall-slide wall-lagging")
    figures, children, trend = _unit_data(viewer, slide, period)
    expected = expected_by(parse_period(period), today())
    if slide == "rankings":
        return _rankings(children, expected)
    overview = _("Overview")
    title = figures.name if slide.startswith("unit:") else f"{overview} · {figures.name}"
    headline = Headline(
        score=figures.score,
        expected=expected,
        indicators=figures.n_indicators,
        on_track_or_done=figures.n_done + figures.n_on_track,
        at_risk=figures.n_at_risk,
        off_track=figures.n_off_track,
        tasks_open=figures.tasks_open,  # overdue tasks are open ones too
        tasks_overdue=figures.tasks_overdue,
    )
    counts = {
        "done": figures.n_done,
        "on_track": figures.n_on_track,
        "at_risk": figures.n_at_risk,
        "off_track": figures.n_off_track,
        "no_data": figures.n_no_data,
    }
    return title, html.Div(
        [
            headline_cards(headline),
            html.Div(
                [
                    score_chart(_months(trend)),
                    status_distribution(counts, {k: status_label(k) for k in counts}),
                ],
                className="wall-panels",
            ),
        ],
        className="wall-slide wall-unit",
    )


def _unit_data(viewer, slide: str, period: str) -> tuple[Any, Any, Any]:  # type: ignore[no-untyped-def]
    """A unit's figures, its children's and its monthly trend (the scope's unit unless a unit slide)."""
    unit_id = int(slide[5:]) if slide.startswith("unit:") else viewer.scope_unit_id
    return cached(
        "present-unit",
        viewer,
        period,
        lambda s: (
            unit_figures(s, viewer=viewer, unit_id=unit_id, period=period),
            children_figures(s, viewer=viewer, unit_id=unit_id, period=period),
            score_trend(s, viewer=viewer, unit_id=unit_id, period=period),
        ),
        unit_id,
    )


def _lagging_frame(viewer, period: str) -> Any:  # type: ignore[no-untyped-def]
    return cached(
        "lagging-top",
        viewer,
        period,
        lambda s: lagging_indicators(s, viewer=viewer, period=period, limit=LAGGING_ON_SCREEN),
        LAGGING_ON_SCREEN,
    )


def _warm(viewer, slide: str, period: str) -> None:  # type: ignore[no-untyped-def]
    """Read a slide's data into the shared cache, so that moving to it draws at once (a cache hit costs
    one data-version read; a miss is the slide's own queries, paid here instead of on the step)."""
    if slide == "lagging":
        _lagging_frame(viewer, period)
    else:
        _unit_data(viewer, slide, period)


def _months(trend: Any) -> list[MonthScore]:
    """The trend's months with what was expected by each month's end."""
    months = [parse_period(code) for code in trend["period"]]
    expected = expected_trend(months, today())
    return [
        MonthScore(
            label=str(m.number),  # twelve month names at a legible size do not fit under twelve columns
            score=None if score is None or score != score else float(score),
            expected=e,
        )
        for m, score, e in zip(months, trend["score"].tolist(), expected, strict=True)
    ]


def _rankings(children: list, expected: float) -> tuple[str, html.Div]:
    """Units compared with their own kind (wards with wards), kinds with most members first, as many
    rows as stay legible on one slide."""
    by_kind: dict[str, list] = {}
    for child in children:
        by_kind.setdefault(peer_kind(child.kind), []).append(child)
    groups = []
    room = RANKED_ON_SCREEN
    for kind, members in sorted(by_kind.items(), key=lambda pair: (-len(pair[1]), pair[0])):
        ranked = [p for p in rank(members, score=lambda c: c.score, name=lambda c: c.name) if p.rank is not None]
        shown = [RankedUnit(rank=p.rank or 0, name=p.item.name, kind=kind, score=float(p.item.score)) for p in ranked]
        if not shown or room < 2:
            continue
        groups.append((unit_kinds_label(kind), shown[: room - 1]))
        room -= 1 + len(groups[-1][1])
    if not groups:
        return _("Ranking of units"), html.Div(html.Div(_("No data yet."), className="present-empty"))
    return _("Ranking of units"), html.Div(ranking_bars(groups, expected), className="wall-slide wall-ranking")


def _data_as_of() -> str:
    return _("Data as of %(time)s", time=wall_time(now()))


def _lagging_table(viewer, period: str) -> html.Table:  # type: ignore[no-untyped-def]
    """The top lagging indicators, with why in the owner's words (a short line)."""
    frame = _lagging_frame(viewer, period)
    rows = [
        LaggingRow(
            indicator=r.indicator,
            unit=r.unit,
            progress=_number(r.progress),
            expected=_number(r.expected),
            status=r.status,
            status_text=status_label(r.status),
            why=_why(r),
        )
        for r in frame.itertuples()
    ]
    return lagging_table(rows, LAGGING_TABLE_ID, with_why=True)


def _number(value: object) -> float | None:
    return None if value is None or value != value else float(value)  # type: ignore[arg-type]


def _why(row: Any) -> str:
    why, what = row.why, row.what_happened  # NaN where no analysis was written
    return summary(why if isinstance(why, str) else None, what if isinstance(what, str) else None, limit=90)


def follow_saved_playlist(_tick: int | None, name: object, known: object) -> tuple:
    """A saved playlist's wall: the playlist (when it changed) and where the server says its walls stand."""
    if not isinstance(name, str) or not name:
        raise PreventUpdate
    viewer = current_viewer()
    try:
        playlist, anchor, seq = load_wall(viewer, name)
    except (NotFound, Forbidden):
        return {"slides": [], "missing": True}, dash.no_update
    shown = playlist_store(playlist)
    where = position(anchor, slides=len(playlist.slides), interval=playlist.interval, now=now())
    # The chair's next step is to a neighbour: have both ready, so the step costs no query.
    count = len(playlist.slides)
    period = page_period(playlist.period or None)
    try:
        for neighbour in {(where.index + 1) % count, (where.index - 1) % count}:
            _warm(viewer, playlist.slides[neighbour], period)
    except PulseError:
        pass  # a slide the screen may not see says so when it is shown

    server = {"index": where.index, "remaining": where.remaining, "paused": where.paused, "seq": seq}
    return (dash.no_update if shown == known else shown), server


def playlist_store(playlist: SavedPlaylist) -> dict[str, Any]:
    """What the wall's browser keeps of a saved playlist (the slides are re-read on the server anyway)."""
    return {
        "slides": list(playlist.slides),
        "interval": playlist.interval,
        "period": playlist.period or None,
        "theme": playlist.theme,
        "title": playlist.title,
    }


def register_callbacks() -> None:
    """Register the wall's callbacks. Called by pages/present.py as Dash imports it: Dash executes page
    modules afresh for every app it builds (tests build several in one process) but imports a helper like
    this one once, so callbacks declared here at import would reach the first app only."""
    # Timing lives in the browser: one tick a second, no server round trip. A saved playlist's wall adopts the
    # server's position whenever it moves (a new slide, a pause, a chair's step); between moves, and while
    # the server is out of reach, its own clock carries on.
    clientside_callback(
        """
        function(tick, next, prev, pause, server, state, playlist) {
            var no = window.dash_clientside.no_update;
            // Several inputs can arrive in one call (the clock and the server's answer in the same second).
            var ids = (window.dash_clientside.callback_context.triggered || []).map(function(t) { return t.prop_id || ''; });
            function has(prefix) { return ids.some(function(id) { return id.indexOf(prefix) === 0; }); }
            var n = (playlist && playlist.slides) ? playlist.slides.length : 0;
            if (!n) { return [no, no]; }
            var s = Object.assign({}, state);
            var adopted = false;
            if (has('present-server') && server) {
                var moved = server.seq !== s.seq || server.index !== s.serverIndex || server.paused !== s.paused;
                if (moved) { s.index = server.index % n; s.remaining = server.remaining; s.paused = server.paused; adopted = true; }
                else if (s.index === server.index && Math.abs(s.remaining - server.remaining) > 1) { s.remaining = server.remaining; adopted = true; }
                s.seq = server.seq; s.serverIndex = server.index;
            }
            if (has('present-next')) { s.index = (s.index + 1) % n; s.remaining = playlist.interval; }
            else if (has('present-prev')) { s.index = (s.index - 1 + n) % n; s.remaining = playlist.interval; }
            else if (has('present-pause')) { s.paused = !s.paused; }
            else if (has('present-clock') && !adopted && !s.paused) {
                s.remaining = s.remaining - 1;
                if (s.remaining <= 0) { s.index = (s.index + 1) % n; s.remaining = playlist.interval; }
            }
            s.index = s.index % n;
            return [s, s.index === state.index ? no : s.index];
        }
        """,
        Output(STATE_ID, "data"),
        Output(INDEX_ID, "data"),
        Input(CLOCK_ID, "n_intervals"),
        Input(NEXT_ID, "n_clicks"),
        Input(PREV_ID, "n_clicks"),
        Input(PAUSE_ID, "n_clicks"),
        Input(SERVER_ID, "data"),
        State(STATE_ID, "data"),
        State(PLAYLIST_ID, "data"),
        prevent_initial_call=True,
    )

    # The theme follows the playlist (a saved one arrives from the server after the first paint).
    clientside_callback(
        "function(playlist) { return 'theme-' + ((playlist && playlist.theme === 'light') ? 'light' : 'dark'); }",
        Output(ROOT_ID, "className"),
        Input(PLAYLIST_ID, "data"),
    )

    clientside_callback(
        """
        function(state, playlist) {
            var label = state.paused ? '⏸' : (state.remaining + ' s');
            var dots = ((playlist && playlist.slides) || []).map(function(_, i) {
                return {type: 'Span', namespace: 'dash_html_components', props: {className: i === state.index ? 'active' : ''}};
            });
            return [label, dots];
        }
        """,
        Output(COUNTDOWN_ID, "children"),
        Output(DOTS_ID, "children"),
        Input(STATE_ID, "data"),
        State(PLAYLIST_ID, "data"),
    )

    callback(
        Output(SLIDE_ID, "children"),
        Output(TITLE_ID, "children"),
        Output(AS_OF_ID, "children"),
        Input(INDEX_ID, "data"),
        Input(LIVE_VERSION_ID, "data"),
        Input(PLAYLIST_ID, "data"),
    )(render_slide)
    callback(
        Output(PLAYLIST_ID, "data"),
        Output(SERVER_ID, "data"),
        Input(FOLLOW_ID, "n_intervals"),
        State(NAME_ID, "data"),
        State(PLAYLIST_ID, "data"),
    )(follow_saved_playlist)

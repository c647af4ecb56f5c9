"""/present: the meeting-room big screen. A playlist of slides from the URL
(?slides=overview,lagging,rankings,unit:12&interval=20&theme=dark&period=2026-Q3) that advances
by itself with a visible countdown; keys: right/space next, left previous, p pause. Timing runs in
the browser, so a network cut or a server restart only delays the next data refresh.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from components.labels import status_label, unit_kind_label
from components.status import STATUS_COLOURS, score_colour
from config.clock import now
from data_access.queries.lagging import lagging_indicators
from data_access.queries.units import children_figures, unit_figures
from domain.analysis import summary
from domain.kinds import Role
from domain.rankings import rank
from pages._common import cached, guarded, page_period
from pages._playlist import parse_playlist
from server.i18n import _, format_date, format_percent, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/present",
    name="Present",
    order=80,
    nav_label=lazy_gettext("Big screen"),
    nav_group=lazy_gettext("Meetings and reports"),
    title="Pulse",
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.SCREEN],
)

ROOT_ID = "present-root"
PLAYLIST_ID = "present-playlist"
STATE_ID = "present-state"
INDEX_ID = "present-index"  # changes only when the slide does, so the server renders once per slide
CLOCK_ID = "present-clock"
SLIDE_ID = "present-slide"
TITLE_ID = "present-title"
COUNTDOWN_ID = "present-countdown"
DOTS_ID = "present-dots"
NEXT_ID, PREV_ID, PAUSE_ID = "present-next", "present-prev", "present-pause"
MIN_INTERVAL, MAX_INTERVAL, DEFAULT_INTERVAL = 5, 600, 20


def parse_interval(interval: str | None) -> int:
    try:
        return max(MIN_INTERVAL, min(MAX_INTERVAL, int(interval or DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


def layout(
    slides: str | None = None,
    interval: str | None = None,
    theme: str | None = None,
    period: str | None = None,
    **_kwargs: object,
) -> html.Div:
    playlist = parse_playlist(slides)
    seconds = parse_interval(interval)
    return html.Div(
        [
            dcc.Store(id=PLAYLIST_ID, data={"slides": playlist, "interval": seconds, "period": page_period(period)}),
            dcc.Store(id=STATE_ID, data={"index": 0, "remaining": seconds, "paused": False}),
            dcc.Store(id=INDEX_ID, data=0),
            dcc.Interval(id=CLOCK_ID, interval=1000),
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
                    html.Span(_("Keys: → next · ← previous · P pause"), className="present-meta"),
                ],
                className="present-footer",
            ),
            html.Div(
                [html.Button("next", id=NEXT_ID), html.Button("prev", id=PREV_ID), html.Button("pause", id=PAUSE_ID)],
                className="present-hidden-controls",
                **{"aria-hidden": "true"},
            ),
        ],
        id=ROOT_ID,
        className=f"theme-{'light' if theme == 'light' else 'dark'}",
    )


# Timing lives in the browser: one tick a second, no server round trip.
clientside_callback(
    """
    function(tick, next, prev, pause, state, playlist) {
        var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || '';
        var n = playlist.slides.length;
        var s = Object.assign({}, state);
        if (trigger.indexOf('present-next') === 0) { s.index = (s.index + 1) % n; s.remaining = playlist.interval; }
        else if (trigger.indexOf('present-prev') === 0) { s.index = (s.index - 1 + n) % n; s.remaining = playlist.interval; }
        else if (trigger.indexOf('present-pause') === 0) { s.paused = !s.paused; }
        else if (!s.paused) {
            s.remaining = s.remaining - 1;
            if (s.remaining <= 0) { s.index = (s.index + 1) % n; s.remaining = playlist.interval; }
        }
        return [s, s.index === state.index ? window.dash_clientside.no_update : s.index];
    }
    """,
    Output(STATE_ID, "data"),
    Output(INDEX_ID, "data"),
    Input(CLOCK_ID, "n_intervals"),
    Input(NEXT_ID, "n_clicks"),
    Input(PREV_ID, "n_clicks"),
    Input(PAUSE_ID, "n_clicks"),
    State(STATE_ID, "data"),
    State(PLAYLIST_ID, "data"),
    prevent_initial_call=True,
)

clientside_callback(
    """
    function(state, playlist) {
        var label = state.paused ? '⏸' : (state.remaining + ' s');
        var dots = playlist.slides.map(function(_, i) {
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


@callback(
    Output(SLIDE_ID, "children"),
    Output(TITLE_ID, "children"),
    Input(INDEX_ID, "data"),
    Input(LIVE_VERSION_ID, "data"),
    State(PLAYLIST_ID, "data"),
)
def render_slide(index: int | None, _version: int | None, playlist: dict) -> tuple:
    # The playlist comes back from the browser: re-read it as the URL would be, never trust its shape.
    given = playlist if isinstance(playlist, dict) else {}
    slides = parse_playlist(
        ",".join(s for s in given.get("slides", []) if isinstance(s, str))
        if isinstance(given.get("slides"), list)
        else None
    )
    index = (index if isinstance(index, int) and not isinstance(index, bool) else 0) % len(slides)
    slide = slides[index]
    period = page_period(given.get("period") if isinstance(given.get("period"), str) else None)
    body = guarded(lambda viewer: _slide(viewer, slide, period))
    return body, _slide_title(slide, period)


def _slide_title(slide: str, period: str) -> str:
    titles = {"overview": _("Overview"), "lagging": _("Lagging indicators"), "rankings": _("Ranking of units")}
    unit = _("Unit")
    return f"{titles.get(slide, unit)} · {period}"


def _slide(viewer, slide: str, period: str) -> html.Div:  # type: ignore[no-untyped-def]
    if slide == "lagging":
        return _lagging_table(viewer, period, limit=8, with_why=True)
    unit_id = int(slide[5:]) if slide.startswith("unit:") else viewer.scope_unit_id
    figures, children = cached(
        "present-unit",
        viewer,
        period,
        lambda s: (
            unit_figures(s, viewer=viewer, unit_id=unit_id, period=period),
            children_figures(s, viewer=viewer, unit_id=unit_id, period=period),
        ),
        unit_id,
    )
    if slide == "rankings":
        ranked = [p for p in rank(children, score=lambda c: c.score, name=lambda c: c.name) if p.rank is not None]
        rows = [
            html.Tr(
                [
                    html.Td(str(place.rank)),
                    html.Td(place.item.name),
                    html.Td(unit_kind_label(place.item.kind)),
                    html.Td(
                        format_percent(place.item.score),
                        style={"color": score_colour(place.item.score), "fontWeight": 700},
                    ),
                ]
            )
            for place in ranked[:10]
        ]
        return html.Table([html.Tbody(rows)], className="present-table", id="present-rankings")
    cards = [
        (_("Score"), format_percent(figures.score), score_colour(figures.score)),
        (_("On track or done"), str(figures.n_done + figures.n_on_track), STATUS_COLOURS["on_track"]),
        (_("At risk / off track"), f"{figures.n_at_risk} / {figures.n_off_track}", STATUS_COLOURS["off_track"]),
        (_("Overdue tasks"), str(figures.tasks_overdue), STATUS_COLOURS["at_risk"]),
    ]
    return html.Div(
        [
            html.Div(figures.name, className="present-meta"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(value, className="value", style={"color": colour}),
                            html.Div(label, className="label"),
                        ],
                        className="present-card",
                    )
                    for label, value, colour in cards
                ],
                className="present-cards",
                id="present-cards",
            ),
            _lagging_table(viewer, period, limit=4) if slide == "overview" else None,
            html.Div(_("Data as of %(time)s", time=format_date(now(), with_time=True)), className="present-meta"),
        ]
    )


def _lagging_table(viewer, period: str, *, limit: int, with_why: bool = False) -> html.Table:  # type: ignore[no-untyped-def]
    """The top lagging indicators; the lagging slide also says why, in the owner's words (a short line)."""
    frame = cached(
        "lagging-top",
        viewer,
        period,
        lambda s: lagging_indicators(s, viewer=viewer, period=period, limit=limit),
        limit,
    )
    rows = [
        html.Tr(
            [
                html.Td(r.indicator),
                html.Td(r.unit),
                html.Td(format_percent(r.progress)),
                html.Td(_why(r), className="present-why") if with_why else None,
                html.Td(
                    html.Span(
                        status_label(r.status),
                        className="status-pill",
                        style={"background": STATUS_COLOURS[r.status], "color": "#fff"},
                    )
                ),
            ]
        )
        for r in frame.itertuples()
    ]
    return html.Table([html.Tbody(rows)], className="present-table", id=f"present-lagging-{limit}")


def _why(row: Any) -> str:
    why, what = row.why, row.what_happened  # NaN where no analysis was written
    return summary(why if isinstance(why, str) else None, what if isinstance(what, str) else None, limit=90)

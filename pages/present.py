"""/present: the meeting-room big screen. A playlist of slides from the URL
(?slides=overview,lagging,rankings,unit:12&interval=20&theme=dark&period=2026-Q3) that advances
by itself with a visible countdown; keys: right/space next, left previous, p pause. Timing runs in
the browser, so a network cut or a server restart only delays the next data refresh.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html

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
from data_access.queries.lagging import lagging_indicators
from data_access.queries.units import children_figures, score_trend, unit_figures
from domain.analysis import summary
from domain.expectation import expected_by, expected_trend, peer_kind
from domain.kinds import Role
from domain.periods import parse_period
from domain.rankings import rank
from pages._common import cached, guarded, page_period
from pages._playlist import parse_playlist
from server.i18n import _, lazy_gettext
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
AS_OF_ID = "present-as-of"
NEXT_ID, PREV_ID, PAUSE_ID = "present-next", "present-prev", "present-pause"
MIN_INTERVAL, MAX_INTERVAL, DEFAULT_INTERVAL = 5, 600, 20
LAGGING_TABLE_ID = "present-lagging"
# Six rows of two lines each fit one slide at >= 3.3 % of the height per line of text.
LAGGING_ON_SCREEN = 6
RANKED_ON_SCREEN = 12  # rows that stay legible (>= 3.3 % of the height each) on one slide


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
    Output(AS_OF_ID, "children"),
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
    shown = guarded(lambda viewer: _slide(viewer, slide, period))
    if isinstance(shown, tuple):
        title, body = shown
        return body, f"{title} · {period}", _data_as_of()
    return shown, f"{_('Unit')} · {period}", _data_as_of()


def _slide(viewer, slide: str, period: str) -> tuple[str, Any]:  # type: ignore[no-untyped-def]
    """The slide's title and body."""
    if slide == "lagging":
        return _("Lagging indicators"), html.Div(_lagging_table(viewer, period), className="wall-slide wall-lagging")
    unit_id = int(slide[5:]) if slide.startswith("unit:") else viewer.scope_unit_id
    figures, children, trend = cached(
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
    expected = expected_by(parse_period(period), today())
    if slide == "rankings":
        return _rankings(children, expected)
    title = figures.name if slide.startswith("unit:") else f"{_('Overview')} · {figures.name}"
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
    limit = LAGGING_ON_SCREEN
    frame = cached(
        "lagging-top",
        viewer,
        period,
        lambda s: lagging_indicators(s, viewer=viewer, period=period, limit=limit),
        limit,
    )
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

"""Builders of the big screen's slides: data in, html out, no callbacks.

Everything is drawn in HTML and CSS (bars, columns, a stacked distribution) rather than Plotly: the
sizes then follow the viewport (vh units in assets/present.css), so text stays legible from 5 m at
1080p and 4K alike, and a slide's grid fills the screen whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from babel import dates as babel_dates
from dash import html
from flask_babel import get_locale

from components.i18n import _, display_zone, format_number, format_percent
from components.status import STATUS_COLOURS, score_colour

CARDS_ID = "present-cards"
SCORE_CHART_ID = "present-score-chart"
STATUS_ID = "present-status"
RANKINGS_ID = "present-rankings"


@dataclass(frozen=True)
class Headline:
    """The figures of a unit's headline cards."""

    score: float | None
    expected: float
    indicators: int
    on_track_or_done: int
    at_risk: int
    off_track: int
    tasks_open: int
    tasks_overdue: int


@dataclass(frozen=True)
class MonthScore:
    label: str
    score: float | None
    expected: float | None


@dataclass(frozen=True)
class RankedUnit:
    rank: int
    name: str
    kind: str
    score: float


def wall_time(moment: datetime) -> str:
    """A stored UTC time as the wall shows it: the date with a four-digit year, then hours and minutes."""
    local = moment.astimezone(display_zone()) if moment.tzinfo else moment.replace(tzinfo=display_zone())
    locale = str(get_locale() or "vi")
    day = babel_dates.format_date(local.date(), format="medium", locale=locale)
    return f"{babel_dates.format_time(local, format='short', locale=locale)} · {day}"


def _card(value: str, of: str | None, label: str, colour: str, note: str | None, key: str) -> html.Div:
    figure = [html.Span(value, className="value", style={"color": colour})]
    if of is not None:
        figure.append(html.Span(of, className="of"))
    return html.Div(
        [
            html.Div(figure, className="figure"),
            html.Div(label, className="label"),
            html.Div(note, className="note") if note else None,
        ],
        className=f"present-card present-card-{key}",
    )


def headline_cards(h: Headline) -> html.Div:
    """Four cards, each number with its denominator or its reference, so none is read alone."""
    lagging = h.at_risk + h.off_track
    of_indicators = _("of %(n)s", n=h.indicators)
    return html.Div(
        [
            _card(
                format_percent(h.score),
                None,
                _("Score"),
                score_colour(h.score),
                _("Expected by now: %(share)s", share=format_percent(h.expected)),
                "score",
            ),
            _card(
                str(h.on_track_or_done),
                of_indicators,
                _("Indicators on track or done"),
                STATUS_COLOURS["on_track"],
                None,
                "on-track",
            ),
            _card(
                str(lagging),
                of_indicators,
                _("Indicators lagging"),
                STATUS_COLOURS["off_track"],
                _("%(at_risk)s at risk, %(off_track)s off track", at_risk=h.at_risk, off_track=h.off_track),
                "lagging",
            ),
            _card(
                str(h.tasks_overdue),
                _("of %(n)s", n=h.tasks_open),
                _("Open tasks overdue"),
                STATUS_COLOURS["at_risk"],
                None,
                "overdue",
            ),
        ],
        className="present-cards",
        id=CARDS_ID,
    )


def _height(share: float | None) -> str:
    return f"{max(0.0, min(1.0, share or 0.0)) * 100:.1f}%"


def score_chart(months: Sequence[MonthScore]) -> html.Div:
    """The score month by month as columns, each with a dashed tick at what was expected by then."""
    columns = [
        html.Div(
            [
                html.Div(format_number(None if m.score is None else m.score * 100, 0), className="present-col-value"),
                html.Div(
                    [
                        html.Div(
                            className="present-col-bar",
                            style={"height": _height(m.score), "background": score_colour(m.score)},
                        ),
                        html.Div(className="present-col-expected", style={"bottom": _height(m.expected)})
                        if m.expected is not None
                        else None,
                    ],
                    className="present-col-track",
                ),
                html.Div(m.label, className="present-col-label"),
            ],
            className="present-col",
        )
        for m in months
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.Span(_("Score by month, in %"), className="present-panel-title"),
                    html.Span([html.Span(className="present-key-expected"), _("Expected")], className="present-key"),
                ],
                className="present-panel-head",
            ),
            html.Div(columns, className="present-cols")
            if columns
            else html.Div(_("No data yet."), className="present-empty"),
        ],
        className="present-panel",
        id=SCORE_CHART_ID,
    )


def status_distribution(counts: dict[str, int], labels: dict[str, str]) -> html.Div:
    """How the indicators split by status: one stacked bar and a legend with counts and shares."""
    total = sum(counts.values()) or 1
    keys = [k for k in STATUS_COLOURS if counts.get(k)]
    return html.Div(
        [
            html.Div(
                html.Span(_("Indicators by status"), className="present-panel-title"), className="present-panel-head"
            ),
            html.Div(
                [
                    html.Div(
                        className="present-stack-part", style={"flexGrow": counts[k], "background": STATUS_COLOURS[k]}
                    )
                    for k in keys
                ],
                className="present-stack",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Span(className="present-swatch", style={"background": STATUS_COLOURS[k]}),
                            html.Span(labels[k], className="present-legend-label"),
                            html.Span(str(counts[k]), className="present-legend-count"),
                            html.Span(format_percent(counts[k] / total), className="present-legend-share"),
                        ],
                        className="present-legend-row",
                    )
                    for k in keys
                ],
                className="present-legend",
            ),
        ],
        className="present-panel",
        id=STATUS_ID,
    )


def ranking_bars(groups: Sequence[tuple[str, Sequence[RankedUnit]]], expected: float) -> html.Div:
    """A bar per unit, best first within its kind (wards with wards), with the score expected by now
    marked across all of them. Each kind opens with its own header row."""
    rows: list[html.Div] = []
    for kind_label, units in groups:
        rows.append(
            html.Div(
                [
                    html.Span("#", className="present-rank"),
                    html.Span(kind_label, className="present-rank-name"),
                    html.Span(
                        [
                            html.Span(className="present-key-expected"),
                            _("Expected by now: %(share)s", share=format_percent(expected)),
                        ],
                        className="present-rank-bar-head",
                    ),
                    html.Span(_("Score"), className="present-rank-value"),
                ],
                className="present-rank-row present-rank-header",
            )
        )
        rows.extend(
            html.Div(
                [
                    html.Span(str(u.rank), className="present-rank"),
                    html.Span(u.name, className="present-rank-name"),
                    html.Div(
                        [
                            html.Div(
                                className="present-rank-fill",
                                style={"width": _height(u.score), "background": score_colour(u.score)},
                            ),
                            html.Div(className="present-rank-expected", style={"left": _height(expected)}),
                        ],
                        className="present-rank-bar",
                    ),
                    html.Span(format_percent(u.score), className="present-rank-value"),
                ],
                className="present-rank-row",
            )
            for u in units
        )
    return html.Div(rows, className="present-rankings", id=RANKINGS_ID)


@dataclass(frozen=True)
class LaggingRow:
    indicator: str
    unit: str
    progress: float | None
    expected: float | None
    status: str
    status_text: str
    why: str | None


def lagging_table(rows: Sequence[LaggingRow], table_id: str, *, with_why: bool) -> html.Table:
    """The lagging indicators with their column headers; the lagging slide adds the owner's analysis."""
    headers = [_("Indicator"), _("Unit"), _("Progress"), _("Expected"), _("Why") if with_why else None, _("Status")]
    body = [
        html.Tr(
            [
                html.Td(html.Span(r.indicator, className="present-clamp"), className="present-indicator"),
                html.Td(html.Span(r.unit, className="present-clamp")),
                html.Td(format_percent(r.progress), className="present-number"),
                html.Td(format_percent(r.expected), className="present-number"),
                html.Td(html.Span(r.why or "–", className="present-clamp"), className="present-why")
                if with_why
                else None,
                html.Td(
                    html.Span(
                        r.status_text,
                        className="status-pill",
                        style={"background": STATUS_COLOURS.get(r.status, STATUS_COLOURS["no_data"]), "color": "#fff"},
                    )
                ),
            ]
        )
        for r in rows
    ]
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in headers if h is not None])), html.Tbody(body)],
        className="present-table",
        id=table_id,
    )

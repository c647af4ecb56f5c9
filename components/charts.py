"""Plotly figures with the shared status colours; `uirevision` keeps zoom across live refreshes.

Figures are plain dicts in Plotly's JSON schema: building `go.Figure` objects validates every
property and cost a dashboard callback about 60 ms of its 130 ms at the city scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from components.i18n import current_language
from components.status import STATUS_COLOURS, score_colour
from domain.kinds import LANGUAGES

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 14}
Figure = dict[str, Any]


def graph_config() -> dict[str, Any]:
    """A dcc.Graph's config: Plotly's menus, months and decimal separator in the user's language
    (assets/plotly_locales.js registers vi and fr), and no Plotly logo."""
    language = current_language()
    return {"displaylogo": False, "locale": language if language in LANGUAGES else "vi"}


def _month_axis() -> dict[str, Any]:
    """A date axis labelled by month as the language writes it: "thg 11/2026" in Vietnamese (the locale's
    short months), "nov. 2026" style in French and English."""
    month = "%b/%Y" if current_language() == "vi" else "%b %Y"
    return {
        "type": "date",
        "tickformat": month,
        "hoverformat": "%d/%m/%Y" if current_language() != "en" else "%b %-d, %Y",
    }


def _layout(*, height: int, revision: str, **extra: Any) -> dict[str, Any]:
    return {
        "height": height,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
        "font": FONT,
        "uirevision": revision,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        **extra,
    }


def _values(series: pd.Series) -> list[Any]:
    return [None if pd.isna(v) else v for v in series.tolist()]


def score_trend(trend: pd.DataFrame, *, label: str, expected_label: str | None = None, height: int = 260) -> Figure:
    """The score (in %) month by month; with an "expected" column and its label, the expected score
    beside it as a dashed line, so a score that rises with the calendar is not read as improvement."""
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": label,
            "x": trend["period"].tolist(),
            "y": _values(trend["score"] * 100),
            "line": {"color": STATUS_COLOURS["on_track"], "width": 3},
            "hovertemplate": "%{y:.1f}%<extra>" + label + "</extra>",
        }
    ]
    if expected_label and "expected" in trend:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": expected_label,
                "x": trend["period"].tolist(),
                "y": _values(trend["expected"] * 100),
                "line": {"color": "#6c757d", "width": 2, "dash": "dash"},
                "hovertemplate": "%{y:.1f}%<extra>" + expected_label + "</extra>",
            }
        )
    extra: dict[str, Any] = {}
    if len(data) > 1:
        # The legend names the two lines; above the plot so it never covers them on a phone.
        extra = {
            "showlegend": True,
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            "margin": {"l": 40, "r": 10, "t": 30, "b": 40},
        }
    return {
        "data": data,
        "layout": _layout(
            height=height,
            revision="trend",
            xaxis={**_month_axis(), "hoverformat": "%b/%Y" if current_language() == "vi" else "%b %Y"},
            yaxis={"range": [0, 105], "ticksuffix": "%"},
            **extra,
        ),
    }


def status_bars(counts: dict[str, int], labels: dict[str, str], *, height: int = 260) -> Figure:
    """How many indicators stand in each status."""
    keys = [k for k in STATUS_COLOURS if counts.get(k)]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [counts[k] for k in keys],
                "y": [labels[k] for k in keys],
                "marker": {"color": [STATUS_COLOURS[k] for k in keys]},
                "text": [counts[k] for k in keys],
                "textposition": "auto",
            }
        ],
        # automargin: the status names are never cut, whatever the language.
        "layout": _layout(height=height, revision="status", yaxis={"autorange": "reversed", "automargin": True}),
    }


def org_sunburst(tree: pd.DataFrame, *, height: int = 480) -> Figure:
    """The org tree coloured by score; clicking a sector drills into it."""
    scores = [None if s is None or s != s else float(s) for s in tree["score"].tolist()]  # s != s: NaN
    names = tree["name"].tolist()
    return {
        "data": [
            {
                "type": "sunburst",
                "ids": tree["unit_id"].astype(str).tolist(),
                "labels": names,
                "parents": ["" if p is None or p != p else str(int(p)) for p in tree["parent_id"].tolist()],
                "marker": {"colors": [score_colour(s) for s in scores]},
                "hovertext": [
                    f"{n}: {s * 100:.0f}%" if s is not None else f"{n}: –" for n, s in zip(names, scores, strict=True)
                ],
                "hoverinfo": "text",
                # Upright labels read at a glance; the score is written under each name.
                "insidetextorientation": "horizontal",
                "text": [f"{s * 100:.0f}%" if s is not None else "–" for s in scores],
                "textinfo": "label+text",
                "textfont": {"size": 13},
                "customdata": tree["unit_id"].tolist(),
                "maxdepth": 3,
            }
        ],
        "layout": _layout(height=height, revision="tree", margin={"l": 0, "r": 0, "t": 0, "b": 0}),
    }


def indicator_history(
    measured: pd.DataFrame,
    trajectory: pd.DataFrame,
    *,
    target: float | None,
    forecast_value: float | None,
    year_end: str,
    labels: Sequence[str],
    height: int = 360,
) -> Figure:
    """Values against the planned trajectory, with the target and the forecast to the year's end."""
    values_label, plan_label, target_label, forecast_label = labels
    data: list[dict[str, Any]] = []
    if len(measured):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": values_label,
                "x": [str(d) for d in measured["measured_on"]],
                "y": _values(measured["value"]),
                "line": {"color": STATUS_COLOURS["on_track"], "width": 3},
            }
        )
    if len(trajectory):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": plan_label,
                "x": [str(d) for d in trajectory["at"]],
                "y": _values(trajectory["value"]),
                "line": {"color": STATUS_COLOURS["no_data"], "dash": "dot"},
            }
        )
    if forecast_value is not None and len(measured):
        last = measured.iloc[-1]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": forecast_label,
                "x": [str(last["measured_on"]), year_end],
                "y": [float(last["value"]), forecast_value],
                "line": {"color": STATUS_COLOURS["at_risk"], "dash": "dash"},
            }
        )
    shapes, annotations = [], []
    if target is not None and target == target:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": target,
                "y1": target,
                "line": {"color": STATUS_COLOURS["done"]},
            }
        )
        annotations.append(
            {"xref": "paper", "x": 1, "y": target, "text": target_label, "showarrow": False, "yanchor": "bottom"}
        )
    return {
        "data": data,
        "layout": _layout(
            height=height,
            revision="indicator",
            showlegend=True,
            shapes=shapes,
            annotations=annotations,
            legend={"orientation": "h", "y": -0.2},
            xaxis=_month_axis(),
        ),
    }


def milestone_timeline(
    milestones: Sequence[tuple[str, str, str | None]],
    *,
    today: str,
    labels: Sequence[str],
) -> Figure:
    """An action plan's milestones, one row each: the planned due date against the day it was done.

    ``milestones``: (title, due ISO date, done ISO date or None), top row first. A done date after the
    due date is drawn in the off-track colour, on time in the done colour; open milestones overdue by
    today get an off-track planned marker, so lateness shows in shape and colour, not colour alone.
    """
    planned_label, done_label, today_label = labels
    titles = [_short(t) for t, _, _ in milestones]
    late = [done is not None and done > due for _, due, done in milestones]
    overdue = [done is None and due < today for _, due, done in milestones]
    shapes: list[dict[str, Any]] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "y",
            "x0": due,
            "x1": done,
            "y0": title,
            "y1": title,
            "line": {"color": STATUS_COLOURS["off_track" if is_late else "done"], "width": 3},
        }
        for (_, due, done), title, is_late in zip(milestones, titles, late, strict=True)
        if done is not None and done != due
    ]
    shapes.append(
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": today,
            "x1": today,
            "y0": 0,
            "y1": 1,
            "line": {"color": STATUS_COLOURS["no_data"], "dash": "dot"},
        }
    )
    data = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": planned_label,
            "x": [due for _, due, _ in milestones],
            "y": titles,
            "marker": {
                "symbol": ["diamond-open" if not o else "x" for o in overdue],
                "size": 13,
                "color": [STATUS_COLOURS["off_track"] if o else STATUS_COLOURS["no_data"] for o in overdue],
                "line": {"width": 2},
            },
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": done_label,
            "x": [done for _, _, done in milestones if done is not None],
            "y": [t for t, (_, _, done) in zip(titles, milestones, strict=True) if done is not None],
            "marker": {
                "symbol": "circle",
                "size": 12,
                "color": [
                    STATUS_COLOURS["off_track" if is_late else "done"]
                    for is_late, (_, _, done) in zip(late, milestones, strict=True)
                    if done is not None
                ],
            },
        },
    ]
    return {
        "data": data,
        "layout": _layout(
            height=90 + 34 * max(1, len(milestones)),
            revision="milestones",
            showlegend=True,
            shapes=shapes,
            annotations=[
                {
                    "xref": "x",
                    "yref": "paper",
                    "x": today,
                    "y": 1,
                    "text": today_label,
                    "showarrow": False,
                    "yanchor": "bottom",
                }
            ],
            legend={"orientation": "h", "y": -0.25},
            margin={"l": 10, "r": 10, "t": 20, "b": 40},
            yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
            xaxis={"type": "date"},
        ),
    }


def _short(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else f"{title[: limit - 1]}…"

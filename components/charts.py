"""Plotly figures with the shared status colours; `uirevision` keeps zoom across live refreshes.

Figures are plain dicts in Plotly's JSON schema: building `go.Figure` objects validates every
property and cost a dashboard callback about 60 ms of its 130 ms at the city scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from components.status import STATUS_COLOURS, score_colour

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 14}
Figure = dict[str, Any]


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
        "layout": _layout(height=height, revision="trend", yaxis={"range": [0, 105], "ticksuffix": "%"}, **extra),
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
        "layout": _layout(height=height, revision="status", yaxis={"autorange": "reversed"}),
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
                "insidetextorientation": "radial",
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
        ),
    }

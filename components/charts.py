"""Plotly figures with the shared status colours; `uirevision` keeps zoom across live refreshes."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from components.status import STATUS_COLOURS, score_colour

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 14}


def _layout(fig: go.Figure, *, height: int, revision: str) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 40, "r": 10, "t": 10, "b": 40}, font=FONT, uirevision=revision,
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", showlegend=False)
    return fig


def score_trend(trend: pd.DataFrame, *, label: str, height: int = 260) -> go.Figure:
    """The score (in %) month by month."""
    fig = go.Figure(go.Scatter(x=trend["period"], y=trend["score"] * 100, mode="lines+markers", name=label,
                               line={"color": STATUS_COLOURS["on_track"], "width": 3}))
    fig.update_yaxes(range=[0, 105], ticksuffix="%")
    return _layout(fig, height=height, revision="trend")


def status_bars(counts: dict[str, int], labels: dict[str, str], *, height: int = 260) -> go.Figure:
    """How many indicators stand in each status."""
    keys = [k for k in STATUS_COLOURS if counts.get(k)]
    fig = go.Figure(go.Bar(x=[counts[k] for k in keys], y=[labels[k] for k in keys], orientation="h",
                           marker_color=[STATUS_COLOURS[k] for k in keys], text=[counts[k] for k in keys],
                           textposition="auto"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=height, revision="status")


def org_sunburst(tree: pd.DataFrame, *, height: int = 480) -> go.Figure:
    """The org tree coloured by score; clicking a sector drills into it."""
    frame = tree.copy()
    frame["label"] = frame["name"]
    colours = [score_colour(s if pd.notna(s) else None) for s in frame["score"]]
    hover = [f"{n}: {s * 100:.0f}%" if pd.notna(s) else f"{n}: –" for n, s in zip(frame["name"], frame["score"], strict=True)]
    fig = go.Figure(go.Sunburst(
        ids=frame["unit_id"].astype(str), labels=frame["label"],
        parents=frame["parent_id"].map(lambda p: "" if pd.isna(p) else str(int(p))),
        marker={"colors": colours}, hovertext=hover, hoverinfo="text", insidetextorientation="radial",
        customdata=frame["unit_id"], maxdepth=3,
    ))
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return _layout(fig, height=height, revision="tree")


def indicator_history(measured: pd.DataFrame, trajectory: pd.DataFrame, *, target: float | None, forecast_value: float | None,
                      year_end: str, labels: Sequence[str], height: int = 360) -> go.Figure:
    """Values against the planned trajectory, with the target and the forecast to the year's end."""
    values_label, plan_label, target_label, forecast_label = labels
    fig = go.Figure()
    if len(measured):
        fig.add_trace(go.Scatter(x=measured["measured_on"], y=measured["value"], mode="lines+markers", name=values_label,
                                 line={"color": STATUS_COLOURS["on_track"], "width": 3}))
    if len(trajectory):
        fig.add_trace(go.Scatter(x=trajectory["at"], y=trajectory["value"], mode="lines", name=plan_label,
                                 line={"color": STATUS_COLOURS["no_data"], "dash": "dot"}))
    if forecast_value is not None and len(measured):
        last = measured.iloc[-1]
        fig.add_trace(go.Scatter(x=[last["measured_on"], year_end], y=[last["value"], forecast_value], mode="lines",
                                 name=forecast_label, line={"color": STATUS_COLOURS["at_risk"], "dash": "dash"}))
    if target is not None:
        fig.add_hline(y=target, line_color=STATUS_COLOURS["done"], annotation_text=target_label)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.2})
    _layout(fig, height=height, revision="indicator")
    fig.update_layout(showlegend=True)
    return fig

"""The report's chart: the unit's score month by month against where it should be, drawn by Plotly and
exported as SVG by kaleido on the system's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil

import kaleido
import plotly.graph_objects as go

SYSTEM_CHROMIUM = "/usr/bin/chromium"


def chromium_path() -> str:
    """PULSE_CHROMIUM, else BROWSER_PATH (choreographer's own variable), else Debian's chromium."""
    return (
        os.environ.get("PULSE_CHROMIUM")
        or os.environ.get("BROWSER_PATH")
        or shutil.which("chromium")
        or SYSTEM_CHROMIUM
    )


def score_chart_svg(
    trend: list[tuple[str, float | None]], *, expected: float | None, score_label: str, expected_label: str
) -> str:
    """An SVG line chart of the monthly scores (in %), with the expected level as a dashed line."""
    periods = [p for p, _s in trend]
    scores = [None if s is None else round(s * 100, 1) for _p, s in trend]
    figure = go.Figure(
        go.Scatter(x=periods, y=scores, mode="lines+markers", name=score_label, line={"color": "#0d6efd", "width": 3})
    )
    if expected is not None and periods:
        figure.add_trace(
            go.Scatter(
                x=[periods[0], periods[-1]],
                y=[round(expected * 100, 1)] * 2,
                mode="lines",
                name=expected_label,
                line={"color": "#6c757d", "dash": "dash"},
            )
        )
    figure.update_layout(
        template="plotly_white",
        font={"family": "DejaVu Sans, sans-serif", "size": 12},
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        legend={"orientation": "h", "y": -0.2},
        yaxis={"ticksuffix": " %", "rangemode": "tozero"},
    )
    image = kaleido.calc_fig_sync(
        figure,
        opts={"format": "svg", "width": 700, "height": 260},
        kopts={"path": chromium_path(), "mathjax": False},
    )
    return image.decode("utf-8") if isinstance(image, bytes) else str(image)

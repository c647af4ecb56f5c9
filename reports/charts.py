"""The report's chart: the unit's score month by month against where it should be, drawn by Plotly and
exported as SVG by kaleido on the system's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import threading

import kaleido
import plotly.graph_objects as go

SYSTEM_CHROMIUM = "/usr/bin/chromium"
_server_lock = threading.Lock()
_server_running = False


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
    start_browser()
    try:
        image = kaleido.calc_fig_sync(figure, opts={"format": "svg", "width": 700, "height": 260})
    except Exception:
        stop_browser()  # the next attempt starts a fresh one
        raise
    return image.decode("utf-8") if isinstance(image, bytes) else str(image)


def start_browser() -> None:
    """One Chromium per process, kept between charts: starting it costs seconds, a chart then ~0.2 s."""
    global _server_running
    with _server_lock:
        if not _server_running:
            kaleido.start_sync_server(n=1, path=chromium_path(), mathjax=False, silence_warnings=True)
            _server_running = True


def stop_browser() -> None:
    """Close the process's Chromium (it starts again with the next chart)."""
    global _server_running
    with _server_lock:
        if _server_running:
            kaleido.stop_sync_server(silence_warnings=True)
            _server_running = False

"""Status colours and badges, the same on every page (colour-blind-safe, text contrast >= 4.5:1)."""

from __future__ import annotations

import dash_bootstrap_components as dbc

from domain.indicators import Status

# Okabe-Ito based palette; text on these backgrounds is white except where noted.
STATUS_COLOURS = {
    Status.DONE: "#0b6e4f",
    Status.ON_TRACK: "#1d6fb8",
    Status.AT_RISK: "#b45309",
    Status.OFF_TRACK: "#b91c1c",
    Status.NO_DATA: "#64748b",
}


def status_badge(status: str, label: str) -> dbc.Badge:
    """A coloured pill with the translated status label."""
    return dbc.Badge(
        label, color=STATUS_COLOURS.get(status, STATUS_COLOURS[Status.NO_DATA]), className="status-pill", pill=True
    )


def score_colour(score: float | None) -> str:
    """The status colour that a score (0..1) reads as, for maps and rankings."""
    if score is None:
        return STATUS_COLOURS[Status.NO_DATA]
    if score >= 0.9:
        return STATUS_COLOURS[Status.DONE]
    if score >= 0.7:
        return STATUS_COLOURS[Status.ON_TRACK]
    if score >= 0.5:
        return STATUS_COLOURS[Status.AT_RISK]
    return STATUS_COLOURS[Status.OFF_TRACK]

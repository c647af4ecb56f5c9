"""Status colours and badges, the same on every page (colour-blind-safe, text contrast >= 4.5:1)."""

from __future__ import annotations

import dash_bootstrap_components as dbc

# Okabe-Ito based palette; text on these backgrounds is white except where noted.
STATUS_COLOURS = {
    "done": "#0b6e4f",
    "on_track": "#1d6fb8",
    "at_risk": "#b45309",
    "off_track": "#b91c1c",
    "no_data": "#64748b",
}
STATUS_ORDER = ("done", "on_track", "at_risk", "off_track", "no_data")


def status_badge(status: str, label: str) -> dbc.Badge:
    """A coloured pill with the translated status label."""
    return dbc.Badge(
        label, color=STATUS_COLOURS.get(status, STATUS_COLOURS["no_data"]), className="status-pill", pill=True
    )


def score_colour(score: float | None) -> str:
    """The status colour that a score (0..1) reads as, for maps and rankings."""
    if score is None:
        return STATUS_COLOURS["no_data"]
    if score >= 0.9:
        return STATUS_COLOURS["done"]
    if score >= 0.7:
        return STATUS_COLOURS["on_track"]
    if score >= 0.5:
        return STATUS_COLOURS["at_risk"]
    return STATUS_COLOURS["off_track"]

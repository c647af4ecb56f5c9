"""/present: the meeting-room big screen with a playlist from the URL
(?slides=overview,lagging,rankings,unit:12&interval=20&theme=dark&period=2026-Q3), for leaders, managers
and the screen account. It advances by itself with a visible countdown; keys: right/space next, left
previous, P pause, F full screen. Saved playlists open at /present/<name> (pages/present_saved.py).
"""

from __future__ import annotations

import dash
from dash import html

from domain.kinds import Role
from pages._common import page_period
from pages._playlist import parse_playlist
from pages._wall import parse_interval, register_callbacks, wall_layout
from server.i18n import lazy_gettext

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
# The wall's callbacks serve /present/<name> too (pages/present_saved.py): registered once, from here.
register_callbacks()


def layout(
    slides: str | None = None,
    interval: str | None = None,
    theme: str | None = None,
    period: str | None = None,
    **_kwargs: object,
) -> html.Div:
    chosen = "light" if theme == "light" else "dark"
    playlist = {
        "slides": parse_playlist(slides),
        "interval": parse_interval(interval),
        "period": page_period(period),
        "theme": chosen,
    }
    return wall_layout(playlist, theme=chosen)

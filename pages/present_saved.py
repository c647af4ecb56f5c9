"""/present/<name>: the meeting-room wall running a playlist saved on the server (edited at /playlists), for
the screen account (and leaders, managers, administrators). Nobody types a URL before a meeting: the
screen opens its bookmark, and the playlist, its order, interval, theme and period come from the server,
as does its position, so the chair's companion (/present/companion?playlist=<name>) moves it.
"""

from __future__ import annotations

import dash
from dash import html

from domain.kinds import Role
from pages._wall import wall_layout

dash.register_page(
    __name__,
    path_template="/present/<name>",
    name="Saved playlist",
    # After /present/companion (81): Dash and the guard take the first page whose path matches.
    order=82,
    nav_label=None,
    title="Pulse",
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.SCREEN],
)


def layout(name: str | None = None, **_kwargs: object) -> html.Div:
    # The name is only carried: the wall's first poll loads the playlist (a layout reads no database).
    return wall_layout({"slides": []}, theme="dark", name=name if isinstance(name, str) else "")

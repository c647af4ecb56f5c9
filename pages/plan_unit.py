"""/plan/<unit_id>?period=YEAR: the plan of any unit the viewer may see (see pages/_plan.py)."""

from __future__ import annotations

import dash
from dash import html

from domain.kinds import Role
from pages import _plan

dash.register_page(
    __name__,
    path_template="/plan/<unit_id>",
    name="Unit plan",
    order=8,
    nav_label=None,
    title="Pulse",
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF],
)


def layout(unit_id: str | None = None, period: str | None = None, **_kwargs: object) -> html.Div:
    return _plan.layout(unit_id, period)

"""KPI cards: one big number with its caption."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def kpi_card(
    caption: str,
    value: str,
    *,
    detail: str | None = None,
    colour: str | None = None,
    href: str | None = None,
    card_id: str | None = None,
) -> dbc.Card:
    """A card showing one figure; `href` makes the figure a link to what makes it."""
    number = html.Div(value, className="display-6 fw-bold", style={"color": colour} if colour else None)
    body = [
        html.Div(caption, className="text-secondary small text-uppercase"),
        html.A(number, href=href) if href else number,
    ]
    if detail:
        body.append(html.Div(detail, className="small text-secondary"))
    props = {"id": card_id} if card_id else {}
    return dbc.Card(dbc.CardBody(body), className="h-100 shadow-sm", **props)

"""KPI cards: one big number with its caption, what was expected beside it, and what it means."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from components.i18n import _, format_number


def info_icon(icon_id: str, definition: str) -> html.Span:
    """An "i" that explains a figure on hover, on keyboard focus and on tap (a tap focuses the button)."""
    return html.Span(
        [
            html.Button(
                html.I(className="bi bi-info-circle", **_aria_hidden()),
                id=icon_id,
                type="button",
                className="btn btn-link btn-sm p-0 ms-1 align-baseline text-secondary text-decoration-none info-icon",
                # The definition is the button's name for screen readers; the tooltip is for the eyes.
                **_aria(definition),
            ),
            dbc.Tooltip(definition, target=icon_id, placement="top", trigger="hover focus"),
        ]
    )


def _aria(label: str) -> dict[str, Any]:
    return {"aria-label": label}


def _aria_hidden() -> dict[str, Any]:
    return {"aria-hidden": "true"}


def kpi_card(
    caption: str,
    value: str | Component,
    *,
    detail: str | None = None,
    colour: str | None = None,
    href: str | None = None,
    card_id: str | None = None,
    expected: str | None = None,
    definition: str | None = None,
) -> dbc.Card:
    """A card showing one figure; `href` makes the figure a link to what makes it, `expected` says what
    was expected by now and `definition` adds an info icon with what the figure means."""
    # Words ("50 at risk, 29 off track") take a smaller size than one figure, so they fit a quarter width.
    size = "display-6" if isinstance(value, str) else "fs-4"
    number = html.Div(value, className=f"{size} fw-bold", style={"color": colour} if colour else None)
    head: list[Any] = [caption]
    if definition and card_id:  # the tooltip needs an id to attach to
        head.append(info_icon(f"{card_id}-info", definition))
    body: list[Any] = [
        html.Div(head, className="text-secondary small text-uppercase"),
        html.A(number, href=href) if href else number,
    ]
    if expected:
        body.append(html.Div(expected, className="small fw-semibold kpi-expected"))
    if detail:
        body.append(html.Div(detail, className="small text-secondary"))
    props = {"id": card_id} if card_id else {}
    return dbc.Card(dbc.CardBody(body), className="h-100 shadow-sm", **props)


def lagging_words(at_risk: int, off_track: int, href: str, id_prefix: str) -> html.Span:
    """ "50 at risk, 29 off track", each number a link to the lagging list filtered by that status."""
    return html.Span(
        [
            html.A(
                _("%(n)s at risk", n=format_number(at_risk, 0)),
                href=f"{href}&status=at_risk",
                id=f"{id_prefix}-at-risk",
            ),
            ", ",
            html.A(
                _("%(n)s off track", n=format_number(off_track, 0)),
                href=f"{href}&status=off_track",
                id=f"{id_prefix}-off-track",
            ),
        ]
    )

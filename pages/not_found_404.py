"""The page Dash shows for an address no page answers (Dash's own is English only): in the user's language,
with the way back to the overview."""

from __future__ import annotations

import dash
from dash import html

from server.i18n import _

dash.register_page(__name__, path="/404", title="Pulse")


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            html.H1(_("Page not found"), className="h3", id="not-found-title"),
            html.P(_("This page does not exist. Check the address, or go back to the overview.")),
            html.A(_("Back to the overview"), href="/", className="btn btn-outline-primary"),
        ],
        className="py-4",
    )

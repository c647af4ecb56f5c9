"""The top navigation bar: pages the role may open, the period selector, language and account menus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import dash_bootstrap_components as dbc
from dash import dcc, html

NAVBAR_ID = "pulse-navbar"
PERIOD_SELECT_ID = "pulse-period-select"
NAV_BADGE_ID = "pulse-work-badge"
LANGUAGE_LINK_TYPE = "pulse-language-link"


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str


def navbar(
    *,
    items: Sequence[NavItem],
    periods: Sequence[tuple[str, str]],
    period: str,
    languages: dict[str, str],
    language: str,
    username: str,
    labels: dict[str, str],
    current_path: str = "/",
) -> dbc.Navbar:
    """The navbar for one user; `labels` carries the translated captions."""
    back = quote(current_path or "/")
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Pulse", href="/", className="fw-bold"),
                dbc.NavbarToggler(id="pulse-navbar-toggler", n_clicks=0),
                dbc.Collapse(
                    [
                        dbc.Nav(
                            [dbc.NavItem(dbc.NavLink(item.label, href=item.href, active="exact")) for item in items],
                            className="me-auto",
                            navbar=True,
                        ),
                        html.Span(id=NAV_BADGE_ID, className="me-3"),
                        html.Label(labels["period"], htmlFor=PERIOD_SELECT_ID, className="visually-hidden"),
                        dcc.Dropdown(
                            id=PERIOD_SELECT_ID,
                            options=[{"label": lbl, "value": code} for code, lbl in periods],
                            value=period,
                            clearable=False,
                            searchable=False,
                            className="pulse-period-select me-3",
                        ),
                        dbc.DropdownMenu(
                            [
                                dbc.DropdownMenuItem(
                                    name,
                                    href=f"/language/{code}?next={back}",
                                    external_link=True,
                                    active=code == language,
                                    id={"type": LANGUAGE_LINK_TYPE, "index": code},
                                )
                                for code, name in languages.items()
                            ],
                            label=languages.get(language, language),
                            nav=True,
                            in_navbar=True,
                            id="pulse-language-menu",
                            align_end=True,
                        ),
                        dbc.DropdownMenu(
                            [
                                dbc.DropdownMenuItem(labels["account"], href="/account"),
                                dbc.DropdownMenuItem(
                                    labels["logout"], href="/logout", external_link=True, id="pulse-logout"
                                ),
                            ],
                            label=username,
                            nav=True,
                            in_navbar=True,
                            align_end=True,
                            id="pulse-user-menu",
                        ),
                    ],
                    id="pulse-navbar-collapse",
                    navbar=True,
                    is_open=False,
                ),
            ],
            fluid=True,
        ),
        id=NAVBAR_ID,
        color="primary",
        dark=True,
        className="mb-3",
    )

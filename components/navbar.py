"""The top navigation bar: pages the role may open, the period selector, language and account menus.

Changing the language and logging out change state, so they are forms posted with the CSRF token
(a link would let any other site log the user out or rewrite their language with a GET).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import dropdown_texts

NAVBAR_ID = "pulse-navbar"
PERIOD_SELECT_ID = "pulse-period-select"
NAV_BADGE_ID = "pulse-work-badge"
LANGUAGE_LINK_TYPE = "pulse-language-link"  # the language forms; their action carries ?next=
CSRF_FIELD = "csrf_token"  # the form field Flask-WTF reads


def post_button(
    label: str,
    *,
    action: str,
    csrf_token: str,
    form_id: str | dict[str, str] | None = None,
    button_id: str | None = None,
    class_name: str = "",
) -> html.Form:
    """A button that POSTs to `action`. The button itself carries the CSRF token (a submit button's
    name and value are sent with the form), so no hidden input and no script is needed."""
    button = html.Button(label, type="submit", name=CSRF_FIELD, value=csrf_token, className=class_name)
    if button_id is not None:
        button.id = button_id
    form = html.Form(button, action=action, method="post", className="d-inline")
    if form_id is not None:
        form.id = form_id
    return form


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    group: str | None = None  # the caption of the menu it sits in; None: an entry of its own


def _nav_entries(items: Sequence[NavItem], current_path: str) -> list[object]:
    """Entries of their own as links; grouped ones as one menu each, where the group's first page is
    (twelve pages side by side did not fit on one line at 1366 px)."""
    entries: list[object] = []
    seen: set[str] = set()
    for item in items:
        if item.group is None:
            entries.append(dbc.NavItem(dbc.NavLink(item.label, href=item.href, active="exact")))
            continue
        if item.group in seen:
            continue
        seen.add(item.group)
        members = [i for i in items if i.group == item.group]
        if len(members) == 1:  # a menu of one (staff see one evaluation page): a plain entry
            entries.append(dbc.NavItem(dbc.NavLink(item.label, href=item.href, active="exact")))
            continue
        here = any(current_path == i.href or current_path.startswith(i.href + "/") for i in members)
        entries.append(
            dbc.DropdownMenu(
                [dbc.DropdownMenuItem(i.label, href=i.href) for i in members],
                label=item.group,
                nav=True,
                in_navbar=True,
                toggle_class_name="active" if here else "",
            )
        )
    return entries


def navbar(
    *,
    items: Sequence[NavItem],
    periods: Sequence[tuple[str, str]],
    period: str,
    languages: dict[str, str],
    language: str,
    username: str,
    labels: dict[str, str],
    csrf_token: str,
    current_path: str = "/",
    me_href: str | None = None,
) -> dbc.Navbar:
    """The navbar for one user; `labels` carries the translated captions. `me_href` is the person's own
    page ("Me" in the user menu), None for an account without a person."""
    back = quote(current_path or "/")
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Pulse", href="/", className="fw-bold"),
                dbc.NavbarToggler(id="pulse-navbar-toggler", n_clicks=0),
                dbc.Collapse(
                    [
                        dbc.Nav(
                            _nav_entries(items, current_path or "/"),
                            className="me-auto",
                            navbar=True,
                        ),
                        html.Span(id=NAV_BADGE_ID, className="me-3"),
                        html.Label(labels["period"], htmlFor=PERIOD_SELECT_ID, className="visually-hidden"),
                        dcc.Dropdown(
                            **dropdown_texts(),
                            id=PERIOD_SELECT_ID,
                            options=[{"label": lbl, "value": code} for code, lbl in periods],
                            value=period,
                            clearable=False,
                            searchable=False,
                            className="pulse-period-select me-3",
                        ),
                        dbc.DropdownMenu(
                            [
                                post_button(
                                    name,
                                    action=f"/language/{code}?next={back}",
                                    csrf_token=csrf_token,
                                    form_id={"type": LANGUAGE_LINK_TYPE, "index": code},
                                    class_name="dropdown-item" + (" active" if code == language else ""),
                                )
                                for code, name in languages.items()
                            ],
                            # The code, not "Tiếng Việt": the bar fits on one line at 1366 px; the menu names them.
                            label=html.Span(language.upper(), title=languages.get(language, language)),
                            nav=True,
                            in_navbar=True,
                            id="pulse-language-menu",
                            align_end=True,
                        ),
                        dbc.DropdownMenu(
                            [
                                *(
                                    [dbc.DropdownMenuItem(labels["me"], href=me_href, id="pulse-me-link")]
                                    if me_href
                                    else []
                                ),
                                dbc.DropdownMenuItem(labels["account"], href="/account"),
                                post_button(
                                    labels["logout"],
                                    action="/logout",
                                    csrf_token=csrf_token,
                                    button_id="pulse-logout",
                                    class_name="dropdown-item",
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
        expand="xl",  # folds below 1200 px: eight entries, the period and two menus do not fit on a tablet
        color="primary",
        dark=True,
        className="mb-3",
    )

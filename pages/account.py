"""/account: the user's own settings (language, password). For every logged-in user."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html, no_update
from flask_wtf.csrf import generate_csrf

from components.labels import role_label
from components.navbar import post_button
from config.clock import now
from data_access import accounts
from data_access.errors import Invalid
from domain.kinds import Role
from pages._inputs import as_text
from server.auth import current_session_id, password_check_allowed, password_check_passed, too_many_attempts
from server.context import current_store, current_viewer
from server.i18n import LANGUAGES, _, lazy_gettext

dash.register_page(
    __name__,
    path="/account",
    name="Account",
    order=90,
    nav_label=None,
    roles=[Role.ADMIN, Role.UNIT_ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF, Role.SCREEN],
    title="Pulse",
)

CURRENT_ID = "account-current-password"
NEW_ID = "account-new-password"
SAVE_ID = "account-save-password"
RESULT_ID = "account-result"
PROFILE_ID = "account-profile"
LANGUAGES_ID = "account-languages"

PASSWORD_MESSAGES = {
    "wrong_password": lazy_gettext("The current password is not right."),
    "too_short": lazy_gettext("The new password needs at least 8 characters."),
    "too_common": lazy_gettext("The new password is too common; choose a less guessable one."),
    "same_password": lazy_gettext("The new password must differ from the current one."),
}


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            html.H1(_("My account"), className="h3"),
            html.Div(id=PROFILE_ID, className="mb-4"),
            html.H2(_("Language"), className="h5"),
            html.Div(id=LANGUAGES_ID, className="mb-4"),
            html.H2(_("Change password"), className="h5"),
            dbc.Form(
                [
                    dbc.Label(_("Current password"), html_for=CURRENT_ID),
                    dbc.Input(id=CURRENT_ID, type="password", autocomplete="current-password", className="mb-2"),
                    dbc.Label(_("New password (at least 8 characters)"), html_for=NEW_ID),
                    dbc.Input(id=NEW_ID, type="password", autocomplete="new-password", className="mb-2"),
                    dbc.Button(_("Save password"), id=SAVE_ID, color="primary"),
                ],
                style={"maxWidth": "28rem"},
            ),
            html.Div(id=RESULT_ID, className="mt-3", role="status"),
        ]
    )


@callback(Output(PROFILE_ID, "children"), Output(LANGUAGES_ID, "children"), Input(PROFILE_ID, "id"))
def show_profile(_id: str) -> tuple[html.P, list[html.Form]]:
    """Who is logged in, and the language choices (forms posted with this session's CSRF token)."""
    viewer = current_viewer()
    profile = html.P(
        [html.Strong(viewer.username), " · ", _("Role: %(role)s", role=role_label(viewer.role))],
        id="account-username",
    )
    token = generate_csrf()
    languages = [
        post_button(
            name,
            action=f"/language/{code}?next=/account",
            csrf_token=token,
            form_id={"type": "account-language", "index": code},
            class_name="btn btn-outline-secondary me-2",
        )
        for code, name in LANGUAGES.items()
    ]
    return profile, languages


@callback(
    Output(RESULT_ID, "children"),
    Input(SAVE_ID, "n_clicks"),
    State(CURRENT_ID, "value"),
    State(NEW_ID, "value"),
    prevent_initial_call=True,
)
def save_password(n_clicks: int | None, current: str | None, new: str | None) -> object:
    if not n_clicks:
        return no_update
    viewer = current_viewer()
    # A stolen session must not become a way to guess the real password: checks count like logins.
    if not password_check_allowed(viewer.username):
        return dbc.Alert(too_many_attempts(), color="danger")
    try:
        with current_store().write() as session:
            accounts.change_password(
                session,
                viewer=viewer,
                current=as_text(current),
                new=as_text(new),
                now=now(),
                keep_session_id=current_session_id(),
            )
    except Invalid as error:
        if "current" not in error.problems:
            password_check_passed(viewer.username)  # the current password was right; the new one is not
        code = next(iter(error.problems.values()))
        return dbc.Alert(str(PASSWORD_MESSAGES.get(code, _("The password was not changed."))), color="danger")
    password_check_passed(viewer.username)
    return dbc.Alert(_("Password changed."), color="success")

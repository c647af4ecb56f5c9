"""Languages: Vietnamese first, English and French; strings through flask-babel catalogs.

The language is the logged-in user's (kept in the session at login and when changed), or the
`lang` cookie on the login page, or the default. This module binds flask-babel to the app; the
translation and formatting helpers live in components.i18n (below the components that use them) and
are re-exported here for the pages and the shell.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

from components.i18n import (
    LANGUAGE_NAMES,
    ZONE_CONFIG,
    _,
    current_language,
    display_zone,
    format_date,
    format_number,
    format_percent,
    gettext,
    lazy_gettext,
    ngettext,
)
from config.settings import PROJECT_ROOT, Settings

LANGUAGES = LANGUAGE_NAMES  # code -> name, in the order offered
SESSION_KEY = "lang"
COOKIE = "pulse_lang"

__all__ = [
    "LANGUAGES",
    "_",
    "current_language",
    "display_zone",
    "format_date",
    "format_number",
    "format_percent",
    "gettext",
    "init_i18n",
    "lazy_gettext",
    "ngettext",
]


def init_i18n(server: Flask, settings: Settings) -> None:
    """Bind flask-babel with the catalogs in config/translations; times shown in the settings' zone."""
    server.config["BABEL_DEFAULT_LOCALE"] = settings.default_language
    server.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "config" / "translations")
    server.config[ZONE_CONFIG] = settings.timezone

    def select_locale() -> str:
        chosen = session.get(SESSION_KEY) or request.cookies.get(COOKIE) or request.args.get("lang")
        return chosen if chosen in LANGUAGES else settings.default_language

    Babel(server, locale_selector=select_locale)
    server.jinja_env.globals["current_language"] = current_language

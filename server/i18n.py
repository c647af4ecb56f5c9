"""Languages: Vietnamese first, English and French; strings through flask-babel catalogs.

The language is the logged-in user's (kept in the session at login and when changed), or the
`lang` cookie on the login page, or the default. Numbers, percentages and dates follow it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, current_app, has_app_context, request, session
from flask_babel import Babel, get_locale, gettext, lazy_gettext, ngettext

from config.settings import PROJECT_ROOT, Settings

LANGUAGES = {"vi": "Tiếng Việt", "en": "English", "fr": "Français"}
SESSION_KEY = "lang"
COOKIE = "pulse_lang"

_ = gettext
__all__ = [
    "LANGUAGES",
    "_",
    "current_language",
    "format_date",
    "format_number",
    "format_percent",
    "gettext",
    "init_i18n",
    "lazy_gettext",
    "ngettext",
]


def init_i18n(server: Flask, settings: Settings) -> None:
    """Bind flask-babel with the catalogs in config/translations."""
    server.config["BABEL_DEFAULT_LOCALE"] = settings.default_language
    server.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "config" / "translations")

    def select_locale() -> str:
        chosen = session.get(SESSION_KEY) or request.cookies.get(COOKIE) or request.args.get("lang")
        return chosen if chosen in LANGUAGES else settings.default_language

    Babel(server, locale_selector=select_locale)
    server.jinja_env.globals["current_language"] = current_language


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "vi"


def format_number(value: float | None, digits: int = 1) -> str:
    """1.234,5 in Vietnamese and French, 1,234.5 in English; an en dash for no value."""
    if value is None or value != value:  # None or NaN
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=str(get_locale() or "vi"))


def format_percent(fraction: float | None, digits: int = 0) -> str:
    """A fraction as a percentage in the current language (0.953 -> 95 %)."""
    if fraction is None or fraction != fraction:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return babel_numbers.format_percent(fraction, format=pattern, locale=str(get_locale() or "vi"))


def display_zone() -> ZoneInfo:
    """The time zone times are shown in (stored times are naive UTC)."""
    name = "Asia/Ho_Chi_Minh"
    if has_app_context():
        settings = current_app.extensions.get("pulse", {}).get("settings")
        name = getattr(settings, "timezone", name)
    return ZoneInfo(name)


def format_date(value: date | datetime | None, *, with_time: bool = False) -> str:
    """A date (or a stored UTC time, shown in the display zone) in the current language."""
    if value is None:
        return "–"
    locale = str(get_locale() or "vi")
    if isinstance(value, datetime):
        local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(display_zone())
        if with_time:
            return babel_dates.format_datetime(local, format="short", locale=locale, tzinfo=local.tzinfo)
        return babel_dates.format_date(local.date(), format="medium", locale=locale)
    return babel_dates.format_date(value, format="medium", locale=locale)

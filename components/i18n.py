"""Translation and locale formatting for everything that draws: components, pages and the shell.

It sits below components/ so that the builders need nothing from server/ (the shell imports components,
not the other way round). Numbers, percentages and dates follow the request's language; times are
stored in UTC and shown in the display zone that server.i18n.init_i18n puts in the app's config.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import current_app, has_app_context
from flask_babel import get_locale, gettext, lazy_gettext, ngettext

from domain.kinds import Language

LANGUAGE_NAMES = {Language.VI: "Tiếng Việt", Language.EN: "English", Language.FR: "Français"}
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
ZONE_CONFIG = "PULSE_DISPLAY_ZONE"  # where init_i18n puts the settings' time zone

_ = gettext
__all__ = [
    "DEFAULT_ZONE",
    "LANGUAGE_NAMES",
    "ZONE_CONFIG",
    "_",
    "current_language",
    "display_zone",
    "format_date",
    "format_number",
    "format_percent",
    "gettext",
    "lazy_gettext",
    "ngettext",
]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else Language.VI.value


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
    name = current_app.config.get(ZONE_CONFIG, DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
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


def dropdown_labels() -> dict[str, str]:
    """dcc.Dropdown's own texts (search box, select all, counts, nothing found) in the user's language."""
    return {
        "select_all": _("Select all"),
        "deselect_all": _("Deselect all"),
        "selected_count": _("{num_selected} selected"),
        "search": _("Search"),
        "clear_search": _("Clear search"),
        "clear_selection": _("Clear selection"),
        "no_options_found": _("No options found"),
    }


def dropdown_texts() -> dict[str, object]:
    """The keyword arguments that give a dcc.Dropdown a placeholder and its own texts in the user's language."""
    return {"placeholder": _("Select…"), "labels": dropdown_labels()}

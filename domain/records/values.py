"""Reading the values of a record: dates, date-times and text as the interchange shapes write them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
# A plain address check: something@domain.tld, no spaces. The receiver does its own.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Vietnamese numbers: 0 + 9 digits, or +84 + 9 digits; spaces, dots and dashes are tolerated.
PHONE = re.compile(r"^(0|\+84)\d{9}$")


def parse_date(text: str) -> date | None:
    """A real calendar date written YYYY-MM-DD; None otherwise (2026-02-30 is not a date)."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date-time (or a plain date); None otherwise. The time zone is dropped: only the day matters here."""
    day = parse_date(text)
    if day is not None:
        return datetime(day.year, day.month, day.day)
    if not _ISO_DATETIME.match(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def phone_digits(text: str) -> str:
    """The phone number without the separators people type."""
    return re.sub(r"[\s.\-()]", "", text)


def name_problems(text: str, *, digits_allowed: bool) -> list[str]:
    """Clean-quality codes for a name: name_spaces, name_not_nfc, name_digits."""
    problems = []
    if text != text.strip() or "  " in text or any(c in text for c in "\t\n\r\u00a0"):
        problems.append("name_spaces")
    if unicodedata.normalize("NFC", text) != text:
        problems.append("name_not_nfc")
    if not digits_allowed and any(c.isdigit() for c in text):
        problems.append("name_digits")
    return problems

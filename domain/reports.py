"""Rules of the reports people ask for: who may ask, what a request must hold, the file's name, the
retry policy, and the headline figures a report prints. Pure: no SQL, no screens."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from domain.kinds import LANGUAGES, Role
from domain.periods import InvalidPeriod, parse_period
from domain.text import fold

FORMATS = ("pdf", "xlsx")
LANGUAGE_CODES = tuple(language.value for language in LANGUAGES)
TEMPLATES = ("unit_period",)
# Who may ask for a unit's report: those who lead or manage work in a scope (not the meeting-room screen).
REPORT_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.MANAGER})
# A failed generation is tried twice more, then reported failed.
RETRIES = 2
MIME_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def may_request_reports(role: str) -> bool:
    return role in {r.value for r in REPORT_ROLES}


def request_problems(*, period_code: object, fmt: object, language: object, template: object) -> dict[str, str]:
    """What is wrong with a report request, field -> problem code (empty when it may be queued)."""
    problems: dict[str, str] = {}
    if not isinstance(template, str) or template not in TEMPLATES:
        problems["template"] = "unknown_choice"
    if not isinstance(fmt, str) or fmt not in FORMATS:
        problems["format"] = "unknown_choice"
    if not isinstance(language, str) or language not in LANGUAGE_CODES:
        problems["language"] = "unknown_choice"
    try:
        parse_period(period_code if isinstance(period_code, str) else "")
    except InvalidPeriod:
        problems["period"] = "unknown_choice"
    return problems


def report_filename(unit_name: str, period_code: str, fmt: str) -> str:
    """An ASCII file name from the unit's name: "Phường Hoàn Kiếm", 2026-Q3 -> bao-cao-phuong-hoan-kiem-2026-Q3.pdf."""
    words = "".join(c if c.isalnum() else " " for c in fold(unit_name)).split()
    slug = "-".join(words)[:80] or "unit"
    return f"bao-cao-{slug}-{period_code}.{fmt}"


def nfc(text: str | None) -> str:
    """Text as printed: composed (NFC), so that a PDF's extracted text matches what people type."""
    return unicodedata.normalize("NFC", text or "")


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """The weighted mean of (value, weight) pairs that have a value; None when none has."""
    total = weight_sum = 0.0
    for value, weight in pairs:
        if value is None or value != value:
            continue
        total += value * weight
        weight_sum += weight
    return total / weight_sum if weight_sum > 0 else None

"""Spreadsheet cells written for people to open in Excel: user text never runs as a formula."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that Excel would read as a formula (CSV/formula injection) is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value

"""Values that come back from the browser, read defensively: a forged request may send anything."""

from __future__ import annotations

from datetime import date

MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL


def as_id(value: object) -> int | None:
    """A positive database id, or None for anything else (text, floats, booleans, out of range)."""
    # isascii: "²" and "①" pass isdigit() but int() refuses them; the length bound keeps int() cheap.
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID else None


def as_date(value: object) -> date | None:
    """A date from an <input type=date> ("2026-11-20"), or None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def as_text(value: object) -> str:
    """Text from an input, "" for anything that is not text."""
    return value if isinstance(value, str) else ""


def chosen_id(current: object, valid: set[int], *fallbacks: int | None) -> int | None:
    """The id the browser says is chosen if it is one of the offered ones, else the first valid fallback."""
    picked = as_id(current)
    if picked in valid:
        return picked
    return next((f for f in fallbacks if f in valid), None)


def next_count(value: object) -> int:
    """The next value of a refresh counter kept in a store (whatever the browser sent back)."""
    return (value if isinstance(value, int) and not isinstance(value, bool) else 0) + 1

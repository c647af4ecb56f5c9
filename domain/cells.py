"""What a spreadsheet cell says, read leniently for the imports: a date typed in any usual way.

A cell that cannot be read is kept as "!" + its text, so the row is reported with what is wrong
rather than the whole file refused.
"""

from __future__ import annotations

from datetime import date, datetime

BAD = "!"  # the mark of a cell that could not be read


def cell_date(value: object) -> str | None:
    """An ISO date from a cell: an Excel date, "2026-11-20" or "20/11/2026"; None when empty; "!text" otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return BAD + text[:40]

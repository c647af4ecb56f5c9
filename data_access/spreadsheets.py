"""The one workbook writer: every .xlsx Pulse hands out goes through `workbook_bytes`, so user text never
runs as a formula in the reader's spreadsheet.

The rankings export once wrote names through pandas' `to_excel`, and a person named
`=HYPERLINK("http://evil.example/", ...)` became a live formula in a leader's Excel (11 formula cells
in the security review). Here every text cell that starts like a formula (=, +, -, @, tab, CR) is
written as text with a leading apostrophe, and no cell is ever written as a formula.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHADE = "FFF7D6"  # the cells a person is meant to fill in


def safe_cell(value: object) -> object:
    """Text that Excel would read as a formula (CSV/formula injection) is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value: object) -> object:
    """A value openpyxl writes as data: formula-like text escaped, NaN as an empty cell, numpy scalars as Python."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy/pandas scalars
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return safe_cell(value)


def sheet_name(text: str) -> str:
    """Excel refuses []:*?/\\ in sheet names, and more than 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "-"


@dataclass(frozen=True)
class Sheet:
    """One sheet: its rows (the first `header_rows` in bold), column widths, frozen panes, shaded columns."""

    title: str
    rows: Iterable[Sequence[object]]
    header_rows: int = 1
    widths: Sequence[float] = ()
    freeze: str | None = None
    shaded_columns: Sequence[int] = field(default=())  # 0-based; shaded on the rows below the header
    hidden_rows: Sequence[int] = field(default=())  # 1-based: rows kept for the machine (a key row under the header)
    # 0-based column -> Excel number format ("0.0%", "#,##0.0") for the numbers below the header
    number_formats: Mapping[int, str] = field(default_factory=dict)


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The sheets as an .xlsx, every cell written as data (see the module's note)."""
    book = Workbook()
    book.remove(book.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=SHADE)
    for spec in sheets:
        sheet = book.create_sheet(sheet_name(spec.title))
        for number, row in enumerate(spec.rows, start=1):
            sheet.append([_cell(v) for v in row])
            if number <= spec.header_rows:
                for cell in sheet[number]:
                    cell.font = bold
            else:
                for column in spec.shaded_columns:
                    sheet.cell(row=number, column=column + 1).fill = fill
                for column, number_format in spec.number_formats.items():
                    cell = sheet.cell(row=number, column=column + 1)
                    if isinstance(cell.value, int | float):
                        cell.number_format = number_format
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
        for number in spec.hidden_rows:
            sheet.row_dimensions[number].hidden = True
        if spec.freeze:
            sheet.freeze_panes = spec.freeze
    if not book.sheetnames:
        book.create_sheet("-")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

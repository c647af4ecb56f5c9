"""The one workbook writer: text that starts like a formula stays text, numbers stay numbers, and no
cell is ever a formula."""

from __future__ import annotations

import io
import math
import zipfile

import numpy as np
import openpyxl
import pytest

from data_access.spreadsheets import Sheet, safe_cell, sheet_name, workbook_bytes

HOSTILE = ['=HYPERLINK("http://evil.example/","x")', "=1+9", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def formula_cells(content: bytes) -> int:
    """How many <f> (formula) elements the workbook's sheets hold."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(
            archive.read(name).count(b"<f>") + archive.read(name).count(b"<f ")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


def test_formula_like_text_is_written_as_text_and_numbers_as_numbers() -> None:
    content = workbook_bytes(
        [Sheet("People", [["Name", "Points"], *[[text, np.float64(1.5)] for text in HOSTILE], ["ok", math.nan]])]
    )
    assert formula_cells(content) == 0
    sheet = openpyxl.load_workbook(io.BytesIO(content))["People"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # (XML reads a stored CR back as a line feed: the cell still starts with the apostrophe.)
    assert [r[0] for r in rows[:-1]] == ["'" + text.replace("\r", "\n") for text in HOSTILE]
    assert [r[1] for r in rows[:-1]] == [1.5] * len(HOSTILE)
    assert rows[-1] == ("ok", None)  # NaN is an empty cell, not a number Excel calls corrupt
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold


def test_sheet_titles_are_made_acceptable_to_excel() -> None:
    assert sheet_name("Phường/xã [2026]: *?") == "Phường-xã -2026-- --"
    assert len(sheet_name("x" * 40)) == 31
    content = workbook_bytes([Sheet("a/b", [[1]]), Sheet("Guide", [["line"]], header_rows=0)])
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["a-b", "Guide"]


@pytest.mark.parametrize("value", [1, 2.5, None, "plain", "a=b", "-", ""])
def test_safe_cell_leaves_ordinary_values_alone(value: object) -> None:
    expected = "'-" if value == "-" else value
    assert safe_cell(value) == expected

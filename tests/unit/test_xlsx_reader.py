"""The bounded .xlsx reader: real workbooks read as openpyxl would read them; bombs, floods of rows or
columns and DTD tricks are refused with a problem code in well under a second, before they cost
memory."""

from __future__ import annotations

import io
import time
from datetime import date, datetime

import openpyxl
import pytest

from data_access import xlsx_reader
from data_access.errors import Invalid
from tests.support import xlsx_files

LIMITS = xlsx_reader.Limits(max_rows=40_000)


def read(content: bytes, limits: xlsx_reader.Limits = LIMITS) -> list[tuple[int, tuple]]:
    return list(xlsx_reader.read_first_sheet(content, columns=9, limits=limits))


def refusal(content: bytes, limits: xlsx_reader.Limits = LIMITS) -> tuple[str, float]:
    """The problem code a file gets, and the CPU seconds refusing it cost (the work done, whatever else the
    machine runs: wall-clock time failed this on a loaded test machine)."""
    started = time.process_time()
    with pytest.raises(Invalid) as raised:
        read(content, limits)
    return raised.value.problems["file"], time.process_time() - started


def saved(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_written_by_openpyxl_reads_back_cell_for_cell() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Id", "Code", "Name", None, None, None, "Date", "Value", "Comment", "ignored column J"])
    sheet.append([161, "KPI-1", "Tỷ lệ hồ sơ", None, None, None, date(2026, 11, 19), 2.5, "tháng 11 & <ok>"])
    sheet.append([162, None, None, None, None, None, "20/11/2026", "nhiều", None])
    sheet.append([None] * 9)  # an empty row is left out
    sheet.append([163, None, None, None, None, None, datetime(2026, 11, 18, 8, 30), -4, "=1+2"])
    sheet.cell(row=6, column=8, value=True)
    rows = read(saved(book))
    assert rows == [
        (1, ("Id", "Code", "Name", None, None, None, "Date", "Value", "Comment")),
        (2, (161, "KPI-1", "Tỷ lệ hồ sơ", None, None, None, datetime(2026, 11, 19), 2.5, "tháng 11 & <ok>")),
        (3, (162, None, None, None, None, None, "20/11/2026", "nhiều", None)),
        # a formula is read by its cached result, as Excel shows it; openpyxl stores none, so None
        (5, (163, None, None, None, None, None, datetime(2026, 11, 18, 8, 30), -4, None)),
        (6, (None, None, None, None, None, None, None, True, None)),
    ]


def test_a_1904_workbook_reads_its_dates_from_its_own_epoch() -> None:
    book = openpyxl.Workbook()
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    book.active.append([1, None, None, None, None, None, date(2026, 11, 19), 1, None])
    assert read(saved(book))[0][1][6] == datetime(2026, 11, 19)


def test_cells_are_cut_to_the_text_limit() -> None:
    book = openpyxl.Workbook()
    book.active.append([1, "x" * 5_000])
    assert read(saved(book))[0][1][1] == "x" * 1_000


@pytest.mark.parametrize(
    ("content", "code"),
    [
        pytest.param(xlsx_files.shared_string_bomb(150), "file_unpacks_too_large", id="150 MiB shared string"),
        pytest.param(xlsx_files.shared_string_bomb(10), "file_unpacks_too_large", id="10 MiB string: ratio"),
        pytest.param(b"PK" + b"\0" * (11 * 1024 * 1024), "file_too_large", id="11 MB upload"),
        pytest.param(xlsx_files.empty_rows(100_000), "too_many_rows", id="100,000 empty rows"),
        pytest.param(xlsx_files.empty_rows(2, dimension="A1:I3000000"), "too_many_rows", id="declared 3M rows"),
        pytest.param(xlsx_files.wide_rows(3, 200), "too_many_columns", id="200 columns"),
        pytest.param(xlsx_files.wide_rows(2, 2, dimension="A1:XFD2"), "too_many_columns", id="declared 16384 columns"),
        pytest.param(xlsx_files.with_doctype(xlsx_files.XXE), "unreadable_file", id="XXE"),
        pytest.param(xlsx_files.with_doctype(xlsx_files.BILLION_LAUGHS), "unreadable_file", id="billion laughs"),
        pytest.param(b"not a spreadsheet", "unreadable_file", id="text"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "unreadable_file", id="png"),
        pytest.param(b"", "unreadable_file", id="empty"),
    ],
)
def test_hostile_files_are_refused_fast_with_a_reason(content: bytes, code: str) -> None:
    refused, seconds = refusal(content)
    assert refused == code
    assert seconds < 1.0


def test_a_row_flood_within_the_unpacked_limit_is_stopped_by_counting_rows_walked() -> None:
    """200,000 empty rows unpack to ~4 MB, under every size cap: the walk itself stops them."""
    content = xlsx_files.empty_rows(200_000)
    assert refusal(content) == ("too_many_rows", pytest.approx(0, abs=1.0))


def test_a_plain_zip_or_a_macro_workbook_is_not_the_template() -> None:
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert refusal(out.getvalue())[0] == "unreadable_file"
    book = openpyxl.Workbook()
    book.active.append([1])
    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(saved(book))) as source, zipfile.ZipFile(macro, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\0" * 64)
    assert refusal(macro.getvalue())[0] == "unreadable_file"


def test_a_shared_string_index_out_of_range_is_unreadable_not_a_crash() -> None:
    content = xlsx_files.build(
        [
            xlsx_files._sheet_head(),
            b'<row r="2"><c r="A2" t="s"><v>99999999999999999999</v></c></row>',
            xlsx_files.SHEET_TAIL,
        ]
    )
    assert refusal(content)[0] == "unreadable_file"


def test_poison_cells_are_read_as_values_for_the_row_check_to_judge() -> None:
    rows = read(xlsx_files.one_row("1e30", "2026-11-19", "1e308"))
    assert rows[1] == (2, (1e30, None, None, None, None, None, "2026-11-19", 1e308, None))

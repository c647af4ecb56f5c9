"""No raw code reaches a leader's screen or Excel file: statuses, kinds, position groups, rule sets and audit
actions all show as words in the user's language ("Lãnh đạo phòng", never "lanh_dao_phong")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import LiveServer, log_in, settled
from tests.support.leader_pages import leader_pages

pytestmark = pytest.mark.browser

# snake_case codes (lanh_dao_phong, decree_335, off_track), dotted audit actions (evaluation.review) and the
# one-word codes of the enums that a page could print as they are stored.
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
DOTTED = re.compile(r"\b(?:evaluation|task|plan|measurement|user|unit|indicator)\.[a-z_]+\b")
WORDS = re.compile(
    r"\b(?:approved|submitted|self_assessed|draft|locked|returned|ward|commune|department|division|party_board|"
    r"resolution|on_track|at_risk)\b"
)


def _raw_codes(text: str) -> list[str]:
    return sorted({*SNAKE.findall(text), *DOTTED.findall(text), *WORDS.findall(text)})


def _workbook_codes(path: Path) -> list[str]:
    book = load_workbook(path)
    found = set(_raw_codes(" ".join(book.sheetnames)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            found |= {c for v in row if isinstance(v, str) for c in _raw_codes(v)}
    return sorted(found)


def test_leader_pages_and_their_excel_files_show_no_raw_code(  # type: ignore[no-untyped-def]
    new_page, live_server: LiveServer, tmp_path: Path
) -> None:
    page = new_page(1366, 768)
    log_in(page, live_server.url, "lanhdao.thanhpho")
    found: dict[str, list[str]] = {}
    for name, path in leader_pages(live_server.database_url).items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector("#_pages_content h1")
        settled(page)
        if name == "lagging":
            page.wait_for_selector("#lagging-grid .ag-row .ag-cell[col-id='indicator'] a")
        codes = _raw_codes(page.inner_text("body"))
        if codes:
            found[name] = codes
        if name in ("lagging", "rankings"):
            with page.expect_download() as download:
                page.click(f"#{name}-export")
            target = tmp_path / download.value.suggested_filename
            download.value.save_as(target)
            codes = _workbook_codes(target)
            if codes:
                found[f"{name}.xlsx"] = codes
    assert found == {}

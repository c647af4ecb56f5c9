"""The lagging list a director prepares a meeting with: a ward's filter brings its divisions' indicators,
the weighted gap reads as a percentage like its neighbours, every header and the follow-up link fit at
1366 px, and the Excel file holds the filtered rows with translated headers, labels and percent formats."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_access.db import Store
from data_access.models import OrgUnit
from tests.browser.conftest import LiveServer, log_in, screenshot, settled, wait_until

pytestmark = pytest.mark.browser

GRID = "#lagging-grid"
RAW_CODES = ("at_risk", "off_track", "ward", "division", "department", "resolution", "regular_work", "key_task")


def _column(page, column: str) -> list[str]:  # type: ignore[no-untyped-def]
    cells = page.query_selector_all(f"{GRID} .ag-center-cols-container .ag-row .ag-cell[col-id='{column}']")
    return [cell.inner_text() for cell in cells]


def _units_under(live_server: LiveServer, name: str) -> set[str]:
    store = Store.connect(live_server.database_url)
    try:
        with store.read() as session:
            path = session.execute(select(OrgUnit.path).where(OrgUnit.name == name)).scalar_one()
            return set(session.execute(select(OrgUnit.name).where(OrgUnit.path.startswith(path))).scalars())
    finally:
        store.dispose()


def _cut_headers(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Header labels whose text is wider than their box (shown with an ellipsis or hidden)."""
    cut = []
    for label in page.query_selector_all(f"{GRID} .ag-header-cell .ag-header-cell-text"):
        if label.evaluate("e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1"):
            cut.append(label.inner_text())
    return cut


def test_a_ward_filter_lists_its_divisions_and_the_export_holds_the_filtered_rows(  # type: ignore[no-untyped-def]
    new_page, live_server: LiveServer, tmp_path: Path
) -> None:
    under = _units_under(live_server, "Phường Hoàn Kiếm")
    page = new_page(1366, 768)
    log_in(page, live_server.url, "lanhdao.thanhpho")
    page.goto(f"{live_server.url}/lagging?period=2026")
    page.wait_for_selector(f"{GRID} .ag-row .ag-cell[col-id='indicator'] a")
    settled(page)

    # The weighted gap is a percentage with a decimal comma, like progress and expected.
    assert "% khoảng cách có trọng số" in page.inner_text(f"{GRID} .ag-header-cell[col-id='gap']")
    gaps = [g for g in _column(page, "gap") if g.strip()]
    assert gaps and all("," in g for g in gaps), gaps
    assert max(float(g.replace(".", "").replace(",", ".")) for g in gaps) > 1  # points, not a 0.915 fraction

    screenshot(page, "lagging-1366")
    # At 1366 px every header is whole and the follow-up link is inside the grid, without scrolling sideways.
    assert _cut_headers(page) == []
    viewport = page.query_selector(f"{GRID} .ag-center-cols-viewport").bounding_box()
    link = page.query_selector(f"{GRID} .ag-row[row-index='0'] .ag-cell[col-id='follow_up'] a")
    assert link.inner_text() == "Giao việc khắc phục"
    box = link.bounding_box()
    assert box["x"] + box["width"] <= viewport["x"] + viewport["width"] + 1
    scroll = page.query_selector(f"{GRID} .ag-body-horizontal-scroll-viewport")
    assert scroll is None or scroll.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    screenshot(page, "lagging-1366")

    # "Hoàn Kiếm" in the unit filter: the ward's own indicators and its divisions' ones.
    page.fill(f"{GRID} .ag-floating-filter[col-id='unit'] input", "Hoàn Kiếm")

    def only_hoan_kiem_with_divisions() -> bool:
        units = set(_column(page, "unit"))
        return bool(units) and units <= under and any("Hoàn Kiếm" not in u for u in units)

    wait_until(only_hoan_kiem_with_divisions, timeout=20)
    settled(page)
    shown = page.inner_text(f"{GRID} .ag-paging-panel")
    rows = len(_column(page, "indicator"))
    assert rows < 50 and f"{rows}" in shown  # one page holds the filtered list

    with page.expect_download() as download:
        page.click("#lagging-export")
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == "pulse-lagging-2026.xlsx"
    book = load_workbook(target)
    assert book.sheetnames == ["Chỉ số chậm tiến độ"]
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Chỉ số", "Đơn vị", "Loại"] and "% khoảng cách có trọng số" in header
    body = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(body) == rows  # the filtered rows, not the whole list
    assert {r[1] for r in body} == set(_column(page, "unit"))
    codes = [v for r in body for v in r if isinstance(v, str) and v in RAW_CODES]
    assert codes == []  # labels, never codes
    gap = header.index("% khoảng cách có trọng số")
    assert all(sheet.cell(row=n, column=gap + 1).number_format == "0.0%" for n in range(2, len(body) + 2))
    assert all(0 < r[gap] < 5 for r in body)  # fractions shown as percent by Excel, not 97.5 "%"

    for width, height in ((390, 844), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_selector(f"{GRID} .ag-row .ag-cell[col-id='indicator'] a")
        screenshot(page, f"lagging-{width}")

"""A 2,000-row spreadsheet in headless Chromium runs through checking (four chunks) and importing to
"imported", and once the job rests the page sends no more ticks. Before, any file over 500 rows stopped
at "Checking: 500 of N" for ever, and a finished job polled about three times a second, re-sending its
whole report each time. Screenshot: test-artifacts/import-progress.png.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import openpyxl
import pytest

from data_access.seed import DEMO_USERNAMES
from tests.browser.conftest import LiveServer, log_in, screenshot, wait_until

pytestmark = pytest.mark.browser

ROWS = 2_000
TICK = "entry-import-tick"
TICK_INTERVAL_S = 0.3  # the page's dcc.Interval


def _filled(template: Path) -> tuple[bytes, int]:
    """The template with 2,000 rows: each listed indicator on each day of November up to the 20th
    (valid), then copies of those rows (each reported as a duplicate). Returns the file and the valid count."""
    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    listed = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    sheet.delete_rows(2, len(listed))
    valid = [(row[0], f"2026-11-{day:02d}", _allowed_value(row[5])) for row in listed for day in range(1, 21)]
    for number in range(ROWS):
        indicator_id, when, value = valid[number % len(valid)]
        sheet.append([indicator_id, None, None, None, None, None, when, value, f"row {number}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(valid)


def _allowed_value(allowed: str | None) -> float:
    """A value the template's "allowed values" column accepts (its lower bound, or 1)."""
    low = (allowed or "").split("–")[0].strip().strip("'")
    try:
        return float(low) if low else 1.0
    except ValueError:
        return 1.0


def test_a_2000_row_file_runs_to_imported_and_the_ticks_stop_at_rest(  # type: ignore[no-untyped-def]
    new_page, live_server: LiveServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = new_page(1600, 1100)
    ticks: list[float] = []

    def count_tick(request) -> None:  # type: ignore[no-untyped-def]
        if "/_dash-update-component" in request.url and request.method == "POST":
            body = json.loads(request.post_data or "{}")
            if body.get("inputs") and body["inputs"][0].get("id") == TICK:
                ticks.append(time.monotonic())

    page.on("request", count_tick)
    log_in(page, live_server.url, DEMO_USERNAMES["staff"])
    page.goto(f"{live_server.url}/entry")
    expect(page.locator("#entry-hint")).to_contain_text("Đơn vị", timeout=20_000)
    with page.expect_download() as download:
        page.click("#entry-template")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    content, valid = _filled(template)

    page.locator("#entry-upload input[type=file]").set_input_files(
        files=[
            {
                "name": "2000-dong.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": content,
            }
        ]
    )
    status = page.locator(".import-status-text")
    expect(status).to_contain_text(f"{valid} dòng hợp lệ", timeout=60_000)  # past "Checking: 500 of 2000"
    expect(page.locator(".import-report")).to_contain_text("đã có ở một dòng phía trên")  # the copies: duplicates
    expect(page.locator("#entry-import-cancel")).to_be_visible()
    page.click("#entry-import-button")
    expect(status).to_contain_text("Đã nhập", timeout=60_000)
    expect(status).to_contain_text(str(valid))
    expect(page.locator("#entry-import-progress")).to_contain_text("100%")
    expect(page.locator("#entry-import-cancel")).to_be_hidden()
    screenshot(page, "import-progress")

    # At rest: over ten intervals' time, not one tick leaves the page (a measuring window, not a wait).
    rested = time.monotonic()
    window = 10 * TICK_INTERVAL_S
    wait_until(lambda: time.monotonic() - rested >= window, timeout=window + 5)
    after_rest = [t for t in ticks if t > rested]
    print(f"\n{len(ticks)} ticks for {ROWS} rows ({valid} valid); {len(after_rest)} after rest")
    assert after_rest == []
    assert len(ticks) >= 2 * (ROWS // 500)  # four chunks checked and four imported, one tick each at least

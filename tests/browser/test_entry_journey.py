"""KPI values end to end in headless Chromium: a civil servant's wrong value is refused with a message
in Vietnamese; a right one waits for approval; the division head approves it and the history shows who
did what; a spreadsheet is downloaded, filled, uploaded, checked row by row (the report names the row
and what to fix) and its valid rows imported with a progress bar. Screenshots: test-artifacts/entry-*.png.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from data_access.seed import DEMO_USERNAMES
from tests.browser.conftest import LiveServer, log_in, screenshot, switch_language

pytestmark = pytest.mark.browser


def _person_name(database_url: str, username: str) -> str:
    from sqlalchemy import select

    from data_access.db import Store
    from data_access.models import Person, User

    store = Store.connect(database_url)
    try:
        with store.read() as session:
            return session.execute(
                select(Person.full_name).join(User, User.person_id == Person.id).where(User.username == username)
            ).scalar_one()
    finally:
        store.dispose()


def test_enter_approve_and_import_values(new_page, live_server: LiveServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    base = live_server.url
    staff = new_page(1600, 1100)
    log_in(staff, base, DEMO_USERNAMES["staff"])
    staff.goto(f"{base}/entry")
    expect(staff.locator("#entry-hint")).to_contain_text("Đơn vị", timeout=20_000)

    # A value outside the indicator's range: refused, in the user's language, nothing saved.
    staff.locator(".entry-value-input").fill("100000")
    staff.click("#entry-submit")
    expect(staff.locator(".work-message")).to_contain_text("ngoài khoảng cho phép", timeout=20_000)
    rows_before = staff.locator(".entry-history .ag-row").count()

    # A right value, typed the Vietnamese way, waits for approval.
    staff.locator(".entry-value-input").fill("3")
    staff.fill("#entry-comment", "Số liệu tháng 11")
    staff.click("#entry-submit")
    expect(staff.locator(".work-message")).to_contain_text("chờ phê duyệt", timeout=20_000)
    expect(staff.locator(".entry-history .ag-row")).to_have_count(rows_before + 1, timeout=20_000)
    expect(staff.locator(".entry-history")).to_contain_text("Chờ phê duyệt")
    screenshot(staff, "entry-1-submitted")

    # The division head approves it.
    manager = new_page(1600, 1100)
    log_in(manager, base, DEMO_USERNAMES["manager"])
    switch_language(manager, base, "en", "/entry")
    row = manager.locator(".pending-value", has_text="Số liệu tháng 11")
    expect(row).to_be_visible(timeout=20_000)
    row.get_by_role("button", name="Approve").click()
    expect(manager.locator(".work-message")).to_contain_text("Value approved", timeout=20_000)
    expect(manager.locator(".pending-value", has_text="Số liệu tháng 11")).to_have_count(0)
    expect(staff.locator(".entry-history")).to_contain_text(
        _person_name(live_server.database_url, DEMO_USERNAMES["manager"]), timeout=10_000
    )  # live, no reload; the person who approved, not the login

    # A spreadsheet: download the template, fill two rows (one wrong), upload, check, import.
    with staff.expect_download() as download:
        staff.click("#entry-template")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    assert sheet.max_row >= 3  # a header and the civil servant's indicators
    sheet.cell(row=2, column=7, value="19/11/2026")
    sheet.cell(row=2, column=8, value="2,5")
    sheet.cell(row=3, column=7, value="2026-11-18")
    sheet.cell(row=3, column=8, value="nhiều")
    filled = io.BytesIO()
    book.save(filled)
    staff.locator("#entry-upload input[type=file]").set_input_files(
        files=[
            {
                "name": "so-lieu.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": filled.getvalue(),
            }
        ]
    )
    expect(staff.locator(".import-status-text")).to_contain_text("1 dòng hợp lệ", timeout=20_000)
    expect(staff.locator(".import-report")).to_contain_text("Giá trị: nhập một số")
    expect(staff.locator(".import-report .ag-row")).to_have_count(1)
    screenshot(staff, "entry-2-import-checked")
    staff.click("#entry-import-button")
    expect(staff.locator(".import-status-text")).to_contain_text("Đã nhập", timeout=20_000)
    expect(staff.locator("#entry-import-progress")).to_contain_text("100%")
    screenshot(staff, "entry-3-imported")

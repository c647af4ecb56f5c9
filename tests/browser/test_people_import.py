"""The administrator imports 50 people from an Excel file with 5 bad rows on /admin/import in headless
Chromium: the report shows exactly the 5 rows with what to fix, "Nhập 45 bản ghi hợp lệ" writes the 45,
and they are in the store afterwards (each with a placement). A file too large to send gets the
shell's "too large" message and writes nothing. Screenshots at 390, 1366 and 1920 px wide
(test-artifacts/admin-import-*.png).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data_access.db import Store
from data_access.models import ImportJob, Person, PersonPlacement
from tests.browser.conftest import LiveServer, log_in, screenshot, settled
from tests.support.people_files import people_file, ward_positions

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _people(store: Store, citizen_ids: list[str]) -> tuple[int, int]:
    with store.read() as session:
        people = session.execute(select(Person.id).where(Person.citizen_id.in_(citizen_ids))).scalars().all()
        placements = session.execute(
            select(func.count()).select_from(PersonPlacement).where(PersonPlacement.person_id.in_(people))
        ).scalar_one()
        return len(people), placements


@pytest.mark.parametrize("width", [1366, 390, 1920])
def test_fifty_people_from_excel_five_reported_45_imported(  # type: ignore[no-untyped-def]
    new_page, live_server: LiveServer, width: int
) -> None:
    from playwright.sync_api import expect

    store = Store.connect(live_server.database_url)
    try:
        made = people_file(ward_positions(store))
        page = new_page(width, 1000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, live_server.url, "admin")
        page.goto(f"{live_server.url}/admin/import")
        expect(page.locator("h1")).to_have_text("Nhập nhân sự và đơn vị")
        expect(page.locator(".admin-menu")).to_contain_text("Nhập nhân sự và đơn vị")
        settled(page)
        screenshot(page, f"admin-import-empty-{width}")

        headers = ["Họ và tên", "Số định danh cá nhân (12 chữ số)", "Mã số công chức", "Ngày sinh (YYYY-MM-DD)"]
        page.locator("#admin-import-upload input[type=file]").set_input_files(
            files=[{"name": "nhan-su-phuong.xlsx", "mimeType": XLSX, "buffer": made.xlsx_bytes(headers)}]
        )
        status = page.locator(".admin-import-status-text")
        expect(status).to_contain_text("45 bản ghi hợp lệ, 5 bản ghi có lỗi")
        report = page.locator(".admin-import-report")
        rows = report.locator(".ag-center-cols-container .ag-row")
        expect(rows).to_have_count(5)
        for index in made.bad:
            expect(report).to_contain_text(made.records[index]["full_name"])
        expect(report).to_contain_text("Số định danh cá nhân có đúng 12 chữ số")  # row 7: 11 digits
        expect(report).to_contain_text("Pulse bắt buộc phải có")  # row 31: no civil-servant code
        expect(report).to_contain_text("Không có đơn vị nào mang mã KHONG-CO-DON-VI")
        expect(report).to_contain_text("không nhập")
        assert {made.sheet_row(i) for i in made.bad} == {
            int(t) for t in report.locator(".ag-cell[col-id=row]").all_inner_texts()
        }
        assert _people(store, [r["citizen_id"] for r in made.records]) == (0, 0)  # nothing written yet
        page.locator("#admin-import-report").scroll_into_view_if_needed()
        screenshot(page, f"admin-import-report-{width}")

        button = page.locator("#admin-import-button")
        expect(button).to_have_text("Nhập 45 bản ghi hợp lệ")
        button.click()
        expect(status).to_contain_text("Đã nhập: lưu 45 người, bỏ qua 5 bản ghi.")
        expect(page.locator("#admin-import-progress")).to_contain_text("100%")
        expect(button).to_be_hidden()
        settled(page)
        screenshot(page, f"admin-import-done-{width}")
        assert _people(store, [r["citizen_id"] for r in made.valid]) == (45, 45)
        assert _people(store, [made.records[i]["citizen_id"] for i in made.bad]) == (0, 0)
        assert errors == []
    finally:
        store.dispose()


def test_a_file_too_large_to_send_is_refused_with_a_message(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    store = Store.connect(live_server.database_url)
    try:
        page = new_page(1366, 900)
        log_in(page, live_server.url, "admin")
        page.goto(f"{live_server.url}/admin/import")
        settled(page)
        page.locator("#admin-import-upload input[type=file]").set_input_files(
            files=[{"name": "qua-lon.xlsx", "mimeType": XLSX, "buffer": b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024)}]
        )
        expect(page.locator(".pulse-callback-failure")).to_contain_text("Tệp quá lớn để gửi")
        screenshot(page, "admin-import-too-large")
        with store.read() as session:
            assert session.execute(select(func.count()).select_from(ImportJob)).scalar_one() == 0
    finally:
        store.dispose()

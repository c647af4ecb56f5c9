"""A plan from Excel in Chromium (pilot seed): the Hoàn Kiếm ward leader downloads the ward's plan as
Excel, adds an objective with a key result and a trajectory and two bad rows, and uploads it on
/plan. Exactly the two bad rows are reported, in Vietnamese; nothing is saved until "Import"; then the
rest lands in the draft and the plan shows the new objective. Screenshots at 390, 1366 and 1920 px."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from data_access.db import Store
from data_access.models import Indicator, Objective
from tests.browser.conftest import LiveServer, log_in, screenshot, settled
from tests.conftest import TEST_TODAY

pytestmark = pytest.mark.browser

NEW_OBJECTIVE = "Nâng cao chỉ số hài lòng của người dân phường Hoàn Kiếm"
NEW_KR = "Tỷ lệ người dân hài lòng"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _changed(template: Path) -> bytes:
    """The downloaded plan with a new objective, its key result (two trajectory points, in the
    Vietnamese words the export uses) and two bad rows: a target typed as words, and a key result of
    an objective number the file does not have."""
    book = openpyxl.load_workbook(template)
    objectives, key_results, trajectory = book.worksheets[:3]
    numbers = [row[0].value for row in objectives.iter_rows(min_row=3) if isinstance(row[0].value, int)]
    new = max(numbers, default=0) + 1
    objectives.append([new, NEW_OBJECTIVE, "Nhiệm vụ trọng tâm", "Kế hoạch 15/KH-UBND", 1, "", ""])
    blanks = [None, None, None, None]
    key_results.append(
        [new, NEW_OBJECTIVE, NEW_KR, "%", "Tăng", 80, 92, *blanks, 100, 100, "Giá trị mới nhất", "Hằng quý"]
        + ["", "Không", "Nhập tay"]
    )
    key_results.append(
        [new, NEW_OBJECTIVE, "Chỉ tiêu gõ bằng chữ", "%", "Tăng", 1, "mười", *blanks, 1, 1, "", ""] + ["", "", ""]
    )
    key_results.append([new + 9, "?", "Kết quả lạc", "%", "Tăng", 1, 2, *blanks, 1, 1, "", ""] + ["", "", ""])
    trajectory.append([new, NEW_KR, f"30/06/{TEST_TODAY.year}", 86])
    trajectory.append([new, NEW_KR, f"{TEST_TODAY.year}-12-31", 92])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _count(database_url: str, model: type, *where: object) -> int:
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()  # type: ignore[arg-type]
    finally:
        store.dispose()


def test_a_plan_exported_changed_and_uploaded_reports_its_two_bad_rows_and_imports_the_rest(  # type: ignore[no-untyped-def]
    new_page, live_server: LiveServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = new_page(1366, 900)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "lanhdao.hoankiem")
    page.goto(f"{live_server.url}/plan")
    expect(page.locator("h1")).to_contain_text("Hoàn Kiếm")
    settled(page)
    expect(page.locator(".plan-import-card")).to_be_visible()
    with page.expect_download() as download:
        page.click("#plan-export")
    template = tmp_path / "plan.xlsx"
    download.value.save_as(template)

    page.locator("#plan-import-upload input[type=file]").set_input_files(
        files=[{"name": "ke-hoach.xlsx", "mimeType": XLSX, "buffer": _changed(template)}]
    )
    status = page.locator(".plan-import-status-text")
    expect(status).to_contain_text("2 dòng có lỗi", timeout=30_000)
    problems = page.locator(".plan-import-problem")
    expect(problems).to_have_count(2)
    expect(problems.filter(has_text="Chỉ tiêu gõ bằng chữ")).to_contain_text("Chỉ tiêu: nhập một số")
    expect(problems.filter(has_text="Kết quả lạc")).to_contain_text(
        "không có mục tiêu nào trong tệp mang số thứ tự này"
    )
    assert _count(live_server.database_url, Objective, Objective.title == NEW_OBJECTIVE) == 0  # nothing yet
    page.locator(".plan-import-card").scroll_into_view_if_needed()
    screenshot(page, "plan-import-checked-1366")

    page.click("#plan-import-button")
    expect(status).to_contain_text("Đã nhập vào dự thảo", timeout=30_000)
    expect(page.locator(".plan-objective").filter(has_text=NEW_OBJECTIVE)).to_have_count(1, timeout=20_000)
    assert _count(live_server.database_url, Objective, Objective.title == NEW_OBJECTIVE) == 1
    assert _count(live_server.database_url, Indicator, Indicator.name == NEW_KR, Indicator.published.is_(False)) == 1
    assert _count(live_server.database_url, Indicator, Indicator.name == "Chỉ tiêu gõ bằng chữ") == 0
    for width, height in ((390, 844), (1366, 900), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.locator(".plan-import-card").scroll_into_view_if_needed()
        screenshot(page, f"plan-import-{width}")
    assert not errors

"""An administrator resets a ward staff member's password in the browser; the staff member logs in with
the password shown once, is held on "choose a new password" whatever they open, chooses one and then
lands normally. The ward's unit administrator sees its ward on /admin/quality; the administrator opens
the next year on /admin/periods. Screenshots of the three pages at 390, 1366 and 1920 px."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer, log_in, screenshot, settled

pytestmark = pytest.mark.browser

WIDTHS = (390, 1366, 1920)


def test_a_reset_password_must_be_replaced_before_anything_else(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    base = live_server.url
    admin = new_page(1366, 900)
    errors: list[str] = []
    admin.on("pageerror", lambda error: errors.append(str(error)))
    log_in(admin, base, "admin")
    admin.goto(f"{base}/admin/users")
    settled(admin)
    admin.fill("#admin-users-search", "canbo.hoankiem")
    cell = admin.locator(".admin-users-grid .ag-row").filter(has_text="canbo.hoankiem").first
    expect(cell).to_be_visible()
    cell.click()
    admin.click("#admin-users-reset")
    expect(admin.locator(".admin-users-done")).to_contain_text("Mật khẩu mới")
    password = admin.inner_text(".admin-users-password").strip()
    assert len(password) == 12

    for width in WIDTHS:
        staff = new_page(width, 900)
        staff.on("pageerror", lambda error: errors.append(str(error)))
        staff.goto(f"{base}/login")
        staff.fill("#username", "canbo.hoankiem")
        staff.fill("#password", password)
        staff.click("#login-submit")
        expect(staff.locator("h1")).to_have_text("Chọn mật khẩu mới")
        expect(staff.locator("#password-forced")).to_be_visible()
        screenshot(staff, f"password-forced-{width}")
        if width != WIDTHS[-1]:
            continue
        staff.goto(f"{base}/work")  # any other page: back to the form
        expect(staff.locator("h1")).to_have_text("Chọn mật khẩu mới")
        staff.fill("#current", password)
        staff.fill("#new", password)
        staff.fill("#repeat", password)
        staff.click("#password-submit")
        expect(staff.locator("#password-error")).to_contain_text("phải khác")
        staff.fill("#current", password)
        staff.fill("#new", "Mật khẩu riêng của tôi 2026")
        staff.fill("#repeat", "Mật khẩu riêng của tôi 2026")
        staff.click("#password-submit")
        staff.wait_for_selector("#pulse-navbar")
        staff.goto(f"{base}/work")
        staff.wait_for_selector("#pulse-navbar")
        settled(staff)
        assert "/password" not in staff.url
    assert not errors, errors


def test_the_periods_and_quality_pages_at_three_widths(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    base = live_server.url
    errors: list[str] = []
    for width in WIDTHS:
        page = new_page(width, 1000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, base, "admin")
        page.goto(f"{base}/admin/periods")
        expect(page.locator(".admin-periods-grid .ag-row").first).to_be_visible()
        settled(page)
        screenshot(page, f"admin-periods-{width}")
        if width == 1366:
            label = page.inner_text("#admin-periods-open-year")
            page.click("#admin-periods-open-year")
            expect(page.locator(".admin-periods-done")).to_contain_text("Đã mở năm")
            expect(page.locator(".admin-periods-grid")).to_contain_text(label.replace("Mở năm ", "Năm "))
            screenshot(page, "admin-periods-opened")
        ward_admin = new_page(width, 1000)
        ward_admin.on("pageerror", lambda error: errors.append(str(error)))
        log_in(ward_admin, base, "quantri.hoankiem")
        ward_admin.goto(f"{base}/admin/quality")
        expect(ward_admin.locator(".admin-quality-grid .ag-row").first).to_contain_text("Phường Hoàn Kiếm")
        settled(ward_admin)
        assert ward_admin.get_by_role("link", name="Kỳ báo cáo").count() == 0  # periods: administrators only
        screenshot(ward_admin, f"admin-quality-{width}")
        if width == 1920:
            ward_admin.locator(".admin-quality-grid .ag-row").nth(1).click()
            expect(ward_admin.locator(".admin-quality-issues, .alert-success")).to_be_visible()
            settled(ward_admin)
            screenshot(ward_admin, "admin-quality-detail")
    assert not errors, errors

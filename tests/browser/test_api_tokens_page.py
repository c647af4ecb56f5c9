"""The administrator makes a token for a machine on /admin/tokens, in the browser: the token is shown
once and the list shows it; the API reference page opens from there. Screenshots at 390, 1366 and 1920 px."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer, log_in, screenshot, settled

pytestmark = pytest.mark.browser


def test_the_administrator_makes_a_token_for_a_machine(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = new_page(1366, 900)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin/tokens")
    expect(page.locator("h1")).to_have_text("Token cho hệ thống")
    settled(page)
    page.fill("#admin-tokens-name", "Hệ thống quản lý nhân sự phường")
    page.click("#admin-tokens-unit")
    page.keyboard.type("hoan kiem")
    page.keyboard.press("Enter")
    page.get_by_label("đọc cơ cấu tổ chức (org:read)").check()
    page.get_by_label("gửi giá trị chỉ tiêu (measurements:write)").check()
    page.click("#admin-tokens-create")
    expect(page.locator(".admin-tokens-secret")).to_contain_text("pulse_")
    expect(page.locator(".admin-tokens-grid")).to_contain_text("Hệ thống quản lý nhân sự phường")
    settled(page)
    screenshot(page, "admin-tokens-1366")
    for width in (390, 1920):
        page.set_viewport_size({"width": width, "height": 900 if width < 1000 else 1080})
        settled(page)
        screenshot(page, f"admin-tokens-{width}")
    page.locator(".admin-tokens-grid").scroll_into_view_if_needed()
    screenshot(page, "admin-tokens-1920-list")
    page.set_viewport_size({"width": 390, "height": 900})
    page.locator(".admin-tokens-grid").scroll_into_view_if_needed()
    settled(page)
    screenshot(page, "admin-tokens-390-list")
    page.goto(f"{live_server.url}/admin/api")
    expect(page.locator("h1")).to_contain_text("/api/v1")
    screenshot(page, "admin-api-reference-1920")
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot(page, "admin-api-reference-390")
    assert errors == []

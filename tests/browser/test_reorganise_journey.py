"""The administrator merges Phường Hoàn Kiếm and Phường Từ Liêm on January 1 from /admin/units; the old
ward's page for last year says what it became (with a link), and the new ward's page names the wards it
was formed from. Screenshots at 390, 1366 and 1920 px wide."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, choose, log_in, screenshot, settled

pytestmark = pytest.mark.browser

WIDTHS = (390, 1366, 1920)


def test_the_administrator_merges_two_wards_from_a_date(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = new_page(1366, 900)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_server.url
    log_in(page, base, "admin")
    page.goto(f"{base}/admin/units")
    page.fill("#admin-units-search", "hoan kiem")
    ward = page.get_by_role("button", name="Phường Hoàn Kiếm", exact=True)
    expect(ward).to_be_visible()
    settled(page)  # the search redraws the tree: click the drawn button, not one about to be replaced
    ward.click()
    expect(page.locator("#admin-units-panel-title")).to_contain_text("Phường Hoàn Kiếm")
    choose(page, "#admin-units-reorg-with", "Từ Liêm", "Phường Từ Liêm")
    page.fill("#admin-units-reorg-name", "Phường Hoàn Kiếm - Từ Liêm")
    page.fill("#admin-units-reorg-date", "2026-01-01")
    page.locator("#admin-units-reorganise").scroll_into_view_if_needed()
    settled(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#admin-units-reorganise").scroll_into_view_if_needed()
        screenshot(page, f"admin-units-reorganise-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("#admin-units-reorganise")
    done = page.locator(".admin-units-done")
    expect(done).to_contain_text("Đã hợp nhất thành đơn vị mới từ ngày")
    expect(done).to_contain_text("đơn vị trực thuộc")
    done.scroll_into_view_if_needed()
    screenshot(page, "admin-units-reorganised-1366")
    new_unit = done.get_by_role("link").get_attribute("href")
    # The split form asks only for the names of the parts.
    page.get_by_text("Chia thành nhiều đơn vị", exact=True).click()
    expect(page.locator("#admin-units-reorg-parts")).to_be_visible()
    expect(page.locator("#admin-units-reorg-name")).to_be_hidden()
    page.fill("#admin-units-reorg-parts", "Phòng Văn hóa\nPhòng Thông tin")
    page.locator("#admin-units-reorganise").scroll_into_view_if_needed()
    screenshot(page, "admin-units-split-form-1366")
    assert new_unit and re.fullmatch(r"/unit/\d+", new_unit)

    page.goto(f"{base}{new_unit}?period=2026")
    note = page.locator("#unit-lineage")
    expect(note).to_contain_text("Thành lập ngày")
    expect(note).to_contain_text("Phường Từ Liêm")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        settled(page)
        screenshot(page, f"unit-merged-successor-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})
    note.get_by_role("link", name="Phường Hoàn Kiếm", exact=True).click()
    expect(page.locator("#unit-title")).to_have_text("Phường Hoàn Kiếm")
    expect(page.locator("#unit-lineage")).to_contain_text("Đã hợp nhất vào")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        settled(page)
        screenshot(page, f"unit-merged-predecessor-{width}")
    assert errors == []

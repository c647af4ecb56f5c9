"""The administrator keeps the positions and people of a ward in the browser: creates a division under
Phường Hoàn Kiếm, two positions in it (a head and a specialist), a person in the specialist's position,
finds them by typing their name without accents, and moves them to the ward itself from the first of
the month; the page shows where they worked. Screenshots of both pages at phone, laptop and desktop widths.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, choose, log_in, screenshot, settled
from tests.conftest import TEST_TODAY

pytestmark = pytest.mark.browser

WARD = "Phường Hoàn Kiếm"
DIVISION = "Phòng Dữ liệu số"


def test_the_administrator_creates_positions_and_a_person_and_moves_them(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    errors: list[str] = []
    page = new_page(1366, 900)
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_server.url
    log_in(page, base, "admin")

    # A division under the ward.
    page.goto(f"{base}/admin/units")
    expect(page.locator("h1")).to_have_text("Đơn vị tổ chức")
    settled(page)
    page.fill("#admin-units-search", "hoan kiem")
    # The search redraws the tree (after its debounce): click the ward once the filtered tree is there (no
    # row left but the ward and its ancestors).
    expect(page.locator(".admin-tree-row").filter(has_not_text=re.compile("Hoàn Kiếm|Hà Nội"))).to_have_count(0)
    expect(page.get_by_role("button", name=WARD, exact=True)).to_be_visible()
    settled(page)
    page.get_by_role("button", name=WARD, exact=True).click()
    expect(page.locator("#admin-units-panel-title")).to_contain_text(WARD)
    page.fill("#admin-units-new-name", DIVISION)
    page.select_option("#admin-units-new-kind", "division")
    page.click("#admin-units-create")
    expect(page.locator(".admin-units-done")).to_contain_text("Đã tạo đơn vị")

    # Two positions in it, from the admin menu.
    page.locator(".admin-menu").get_by_role("link", name="Vị trí việc làm").click()
    expect(page.locator("h1")).to_have_text("Vị trí việc làm")
    settled(page)
    choose(page, "#admin-positions-unit", "phong du lieu so", DIVISION)
    for name, code, group, leader in (
        ("Trưởng phòng", "TP", "lanh_dao_phong", True),
        ("Chuyên viên dữ liệu", "CVDL", "chuyen_vien_du_lieu", False),
    ):
        page.fill("#admin-positions-name", name)
        page.fill("#admin-positions-code", code)
        page.fill("#admin-positions-group", group)
        if leader:
            page.check("#admin-positions-leader")
        else:
            page.uncheck("#admin-positions-leader")
        page.click("#admin-positions-create")
        expect(page.locator(".admin-positions-done")).to_contain_text("Đã tạo vị trí việc làm")
    grid = page.locator(".admin-positions-grid")
    expect(grid).to_contain_text("Trưởng phòng")
    expect(grid).to_contain_text("Chuyên viên dữ liệu")
    expect(page.locator("#admin-positions-count")).to_contain_text("2 vị trí")

    # A person in the specialist's position.
    page.locator(".admin-menu").get_by_role("link", name="Nhân sự", exact=True).click()
    expect(page.locator("h1")).to_have_text("Nhân sự")
    settled(page)
    page.fill("#admin-people-full-name", "Lê Văn Hùng")
    page.select_option("#admin-people-gender", "male")
    page.fill("#admin-people-birth-date", "1988-07-09")
    page.fill("#admin-people-citizen-id", "001088000777")
    page.fill("#admin-people-servant-code", "HN-BR-01")
    page.fill("#admin-people-rank", "01.003")
    page.fill("#admin-people-email", "hung.le@hanoi.gov.vn")
    page.fill("#admin-people-phone", "0987 654 321")
    choose(page, "#admin-people-unit", "phong du lieu so", DIVISION)
    settled(page)
    choose(page, "#admin-people-position", "du lieu", "Chuyên viên dữ liệu")
    page.fill("#admin-people-start-date", "2019-03-01")
    page.click("#admin-people-create")
    expect(page.locator(".admin-people-done")).to_contain_text("Đã thêm Lê Văn Hùng")
    expect(page.locator("#admin-people-form-title")).to_contain_text("Lê Văn Hùng")

    # Found without accents, then moved to the ward itself from the first of the month.
    page.fill("#admin-people-search", "le van hung")
    expect(page.locator("#admin-people-count")).to_have_text("1 người")
    people_grid = page.locator(".admin-people-grid")
    expect(people_grid).to_contain_text(DIVISION)
    people_grid.locator("[col-id='full_name']").filter(has_text="Lê Văn Hùng").first.click()
    expect(page.locator(".admin-people-move")).to_be_visible()
    choose(page, "#admin-people-move-unit", "hoan kiem", WARD)
    effective = TEST_TODAY.replace(day=1)
    page.fill("#admin-people-move-date", effective.isoformat())
    page.click("#admin-people-move")
    expect(page.locator(".admin-people-done")).to_contain_text("Đã điều động")
    history = page.locator(".admin-people-history")
    expect(history).to_contain_text(WARD)
    expect(history).to_contain_text(DIVISION)
    expect(people_grid.locator("[col-id='unit']").filter(has_text=WARD)).to_have_count(1)

    for width, height in ((390, 844), (1366, 900), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/admin/people")
        expect(page.locator("h1")).to_have_text("Nhân sự")
        page.fill("#admin-people-search", "le van hung")
        expect(page.locator("#admin-people-count")).to_have_text("1 người")
        settled(page)
        screenshot(page, f"admin-people-{width}")
        page.locator(".admin-people-grid [col-id='full_name']").filter(has_text="Lê Văn Hùng").first.click()
        expect(page.locator(".admin-people-history")).to_contain_text(DIVISION)
        expect(page.locator("#admin-people-position")).to_contain_text(
            "không bắt buộc"
        )  # moved to the ward, no position
        settled(page)
        page.locator(".admin-people-form").scroll_into_view_if_needed()
        screenshot(page, f"admin-people-form-{width}")
        page.goto(f"{base}/admin/positions")
        expect(page.locator("h1")).to_have_text("Vị trí việc làm")
        settled(page)
        choose(page, "#admin-positions-unit", "phong du lieu so", DIVISION)
        expect(page.locator("#admin-positions-count")).to_contain_text("2 vị trí")
        settled(page)
        screenshot(page, f"admin-positions-{width}")
    assert not errors, errors

"""From `seed --scale empty`, the administrator sets up a ward in the browser: finds Phường Hoàn Kiếm
in the tree by typing without accents, creates a division under it, renames it, and creates a
ward-leader account; that leader logs in with the password shown once, sees the ward on / and
administers the ward's subtree (delegated administration), nothing else."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SharedServer, choose, log_in, screenshot, settled
from tests.browser.test_empty_start import ADMIN_PASSWORD, _seed_empty_start
from tests.support.databases import TestDatabases

pytestmark = pytest.mark.browser

WARD = "Phường Hoàn Kiếm"


def test_the_administrator_sets_up_a_ward_and_its_leader_logs_in(  # type: ignore[no-untyped-def]
    browser, live_process: SharedServer, databases: TestDatabases
) -> None:
    from playwright.sync_api import expect

    server = live_process.serve(databases.clone(databases.template("empty_start", _seed_empty_start)))
    base = server.url
    admin_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    leader_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    errors: list[str] = []
    try:
        page = admin_context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, base, "admin", ADMIN_PASSWORD)
        page.get_by_role("link", name="Quản trị").click()  # the admin-only menu entry
        expect(page.locator("h1")).to_have_text("Đơn vị tổ chức")

        # The province's 126 wards and communes are folded; a search without accents finds the ward.
        page.fill("#admin-units-search", "hoan kiem")
        ward = page.get_by_role("button", name=WARD, exact=True)
        expect(ward).to_be_visible()
        # The first draw opens the top of the tree and draws again; a click on a row being replaced is lost.
        settled(page)
        ward.click()
        expect(page.locator("#admin-units-panel-title")).to_contain_text(WARD)
        page.fill("#admin-units-new-name", "  Phòng Văn hóa  ")
        page.select_option("#admin-units-new-kind", "division")
        page.click("#admin-units-create")
        expect(page.locator(".admin-units-done")).to_contain_text("Đã tạo đơn vị")
        page.fill("#admin-units-search", "")
        division = page.get_by_role("button", name="Phòng Văn hóa", exact=True)
        expect(division).to_be_visible()
        settled(page)
        screenshot(page, "admin-units-before-pick")
        division.click()
        expect(page.locator("#admin-units-rename-name")).to_have_value("Phòng Văn hóa")
        page.fill("#admin-units-rename-name", "Phòng Văn hóa - Thông tin")
        page.click("#admin-units-rename")
        expect(page.locator(".admin-units-done")).to_contain_text("Đã đổi tên đơn vị")
        expect(page.get_by_role("button", name="Phòng Văn hóa - Thông tin", exact=True)).to_be_visible()
        screenshot(page, "admin-units-after-rename")

        # The ward leader's account, scoped to the ward.
        page.get_by_role("link", name="Tài khoản").first.click()
        expect(page.locator("h1")).to_have_text("Tài khoản")
        settled(page)
        page.fill("#admin-users-username", "lanhdao.hoankiem")
        page.select_option("#admin-users-role", "leader")
        choose(page, "#admin-users-scope", "hoan kiem", WARD)
        page.click("#admin-users-create")
        expect(page.locator(".admin-users-done")).to_contain_text("Đã tạo tài khoản lanhdao.hoankiem")
        password = page.inner_text(".admin-users-password").strip()
        assert len(password) == 12
        expect(page.locator(".admin-users-grid")).to_contain_text("lanhdao.hoankiem")
        screenshot(page, "admin-users-created")

        leader = leader_context.new_page()
        leader.on("pageerror", lambda error: errors.append(str(error)))
        log_in(leader, base, "lanhdao.hoankiem", password)
        leader.goto(f"{base}/")
        expect(leader.locator("h1")).to_contain_text(WARD)
        # A ward's leader administers the ward's people and accounts: the menu entry is there, the tree is the ward's.
        leader.get_by_role("link", name="Quản trị").click()
        expect(leader.get_by_role("button", name=WARD, exact=True)).to_be_visible()
        assert leader.get_by_role("button", name="Phường Ba Đình", exact=True).count() == 0
        leader.goto(f"{base}/")
        screenshot(leader, "admin-new-ward-leader-overview")
    finally:
        admin_context.close()
        leader_context.close()
    assert not errors, errors

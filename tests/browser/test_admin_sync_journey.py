"""The administrator opens the synchronisation status from the admin menu after a day of sends (a signed trial
of 10 Hoàn Kiếm records accepted, a Từ Liêm batch refused for tampering, one person kept out) and reads the
day's figures, who signed, and the record to fix, which opens that person's record. Screenshots at phone,
laptop and desktop widths.
"""

from __future__ import annotations

import pytest

from data_access.db import Store
from tests.browser.conftest import LiveServer, log_in, screenshot, settled
from tests.integration.test_admin_sync_page import SIGNER, _sync_history

pytestmark = pytest.mark.browser


def test_the_administrator_reads_the_days_synchronisation(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    store = Store.connect(live_server.database_url)
    try:
        kept_out = _sync_history(store)
    finally:
        store.dispose()
    page = new_page(1366, 900)
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin/units")
    settled(page)
    page.locator(".admin-menu").get_by_role("link", name="Đồng bộ dữ liệu").click()
    expect(page.locator("h1")).to_have_text("Đồng bộ với cơ sở dữ liệu quốc gia")
    days = page.locator(".admin-sync-days tbody tr")
    expect(days).to_have_count(1)
    expect(days.locator("td").nth(1)).to_have_text("2")
    expect(days.locator("td").nth(2)).to_have_text("10")
    expect(page.locator(".admin-sync-batches")).to_contain_text(SIGNER)
    expect(page.locator(".admin-sync-batches")).to_contain_text("bị từ chối")
    for width in (390, 1366, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"admin-sync-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator(f".admin-sync-to-fix a[href='/admin/people?person={kept_out}']").click()
    expect(page.locator("h1")).to_have_text("Nhân sự")

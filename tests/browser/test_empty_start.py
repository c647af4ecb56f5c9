"""A real agency's first day: from `seed --scale empty` the administrator logs in and every page opens
on an organisation with no people and no plan yet, saying so instead of breaking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from data_access.db import Store
from tests.browser.conftest import LiveServer, log_in, screenshot
from tests.conftest import TEST_TODAY
from tests.support.databases import TestDatabases

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "Pulse-admin-2026!"
PAGES = ["/", "/lagging", "/rankings", "/emulation", "/work", "/entry", "/evaluations", "/notices", "/account"]


def _seed_empty_start(url: str) -> None:
    from data_access.seed.empty import seed_empty

    store = Store.connect(url)
    try:
        seed_empty(store, today=TEST_TODAY, admin_password=ADMIN_PASSWORD)
    finally:
        store.dispose()


@pytest.fixture
def empty_start_server(databases: TestDatabases) -> Iterator[LiveServer]:
    server = LiveServer(databases.clone(databases.template("empty_start", _seed_empty_start)))
    yield server
    server.stop()


def test_the_administrator_opens_every_page_of_an_empty_start(browser, empty_start_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, empty_start_server.url, "admin", ADMIN_PASSWORD)
        for path in PAGES:
            page.goto(f"{empty_start_server.url}{path}")
            page.wait_for_selector("h1 >> visible=true")
            page.wait_for_load_state("networkidle")
            text = page.inner_text("body")
            assert "Đã có lỗi xảy ra" not in text and "Internal Server Error" not in text, path
            assert not page.query_selector(".alert-danger"), path
            assert "No Rows To Show" not in text and "Page 0 of 0" not in text, path  # the grids speak Vietnamese
            screenshot(page, f"empty-start{path.replace('/', '-') or '-overview'}")
        page.goto(f"{empty_start_server.url}/lagging")
        page.wait_for_selector("h1 >> visible=true")
        page.wait_for_load_state("networkidle")
        assert "Không có gì để hiển thị" in page.inner_text("#lagging-grid")
        page.goto(f"{empty_start_server.url}/")
        page.wait_for_selector("h1 >> visible=true")
        assert "Hà Nội" in page.inner_text("h1")
        assert "Chưa có chỉ số và nhiệm vụ nào" in page.inner_text("#overview-empty")
    finally:
        context.close()
    assert not errors, errors

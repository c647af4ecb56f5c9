"""A ward official on a phone: the navbar folds, pages fit the screen's width."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer, log_in, screenshot

# Layout only: the same pages at the same widths on either database (run on SQLite only).
pytestmark = [pytest.mark.browser, pytest.mark.backend_independent]


def test_pages_fit_a_phone(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page(390, 844)
    log_in(page, live_server.url, "lanhdao.hoankiem")
    page.wait_for_selector("#overview-title")
    assert page.is_visible("#pulse-navbar-toggler")
    assert not page.is_visible("#pulse-navbar-collapse .nav-link")  # folded until asked
    page.click("#pulse-navbar-toggler")
    page.wait_for_selector("#pulse-navbar-collapse .nav-link", state="visible")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    screenshot(page, "phone-overview")

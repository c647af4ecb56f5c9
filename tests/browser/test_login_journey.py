"""A person logs in through the real form, switches language, opens a page, logs out; the old session is refused."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import LiveServer, log_in, screenshot

pytestmark = pytest.mark.browser


def _dash_status(base_url: str, cookie: str) -> int:
    request = urllib.request.Request(f"{base_url}/_dash-layout", headers={"Cookie": f"pulse_session={cookie}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_login_language_page_logout(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(f"{live_server.url}/account")
    assert "/login" in page.url  # anonymous: sent to the login form
    page.fill("#username", "chuyenvien.khcn")
    page.fill("#password", "wrong-password-123")
    page.click("#login-submit")
    assert "Sai tên đăng nhập hoặc mật khẩu" in page.inner_text("#login-error")

    log_in(page, live_server.url, "chuyenvien.khcn")
    page.goto(f"{live_server.url}/account")
    page.wait_for_selector("#account-username")
    assert "Tài khoản của tôi" in page.inner_text("h1")

    page.click("#pulse-language-menu")
    page.click("text=English")
    page.wait_for_selector("#account-username")
    assert page.inner_text("h1") == "My account"
    screenshot(page, "account-en")

    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "pulse_session")
    assert _dash_status(live_server.url, cookie) == 200
    page.click("#pulse-user-menu")
    page.click("#pulse-logout")
    page.wait_for_selector("#login-submit")
    assert _dash_status(live_server.url, cookie) == 401

    # The language stays remembered for the user at the next login.
    log_in(page, live_server.url, "chuyenvien.khcn")
    page.goto(f"{live_server.url}/account")
    page.wait_for_selector("#account-username")
    assert page.inner_text("h1") == "My account"

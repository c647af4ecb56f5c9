"""Daily work on a phone (390x844) and an office laptop (1366x768), issue 15: the ward official lands on
"My work", the phone menu closes after navigating, "My page" opens the person's own page, the KPI entry
offers the official's indicators and confirms next to the form; the ward leader approves three values at
once from cards whose actions fit the screen, with 44 px tap targets; the navbar holds one line at 1366 px.
Screenshots: test-artifacts/daily-*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, log_in, screenshot, settled

pytestmark = pytest.mark.browser

TAP = 44


def _overflow(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _wide(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What sticks out on the right, for the failure message."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
    )


def _open_my_page(page, *, folded: bool) -> None:  # type: ignore[no-untyped-def]
    """User menu -> "My page" (through the phone menu when the navbar is folded)."""
    if folded:
        page.click("#pulse-navbar-toggler")
        expect(page.locator("#pulse-navbar-collapse")).to_have_class(re.compile(r"\bshow\b"))
        expect(page.locator("#pulse-navbar-collapse")).not_to_have_class(re.compile(r"collapsing"))
    page.click("#pulse-user-menu")
    expect(page.locator("#pulse-me-link")).to_be_visible()
    page.click("#pulse-me-link")
    expect(page).to_have_url(re.compile(r"/person/\d+"))


def _box(locator):  # type: ignore[no-untyped-def]
    box = locator.bounding_box()
    assert box is not None
    return box


def test_a_ward_official_lands_on_my_work_and_enters_a_value(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page(390, 844)
    log_in(page, live_server.url, "canbo.hoankiem")
    expect(page).to_have_url(re.compile(r"/work$"))
    settled(page)
    screenshot(page, "daily-official-work-390")

    page.click("#pulse-navbar-toggler")
    page.locator("#pulse-navbar-collapse .nav-link[href='/entry']").click()
    expect(page).to_have_url(re.compile(r"/entry"))
    expect(page.locator("#pulse-navbar-collapse .nav-link[href='/entry']")).to_be_hidden()  # the menu closed
    settled(page)

    page.locator("#entry-indicator").click()
    options = page.locator(".dash-dropdown-option")
    expect(options.first).to_be_visible()
    assert options.count() >= 2  # owned and delegated indicators, not a dead form
    options.first.click()
    expect(page.locator(".entry-empty-why")).to_have_count(0)
    expect(page.locator("#entry-hint")).to_contain_text("Đơn vị")
    page.locator(".entry-value-input").fill("1")
    page.click("#entry-submit")
    message = page.locator("#entry-message .alert")
    expect(message).to_be_visible()
    box = _box(message)
    # Where the eyes are: the message starts on screen with its first line in view (not above the fold).
    assert 0 <= box["y"] <= 844 - 24, box
    assert _overflow(page) <= 0, _wide(page)
    screenshot(page, "daily-official-entry-390")

    _open_my_page(page, folded=True)
    settled(page)
    assert _overflow(page) <= 0
    screenshot(page, "daily-official-person-390")


def test_a_ward_leader_approves_three_values_at_once_on_a_phone(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page(390, 844)
    log_in(page, live_server.url, "lanhdao.hoankiem")
    page.goto(f"{live_server.url}/entry")
    cards = page.locator(".pending-value")
    expect(cards.first).to_be_visible()
    settled(page)
    before = cards.count()
    assert before >= 3
    first = cards.first
    expect(first).to_contain_text("Giá trị trước")  # previous value, target, evidence, who entered it
    expect(first).to_contain_text("Chỉ tiêu")
    expect(first).to_contain_text("Minh chứng")
    for action in (first.locator("button", has_text="Phê duyệt"), first.locator("button", has_text="Từ chối")):
        box = _box(action)
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # no sideways scroll to reach it
        assert box["height"] >= TAP and box["width"] >= TAP
    for control in (first.locator(".value-reason"), page.locator("#entry-approve-picked")):
        assert _box(control)["height"] >= TAP
    assert _box(first.locator(".pending-pick"))["height"] >= TAP
    assert _overflow(page) <= 0
    screenshot(page, "daily-leader-approvals-390")

    for i in range(3):
        cards.nth(i).locator(".pending-pick input").check()
    page.click("#entry-approve-picked")
    expect(page.locator("#entry-pending-message")).to_contain_text("3")
    expect(cards).to_have_count(before - 3)


@pytest.mark.backend_independent
@pytest.mark.parametrize("width", [1366, 1920])
def test_the_navbar_holds_one_line_on_a_laptop_and_folds_below(new_page, live_server: LiveServer, width: int) -> None:  # type: ignore[no-untyped-def]
    page = new_page(width, 768)
    log_in(page, live_server.url, "admin")  # the most entries
    settled(page)
    links = page.locator("#pulse-navbar-collapse .nav-link")
    screenshot(page, f"daily-navbar-{width}")
    bar = _box(page.locator("#pulse-navbar"))
    assert bar["height"] <= 64  # one line: no entry wrapped, nothing pushed below
    for i in range(links.count()):
        box = _box(links.nth(i))
        assert box["y"] + box["height"] <= bar["y"] + bar["height"]
        assert box["x"] + box["width"] <= width, links.nth(i).inner_text()
    user = _box(page.locator("#pulse-user-menu"))
    language = _box(page.locator("#pulse-language-menu"))
    assert language["x"] + language["width"] <= user["x"]  # they no longer touch
    screenshot(page, f"daily-navbar-{width}")

    page.set_viewport_size({"width": 1024, "height": 768})
    expect(page.locator("#pulse-navbar-toggler")).to_be_visible()
    page.reload()
    settled(page)
    assert _overflow(page) <= 0, _wide(page)


def test_the_ward_leader_opens_the_tasks_waiting_for_acceptance_from_the_count(  # type: ignore[no-untyped-def]
    new_page, live_server: LiveServer
) -> None:
    page = new_page(390, 844)
    log_in(page, live_server.url, "lanhdao.hoankiem")
    page.goto(f"{live_server.url}/work")
    link = page.locator("#work-count-waiting")
    expect(link).to_be_visible()
    waiting = int(re.match(r"\d+", link.inner_text()).group())  # type: ignore[union-attr]
    assert waiting > 0
    assert _box(link)["height"] >= TAP
    link.click()
    expect(page).to_have_url(re.compile(r"box=by_me&show=waiting"))
    cards = page.locator(".work-card")
    expect(cards).to_have_count(waiting)  # exactly those, as cards on the phone
    expect(page.locator(".work-grid")).to_be_hidden()
    first = cards.first
    expect(first).to_contain_text("Đã nộp, chờ nghiệm thu")
    assert _box(first.locator(".work-card-title"))["height"] >= TAP
    for option in page.locator(".work-show .form-check").all():
        assert _box(option)["height"] >= TAP
    assert _overflow(page) <= 0, _wide(page)
    screenshot(page, "daily-leader-waiting-390")
    first.locator(".work-card-title").click()
    expect(page).to_have_url(re.compile(r"/task/\d+"))


@pytest.mark.backend_independent
@pytest.mark.parametrize("width", [390, 1366, 1920])
def test_screenshots_of_a_ward_officials_pages(new_page, live_server: LiveServer, width: int) -> None:  # type: ignore[no-untyped-def]
    page = new_page(width, 844 if width < 576 else 900)
    log_in(page, live_server.url, "canbo.hoankiem")
    settled(page)
    screenshot(page, f"daily-staff-work-{width}")
    page.goto(f"{live_server.url}/entry")
    expect(page.locator("#entry-hint")).to_contain_text("Đơn vị")
    settled(page)
    screenshot(page, f"daily-staff-entry-{width}")
    _open_my_page(page, folded=width < 1200)
    settled(page)
    assert _overflow(page) <= 0, _wide(page)
    screenshot(page, f"daily-staff-person-{width}")

"""A unit's own evaluation end to end in headless Chromium: the division's head opens the quarter
and self-assesses the division's general criteria; the city leader (the level above) reviews it
with a reason, picks the department and approves its divisions; the head sees the approved result
and may appeal. Screenshots land in test-artifacts/unit-evaluation-journey-*.png.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from data_access.seed import DEMO_USERNAMES
from tests.browser.conftest import LiveServer, log_in, screenshot, switch_language

pytestmark = pytest.mark.browser

PERIOD = "2026-Q2"
DIVISION = "Phòng Quản lý công nghệ"  # SO-KHCN-P3, the demo manager's division
DEPARTMENT = "Sở Khoa học và Công nghệ"


def open_as(new_page: Callable[..., object], server: LiveServer, role: str):  # type: ignore[no-untyped-def]
    page = new_page(1400, 1000)
    log_in(page, server.url, DEMO_USERNAMES[role])
    switch_language(page, server.url, "en")
    return page


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    screenshot(page, f"unit-evaluation-journey-{name}")


def test_unit_evaluation_journey(live_server: LiveServer, new_page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    base = live_server.url
    head = open_as(new_page, live_server, "manager")
    head.goto(f"{base}/evaluations?period={PERIOD}")
    head.get_by_role("button", name="Open evaluations").click()
    expect(head.locator(".evaluation-message")).to_contain_text("opened", timeout=20_000)
    unit_rows = head.locator(".unit-evaluations .evaluation-table tbody tr")
    expect(unit_rows).to_have_count(1, timeout=20_000)  # the division itself
    expect(unit_rows.first).to_contain_text(DIVISION)
    unit_rows.first.locator("a").click()

    # The head fills in the division's own general criteria.
    expect(head.get_by_text("How the unit's task points were computed")).to_be_visible(timeout=20_000)
    evaluation_url = head.url
    expect(head.locator(".unit-result")).to_contain_text("Planned work")
    expect(head.get_by_text("Self-assessment of the unit's general criteria")).to_be_visible()
    # The boxes start empty (never at the maximum): the head gives every other criterion its full points.
    for box in head.locator("input[class*='score-unit_']").all():
        if not box.input_value():
            box.fill(box.get_attribute("max") or "0")
    head.locator("input.score-unit_reform").fill("8")
    head.get_by_role("button", name="Submit self-assessment").click()
    expect(head.locator(".alert.evaluation-message")).to_contain_text("Self-assessment saved", timeout=20_000)
    expect(head.locator(".evaluation-status")).to_have_text("Self-assessed")
    expect(head.locator(".evaluation-general-points")).to_have_text("28.00")
    expect(head.get_by_role("button", name="Save review")).to_have_count(0)  # a unit does not review itself
    shot(head, "1-head-self-assessed")

    # The level above reviews it: a change without a reason is refused, then given one.
    leader = open_as(new_page, live_server, "city_leader")
    leader.goto(evaluation_url)
    expect(leader.get_by_text("Review by the level above")).to_be_visible(timeout=20_000)
    leader.locator("input.score-unit_direction").fill("9")
    leader.get_by_role("button", name="Save review").click()
    expect(leader.locator(".alert.evaluation-message")).to_contain_text("give a reason", timeout=20_000)
    leader.locator("input.reason-unit_direction").fill("Two reports to the city were late")
    leader.get_by_role("button", name="Save review").click()
    expect(leader.locator(".alert.evaluation-message")).to_contain_text("Review saved", timeout=20_000)
    expect(leader.locator(".review-changes")).to_contain_text("Two reports to the city were late")
    expect(leader.locator(".evaluation-general-points")).to_have_text("27.00")
    shot(leader, "2-leader-reviewed")

    # The leader picks the department and approves its divisions (the quota among divisions applies).
    leader.goto(f"{base}/evaluations?period={PERIOD}")
    leader.locator("#evaluations-unit").click()
    leader.locator(".dash-dropdown-option", has_text=DEPARTMENT).first.click()
    expect(leader.locator("#evaluations-unit")).to_contain_text(DEPARTMENT, timeout=20_000)
    leader.get_by_role("button", name="Open evaluations").click()
    expect(leader.locator(".evaluation-message")).to_contain_text("opened", timeout=20_000)
    leader.get_by_role("button", name="Review the rest as proposed").click()
    expect(leader.locator(".evaluation-message")).to_contain_text("accepted as proposed", timeout=20_000)
    leader.get_by_role("button", name="Approve the unit").click()
    expect(leader.locator(".evaluation-message")).to_contain_text("approved", timeout=20_000)
    expect(leader.locator(".quota-moves")).to_be_visible()
    division_row = leader.locator(".unit-evaluations tbody tr", has_text=DIVISION)
    expect(division_row).to_contain_text("Approved", timeout=20_000)
    shot(leader, "3-leader-approved")

    # The head sees the approved result and may appeal it.
    head.goto(evaluation_url)
    expect(head.locator(".evaluation-status")).to_have_text("Approved", timeout=20_000)
    expect(head.get_by_role("button", name="Submit self-assessment")).to_have_count(0)
    head.locator("textarea").fill("Đề nghị xem xét lại tiêu chí chỉ đạo, điều hành")
    head.get_by_role("button", name="Submit appeal").click()
    expect(head.locator(".appeal-note")).to_contain_text("xem xét lại", timeout=20_000)
    shot(head, "4-head-appealed")

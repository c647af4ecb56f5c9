"""Two evaluation journeys in headless Chromium, on a phone (390x844) and an office laptop (1366x768):

- a staff member receives the "evaluation opened" notice (with the self-assessment deadline), follows
  it, finds the boxes empty, self-assesses, and sees the level marked "proposed"; /evaluations without
  a period opens on the quarter in progress;
- the unit head resolves a tie at the quota's cut: the tied wait as "awaiting the council", the head
  keeps one at excellent with a reason, and the list shows the decision.

Screenshots land in test-artifacts/evaluation-notice-*.png and evaluation-council-*.png.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from data_access.db import Store
from data_access.seed import DEMO_USERNAMES
from tests.browser.conftest import LiveServer, log_in, screenshot, settled, switch_language

pytestmark = pytest.mark.browser

PERIOD = "2026-Q3"
SIZES = [pytest.param((390, 844), id="phone"), pytest.param((1366, 768), id="laptop")]


@contextmanager
def store_of(demo_url: str) -> Iterator[Store]:
    store = Store.connect(demo_url)
    try:
        yield store
    finally:
        store.dispose()


def open_as(new_page: Callable[..., object], server: LiveServer, role: str, size: tuple[int, int]):  # type: ignore[no-untyped-def]
    """A fresh browser at this size, logged in as a demo user, in English (the assertions read English)."""
    page = new_page(*size)
    log_in(page, server.url, DEMO_USERNAMES[role])
    switch_language(page, server.url, "en")
    return page


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport + 1, f"{page.url} scrolls sideways: {width} > {viewport}"


@pytest.mark.parametrize("size", SIZES)
def test_staff_receive_the_opened_notice_and_self_assess(
    live_server: LiveServer,
    new_page,  # type: ignore[no-untyped-def]
    demo_url: str,
    size: tuple[int, int],
) -> None:
    from playwright.sync_api import expect

    from data_access.commands import evaluations as commands
    from tests.support.viewers import viewer_of

    with store_of(demo_url) as store:
        manager = viewer_of(store, DEMO_USERNAMES["manager"])
        commands.open_evaluations(store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)

    base = live_server.url
    staff = open_as(new_page, live_server, "staff", size)
    label = f"{size[0]}x{size[1]}"
    # The notice is counted in the navbar and listed on /notices with the deadline.
    staff.goto(f"{base}/notices")
    notice = staff.locator("li.notice-eval-opened")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("Your evaluation is open")
    expect(notice).to_contain_text("Quarter 3/2026")
    expect(notice).to_contain_text("Self-assess by")
    no_sideways_scroll(staff)
    screenshot(staff, f"evaluation-notice-1-notices-{label}")

    # Following it opens the evaluation: empty boxes, a proposed level, the deadline.
    notice.locator("a.notice-evaluation-link").click()
    expect(staff.get_by_role("button", name="Submit self-assessment")).to_be_visible()
    expect(staff.locator(".self-deadline")).to_contain_text("Self-assess by")
    expect(staff.locator(".not-reviewed")).to_have_text("Not reviewed yet.")
    for criterion in ("politics", "ethics", "manner", "discipline"):
        expect(staff.locator(f"input.score-{criterion}")).to_have_value("")
    expect(staff.locator(".evaluation-final")).to_have_text("–")  # no final badge on a draft
    screenshot(staff, f"evaluation-notice-2-draft-{label}")
    for criterion, value in (("politics", "10"), ("ethics", "5"), ("manner", "4"), ("discipline", "9")):
        staff.locator(f"input.score-{criterion}").fill(value)
    staff.get_by_role("button", name="Submit self-assessment").click()
    expect(staff.locator(".alert.evaluation-message")).to_contain_text("Self-assessment saved")
    expect(staff.locator(".evaluation-status")).to_have_text("Self-assessed")
    expect(staff.locator(".evaluation-general-points")).to_have_text("28.00")
    expect(staff.locator(".evaluation-proposed")).to_contain_text("Proposed:")
    # The boxes now start at what the person entered.
    expect(staff.locator("input.score-manner")).to_have_value("4")
    no_sideways_scroll(staff)
    screenshot(staff, f"evaluation-notice-3-self-assessed-{label}")

    # The list opens on the quarter in progress, not on the navbar's year.
    staff.goto(f"{base}/evaluations")
    expect(staff.locator(".period-shown")).to_have_text("Quarter 3/2026")
    expect(staff.locator(".evaluation-table tbody tr")).to_have_count(1)
    assert "period=2026-Q3" in staff.url
    no_sideways_scroll(staff)
    screenshot(staff, f"evaluation-notice-4-list-{label}")
    if size[0] > 1000:  # and on a wide office screen
        staff.set_viewport_size({"width": 1920, "height": 1080})
        no_sideways_scroll(staff)
        screenshot(staff, "evaluation-notice-4-list-1920x1080")


@pytest.mark.parametrize("size", SIZES)
def test_the_unit_head_resolves_a_tie_at_the_quota_cut(
    live_server: LiveServer,
    new_page,  # type: ignore[no-untyped-def]
    demo_url: str,
    size: tuple[int, int],
) -> None:
    from playwright.sync_api import expect

    from data_access.commands import evaluation_approval as approval
    from tests.data.test_evaluation_notices_and_council import tie_in_a_group
    from tests.support.viewers import viewer_of

    with store_of(demo_url) as store:
        manager_viewer = viewer_of(store, DEMO_USERNAMES["manager"])
        _group, members = tie_in_a_group(store, manager_viewer)
        approval.approve_unit(store, viewer=manager_viewer, unit_id=manager_viewer.scope_unit_id, period_code=PERIOD)
    tied = [members[0], members[1]]

    base = live_server.url
    label = f"{size[0]}x{size[1]}"
    manager = open_as(new_page, live_server, "manager", size)
    manager.goto(f"{base}/evaluations?period={PERIOD}")
    card = manager.locator(".council-tie")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("2 people are tied at 100.00 points")
    expect(card).to_contain_text("1 place(s) at excellent")
    for row in tied:
        line = manager.locator(f"tr[data-evaluation-id='{row.id}']")
        expect(line.locator(".awaiting-badge")).to_have_text("Awaiting the council")
        expect(line.locator(".quota-awaiting")).to_contain_text("until then the level is not lowered")
    no_sideways_scroll(manager)
    screenshot(manager, f"evaluation-council-1-awaiting-{label}")

    # Both kept: refused with the quota's reason. Then one, with the council's reason.
    settled(manager)
    card.get_by_label(f"{tied[0].person_name} — 100.00").check()
    card.get_by_label(f"{tied[1].person_name} — 100.00").check()
    card.locator("input.council-reason").fill("Hội đồng chọn người có sáng kiến được áp dụng")
    card.get_by_role("button", name="Record the council's decision").click()
    expect(manager.locator(".alert.evaluation-message")).to_contain_text("leaves only 1 place(s) at excellent")
    card.get_by_label(f"{tied[0].person_name} — 100.00").uncheck()
    card.get_by_role("button", name="Record the council's decision").click()
    expect(manager.locator(".council-message")).to_contain_text("recorded for 2 person(s)")
    expect(manager.locator(".council-tie")).to_have_count(0)

    kept = manager.locator(f"tr[data-evaluation-id='{tied[1].id}']")
    moved = manager.locator(f"tr[data-evaluation-id='{tied[0].id}']")
    expect(kept.locator(".quota-council")).to_contain_text("the council kept excellent")
    expect(moved.locator(".quota-council")).to_contain_text("Hội đồng chọn người có sáng kiến")
    expect(moved).to_contain_text("Good")
    kept.scroll_into_view_if_needed()
    screenshot(manager, f"evaluation-council-2-decided-{label}")
    if size[0] > 1000:  # and on a wide office screen
        manager.set_viewport_size({"width": 1920, "height": 1080})
        no_sideways_scroll(manager)
        screenshot(manager, "evaluation-council-2-decided-1920x1080")

"""Work management end to end in headless Chromium: the city manager assigns a task to Phuong Hoan
Kiem; a ward official finds it in "my work", reports progress and hands it in; the manager sees the
check-ins and accepts it; the city leader's open overview follows each step within 5 seconds, and
the navbar badges count the work. Screenshots land in test-artifacts/work-journey-*.png.
"""

from __future__ import annotations

import re

import pytest

from data_access.seed import DEMO_USERNAMES
from tests.browser.conftest import LiveServer, choose, log_in, screenshot, switch_language, wait_until

pytestmark = pytest.mark.browser

TITLE = "Rà soát hồ sơ Đề án 06 quý IV"
OVERDUE = "Báo cáo tồn đọng tháng 10"


def overdue_task(database_url: str) -> None:
    """A task of the ward that fell due yesterday (written straight to the store: the app refuses past due dates)."""
    from datetime import timedelta

    from sqlalchemy import select

    from config.clock import today
    from data_access.db import Store
    from data_access.models import OrgUnit, Task

    store = Store.connect(database_url)
    try:
        with store.write() as session:
            ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
            due = today() - timedelta(days=1)
            session.add(
                Task(
                    title=OVERDUE,
                    assigner_unit_id=1,
                    assignee_unit_id=ward,
                    start_date=due - timedelta(days=20),
                    due_date=due,
                    original_due_date=due,
                )
            )
    finally:
        store.dispose()


def open_as(new_page, server: LiveServer, role: str):  # type: ignore[no-untyped-def]
    page = new_page(1600, 1000)
    log_in(page, server.url, DEMO_USERNAMES[role])
    switch_language(page, server.url, "en", "/work")
    page.wait_for_selector("#work-counts")
    return page


def assign_to_hoan_kiem(page, title: str, description: str = "") -> None:  # type: ignore[no-untyped-def]
    """Fill the assignment form for Phuong Hoan Kiem, once the form has its units (the due date comes with them)."""
    from playwright.sync_api import expect

    page.click("#work-assign-toggle")
    expect(page.locator("#work-due")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    page.fill("#work-title", title)
    if description:
        page.fill("#work-description", description)
    choose(page, "#work-units", "Hoàn Kiếm", "Phường Hoàn Kiếm")  # exact: its divisions are named with it
    page.click("#work-submit")


def open_tasks(page) -> int:  # type: ignore[no-untyped-def]
    """The open-task figure of the overview's "Overdue tasks" card ("12 open")."""
    text = page.inner_text("#overview-overdue")
    return int(re.search(r"(\d[\d.,]*)\s+open", text).group(1).replace(",", "").replace(".", ""))  # type: ignore[union-attr]


def test_assign_report_hand_in_accept_and_the_overview_follows(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    base = live_server.url
    leader = new_page(1600, 1000)
    log_in(leader, base, DEMO_USERNAMES["city_leader"])
    switch_language(leader, base, "en")
    leader.wait_for_selector("#overview-overdue")
    open_at_start = open_tasks(leader)

    # The city manager assigns the task to the ward.
    manager = open_as(new_page, live_server, "city_manager")
    assign_to_hoan_kiem(manager, TITLE, "Đối chiếu dữ liệu dân cư với hồ sơ đã số hoá")
    expect(manager.locator(".work-message")).to_contain_text("Task assigned", timeout=20_000)
    screenshot(manager, "work-journey-1-assigned")
    # The leader's open overview counts it within 5 s (wait_until fails the test otherwise).
    wait_until(lambda: open_tasks(leader) == open_at_start + 1, timeout=5.0)

    # A ward official finds it in "my work" (an overdue one stands out), reports progress and hands it in.
    overdue_task(live_server.database_url)
    wait_until(lambda: open_tasks(leader) == open_at_start + 2, timeout=5.0)  # written by another process
    official = open_as(new_page, live_server, "ward_staff")
    row = official.locator(".work-grid .ag-row", has_text=TITLE)
    expect(row).to_be_visible(timeout=20_000)
    expect(official.locator(".work-grid .ag-row.task-overdue", has_text=OVERDUE)).to_be_visible()
    expect(row).not_to_have_class(re.compile("task-overdue"))
    expect(official.locator("#pulse-work-link")).to_contain_text("Work")
    row.get_by_role("link", name=TITLE).click()
    expect(official.locator("#task-title")).to_have_text(TITLE, timeout=20_000)
    official.locator(".task-progress-input").fill("60")
    official.locator(".task-comment-input").fill("Đã đối chiếu 60% hồ sơ")
    official.locator(".task-evidence-input").fill("https://dvc.hanoi.gov.vn/ho-so/06")
    official.get_by_role("button", name="Report progress").click()
    expect(official.locator(".work-message")).to_contain_text("Progress reported", timeout=20_000)
    expect(official.locator(".checkin-history")).to_contain_text("Đã đối chiếu 60% hồ sơ")
    expect(official.locator(".task-progress")).to_contain_text("60")
    official.get_by_role("button", name="Mark done and hand in").click()
    expect(official.locator(".task-status")).to_have_text("Handed in, waiting for acceptance", timeout=20_000)
    screenshot(official, "work-journey-2-handed-in")

    # The manager hears of it, sees the check-ins and accepts.
    expect(manager.locator("#pulse-notice-count")).to_be_visible(timeout=20_000)
    manager.get_by_role("tab", name="Assigned by me").click()
    manager.locator(".work-grid .ag-row", has_text=TITLE).get_by_role("link", name=TITLE).click()
    expect(manager.locator(".checkin-history li")).to_have_count(2, timeout=20_000)
    expect(manager.locator(".checkin-history a")).to_have_attribute("href", "https://dvc.hanoi.gov.vn/ho-so/06")
    manager.get_by_role("button", name="Accept").click()
    expect(manager.locator(".task-status")).to_have_text("Done", timeout=20_000)
    screenshot(manager, "work-journey-3-accepted")
    # Within 5 s the overview counts one open task fewer: only the overdue one is left.
    wait_until(lambda: open_tasks(leader) == open_at_start + 1, timeout=5.0)


def test_a_stale_page_is_told_who_changed_the_task(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    """Two browsers on one task: the second one's action is refused with who and when, and told to reload."""
    from playwright.sync_api import expect

    manager = open_as(new_page, live_server, "city_manager")
    assign_to_hoan_kiem(manager, "Báo cáo nhanh")
    manager.locator(".work-new-task").click()
    task_url = manager.url
    official = open_as(new_page, live_server, "ward_staff")
    leader = open_as(new_page, live_server, "ward_leader")
    official.goto(task_url)
    leader.goto(task_url)
    expect(official.locator(".task-progress-input")).to_be_visible(timeout=20_000)
    expect(leader.locator(".task-progress-input")).to_be_visible(timeout=20_000)
    official.locator(".task-progress-input").fill("30")
    official.get_by_role("button", name="Report progress").click()
    expect(official.locator(".work-message")).to_contain_text("Progress reported", timeout=20_000)
    expect(leader.locator(".task-stale")).to_be_visible(timeout=10_000)  # told as soon as it happened
    leader.locator(".task-progress-input").fill("50")
    leader.get_by_role("button", name="Report progress").click()
    expect(leader.locator(".work-message")).to_contain_text(
        f"Changed by {DEMO_USERNAMES['ward_staff']}", timeout=20_000
    )
    leader.goto(task_url)
    expect(leader.locator(".task-progress")).to_contain_text("30", timeout=20_000)  # the first report stands

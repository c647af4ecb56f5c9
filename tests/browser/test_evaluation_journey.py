"""The evaluation flow end to end in headless Chromium: the manager opens the quarter, the civil
servant self-assesses, the manager reviews with a reason, accepts the rest and approves (the
quota's moves are shown), the civil servant sees the final level and appeals, the manager
ranks and exports. Screenshots of each step land in test-artifacts/evaluation-journey-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from data_access.seed import DEMO_USERNAMES
from tests.browser.conftest import LiveServer, log_in, screenshot, switch_language

pytestmark = pytest.mark.browser

PERIOD = "2026-Q2"


def give_products(demo_url: str) -> None:
    """The civil servant's Q2 products, known by hand: coefficient 1 done cleanly; coefficient 3 done
    with one major error and one delay -> 61.25 task points (see tests/data/test_evaluation_flow.py)."""
    from sqlalchemy import select

    from data_access.db import Store
    from data_access.models import User
    from tests.data.test_evaluation_flow import set_tasks_in

    store = Store.connect(demo_url)
    try:
        with store.read() as session:
            user = session.execute(select(User).where(User.username == DEMO_USERNAMES["staff"])).scalar_one()
        set_tasks_in(
            store,
            user.person_id,
            user.scope_unit_id,
            PERIOD,
            [
                {"coefficient": 1.0, "status": "done", "quality_accepted": True, "major_errors": 0, "delays": 0},
                {"coefficient": 3.0, "status": "done", "quality_accepted": True, "major_errors": 1, "delays": 1},
            ],
        )
    finally:
        store.dispose()


def open_as(new_page: Callable[..., object], server: LiveServer, role: str):  # type: ignore[no-untyped-def]
    """A fresh browser logged in as a demo user, switched to English (the assertions read English)."""
    page = new_page(1400, 1000)
    log_in(page, server.url, DEMO_USERNAMES[role])
    switch_language(page, server.url, "en")
    return page


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    screenshot(page, f"evaluation-journey-{name}")


def test_evaluation_journey(live_server: LiveServer, new_page, demo_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    give_products(demo_url)
    base = live_server.url
    manager = open_as(new_page, live_server, "manager")
    manager.goto(f"{base}/evaluations?period={PERIOD}")
    expect(manager.get_by_text("Evaluation and classification")).to_be_visible()
    manager.get_by_role("button", name="Open evaluations").click()
    expect(manager.locator(".evaluation-message")).to_contain_text("opened", timeout=20_000)
    expect(manager.locator(".evaluation-table tbody tr").first).to_be_visible()
    rows_for_manager = manager.locator(".evaluation-table").first.locator("tbody tr").count()  # people, not units
    assert rows_for_manager > 5
    shot(manager, "1-manager-opened")

    # The civil servant sees only their own line, opens it and self-assesses.
    staff = open_as(new_page, live_server, "staff")
    staff.goto(f"{base}/evaluations?period={PERIOD}")
    expect(staff.locator(".evaluation-table tbody tr")).to_have_count(1, timeout=20_000)
    expect(staff.get_by_role("button", name="Approve the unit")).to_be_hidden()
    staff.locator(".evaluation-table tbody tr a").first.click()
    expect(staff.get_by_text("How the task points were computed")).to_be_visible(timeout=20_000)
    evaluation_url = staff.url
    expect(staff.locator(".explanation-table tbody tr")).to_have_count(2)
    expect(staff.locator(".explanation-table")).to_contain_text("1 major error(s): −25% of quality points")
    expect(staff.locator(".explanation-table")).to_contain_text("1 delay(s): −25% of progress points")
    expect(staff.locator(".task-result")).to_contain_text("Quality: 81%")
    assert re.search(r"/evaluation/\d+\?period=" + PERIOD + "$", evaluation_url)
    # The boxes start empty: the person scores each criterion (never pre-filled at the maximum).
    expect(staff.locator("input.score-politics")).to_have_value("")
    for criterion, value in (("politics", "10"), ("ethics", "5"), ("manner", "5"), ("discipline", "9")):
        staff.locator(f"input.score-{criterion}").fill(value)
    staff.get_by_role("button", name="Submit self-assessment").click()
    expect(staff.locator(".alert.evaluation-message")).to_contain_text("Self-assessment saved", timeout=20_000)
    expect(staff.locator(".evaluation-status")).to_have_text("Self-assessed")
    expect(staff.locator(".evaluation-level")).to_have_text("Proposed: Excellent")  # 61.25 + 29 = 90.25
    shot(staff, "2-staff-self-assessed")

    # The manager lowers one criterion: first without a reason (refused), then with one.
    manager.goto(evaluation_url)
    expect(manager.get_by_role("button", name="Save review")).to_be_visible(timeout=20_000)
    manager.locator("input.score-manner").fill("4")
    manager.get_by_role("button", name="Save review").click()
    expect(manager.locator(".alert.evaluation-message")).to_contain_text("give a reason", timeout=20_000)
    manager.locator("input.reason-manner").fill("Late replies to citizens' letters")
    manager.get_by_role("button", name="Save review").click()
    expect(manager.locator(".alert.evaluation-message")).to_contain_text("Review saved", timeout=20_000)
    expect(manager.locator(".review-changes")).to_contain_text("Late replies to citizens' letters")
    expect(manager.locator(".evaluation-status")).to_have_text("Reviewed")
    expect(manager.locator(".evaluation-level")).to_have_text("Proposed: Good")  # 61.25 + 28 = 89.25
    shot(manager, "3-manager-reviewed")

    # Accept the rest as proposed, approve the division: the quota's moves are listed by name.
    manager.goto(f"{base}/evaluations?period={PERIOD}")
    expect(manager.locator(".evaluation-table tbody tr").first).to_be_visible(timeout=20_000)
    manager.get_by_role("button", name="Review the rest as proposed").click()
    expect(manager.locator(".evaluation-message")).to_contain_text("accepted as proposed", timeout=20_000)
    manager.get_by_role("button", name="Approve the unit").click()
    expect(manager.locator(".evaluation-message")).to_contain_text("approved", timeout=20_000)
    expect(manager.locator(".quota-moves")).to_be_visible()
    moved_in_list = manager.locator(".evaluation-table tr.evaluation-moved")
    expect(moved_in_list.first).to_be_visible(timeout=20_000)
    assert manager.locator(".quota-move").count() == moved_in_list.count() > 0
    shot(manager, "4-manager-approved")

    # The civil servant sees the approved result, can no longer self-assess, and appeals.
    staff.goto(evaluation_url)
    expect(staff.locator(".evaluation-status")).to_have_text("Approved", timeout=20_000)
    expect(staff.get_by_role("button", name="Submit self-assessment")).to_have_count(0)
    staff.locator("textarea").fill("Tôi đề nghị xem xét lại tiêu chí tác phong")
    staff.get_by_role("button", name="Submit appeal").click()
    expect(staff.locator(".appeal-note")).to_contain_text("xem xét lại", timeout=20_000)
    expect(staff.locator(".evaluation-trail")).to_contain_text("approved")
    shot(staff, "5-staff-appealed")

    # Rankings, and the Excel export of the classification list.
    manager.goto(f"{base}/emulation?period={PERIOD}")
    expect(manager.locator(".ranking-table").first).to_be_visible(timeout=20_000)
    with manager.expect_download(timeout=20_000) as download_info:
        manager.get_by_role("button", name="Export the classification list (Excel)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    from openpyxl import load_workbook

    book = load_workbook(target)
    assert book.worksheets[0].max_row - 2 == rows_for_manager
    shot(manager, "6-emulation")

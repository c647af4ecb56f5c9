"""A failed action is shown where the user acted, in their language, and what they typed stays.

A Vietnamese-speaking official reports progress on a task while the server answers 503 (the
database is locked), while the network is cut, and while the server fails (500); each time an alert
appears under the "Report progress" button and the typed comment is untouched. Once the server
answers again, the same click reports the progress and the alert goes away.
Before: the page showed nothing at all for any of the three.
"""

from __future__ import annotations

import gettext
from typing import Any

import pytest
from sqlalchemy import select

from config.settings import PROJECT_ROOT
from data_access.db import Store
from data_access.models import Task, User
from data_access.seed import DEMO_USERNAMES
from tests.browser.conftest import LiveServer, log_in, screenshot

pytestmark = pytest.mark.browser

VI = gettext.translation("messages", str(PROJECT_ROOT / "config" / "translations"), ["vi"]).gettext
COMMENT = "Đã khảo sát 12 phường, còn 3 phường chưa gửi số liệu"


def open_task_of(database_url: str, username: str) -> int:
    """An open task assigned to this user's person."""
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            person = session.execute(select(User.person_id).where(User.username == username)).scalar_one()
            return (
                session.execute(
                    select(Task.id).where(Task.assignee_person_id == person, Task.status == "open").order_by(Task.id)
                )
                .scalars()
                .first()
            )
    finally:
        store.dispose()


def test_failed_actions_are_shown_where_the_user_acted(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    username = DEMO_USERNAMES["staff"]
    task_id = open_task_of(live_server.database_url, username)
    assert task_id is not None
    page = new_page(1600, 1000)
    log_in(page, live_server.url, username)
    page.goto(f"{live_server.url}/task/{task_id}")
    comment = page.locator(".task-comment-input")
    expect(comment).to_be_visible(timeout=20_000)

    mode: dict[str, Any] = {"now": None}

    def intercept(route) -> None:  # type: ignore[no-untyped-def]
        body = route.request.post_data or ""
        if mode["now"] is None or "task-action" not in body or "task-message" not in body:
            route.continue_()
        elif mode["now"] == "cut":
            route.abort("internetdisconnected")
        else:
            route.fulfill(status=mode["now"], content_type="application/json", body='{"error": "x"}')

    page.route("**/_dash-update-component*", intercept)
    page.locator(".task-progress-input").fill("40")
    comment.fill(COMMENT)
    button = page.get_by_role("button", name=VI("Report progress"))
    alert = page.locator(".pulse-callback-failure")
    still_here = VI("What you entered is still here.")

    for status, message in (
        (503, "The server is busy and nothing was saved. Try again in a moment."),
        ("cut", "The server could not be reached and nothing was saved. Check the connection and try again."),
        (500, "Something went wrong and the action did not finish. Try again, or reload the page."),
    ):
        mode["now"] = status
        button.click()
        expect(alert).to_have_count(1)
        expect(alert).to_contain_text(VI(message))
        expect(alert).to_contain_text(still_here)
        under, box = button.bounding_box(), alert.bounding_box()
        assert under and box
        assert under["y"] + under["height"] <= box["y"] <= under["y"] + under["height"] + 40  # right under the button
        assert abs(box["x"] - under["x"]) < 40
        expect(comment).to_have_value(COMMENT)
        expect(page.locator(".task-progress-input")).to_have_value("40")
        if status == 503:
            screenshot(page, "failures-shown-503")

    mode["now"] = None
    button.click()
    expect(page.locator(".checkin-history")).to_contain_text(COMMENT, timeout=20_000)
    expect(alert).to_have_count(0)

"""From meeting to task in headless Chromium: the chair's companion view beside the big screen lists the
lagging indicators the wall shows; one action opens a follow-up task prefilled for the indicator's owner
with a deadline two weeks out; creating it makes tracked work that the owner finds in "my work"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config.clock import today
from data_access.seed import DEMO_USERNAMES
from tests.browser.conftest import LiveServer, log_in, screenshot, switch_language

pytestmark = pytest.mark.browser


def test_a_meeting_decision_becomes_a_tracked_task(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect
    from sqlalchemy import update

    from data_access.db import Store
    from data_access.models import Task

    # A meeting before any follow-up was decided: the demo's tasks are detached from their indicators, so
    # the lagging rows offer "follow up" (a row with an open follow-up links to it instead: tests/browser/
    # test_wall_playlists.py).
    store = Store.connect(live_server.database_url)
    try:
        with store.write() as session:
            session.execute(update(Task).values(indicator_id=None))
    finally:
        store.dispose()
    base = live_server.url
    chair = new_page(1600, 1000)
    log_in(chair, base, DEMO_USERNAMES["city_leader"])
    switch_language(chair, base, "en", "/present/companion?slides=overview,lagging&period=2026")
    first = chair.locator(".companion-follow-up").first
    expect(first).to_be_visible(timeout=20_000)
    # The first indicator without an open follow-up (one that has one links to it instead).
    row = chair.locator(".companion-page tbody tr", has=chair.locator(".companion-follow-up")).first
    indicator = row.locator("td").first.inner_text()
    screenshot(chair, "follow-up-1-companion")
    first.click()

    expect(chair.locator("#followup-modal")).to_be_visible(timeout=20_000)
    expect(chair.locator("#followup-title")).to_have_value(f"Follow up: {indicator}")
    expect(chair.locator("#followup-due")).to_have_value((today() + timedelta(days=14)).isoformat())
    expect(chair.locator("#followup-note")).to_contain_text(indicator)
    chair.fill("#followup-note", "Kết luận cuộc họp: bổ sung nhân lực, báo cáo lại sau hai tuần")
    chair.click("#followup-create")
    link = chair.locator(".followup-task-link")
    expect(link).to_be_visible(timeout=20_000)
    link.click()
    expect(chair.locator("#task-title")).to_have_text(f"Follow up: {indicator}", timeout=20_000)
    expect(chair.locator(".task-page")).to_contain_text(indicator)  # linked to the indicator
    expect(chair.locator(".task-description")).to_contain_text("Kết luận cuộc họp")
    screenshot(chair, "follow-up-2-task")

    # The decision is listed on the companion, for the end of the meeting.
    chair.goto(f"{base}/present/companion?slides=overview,lagging&period=2026")
    expect(chair.locator(".companion-decisions")).to_contain_text(f"Follow up: {indicator}", timeout=20_000)


def test_staff_get_no_follow_up_button(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect
    from sqlalchemy import select

    from data_access.db import Store
    from data_access.models import Indicator, User

    store = Store.connect(live_server.database_url)
    try:
        with store.read() as session:
            person = session.execute(
                select(User.person_id).where(User.username == DEMO_USERNAMES["staff"])
            ).scalar_one()
            own = session.execute(select(Indicator.id).where(Indicator.owner_person_id == person)).scalars().first()
    finally:
        store.dispose()
    staff = new_page(1600, 1000)
    log_in(staff, live_server.url, DEMO_USERNAMES["staff"])
    staff.goto(f"{live_server.url}/indicator/{own}?followup=1")
    expect(staff.locator("#indicator-title")).to_be_visible(timeout=20_000)
    expect(staff.locator("#followup-open")).to_be_hidden()
    expect(staff.locator("#followup-modal")).to_have_count(0)

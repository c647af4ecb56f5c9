"""A saved playlist from editor to meeting: a leader saves it at /playlists, the screen account opens
/present/<name> without typing slides into a URL, and the chair's companion follows the wall and moves it
(next, pause) within 2 s; an indicator that already has an open follow-up links to it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from config.clock import today
from data_access.db import Store
from data_access.models import OrgUnit, Task, User
from data_access.queries.lagging import lagging_indicators
from data_access.viewer import load_viewer
from tests.browser.conftest import LiveServer, log_in, screenshot, settled, wait_until

pytestmark = pytest.mark.browser

STEP_WITHIN_S = 2.0


def _open_follow_up_for_the_top_lagging_indicator(database_url: str) -> str:
    """An open follow-up task on the city's most lagging indicator (as a chair made last week)."""
    store = Store.connect(database_url)
    try:
        with store.write() as session:
            leader = session.execute(select(User).where(User.username == "lanhdao.thanhpho")).scalar_one()
            viewer = load_viewer(session, leader.id)
            top = lagging_indicators(session, viewer=viewer, period="2026", limit=1).iloc[0]
            unit = session.get(OrgUnit, int(top.unit_id))
            assert unit is not None
            task = Task(
                title="Khắc phục: " + str(top.indicator),
                assigner_user_id=leader.id,
                assigner_unit_id=leader.scope_unit_id,
                assignee_unit_id=unit.id,
                indicator_id=int(top.indicator_id),
                start_date=today(),
                due_date=today() + timedelta(days=14),
                original_due_date=today() + timedelta(days=14),
            )
            session.add(task)
            session.flush()
            return str(task.id)
    finally:
        store.dispose()


def test_a_saved_playlist_runs_on_the_wall_and_the_companion_moves_it(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    base = live_server.url
    task_id = _open_follow_up_for_the_top_lagging_indicator(live_server.database_url)

    editor = new_page(1366, 900)
    log_in(editor, base, "lanhdao.thanhpho")
    editor.goto(f"{base}/playlists")
    settled(editor)
    editor.fill("#playlists-title", "Giao ban thứ Hai")
    editor.fill("#playlists-name", "giao-ban")
    editor.fill("#playlists-interval", "600")  # nothing turns by itself while the test steers
    editor.fill("#playlists-period", "2026")
    editor.click("#playlists-save")
    expect(editor.locator(".playlists-saved")).to_contain_text("/present/giao-ban")
    expect(editor.locator("#playlists-table")).to_contain_text("Giao ban thứ Hai")
    for width, height in ((1366, 900), (390, 844), (1920, 1080)):
        editor.set_viewport_size({"width": width, "height": height})
        screenshot(editor, f"playlists-editor-{width}")
    editor.set_viewport_size({"width": 1366, "height": 900})
    editor.fill("#playlists-name", "Giao Ban!")  # a bad address is refused in words, nothing saved
    editor.click("#playlists-save")
    expect(editor.locator(".playlists-problem")).to_contain_text("chữ thường")

    wall = new_page(1920, 1080)
    log_in(wall, base, "manhinh.phonghop")
    wall.goto(f"{base}/present/giao-ban")
    expect(wall.locator("#present-cards")).to_be_visible()  # the first slide: the overview
    expect(wall.locator("#present-title")).to_contain_text("2026")

    chair = new_page(820, 1180)  # a tablet
    log_in(chair, base, "lanhdao.thanhpho")
    chair.goto(f"{base}/present/companion?playlist=giao-ban")
    expect(chair.locator("#companion-slide-name")).to_have_text("Tổng quan")
    followed = chair.locator(".companion-followed")
    expect(followed.first).to_have_attribute("href", f"/task/{task_id}")  # no second "follow up" button
    screenshot(chair, "companion-tablet-820x1180")

    settled(wall)
    chair.click("#companion-next")
    pressed = time.monotonic()
    wait_until(lambda: wall.query_selector("#present-lagging") is not None, timeout=10)
    took = time.monotonic() - pressed
    assert took <= STEP_WITHIN_S, f"the wall showed the next slide {took:.1f} s after the press"
    expect(chair.locator("#companion-slide-name")).to_have_text("Chỉ số chậm tiến độ")

    chair.click("#companion-pause")
    pressed = time.monotonic()
    wait_until(lambda: "⏸" in wall.inner_text("#present-countdown"), timeout=10)
    took = time.monotonic() - pressed
    assert took <= STEP_WITHIN_S, f"the wall paused {took:.1f} s after the press"
    expect(chair.locator("#companion-slide-state")).to_have_text("đang tạm dừng")
    screenshot(wall, "wall-saved-playlist-paused-1920x1080")
    for width, height in ((390, 844), (1366, 768), (1920, 1080)):
        chair.set_viewport_size({"width": width, "height": height})
        screenshot(chair, f"companion-{width}")

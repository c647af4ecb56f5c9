"""Live refresh with REDIS_URL set: pages poll the change signal in Redis, and a measurement committed by
another process (this test process, which announces nothing) still shows on an open overview within 5 s."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import LiveServer, log_in, wait_until
from tests.support.live_changes import at_risk_and_off_track, lift_an_off_track_indicator

pytestmark = pytest.mark.browser
REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_server(demo_url: str) -> Iterator[LiveServer]:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    server = LiveServer(demo_url, extra_env={"REDIS_URL": REDIS_URL})
    yield server
    server.stop()


def test_a_change_from_another_process_shows_within_five_seconds_with_redis(browser, redis_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        log_in(page, redis_server.url, "lanhdao.thanhpho")
        page.wait_for_selector("#overview-lagging-count")
        at_risk, off_track = at_risk_and_off_track(page.inner_text("#overview-lagging-count"))
        lift_an_off_track_indicator(redis_server.database_url)
        # Within 5 s the card shows one off-track indicator fewer (wait_until fails the test otherwise).
        wait_until(
            lambda: at_risk_and_off_track(page.inner_text("#overview-lagging-count")) == (at_risk, off_track - 1),
            timeout=5.0,
        )
    finally:
        context.close()

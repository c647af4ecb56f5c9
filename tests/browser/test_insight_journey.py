"""The "why" behind a number and the cascade, in headless Chromium: an indicator's owner writes the
analysis of a lagging indicator and it shows on the indicator page and in the lagging list; the city
leader opens the alignment tree and finds a city objective with the Hoan Kiem ward's objective that
serves it; an action plan's milestones show on a timeline. Screenshots at 390, 1366 and 1920 px.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from data_access.commands import milestones
from data_access.db import Store
from data_access.models import Indicator, IndicatorRollup, Measurement, OrgUnit, Period
from data_access.seed import DEMO_USERNAMES
from tests.browser.conftest import ARTIFACTS, PATIENCE_MS, LiveServer, log_in, screenshot, settled, switch_language
from tests.conftest import TEST_TODAY
from tests.support.viewers import viewer_of

pytestmark = pytest.mark.browser

YEAR = TEST_TODAY.year
WIDTHS = (390, 1366, 1920)


def _lagging_owned(store: Store, username: str) -> int:
    person = viewer_of(store, username).person_id
    with store.read() as session:
        return (
            session.execute(
                select(Indicator.id)
                .join(Period, Period.id == Indicator.period_id)
                .join(
                    IndicatorRollup,
                    (IndicatorRollup.indicator_id == Indicator.id) & (IndicatorRollup.period_id == Period.id),
                )
                .where(
                    Indicator.owner_person_id == person,
                    Period.code == str(YEAR),
                    IndicatorRollup.status.in_(("at_risk", "off_track")),
                )
                .order_by(IndicatorRollup.gap.desc())
            )
            .scalars()
            .first()
        )


def _overflow(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def test_the_owner_explains_a_lagging_indicator(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    store = Store.connect(live_server.database_url)
    try:
        indicator = _lagging_owned(store, DEMO_USERNAMES["staff"])
    finally:
        store.dispose()
    assert indicator is not None, "the demo's staff member owns a lagging indicator"
    base = live_server.url
    owner = new_page(1366, 900)
    log_in(owner, base, DEMO_USERNAMES["staff"])
    switch_language(owner, base, "en", f"/indicator/{indicator}?period={YEAR}")
    expect(owner.locator("#indicator-title")).to_be_visible(timeout=PATIENCE_MS)
    expect(owner.locator("#indicator-analysis")).to_contain_text("No analysis written", timeout=PATIENCE_MS)
    owner.click("#analysis-open")
    expect(owner.locator("#analysis-modal")).to_be_visible(timeout=PATIENCE_MS)
    owner.fill("#analysis-what", "Hai tháng liền không nhập được số liệu từ phần mềm một cửa.")
    owner.fill("#analysis-why", "Phần mềm một cửa mất kết nối với cơ sở dữ liệu của Sở")
    owner.fill("#analysis-next", "Sửa kết nối trước 15/12, nhập bù số liệu tháng 10 và 11.")
    owner.click("#analysis-save")
    expect(owner.locator("#analysis-message")).to_contain_text("Analysis saved", timeout=PATIENCE_MS)
    # The live body shows it without a reload (the write bumped the data version).
    expect(owner.locator("#indicator-analysis")).to_contain_text("mất kết nối", timeout=PATIENCE_MS)
    expect(owner.locator("#indicator-analysis")).to_contain_text(DEMO_USERNAMES["staff"])

    owner.goto(f"{base}/lagging?period={YEAR}")
    row = owner.locator(f'#lagging-grid .ag-row[row-id="{indicator}"]')
    expect(row).to_contain_text("Phần mềm một cửa mất kết nối", timeout=PATIENCE_MS)
    for width in WIDTHS:
        owner.set_viewport_size({"width": width, "height": 900})
        owner.goto(f"{base}/indicator/{indicator}?period={YEAR}")
        expect(owner.locator("#indicator-analysis")).to_contain_text("mất kết nối", timeout=PATIENCE_MS)
        expect(owner.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=PATIENCE_MS)
        settled(owner)
        screenshot(owner, f"insight-indicator-{width}")
        assert _overflow(owner) <= 1, width  # nothing wider than the screen, a phone's included
    owner.screenshot(path=str(ARTIFACTS / "insight-indicator-full.png"), full_page=True)


def test_the_alignment_tree_shows_the_city_objective_and_the_ward_serving_it(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    store = Store.connect(live_server.database_url)
    try:
        with store.read() as session:
            ward = session.execute(select(OrgUnit.name).where(OrgUnit.code == "W00070")).scalar_one()
    finally:
        store.dispose()
    base = live_server.url
    leader = new_page(1920, 1080)
    log_in(leader, base, DEMO_USERNAMES["city_leader"])
    switch_language(leader, base, "en", f"/plan/alignment?period={YEAR}")
    digital = leader.locator("#alignment-roots > li.alignment-item").filter(has_text="Nghị quyết 57-NQ/TW").first
    expect(digital).to_be_visible(timeout=PATIENCE_MS)
    expect(leader.locator("#alignment-unsupported")).to_contain_text("Xây dựng đô thị thông minh")
    digital.locator(".alignment-toggle").first.click()
    expect(digital).to_contain_text(ward, timeout=PATIENCE_MS)
    ward_item = digital.locator("li.alignment-item").filter(has_text=ward).first
    expect(ward_item).to_contain_text("Đẩy mạnh chuyển đổi số")
    ward_item.locator(".alignment-toggle").first.click()  # the ward's own key results and its divisions
    expect(ward_item.locator(".alignment-krs").first).to_be_visible(timeout=PATIENCE_MS)
    settled(leader)
    score = ward_item.locator(".alignment-figures .fw-semibold").first
    before = score.inner_text()
    # A value entered in the ward (its e-signature share back at the baseline) moves the tree within 5 s.
    store = Store.connect(live_server.database_url)
    try:
        with store.write() as session:
            signed = session.execute(
                select(Indicator.id)
                .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
                .join(Period, Period.id == Indicator.period_id)
                .where(OrgUnit.code == "W00070", Indicator.code == "KYSO", Period.year == YEAR)
            ).scalar_one()
            session.add(Measurement(indicator_id=signed, value=80, measured_on=TEST_TODAY, status="approved"))
    finally:
        store.dispose()
    expect(score).not_to_have_text(before, timeout=5_000)
    for width in WIDTHS:
        leader.set_viewport_size({"width": width, "height": 1000})
        settled(leader)
        screenshot(leader, f"insight-alignment-{width}")
        assert _overflow(leader) <= 1, width


def test_an_action_plans_milestones_show_on_a_timeline(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    store = Store.connect(live_server.database_url)
    try:
        leader = viewer_of(store, DEMO_USERNAMES["ward_leader"])
        with store.read() as session:
            plan = session.execute(
                select(Indicator.id)
                .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
                .join(Period, Period.id == Indicator.period_id)
                .where(OrgUnit.code == "W00070", Indicator.code == "DVC-TT", Period.year == YEAR)
            ).scalar_one()
        steps = [
            ("Khảo sát hiện trạng", date(YEAR, 3, 31), date(YEAR, 3, 25)),
            ("Chuẩn hoá quy trình", date(YEAR, 6, 30), date(YEAR, 7, 20)),
            ("Kết nối cổng dịch vụ công", date(YEAR, 9, 30), None),
            ("Vận hành toàn trình", date(YEAR, 12, 15), None),
        ]
        for title, due, done in steps:
            state = milestones.add_milestone(store, viewer=leader, indicator_id=plan, title=title, due_on=due)
            if done:
                milestones.mark_done(
                    store, viewer=leader, milestone_id=state.milestone_id, version=state.version, done_on=done
                )
    finally:
        store.dispose()
    page = new_page(1366, 1000)
    log_in(page, live_server.url, DEMO_USERNAMES["ward_leader"])
    switch_language(page, live_server.url, "en", f"/indicator/{plan}?period={YEAR}")
    expect(page.locator("#milestones-count")).to_have_text("2 of 4 milestones done", timeout=PATIENCE_MS)
    expect(page.locator("#milestones-timeline .main-svg").first).to_be_visible(timeout=PATIENCE_MS)
    # The ward leader marks the third one done from the form; progress follows (3 of 4).
    page.click("#milestone-open")
    expect(page.locator("#milestone-modal")).to_be_visible(timeout=PATIENCE_MS)
    page.locator("#milestone-choice").click()
    page.get_by_role("option", name="3. Kết nối cổng dịch vụ công").click()
    expect(page.locator("#milestone-title")).to_have_value("Kết nối cổng dịch vụ công", timeout=PATIENCE_MS)
    page.fill("#milestone-done", TEST_TODAY.isoformat())
    page.click("#milestone-save")
    expect(page.locator("#milestones-count")).to_have_text("3 of 4 milestones done", timeout=PATIENCE_MS)
    settled(page)
    screenshot(page, "insight-milestones-1366")
    page.screenshot(path=str(ARTIFACTS / "insight-milestones-full.png"), full_page=True)

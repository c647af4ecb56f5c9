"""Plan authoring in the browser (pilot seed): the city leader writes a city objective from Resolution
57 with two key results and a trajectory and adopts it; the Hoàn Kiếm ward leader aligns a ward
objective to it and submits; the city leader approves; the new indicators count with "no data"; a value
entered in the ward moves the city objective in the alignment tree within 5 s; a
target change request approved shows both targets on the indicator page; next year's plan is copied.
Screenshots of /plan at 390, 1366 and 1920 px."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from data_access.commands import measurements
from data_access.db import Store
from data_access.models import Indicator, OrgUnit, Period
from domain.periods import periods_of_year
from tests.browser.conftest import PATIENCE_MS, LiveServer, choose, log_in, screenshot, settled
from tests.conftest import TEST_TODAY
from tests.support.viewers import viewer_of

pytestmark = pytest.mark.browser

YEAR = str(TEST_TODAY.year)
CITY_OBJECTIVE = "Đột phá phát triển khoa học, công nghệ và chuyển đổi số"
WARD_OBJECTIVE = "Chuyển đổi số phường Hoàn Kiếm"


def _prepare(database_url: str) -> dict[str, int]:
    """The ids the journey opens, and next year's periods (the pilot seed holds this year and last)."""
    store = Store.connect(database_url)
    try:
        with store.write() as session:
            year = TEST_TODAY.year + 1
            for period in periods_of_year(year):
                session.add(
                    Period(
                        code=period.code,
                        kind=period.kind.value,
                        year=year,
                        number=period.number,
                        start_date=period.start,
                        end_date=period.end,
                        locked=False,
                        grace_days=10,
                    )
                )
            units = dict(
                session.execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(["HN", "W00070"]))).all()
            )
        return {"city": units["HN"], "ward": units["W00070"]}
    finally:
        store.dispose()


def _indicator_id(database_url: str, name: str) -> int:
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            return session.execute(select(Indicator.id).where(Indicator.name == name)).scalar_one()
    finally:
        store.dispose()


def _enter_value(database_url: str, name: str, value: str) -> None:
    """The Hoàn Kiếm ward leader enters the value (the command the entry page calls); where the ward wants
    values approved, the city leader approves it (four eyes)."""
    store = Store.connect(database_url)
    try:
        indicator = _indicator_id(database_url, name)
        state = measurements.enter_value(
            store,
            viewer=viewer_of(store, "lanhdao.hoankiem"),
            indicator_id=indicator,
            value=value,
            measured_on=TEST_TODAY,
        )
        if state.status != "approved":
            measurements.approve(
                store,
                viewer=viewer_of(store, "lanhdao.thanhpho"),
                measurement_id=state.measurement_id,
                version=state.version,
            )
    finally:
        store.dispose()


def _key_result(page, name: str, baseline: str, target: str, weight: str, helper: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.fill("#plan-kr-name", name)
    page.fill("#plan-kr-uom", "%")
    page.fill("#plan-kr-baseline", baseline)
    page.fill("#plan-kr-target", target)
    page.fill("#plan-kr-weight", weight)
    page.select_option("#plan-kr-frequency", "quarterly")
    page.click(helper)
    expect(page.locator("#plan-kr-trajectory")).to_have_value(re.compile(rf"{YEAR}-12-31 {target}$"))
    page.click("#plan-kr-save")
    expect(page.locator(".plan-done")).to_contain_text("Đã lưu kết quả then chốt")


def test_a_plan_from_the_city_to_a_ward_approved_changed_and_copied(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    ids = _prepare(live_server.database_url)
    base = live_server.url
    errors: list[str] = []

    # --- the city leader writes the city objective and its two key results, and adopts the plan
    city = new_page(1366, 900)
    city.on("pageerror", lambda error: errors.append(str(error)))
    log_in(city, base, "lanhdao.thanhpho")
    city.locator("#pulse-navbar").get_by_role(
        "button", name="Mục tiêu", exact=True
    ).click()  # the navbar's menu of plans and their alignment
    city.locator(".dropdown-menu.show").get_by_role("link", name="Kế hoạch", exact=True).click()
    expect(city.locator("h1")).to_contain_text(f"Kế hoạch năm {YEAR}")
    settled(city)
    city.fill("#plan-obj-title", CITY_OBJECTIVE)
    city.select_option("#plan-obj-kind", "resolution")
    city.fill("#plan-obj-ref", "Nghị quyết 57-NQ/TW")
    city.click("#plan-obj-save")
    expect(city.locator(".plan-done")).to_contain_text("Đã lưu mục tiêu")
    # The seeded city objectives are there too: the new one is among them.
    expect(city.locator(".plan-objective").filter(has_text=CITY_OBJECTIVE)).to_have_count(1)
    settled(city)
    city.select_option("#plan-kr-objective", label=CITY_OBJECTIVE)
    _key_result(city, "Tỷ lệ hồ sơ trực tuyến toàn trình", "60", "90", "60", "#plan-kr-line")
    settled(city)
    city.select_option("#plan-kr-pick", "new")
    expect(city.locator("#plan-kr-name")).to_have_value("")
    city.select_option("#plan-kr-objective", label=CITY_OBJECTIVE)
    _key_result(city, "Tỷ lệ dịch vụ công thanh toán trực tuyến", "40", "80", "40", "#plan-kr-back")
    expect(city.locator(".plan-kr")).to_have_count(2)
    settled(city)
    city.click("#plan-submit")
    expect(city.locator("#plan-status")).to_have_text("Đã trình")
    settled(city)
    city.click("#plan-approve")  # the city has no level above: its leader adopts its own plan
    expect(city.locator("#plan-status")).to_have_text("Đã phê duyệt")
    screenshot(city, "plan-city-1366")

    # --- the ward leader aligns a ward objective to it and submits
    ward = new_page(1366, 900)
    ward.on("pageerror", lambda error: errors.append(str(error)))
    log_in(ward, base, "lanhdao.hoankiem")
    ward.goto(f"{base}/plan")
    expect(ward.locator("h1")).to_contain_text("Hoàn Kiếm")
    settled(ward)
    ward.fill("#plan-obj-title", WARD_OBJECTIVE)
    ward.select_option("#plan-obj-kind", "resolution")
    ward.fill("#plan-obj-ref", "Nghị quyết 57-NQ/TW")
    choose(ward, "#plan-obj-parent", "Đột phá", f"{CITY_OBJECTIVE} (Nghị quyết 57-NQ/TW)", exact=False)
    ward.click("#plan-obj-save")
    expect(ward.locator(".plan-done")).to_contain_text("Đã lưu mục tiêu")
    expect(ward.locator(".plan-aligned").filter(has_text=CITY_OBJECTIVE)).to_have_count(
        1
    )  # among the seeded alignments
    settled(ward)
    ward.select_option("#plan-kr-objective", label=WARD_OBJECTIVE)
    _key_result(ward, "Hồ sơ trực tuyến của phường", "50", "85", "100", "#plan-kr-line")
    expect(ward.locator("#plan-status")).to_have_text("Nháp")  # amending the approved plan
    settled(ward)
    ward.click("#plan-submit")
    expect(ward.locator("#plan-status")).to_have_text("Đã trình")
    expect(ward.locator("#plan-decide-area")).to_be_hidden()  # a ward leader never approves its own

    # --- the city leader approves the ward's plan; the new indicators count, with no data yet
    city.goto(f"{base}/plan/{ids['ward']}?period={YEAR}")
    expect(city.locator("#plan-status")).to_have_text("Đã trình")
    settled(city)
    city.click("#plan-approve")
    expect(city.locator("#plan-status")).to_have_text("Đã phê duyệt")
    city.goto(f"{base}/unit/{ids['city']}?period={YEAR}")
    expect(city.locator("body")).to_contain_text("Tỷ lệ hồ sơ trực tuyến toàn trình")
    expect(city.locator("body")).to_contain_text("Chưa có số liệu")

    # --- a ward official enters a value: the city objective's progress moves in the tree within 5 s
    city.goto(f"{base}/plan/alignment?period={YEAR}")
    root = city.locator("#alignment-roots > li.alignment-item").filter(has_text=CITY_OBJECTIVE).first
    expect(root).to_be_visible(timeout=PATIENCE_MS)
    settled(city)
    score = root.locator(".alignment-figures .fw-semibold").first
    before = score.inner_text()
    _enter_value(live_server.database_url, "Hồ sơ trực tuyến của phường", "60")
    expect(score).not_to_have_text(before, timeout=5_000)
    expect(score).to_have_text("29%")  # (60 - 50) / (85 - 50): the ward's only key result, the city's only value

    # --- a target change: asked by the ward, approved by the city; the indicator shows both targets
    ward.reload()
    settled(ward)
    ward.select_option("#plan-cr-indicator", label="Hồ sơ trực tuyến của phường")
    ward.fill("#plan-cr-target", "90")
    ward.fill("#plan-cr-reason", "Thành phố giao bổ sung chỉ tiêu")
    ward.click("#plan-cr-send")
    expect(ward.locator(".plan-done")).to_contain_text("Đã gửi đề nghị điều chỉnh")
    city.goto(f"{base}/plan/{ids['ward']}?period={YEAR}")
    expect(city.locator(".plan-change")).to_contain_text("Thành phố giao bổ sung chỉ tiêu")
    settled(city)
    city.get_by_role("button", name="Đồng ý điều chỉnh").click()
    expect(city.locator(".plan-done")).to_contain_text("Đã đồng ý điều chỉnh")
    indicator = _indicator_id(live_server.database_url, "Hồ sơ trực tuyến của phường")
    ward.goto(f"{base}/indicator/{indicator}?period={YEAR}")
    expect(ward.locator(".indicator-target-revision")).to_have_count(2)
    expect(ward.locator("#indicator-targets")).to_contain_text("chỉ tiêu 85")
    expect(ward.locator("#indicator-targets")).to_contain_text("chỉ tiêu 90")
    settled(ward)  # the page's callbacks done: nothing redraws the card while it is scrolled to
    ward.locator("#indicator-targets").scroll_into_view_if_needed()
    screenshot(ward, "plan-indicator-targets")

    # --- next year's plan, copied as a draft
    ward.goto(f"{base}/plan")
    settled(ward)
    ward.click("#plan-copy")
    expect(ward.locator(".plan-done")).to_contain_text(f"Đã sao chép sang năm {TEST_TODAY.year + 1}")
    ward.goto(f"{base}/plan/{ids['ward']}?period={TEST_TODAY.year + 1}")
    expect(ward.locator("#plan-status")).to_have_text("Nháp")
    expect(ward.locator(".plan-objective").first).to_be_visible()
    expect(ward.locator("body")).to_contain_text("Sao chép từ kế hoạch năm trước")

    # --- /plan at three widths; on a phone the forms stack and nothing overflows. The journey's pages are
    # closed first: each open page polls for live changes, and the shared server answers them all.
    city.close()
    ward.close()
    for width, height in ((390, 844), (1366, 900), (1920, 1080)):
        page = new_page(width, height)
        log_in(page, base, "lanhdao.hoankiem")
        page.goto(f"{base}/plan")
        expect(page.locator(".plan-objective").first).to_be_visible()
        settled(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (width, overflow)
        screenshot(page, f"plan-{width}")
        if width == 390:  # the forms stack on a phone
            page.locator(".plan-kr-form").scroll_into_view_if_needed()
            screenshot(page, "plan-390-forms")
        page.close()
    assert not errors, errors

"""Publication to citizens in the browser (pilot seed): the Hoàn Kiếm ward head asks to publish an indicator
to the public from its page; it is not public yet; the city leader approves it; an anonymous phone (390 px)
and laptop (1366 px) find it on /public by typing the ward's name without accents; the ward head lowers it
and it is gone at once. Screenshots of /public at 390, 1366 and 1920 px and of the publication card."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_access.db import Store
from data_access.models import Indicator, OrgUnit
from tests.browser.conftest import LiveServer, log_in, screenshot, settled

pytestmark = pytest.mark.browser

HOAN_KIEM = "W00070"
E_SIGNED = "Tỷ lệ văn bản điện tử có ký số"  # KYSO: not published to the public by the demo


def _indicator(database_url: str) -> int:
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            return session.execute(
                select(Indicator.id)
                .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
                .where(OrgUnit.code == HOAN_KIEM, Indicator.code == "KYSO", Indicator.published.is_(True))
                .order_by(Indicator.period_id.desc())
                .limit(1)
            ).scalar_one()
    finally:
        store.dispose()


def _open_card(page, base: str, indicator_id: int) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(f"{base}/indicator/{indicator_id}")
    expect(page.locator("#indicator-title")).to_be_visible()
    settled(page)
    expect(page.locator("#publication-area")).to_be_visible()
    expect(page.locator(".publication-now")).to_be_visible()
    settled(page)
    # Scrolled by the page itself: Playwright's scroll waits for the element to stop moving, which a long
    # phone page that is still laying out its grids may not do within the patience on a loaded machine.
    page.locator("#publication-area").evaluate("element => element.scrollIntoView()")


def _serious_accessibility_problems(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical violations on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _ward_on_public(page, base: str):  # type: ignore[no-untyped-def]
    """/public searched for the ward as a citizen types it (no accents); the ward's block."""
    from playwright.sync_api import expect

    page.goto(f"{base}/public?q=hoan+kiem")
    ward = page.locator(f'details.public-ward[data-code="{HOAN_KIEM}"]')
    expect(ward).to_be_visible()
    return ward


def test_a_ward_publishes_the_city_approves_citizens_see_it_until_it_is_lowered(
    new_page, live_server: LiveServer
) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    indicator_id = _indicator(live_server.database_url)
    base = live_server.url
    errors: list[str] = []

    # --- the ward head asks for publication to the public
    head = new_page(1366, 900)
    head.on("pageerror", lambda error: errors.append(str(error)))
    log_in(head, base, "lanhdao.hoankiem")
    _open_card(head, base, indicator_id)
    expect(head.locator(".publication-now")).to_contain_text("Mọi cấp trên")
    head.select_option("#publication-level", "public")
    head.click("#publication-apply")
    expect(head.locator(".publication-done")).to_contain_text("Đã đề nghị công khai")
    expect(head.locator(".publication-pending")).to_be_visible()
    expect(head.locator("#publication-approve")).to_be_hidden()  # not the head's to approve
    screenshot(head, "publication-card-1366")

    citizen_phone = new_page(390, 844)
    citizen_phone.on("pageerror", lambda error: errors.append(str(error)))
    expect(_ward_on_public(citizen_phone, base)).not_to_contain_text(E_SIGNED)  # not before the approval

    # --- the city leader approves
    leader = new_page(1920, 1080)
    leader.on("pageerror", lambda error: errors.append(str(error)))
    log_in(leader, base, "lanhdao.thanhpho")
    _open_card(leader, base, indicator_id)
    expect(leader.locator(".publication-pending")).to_be_visible()
    screenshot(leader, "publication-card-1920")
    leader.click("#publication-approve")
    expect(leader.locator(".publication-done")).to_contain_text("Đã phê duyệt")
    expect(leader.locator(".publication-now")).to_contain_text("Người dân")

    # --- anonymous citizens find it, on a phone and on a laptop
    ward = _ward_on_public(citizen_phone, base)
    expect(ward).to_contain_text(E_SIGNED)
    expect(citizen_phone.locator("#public-licence")).to_contain_text("CC BY 4.0")
    ward.get_by_text(E_SIGNED).scroll_into_view_if_needed()
    screenshot(citizen_phone, "public-390-search")
    citizen_phone.goto(f"{base}/public")
    expect(citizen_phone.locator("#public-city-cards")).to_be_visible()
    screenshot(citizen_phone, "public-390")
    assert _serious_accessibility_problems(citizen_phone) == []
    # no page is wider than the phone (no sideways scrolling)
    assert citizen_phone.evaluate("document.documentElement.scrollWidth") <= 390

    laptop = new_page(1366, 900)
    laptop.on("pageerror", lambda error: errors.append(str(error)))
    expect(_ward_on_public(laptop, base)).to_contain_text(E_SIGNED)
    screenshot(laptop, "public-1366-search")
    assert _serious_accessibility_problems(laptop) == []  # the searched page, its ward opened
    laptop.goto(f"{base}/public")
    expect(laptop.locator("#public-city-cards")).to_be_visible()
    screenshot(laptop, "public-1366")

    wide = new_page(1920, 1080)
    wide.goto(f"{base}/public?lang=en")
    expect(wide.locator("#public-title")).to_contain_text("Public indicators")
    screenshot(wide, "public-1920")

    # --- the ward head lowers it: gone at once
    _open_card(head, base, indicator_id)
    head.select_option("#publication-level", "parent")
    head.click("#publication-apply")
    expect(head.locator(".publication-done")).to_contain_text("Đã thu hẹp")
    expect(_ward_on_public(laptop, base)).not_to_contain_text(E_SIGNED)
    expect(_ward_on_public(citizen_phone, base)).not_to_contain_text(E_SIGNED)

    phone_head = new_page(390, 844)
    log_in(phone_head, base, "lanhdao.hoankiem")
    _open_card(phone_head, base, indicator_id)
    screenshot(phone_head, "publication-card-390")
    assert not errors

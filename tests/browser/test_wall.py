"""The meeting-room wall as the room sees it: every slide fills the screen, text is legible from 5 m at
1080p and 4K in both themes, the cursor hides, F goes fullscreen; screenshots of every slide."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_access.db import Store
from data_access.models import OrgUnit
from tests.browser.conftest import LiveServer, log_in, screenshot, settled, wait_until

pytestmark = pytest.mark.browser

# What each slide shows once drawn (a selector unique to it).
SLIDES = {
    "overview": "#present-cards",
    "lagging": "#present-lagging",
    "rankings": "#present-rankings",
    "unit": "#present-cards",
}

# Sizes of the text and the space the slide's content spans, measured in the page.
_MEASURE = """() => {
    const vh = window.innerHeight;
    let smallest = 1e9, smallestInTable = 1e9, top = 1e9, bottom = 0;
    document.querySelectorAll('#present-root *').forEach(el => {
        if (el.closest('.present-hidden-controls')) { return; }
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) { return; }
        const ownText = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
        if (ownText) {
            const size = parseFloat(getComputedStyle(el).fontSize);
            smallest = Math.min(smallest, size);
            if (el.closest('table')) { smallestInTable = Math.min(smallestInTable, size); }
        }
        if (el.closest('#present-slide') && (ownText || el.children.length === 0)) {
            top = Math.min(top, box.top);
            bottom = Math.max(bottom, box.bottom);
        }
    });
    const title = document.getElementById('present-title').getBoundingClientRect();
    const footer = document.querySelector('#present-root .present-footer').getBoundingClientRect();
    return {vh, smallest, smallestInTable, span: (bottom - title.top) / vh, bottom, footerTop: footer.top};
}"""


def _ward_id(database_url: str) -> int:
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            return session.execute(select(OrgUnit.id).where(OrgUnit.name == "Phường Hoàn Kiếm")).scalar_one()
    finally:
        store.dispose()


def _open_slide(page, base: str, slide: str, theme: str, ward: int) -> None:  # type: ignore[no-untyped-def]
    name = f"unit:{ward}" if slide == "unit" else slide
    page.goto(f"{base}/present?slides={name}&interval=600&theme={theme}&period=2026")
    page.wait_for_selector(SLIDES[slide])
    settled(page)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_every_slide_is_legible_and_fills_the_screen(
    new_page, live_server: LiveServer, width: int, height: int
) -> None:  # type: ignore[no-untyped-def]
    page = new_page(width, height)
    log_in(page, live_server.url, "manhinh.phonghop")
    ward = _ward_id(live_server.database_url)
    for theme in ("dark", "light"):
        for slide in SLIDES:
            _open_slide(page, live_server.url, slide, theme, ward)
            screenshot(page, f"wall-{slide}-{theme}-{width}x{height}")
            seen = page.evaluate(_MEASURE)
            where = (slide, theme, width, seen)
            assert seen["smallest"] >= 0.033 * height, where  # no text below 3.3 % of the height
            if slide == "lagging":
                assert seen["smallestInTable"] >= 36 * height / 1080, where  # table text >= 36 px at 1080p
            assert seen["span"] >= 0.85, where  # no empty half: the content reaches down to the footer
            assert seen["bottom"] <= seen["footerTop"] + 1, where  # and nothing runs under it


def test_slides_say_what_they_show(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page(1366, 768)
    log_in(page, live_server.url, "manhinh.phonghop")
    ward = _ward_id(live_server.database_url)
    _open_slide(page, live_server.url, "unit", "dark", ward)
    assert page.inner_text("#present-title").startswith("Phường Hoàn Kiếm")  # titled with the unit's name
    cards = page.inner_text("#present-cards")
    assert "trên" in cards  # every count has its denominator ("69 trên 148")
    assert page.query_selector_all("#present-score-chart .present-col-expected")  # score against expected
    screenshot(page, "wall-unit-dark-1366x768")
    for slide in ("overview", "lagging", "rankings"):
        _open_slide(page, live_server.url, slide, "dark", ward)
        screenshot(page, f"wall-{slide}-dark-1366x768")
    headers = page.inner_text("#present-rankings .present-rank-header >> nth=0")
    assert "Phường" in headers or "phường" in headers
    bars = page.query_selector_all("#present-rankings .present-rank-fill")
    assert len(bars) == 4  # a bar for each of the city's four units (two wards, a department, a party board)
    _open_slide(page, live_server.url, "lagging", "dark", ward)
    assert [h.inner_text() for h in page.query_selector_all("#present-lagging th")][:3] == [
        "Chỉ số",
        "Đơn vị",
        "Tiến độ",
    ]
    as_of = page.inner_text(".present-as-of")
    assert any(str(year) in as_of for year in range(2020, 2100))  # a four-digit year


def test_the_cursor_hides_and_f_toggles_fullscreen(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.clock.install()
    log_in(page, live_server.url, "manhinh.phonghop")
    page.goto(f"{live_server.url}/present?slides=overview&interval=600")
    page.wait_for_selector("#present-cards")
    page.mouse.move(400, 400)
    assert "wall-idle" not in (page.get_attribute("html", "class") or "")
    page.clock.run_for(3_500)  # the mouse rests 3 s
    wait_until(lambda: "wall-idle" in (page.get_attribute("html", "class") or ""))
    page.mouse.move(500, 500)
    wait_until(lambda: "wall-idle" not in (page.get_attribute("html", "class") or ""))
    page.keyboard.press("f")
    wait_until(lambda: page.evaluate("document.fullscreenElement !== null"))
    page.keyboard.press("f")
    wait_until(lambda: page.evaluate("document.fullscreenElement === null"))

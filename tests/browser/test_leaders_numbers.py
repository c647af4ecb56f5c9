"""A director's numbers explain themselves: the score beside what was expected by now, the monthly line
beside the expected line, "at risk" and "off track" in words that open the list filtered by that status,
the units that need support compared within their kind, and a definition behind every figure's "i"."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, log_in, screenshot, settled, switch_language, wait_until

pytestmark = pytest.mark.browser


def _figures(text: str) -> list[int]:
    return [int(re.sub(r"\D", "", f)) for f in re.findall(r"\d[\d.]*", text)]


def test_director_sees_expected_and_opens_the_filtered_lagging_list(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    log_in(page, live_server.url, "lanhdao.thanhpho")
    page.goto(f"{live_server.url}/?period=2026")
    page.wait_for_selector("#overview-score")
    settled(page)
    score_card = page.inner_text("#overview-score")
    assert re.search(r"Mức cần đạt đến nay: \d+\s?%", score_card), score_card

    # The monthly score line carries the expected line beside it, named in the legend.
    wait_until(lambda: page.query_selector_all("#overview-trend .scatterlayer .trace") != [])
    assert len(page.query_selector_all("#overview-trend .scatterlayer .trace")) == 2
    assert "Mức cần đạt" in (page.text_content("#overview-trend .legend") or "")

    # Both numbers in words, each a link.
    words = page.inner_text("#overview-lagging-count")
    assert re.search(r"\d[\d.]* có nguy cơ, \d[\d.]* chậm tiến độ", words), words
    at_risk = _figures(page.inner_text("#overview-at-risk"))[0]

    for width, height in ((1920, 1080), (1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        screenshot(page, f"leaders-overview-{width}")
    page.set_viewport_size({"width": 1366, "height": 768})

    # A definition on keyboard focus (the info icon is a button).
    page.focus("#overview-score-info")
    tip = page.wait_for_selector(".tooltip")
    assert "trung bình có trọng số" in tip.inner_text()
    assert page.get_attribute("#overview-score-info", "aria-label")

    # Units that need support are grouped by kind.
    headings = [h.inner_text() for h in page.query_selector_all("#overview-support h3")]
    assert headings and len(set(headings)) == len(headings), headings
    page.locator("#overview-score-info").blur()  # the tooltip goes with the focus
    page.wait_for_selector(".tooltip", state="detached")
    page.locator("#overview-support").scroll_into_view_if_needed()
    screenshot(page, "leaders-overview-support-1366")

    page.click("#overview-at-risk")
    page.wait_for_url(re.compile(r"/lagging\?period=2026&status=at_risk"))
    page.wait_for_selector("#lagging-grid .ag-row .ag-cell[col-id='status']")

    def only_at_risk() -> bool:
        cells = page.query_selector_all("#lagging-grid .ag-center-cols-container .ag-cell[col-id='status']")
        return bool(cells) and all(c.inner_text() == "Có nguy cơ" for c in cells)

    wait_until(only_at_risk)
    # The pager counts the filtered rows: as many as the card said.
    wait_until(lambda: f"{at_risk:,}".replace(",", ".") in page.inner_text("#lagging-grid .ag-paging-panel"))
    screenshot(page, "leaders-lagging-at-risk")


def test_unit_page_shows_expected_baselines_and_definitions(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    log_in(page, live_server.url, "lanhdao.thanhpho")
    page.goto(f"{live_server.url}/?period=2026")
    page.click("a:has-text('Phường Hoàn Kiếm')")
    page.wait_for_selector("#unit-title:has-text('Phường Hoàn Kiếm')")
    settled(page)
    assert re.search(r"Mức cần đạt đến nay: \d+\s?%", page.inner_text("#unit-score"))
    words = page.inner_text("#unit-lagging-count")
    assert re.search(r"\d[\d.]* có nguy cơ, \d[\d.]* chậm tiến độ", words), words
    assert "status=off_track" in (page.get_attribute("#unit-off-track", "href") or "")
    assert "unit=" in (page.get_attribute("#unit-off-track", "href") or "")
    # Progress says what it is made of: "87,1 trên 95,0 % từ giá trị gốc 70,0 = 68%".
    cells = [c.inner_text() for c in page.query_selector_all(".unit-progress")]
    assert cells and any(re.search(r"trên .* từ giá trị gốc .* = \d+\s?%", c) for c in cells), cells[:5]
    page.focus("#unit-progress-info-0")
    assert "giá trị gốc" in page.wait_for_selector(".tooltip").inner_text()
    page.locator("#unit-progress-info-0").blur()
    page.wait_for_selector(".tooltip", state="detached")
    for width, height in ((1920, 1080), (1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        screenshot(page, f"leaders-unit-{width}")
    page.locator(".unit-progress >> nth=0").scroll_into_view_if_needed()
    screenshot(page, "leaders-unit-objectives-390")


def test_rankings_say_what_was_expected(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    log_in(page, live_server.url, "lanhdao.thanhpho")
    page.goto(f"{live_server.url}/rankings?period=2026")
    page.wait_for_selector("#rankings-ward .ag-row .ag-cell[col-id='against']")
    settled(page)
    expected = int(re.findall(r"\d+", page.inner_text("#rankings-expected"))[0])
    assert "Mức cần đạt đến nay" in page.inner_text("#rankings-expected")
    scores = page.query_selector_all("#rankings-ward .ag-row[row-index='0'] .ag-cell[col-id='score']")
    against = page.query_selector_all("#rankings-ward .ag-row[row-index='0'] .ag-cell[col-id='against']")
    score, gap = (float(c[0].inner_text().replace(",", ".")) for c in (scores, against))
    assert abs(score - gap - expected) <= 1  # the gap is the score minus what was expected (rounded)
    for width, height in ((1920, 1080), (1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        screenshot(page, f"leaders-rankings-{width}")


@pytest.mark.parametrize(
    ("code", "expected", "words"),
    [
        ("en", r"Expected by now: \d+%", r"\d[\d,]* at risk, \d[\d,]* off track"),
        ("fr", r"Attendu à ce jour : \d+\s?%", r"\d[\d\s\u202f]* à risque, \d[\d\s\u202f]* en retard"),
    ],
)
def test_the_overview_explains_itself_in_english_and_french(  # type: ignore[no-untyped-def]
    new_page, live_server: LiveServer, code: str, expected: str, words: str
) -> None:
    page = new_page()
    log_in(page, live_server.url, "lanhdao.thanhpho")
    switch_language(page, live_server.url, code, then="/?period=2026")
    page.wait_for_selector("#overview-score")
    assert re.search(expected, page.inner_text("#overview-score")), page.inner_text("#overview-score")
    assert re.search(words, page.inner_text("#overview-lagging-count")), page.inner_text("#overview-lagging-count")
    page.focus("#overview-lagging-count-info")
    assert page.wait_for_selector(".tooltip").inner_text().strip()


def test_person_page_shows_progress_with_its_baseline(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    log_in(page, live_server.url, "lanhdao.thanhpho")
    page.goto(f"{live_server.url}/?period=2026")
    owner = page.wait_for_selector("#overview-lagging-table .ag-row[row-index='0'] .ag-cell[col-id='owner'] a")
    owner.click()
    page.wait_for_selector("#person-title")
    cells = [c.inner_text() for c in page.query_selector_all(".person-progress")]
    assert cells and all("=" in c and "Mức cần đạt đến nay" in c for c in cells), cells
    for width, height in ((1920, 1080), (1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        page.locator(".person-progress >> nth=0").scroll_into_view_if_needed()
        screenshot(page, f"leaders-person-{width}")

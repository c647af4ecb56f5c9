"""Third-party widgets speak the user's language: Plotly's months ("thg 11/2026") and menus, AG Grid's pager,
the 404 page; chart labels are never cut and the sunburst's colours have a legend."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, log_in, screenshot, settled, switch_language, wait_until

pytestmark = pytest.mark.browser


def _ticks(page, graph: str, axis: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.text_content() or "" for t in page.query_selector_all(f"#{graph} .{axis}tick text")]


def _cut_labels(page, graph: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The y-axis labels of a chart that start left of the chart's own box (cut off)."""
    left = page.query_selector(f"#{graph} .main-svg").bounding_box()["x"]
    return [
        label.text_content() or ""
        for label in page.query_selector_all(f"#{graph} .ytick text")
        if label.bounding_box()["x"] < left - 0.5
    ]


def test_overview_charts_speak_vietnamese_and_french(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page(1366, 768)
    log_in(page, live_server.url, "lanhdao.thanhpho")
    page.goto(f"{live_server.url}/?period=2026")
    page.wait_for_selector("#overview-trend .xtick text")
    settled(page)
    wait_until(lambda: any(re.fullmatch(r"thg \d{1,2}/2026", t) for t in _ticks(page, "overview-trend", "x")))
    assert all(not re.search(r"[A-Z][a-z]{2}", t) for t in _ticks(page, "overview-trend", "x"))  # no "Nov"
    # Plotly's menu in Vietnamese.
    page.hover("#overview-trend")
    assert page.get_attribute("#overview-trend .modebar-btn[data-title]", "data-title") in (
        "Tải biểu đồ về dạng PNG",
        "Phóng to vùng",
        "Kéo",
    )
    # Status names whole; the sunburst's colours explained.
    assert _cut_labels(page, "overview-statuses") == []
    assert "Chậm tiến độ" in " ".join(
        t.text_content() or "" for t in page.query_selector_all("#overview-statuses .ytick text")
    )
    assert page.inner_text("#overview-tree-legend").count("%") >= 4
    for width, height in ((1366, 768), (1920, 1080), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_selector("#overview-trend .xtick text")
        screenshot(page, f"overview-language-vi-{width}")

    page.set_viewport_size({"width": 1366, "height": 768})
    switch_language(page, live_server.url, "fr", then="/?period=2026")
    page.wait_for_selector("#overview-trend .xtick text")
    settled(page)
    wait_until(
        lambda: any(
            re.fullmatch(r"(Jan|Fév|Mar|Avr|Mai|Jun|Jul|Aoû|Sep|Oct|Nov|Déc) 2026", t)
            for t in _ticks(page, "overview-trend", "x")
        )
    )
    page.hover("#overview-trend")
    titles = [
        b.get_attribute("data-title") for b in page.query_selector_all("#overview-trend .modebar-btn[data-title]")
    ]
    assert "Télécharger le graphique en fichier PNG" in titles

    # AG Grid's pager in French; the numbers with a decimal comma.
    page.goto(f"{live_server.url}/lagging?period=2026")
    page.wait_for_selector("#lagging-grid .ag-row .ag-cell[col-id='indicator'] a")
    paging = page.inner_text("#lagging-grid .ag-paging-panel")
    assert "Page" in paging and "Page 1 of" not in paging
    assert "," in page.inner_text("#lagging-grid .ag-row[row-index='0'] .ag-cell[col-id='progress']")

    # An address no page answers: a translated page with the way back.
    page.goto(f"{live_server.url}/no-such-page")
    page.wait_for_selector("#not-found-title")
    assert page.inner_text("#not-found-title") == "Page introuvable"
    switch_language(page, live_server.url, "vi", then="/no-such-page")
    page.wait_for_selector("#not-found-title")
    assert page.inner_text("#not-found-title") == "Không tìm thấy trang"
    screenshot(page, "not-found-vi-1366")

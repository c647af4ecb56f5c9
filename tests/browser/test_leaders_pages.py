"""The leader pages touched for issue 14 at 390, 1366 and 1920 px: rankings say what "change" compares with,
the unit page never pairs "at risk" with a plain "on course", and the indicator page breaks an indicator down
by the units below when it exists there too."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from data_access.db import Store
from data_access.models import Indicator, OrgUnit
from tests.browser.conftest import LiveServer, log_in, screenshot, settled

pytestmark = pytest.mark.browser

SIZES = ((1366, 768), (1920, 1080), (390, 844))


def _shots(page, name: str, ready: str) -> None:  # type: ignore[no-untyped-def]
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_selector(ready)
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1366, "height": 768})


def _indicator_with_units_below(database_url: str) -> tuple[int, set[str]]:
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            below, below_unit, unit = aliased(Indicator), aliased(OrgUnit), aliased(OrgUnit)
            rows = session.execute(
                select(Indicator.id, below_unit.name)
                .join(unit, unit.id == Indicator.unit_id)
                .join(below, (below.code == Indicator.code) & (below.period_id == Indicator.period_id))
                .join(below_unit, below_unit.id == below.unit_id)
                .where(below.id != Indicator.id, below_unit.path.startswith(unit.path), unit.kind == "ward")
                .order_by(Indicator.id)
            ).all()
    finally:
        store.dispose()
    assert rows, "the pilot has an indicator that a ward and its divisions share"
    first = rows[0][0]
    return first, {name for indicator_id, name in rows if indicator_id == first}


def test_rankings_unit_and_indicator_pages_explain_themselves(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    indicator_id, units_below = _indicator_with_units_below(live_server.database_url)
    page = new_page(1366, 768)
    log_in(page, live_server.url, "lanhdao.thanhpho")

    page.goto(f"{live_server.url}/rankings?period=2026")
    page.wait_for_selector("#rankings-ward .ag-header-cell[col-id='change']")
    settled(page)
    header = page.inner_text("#rankings-ward .ag-header-cell[col-id='change']")
    assert "Thay đổi so với cùng kỳ năm trước (điểm)" in " ".join(header.split())
    _shots(page, "rankings", "#rankings-ward .ag-row")

    page.goto(f"{live_server.url}/indicator/{indicator_id}?period=2026")
    page.wait_for_selector("#indicator-breakdown")
    settled(page)
    shown = {a.inner_text() for a in page.query_selector_all("#indicator-breakdown tbody tr td:first-child a")}
    assert shown == units_below
    page.locator("#indicator-breakdown").scroll_into_view_if_needed()
    _shots(page, "indicator-breakdown", "#indicator-breakdown")

    page.click("#indicator-breakdown tbody tr td:first-child a >> nth=0")
    page.wait_for_selector("#indicator-title")
    page.goto(f"{live_server.url}/?period=2026")
    page.click("a:has-text('Phường Hoàn Kiếm')")
    page.wait_for_selector("#unit-title:has-text('Phường Hoàn Kiếm')")
    settled(page)
    for row in page.query_selector_all("table tr"):
        text = row.inner_text()
        if "Có nguy cơ" in text or "Chậm tiến độ" in text:
            assert "đúng hướng" not in text.split("\t"), text  # never "at risk" beside a plain "on course"
    _shots(page, "unit-ward", "#unit-title")

"""A position's KPIs and the plan's Excel in the browser (pilot seed): the technology division's
manager gives the specialist their position's KPI from /plan, sees it in the plan as a draft key
result, and downloads the plan as Excel with Vietnamese headers; the administrator sees the position's
KPIs on /admin/positions. Screenshots of both pages at 390, 1366 and 1920 px."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_access.commands import position_kpis
from data_access.db import Store
from data_access.models import OrgUnit, Person, Position, User
from domain.position_kpis import TemplateDraft
from tests.browser.conftest import LiveServer, choose, log_in, screenshot, settled
from tests.conftest import TEST_TODAY
from tests.support.viewers import viewer_of

pytestmark = pytest.mark.browser

YEAR = str(TEST_TODAY.year)
KPI = "Tỷ lệ hồ sơ giải quyết đúng hạn"


def _prepare(database_url: str) -> dict[str, object]:
    """The specialist's position gets one KPI template (as the administrator would add it)."""
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            person = session.execute(
                select(Person).join(User, User.person_id == Person.id).where(User.username == "chuyenvien.khcn")
            ).scalar_one()
            position = session.get(Position, person.position_id)
            unit = session.get(OrgUnit, person.unit_id)
            assert position is not None and unit is not None
            found = {"person": person.full_name, "unit": person.unit_id, "unit_name": unit.name}
            found |= {"position": position.id, "position_name": position.name}
        draft = TemplateDraft(code="KPI-HS", name=KPI, unit_of_measure="%", baseline=85, target=98, weight=100)
        position_kpis.add_template(store, viewer=viewer_of(store, "admin"), position_id=position.id, draft=draft)
        return found
    finally:
        store.dispose()


def test_the_manager_gives_the_position_kpi_and_downloads_the_plan(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    found = _prepare(live_server.database_url)
    base = live_server.url
    errors: list[str] = []
    page = new_page(1366, 900)
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, base, "truongphong.khcn")
    page.goto(f"{base}/plan/{found['unit']}?period={YEAR}")
    settled(page)
    expect(page.locator(".plan-give-form")).to_be_visible()
    page.locator("#plan-give-person").click()
    page.keyboard.type(str(found["person"]).split()[-1])
    page.keyboard.press("Enter")
    page.click("#plan-give-go")
    expect(page.locator(".plan-done")).to_contain_text("Đã thêm 1 KPI")
    kept = page.locator(".plan-objective", has_text="Nhiệm vụ theo vị trí việc làm")
    expect(kept).to_contain_text(KPI)
    settled(page)
    for width in (390, 1366, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"plan-position-kpis-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator(".plan-give-form").scroll_into_view_if_needed()
    screenshot(page, "plan-give-form-1366")

    page.evaluate("window.scrollTo(0, 0)")
    with page.expect_download() as caught:
        page.click("#plan-export")
    download = caught.value
    assert download.suggested_filename == f"pulse-plan-{found['unit']}-{YEAR}.xlsx"
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames == ["Mục tiêu", "Kết quả then chốt", "Lộ trình"]
    rows = [[c.value for c in row] for row in book["Kết quả then chốt"].iter_rows(min_row=2)]
    assert [(r[2], r[5], r[6]) for r in rows if r[2] == KPI] == [(KPI, 85, 98)]

    # The administrator sees the position's KPIs beside the position's form.
    admin = new_page(1366, 900)
    admin.on("pageerror", lambda error: errors.append(str(error)))
    log_in(admin, base, "admin")
    admin.goto(f"{base}/admin/positions")
    settled(admin)
    choose(admin, "#admin-positions-unit", str(found["unit_name"]), str(found["unit_name"]))
    settled(admin)
    admin.locator(".admin-positions-grid .ag-row", has_text=str(found["position_name"])).first.click()
    expect(admin.locator(".admin-positions-kpis")).to_contain_text(KPI)
    settled(admin)
    admin.locator(".admin-positions-kpis").scroll_into_view_if_needed()
    for width in (390, 1366, 1920):
        admin.set_viewport_size({"width": width, "height": 900})
        admin.locator(".admin-positions-kpis").scroll_into_view_if_needed()
        screenshot(admin, f"admin-position-kpis-{width}")
    assert not errors, errors

"""Every leader page passes axe-core in Chromium with no serious or critical violation, in the light and the
dark colour scheme, and the navbar's texts contrast at least 4.5:1 with its background."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import ARTIFACTS, LiveServer, log_in, screenshot, settled
from tests.support.leader_pages import leader_pages

pytestmark = pytest.mark.browser

SERIOUS = ("serious", "critical")


def _serious(results) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS:
            nodes = [f"{node['target']}: {node.get('failureSummary', '')[:160]}" for node in violation["nodes"][:4]]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {nodes}")
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_leader_pages_have_no_serious_accessibility_violation(new_page, live_server: LiveServer, scheme: str) -> None:  # type: ignore[no-untyped-def]
    pages = leader_pages(live_server.database_url)
    page = new_page(1366, 768)
    page.emulate_media(color_scheme=scheme)
    log_in(page, live_server.url, "lanhdao.thanhpho")
    axe = Axe()
    problems: dict[str, list[str]] = {}
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector("#_pages_content h1")
        settled(page)
        if name == "lagging":  # the grid's rows arrive after its header
            page.wait_for_selector("#lagging-grid .ag-row .ag-cell[col-id='indicator'] a")
        found = _serious(axe.run(page))
        if found:
            problems[name] = found
            screenshot(page, f"axe-{scheme}-{name}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{scheme}.json").write_text(json.dumps(problems, ensure_ascii=False, indent=1))
    assert problems == {}


def test_navbar_texts_contrast_at_least_4_5_to_1(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = new_page(1366, 768)
    log_in(page, live_server.url, "lanhdao.thanhpho")
    page.goto(f"{live_server.url}/lagging?period=2026")
    page.wait_for_selector("#_pages_content h1")
    settled(page)
    results = Axe().run(page, context="#pulse-navbar", options={"runOnly": ["color-contrast"]})
    assert results.response["violations"] == []
    checked = results.response.get("passes", [])
    assert checked  # the rule did look at the navbar's texts

"""No page scrolls sideways from 360 px up (issue 15): every page of dash.page_registry that a ward leader
and a ward official may open, the parameterised ones with demo ids, at 360, 390, 820, 1024 and 1366 px.
The failure lists each page, width and what sticks out."""

from __future__ import annotations

import dash
import pytest
from sqlalchemy import select

from data_access.db import Store
from data_access.models import Evaluation, Indicator, OrgUnit, Task, User
from server.security import page_allows
from tests.browser.conftest import LiveServer, log_in, settled

# Layout only: the same pages at the same widths on either database (run on SQLite only).
pytestmark = [pytest.mark.browser, pytest.mark.backend_independent]

WIDTHS = (360, 390, 820, 1024, 1366)
WORKERS = {"lanhdao.hoankiem": ("leader", "ward"), "canbo.hoankiem": ("staff", "division")}


def _demo_ids(database_url: str, username: str) -> dict[str, int]:
    """An id of each parameterised page the user may see: their person, a task of theirs, their ward's unit,
    an indicator and an evaluation under it."""
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            user = session.execute(select(User).where(User.username == username)).scalar_one()
            scope = session.get(OrgUnit, user.scope_unit_id)
            assert scope is not None
            under = select(OrgUnit.id).where(OrgUnit.path.startswith(scope.path))
            ids = {
                "person_id": user.person_id,
                "unit_id": scope.id,
                "indicator_id": session.execute(
                    select(Indicator.id).where(Indicator.unit_id.in_(under)).order_by(Indicator.id)
                ).scalar(),
                "task_id": session.execute(
                    select(Task.id).where(Task.assignee_unit_id.in_(under)).order_by(Task.id)
                ).scalar(),
                "evaluation_id": session.execute(
                    select(Evaluation.id).where(Evaluation.unit_id.in_(under)).order_by(Evaluation.id)
                ).scalar(),
            }
    finally:
        store.dispose()
    return {k: v for k, v in ids.items() if v is not None}


def _paths(role: str, scope_kind: str, ids: dict[str, int]) -> list[str]:
    from app import create_app
    from tests.integration.conftest import make_settings

    if not dash.page_registry:
        create_app(make_settings("sqlite://"))
    paths = []
    for page in dash.page_registry.values():
        if not page_allows(page, role, scope_kind):
            continue
        template = page.get("path_template") or page["path"]
        if "<" in template:
            key = template.split("<", 1)[1].split(">", 1)[0]
            if key not in ids:
                continue
            template = template.replace(f"<{key}>", str(ids[key]))
        paths.append(template)
    return sorted(paths)


@pytest.mark.parametrize("username", sorted(WORKERS))
def test_no_page_scrolls_sideways(new_page, live_server: LiveServer, username: str) -> None:  # type: ignore[no-untyped-def]
    role, scope_kind = WORKERS[username]
    paths = _paths(role, scope_kind, _demo_ids(live_server.database_url, username))
    assert "/work" in paths and any(p.startswith("/person/") for p in paths)
    page = new_page(WIDTHS[0], 800)
    log_in(page, live_server.url, username)
    wide: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_selector("#pulse-navbar")
            settled(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                culprits = page.evaluate(
                    """() => Array.from(document.querySelectorAll('body *'))
                        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                        .slice(0, 3).map(e => e.tagName + '.' + String(e.className).slice(0, 40))"""
                )
                wide.append(f"{path} @ {width}px: +{overflow}px {culprits}")
    assert not wide, "\n".join(wide)

"""The "Reorganise from a date" panel of /admin/units posted as the browser does, on the pilot store:
two wards merged on January 1 answer in Vietnamese, the merged ward's page says what it became with
a link, and the new ward's page lists the wards it was formed from with links to their history."""

from __future__ import annotations

import json
from typing import Any

import dash
import pytest
from flask import Flask
from sqlalchemy import select

from data_access.models import OrgUnit, Period, UnitRollup, UnitSuccession
from data_access.queries import admin as queries
from tests.integration.test_admin_pages import body, logged_in, post
from tests.support.viewers import viewer_of

HOAN_KIEM, TU_LIEM = "W00070", "W00592"


def _reorganise_spec(app: dash.Dash) -> tuple[str, dict[str, Any]]:
    return next(
        (k, v) for k, v in app.callback_map.items() if any(i["id"] == "admin-units-reorganise" for i in v["inputs"])
    )


def _unit_page(server: Flask, username: str, unit_id: int, period: str) -> str:
    client = logged_in(server, username)
    app: dash.Dash = server.extensions["pulse"]["dash"]
    key, spec = next((k, v) for k, v in app.callback_map.items() if k.startswith("unit-body."))
    values = {"pulse-live-version": 1, "unit-period": period, "unit-id": str(unit_id)}
    response = post(client, body(key, spec, values))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json(), ensure_ascii=False)


def _last_year(store: Any) -> list[tuple[Any, ...]]:
    """Every unit's rollup of last year and its quarters and months, as it is now."""
    with store.read() as db:
        rows = db.execute(
            select(UnitRollup).join(Period, Period.id == UnitRollup.period_id).where(Period.year == 2025)
        ).scalars()
        return sorted(tuple(getattr(r, c.key) for c in UnitRollup.__table__.columns) for r in rows)


def test_two_wards_merged_from_the_panel_link_each_other(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    client = logged_in(server, "admin")
    admin = viewer_of(store, "admin")
    with store.read() as db:
        ward, other = (
            db.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one() for code in (HOAN_KIEM, TU_LIEM)
        )
        version = next(n.version for n in queries.unit_tree(db, viewer=admin) if n.id == ward)
    key, spec = _reorganise_spec(app)
    last_year = _last_year(store)
    assert last_year, "the pilot store has last year's periods"
    values = {
        "admin-units-selected": {"id": ward, "version": version},
        "admin-units-reorg-kind": "merge",
        "admin-units-reorg-with": [other],
        "admin-units-reorg-name": "Phường Hoàn Kiếm mới",
        "admin-units-reorg-date": "2026-01-01",
    }
    # No date: a message saying what to fix, nothing written.
    answer = post(client, body(key, spec, values | {"admin-units-reorg-date": ""}))
    assert "chọn ngày thay đổi có hiệu lực" in json.dumps(answer.get_json(), ensure_ascii=False)
    with store.read() as db:
        assert db.execute(select(UnitSuccession)).first() is None

    answer = post(client, body(key, spec, values))
    text = json.dumps(answer.get_json(), ensure_ascii=False)
    assert "Đã hợp nhất thành đơn vị mới từ ngày" in text, text[:400]
    with store.read() as db:
        merged = db.execute(select(OrgUnit).where(OrgUnit.name == "Phường Hoàn Kiếm mới")).scalar_one()
        old_name = db.get(OrgUnit, ward).name  # type: ignore[union-attr]
    assert f"/unit/{merged.id}" in text
    # Last year's figures of every unit, the city's and the merged wards' included, did not move
    # (the new units have empty rows for it: they did not exist then).
    # Floats compared to the last bits: a parent sums its children in whatever order the store returns them.
    known = {row[0] for row in last_year}
    after = [row for row in _last_year(store) if row[0] in known]
    assert after == [
        tuple(pytest.approx(v, abs=1e-12) if isinstance(v, float) else v for v in row) for row in last_year
    ]

    closed_page = _unit_page(server, "lanhdao.thanhpho", ward, "2025")
    assert "Đã hợp nhất vào" in closed_page and f"/unit/{merged.id}?period=2026" in closed_page
    new_page = _unit_page(server, "lanhdao.thanhpho", merged.id, "2026")
    assert "Thành lập ngày" in new_page and old_name in new_page
    assert f"/unit/{ward}?period=2025" in new_page and f"/unit/{other}?period=2025" in new_page

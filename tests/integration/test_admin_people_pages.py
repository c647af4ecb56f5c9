"""/admin/positions and /admin/people through their callbacks, posted as the browser would: a position and
a person created, the person moved with a date, the grid's block searched without accents and sorted on
the server; stale versions get the conflict message, forged ids and sorts are refused and nothing is written.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import dash
from flask import Flask
from sqlalchemy import func, select

from data_access.commands import admin_units as units
from data_access.models import AuditEntry, OrgUnit, Person, PersonPlacement, Position
from tests.conftest import DEMO_PASSWORD, TEST_TODAY
from tests.integration.test_admin_pages import body, logged_in, post
from tests.support.login import login
from tests.support.viewers import viewer_of

HOAN_KIEM = "W00070"
TU_LIEM = "W00592"
PERSON = {
    "admin-people-full-name": "  Lê   Văn Hùng ",
    "admin-people-gender": "male",
    "admin-people-birth-date": "1988-07-09",
    "admin-people-citizen-id": "001088000777",  # 001 Hanoi, 0: a man born in the 1900s, 88
    "admin-people-servant-code": "hn-int-01",
    "admin-people-rank": "01.003",
    "admin-people-email": "hung.le@hanoi.gov.vn",
    "admin-people-phone": "0987 654 321",
    "admin-people-start-date": "2019-03-01",
}


def spec(app: dash.Dash, output_start: str) -> tuple[str, dict[str, Any]]:
    return next((k, v) for k, v in app.callback_map.items() if k.lstrip(".").startswith(output_start))


def text_of(response: Any) -> str:
    return json.dumps(response.get_json(), ensure_ascii=False)


def unit_id(server: Flask, code: str) -> int:
    with server.extensions["pulse"]["store"].read() as db:
        return db.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def test_positions_and_a_person_created_and_moved_through_the_callbacks(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    client = logged_in(server, "admin")
    division = units.create_unit(
        store, viewer=viewer_of(store, "admin"), parent_id=unit_id(server, HOAN_KIEM), kind="division", name="Phòng Số"
    ).unit_id
    key, position_spec = spec(app, "admin-positions-message.children")
    made = []
    for name, code, leader in (("Trưởng phòng Số", "TP", True), ("Chuyên viên dữ liệu", "CVDL", False)):
        values = {
            "admin-positions-unit": division,
            "admin-positions-name": name,
            "admin-positions-code": code,
            "admin-positions-group": "chuyen_vien_du_lieu",
            "admin-positions-criteria": "default",
            "admin-positions-leader": leader,
        }
        response = post(client, body(key, position_spec, values, trigger="admin-positions-create.n_clicks"))
        assert "Đã tạo vị trí việc làm" in text_of(response)
        made.append(code)
    # The same code again: a message in Vietnamese, nothing written.
    response = post(client, body(key, position_spec, values, trigger="admin-positions-create.n_clicks"))
    assert "đã dùng mã này" in text_of(response)
    with store.read() as db:
        positions = {p.code: p for p in db.execute(select(Position).where(Position.unit_id == division)).scalars()}
    assert sorted(positions) == sorted(made) and positions["TP"].is_leader
    # The grid lists them, leader first.
    grid_key, grid_spec = spec(app, "admin-positions-grid.rowData")
    rows = post(client, body(grid_key, grid_spec, {"admin-positions-unit": division})).get_json()
    listed = rows["response"]["admin-positions-grid"]["rowData"]
    assert [r["code"] for r in listed] == ["TP", "CVDL"]

    # A person in the new division, as the form sends them.
    person_key, person_spec = spec(app, "admin-people-message.children")
    values = {**PERSON, "admin-people-unit": division, "admin-people-position": positions["CVDL"].id}
    response = post(client, body(person_key, person_spec, values, trigger="admin-people-create.n_clicks"))
    assert "Đã thêm Lê Văn Hùng" in text_of(response)
    with store.read() as db:
        person = db.execute(select(Person).where(Person.citizen_id == "001088000777")).scalar_one()
    assert (person.unit_id, person.position_id, person.full_name) == (division, positions["CVDL"].id, "Lê Văn Hùng")

    # Found without accents, through the grid's block request.
    fetch_key, fetch_spec = spec(app, "admin-people-grid.getRowsResponse")
    request = {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "full_name", "sort": "asc"}], "filterModel": {}}
    block = post(
        client, body(fetch_key, fetch_spec, {"admin-people-grid": request, "admin-people-search": "le van hung"})
    ).get_json()["response"]
    assert [r["full_name"] for r in block["admin-people-grid"]["getRowsResponse"]["rowData"]] == ["Lê Văn Hùng"]
    assert "1 người" in block["admin-people-count"]["children"]

    # Moved to Từ Liêm from the first of this month.
    other = unit_id(server, TU_LIEM)
    effective = TEST_TODAY.replace(day=1)
    move = {
        "admin-people-selected": {"id": person.id, "version": person.version},
        "admin-people-move-unit": other,
        "admin-people-move-position": None,
        "admin-people-move-date": effective.isoformat(),
    }
    response = post(client, body(person_key, person_spec, move, trigger="admin-people-move.n_clicks"))
    assert "Đã điều động" in text_of(response)
    with store.read() as db:
        placements = db.execute(
            select(PersonPlacement.unit_id, PersonPlacement.valid_to)
            .where(PersonPlacement.person_id == person.id)
            .order_by(PersonPlacement.valid_from)
        ).all()
    assert [tuple(p) for p in placements] == [(division, effective - timedelta(days=1)), (other, None)]
    # The same page again (its version is stale now): the conflict message, nothing moves.
    move["admin-people-move-unit"] = division
    response = post(client, body(person_key, person_spec, move, trigger="admin-people-move.n_clicks"))
    assert "tải lại trang" in text_of(response).lower()
    with store.read() as db:
        assert db.get(Person, person.id).unit_id == other  # type: ignore[union-attr]


def test_forged_sorts_blocks_and_units_get_an_empty_block(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    client = server.test_client()
    # The pilot's unit administrator of Phường Hoàn Kiếm: the ward's people only.
    assert login(client, "quantri.hoankiem", DEMO_PASSWORD).status_code == 302
    client.get("/")
    fetch_key, fetch_spec = spec(app, "admin-people-grid.getRowsResponse")
    good = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
    block = post(client, body(fetch_key, fetch_spec, {"admin-people-grid": good})).get_json()["response"]
    assert block["admin-people-grid"]["getRowsResponse"]["rowCount"] > 0
    forged = [
        {**good, "sortModel": [{"colId": "password_hash", "sort": "asc"}]},
        {**good, "endRow": 10**6},
        {**good, "startRow": -1},
        "not a request",
    ]
    for request in forged:
        response = post(client, body(fetch_key, fetch_spec, {"admin-people-grid": request}))
        assert response.get_json()["response"]["admin-people-grid"]["getRowsResponse"] == {"rowData": [], "rowCount": 0}
    with store.read() as db:
        before = db.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.outcome == "denied")
        ).scalar_one()
    # Another ward's unit as the filter: nothing of it comes back, and the refusal is audited.
    response = post(
        client,
        body(fetch_key, fetch_spec, {"admin-people-grid": good, "admin-people-unit-filter": unit_id(server, TU_LIEM)}),
    )
    assert response.get_json()["response"]["admin-people-grid"]["getRowsResponse"]["rowCount"] == 0
    # A forged person of another ward in the form: refused, audited, not filled in.
    with store.read() as db:
        stranger = db.execute(
            select(Person.id, Person.full_name, Person.version)
            .join(OrgUnit, OrgUnit.id == Person.unit_id)
            .where(OrgUnit.path.like(f"%/{unit_id(server, TU_LIEM)}/%"))
            .limit(1)
        ).one()
    fill_key, fill_spec = spec(app, "admin-people-form-title.children")
    response = post(client, body(fill_key, fill_spec, {"admin-people-selected": {"id": stranger.id}}))
    assert stranger.full_name not in text_of(response)
    person_key, person_spec = spec(app, "admin-people-message.children")
    values = {**PERSON, "admin-people-selected": {"id": stranger.id, "version": stranger.version}}
    response = post(client, body(person_key, person_spec, values, trigger="admin-people-save.n_clicks"))
    assert "không được phép" in text_of(response).lower() or "not allowed" in text_of(response).lower()
    with store.read() as db:
        after = db.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.outcome == "denied")
        ).scalar_one()
        assert db.get(Person, stranger.id).full_name == stranger.full_name  # type: ignore[union-attr]
    assert after >= before + 2

"""A position's KPIs through the callbacks, posted as the browser would: the administrator adds one to
the specialist's position on /admin/positions (a wrong one gets a message in Vietnamese, nothing
written), the division's manager gives it to the specialist from /plan (once: the second time says
nothing new), and the Hoan Kiem leader posting the division's ids is refused and audited."""

from __future__ import annotations

import json
from typing import Any

import dash
from flask import Flask
from sqlalchemy import func, select

from data_access.models import AuditEntry, Indicator, Person, Position, PositionKpiTemplate, User
from tests.conftest import TEST_TODAY
from tests.integration.test_admin_pages import body, logged_in, post

YEAR = str(TEST_TODAY.year)
KPI = {
    "admin-positions-kpi-pick": "new",
    "admin-positions-kpi-code": "kpi-hs",
    "admin-positions-kpi-name": "Hồ sơ giải quyết đúng hạn",
    "admin-positions-kpi-uom": "%",
    "admin-positions-kpi-direction": "increase",
    "admin-positions-kpi-frequency": "monthly",
    "admin-positions-kpi-baseline": 80,
    "admin-positions-kpi-target": 95,
    "admin-positions-kpi-weight": 100,
}


def spec(app: dash.Dash, output_start: str) -> tuple[str, dict[str, Any]]:
    return next((k, v) for k, v in app.callback_map.items() if k.lstrip(".").startswith(output_start))


def text_of(response: Any) -> str:
    return json.dumps(response.get_json(), ensure_ascii=False)


def specialist(server: Flask) -> Person:
    with server.extensions["pulse"]["store"].read() as db:
        person = db.execute(
            select(Person).join(User, User.person_id == Person.id).where(User.username == "chuyenvien.khcn")
        ).scalar_one()
        db.expunge(person)
        return person


def test_a_kpi_added_to_the_position_is_given_from_the_plan_once(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    person = specialist(server)
    with store.read() as db:
        position = db.get(Position, person.position_id)
        assert position is not None
        selected = {"id": position.id, "version": position.version}

    admin = logged_in(server, "admin")
    key, act = spec(app, "admin-positions-kpi-message.children")
    wrong = {**KPI, "admin-positions-kpi-target": 50}
    response = post(
        admin,
        body(key, act, {**wrong, "admin-positions-selected": selected}, trigger="admin-positions-kpi-save.n_clicks"),
    )
    assert "chỉ tiêu phải lớn hơn giá trị gốc" in text_of(response)
    response = post(
        admin,
        body(key, act, {**KPI, "admin-positions-selected": selected}, trigger="admin-positions-kpi-save.n_clicks"),
    )
    assert "Đã thêm KPI cho vị trí việc làm" in text_of(response)
    with store.read() as db:
        templates = (
            db.execute(select(PositionKpiTemplate).where(PositionKpiTemplate.position_id == position.id))
            .scalars()
            .all()
        )
        assert [(t.code, t.target) for t in templates] == [("KPI-HS", 95)]
    list_key, render = spec(app, "admin-positions-kpi-card.style")
    listed = text_of(post(admin, body(list_key, render, {"admin-positions-selected": selected})))
    assert "Hồ sơ giải quyết đúng hạn" in listed

    manager = logged_in(server, "truongphong.khcn")
    give_key, give = next(
        (k, v)
        for k, v in app.callback_map.items()
        if "plan-message" in k and any(i["id"] == "plan-give-go" for i in v["inputs"])
    )
    state = {"plan": None, "version": None, "unit": person.unit_id, "year": YEAR}
    values = {"plan-give-person": person.id, "plan-give-objective": None, "plan-state": state, "plan-refresh": 0}
    response = post(manager, body(give_key, give, values))
    assert "Đã thêm 1 KPI" in text_of(response), text_of(response)
    response = post(manager, body(give_key, give, values))
    assert "Không có gì mới" in text_of(response)
    with store.read() as db:
        given = (
            db.execute(
                select(Indicator).where(Indicator.owner_person_id == person.id, Indicator.template_id.is_not(None))
            )
            .scalars()
            .all()
        )
    assert [(i.name, i.published) for i in given] == [("Hồ sơ giải quyết đúng hạn", False)]

    # The Hoan Kiem leader with the division's ids: refused (in Vietnamese), audited, nothing given.
    ward_leader = logged_in(server, "lanhdao.hoankiem")
    with store.read() as db:
        leader_id = db.execute(select(User.id).where(User.username == "lanhdao.hoankiem")).scalar_one()

        def refusals() -> int:
            return db.execute(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.user_id == leader_id, AuditEntry.outcome == "denied")
            ).scalar_one()

        before = refusals()
    response = post(ward_leader, body(give_key, give, values))
    assert "không được phép" in text_of(response).lower()
    with store.read() as db:
        after = db.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.user_id == leader_id, AuditEntry.outcome == "denied")
        ).scalar_one()
    assert after == before + 1

"""The plan page's callbacks, posted as the browser would and as a forger might: the page opens for
leaders and managers (and /plan sits in their menu), ids outside the viewer's scope are refused and
audited with nothing written, forged values get an answer and never a server error, and an objective
saved through the form lands in the plan with a message in Vietnamese."""

from __future__ import annotations

import json
from typing import Any

import dash
import pytest
from flask import Flask
from sqlalchemy import func, select

from data_access.models import AuditEntry, Objective, OrgUnit, Plan, User
from tests.conftest import TEST_TODAY
from tests.integration.test_admin_pages import body, logged_in, post, shell_text

YEAR = str(TEST_TODAY.year)
HOAN_KIEM, TU_LIEM = "W00070", "W00592"


def plan_callbacks(app: dash.Dash) -> list[tuple[str, dict[str, Any]]]:
    found = [(k, v) for k, v in app.callback_map.items() if "plan-" in k and "callback" in v]
    assert len(found) >= 8, [k for k, _ in found]
    return found


def spec(app: dash.Dash, output_start: str) -> tuple[str, dict[str, Any]]:
    found = [(k, v) for k, v in app.callback_map.items() if k.lstrip(".").startswith(output_start)]
    assert found, [k[:60] for k in app.callback_map if "plan" in k]
    return found[0]


def ids(server: Flask) -> dict[str, int]:
    store = server.extensions["pulse"]["store"]
    with store.read() as db:
        units = dict(db.execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_([HOAN_KIEM, TU_LIEM]))).all())
        user = db.execute(select(User.id).where(User.username == "lanhdao.hoankiem")).scalar_one()
    return {"ward": units[HOAN_KIEM], "other": units[TU_LIEM], "ward_leader": user}


def denied(server: Flask, user_id: int) -> int:
    with server.extensions["pulse"]["store"].read() as db:
        return db.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.user_id == user_id, AuditEntry.outcome == "denied")
        ).scalar_one()


def test_leaders_and_managers_open_the_plan_and_see_it_in_their_menu(server: Flask) -> None:
    for username in ("lanhdao.thanhpho", "lanhdao.hoankiem", "truongphong.khcn"):
        client = logged_in(server, username)
        assert client.get("/plan").status_code == 200
        assert '"href": "/plan"' in shell_text(client)
    staff = logged_in(server, "chuyenvien.khcn")
    assert '"href": "/plan"' not in shell_text(staff)


def test_another_wards_plan_is_refused_and_audited(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    known = ids(server)
    client = logged_in(server, "lanhdao.hoankiem")
    before = denied(server, known["ward_leader"])
    key, render = spec(app, "plan-body.children")
    response = post(client, body(key, render, {"plan-ctx": {"unit": known["other"], "period": YEAR}}))
    text = json.dumps(response.get_json(), ensure_ascii=False)
    assert response.status_code == 200 and "plan-objective" not in text and "plan-status" not in text
    # The objective form posted with the other ward's id in the page state: refused, audited, nothing written.
    key, save = next((k, v) for k, v in app.callback_map.items() if "plan-obj-pick.value" in k and "plan-message" in k)
    state = {"plan": None, "version": None, "unit": known["other"], "year": YEAR}
    values = {
        "plan-obj-pick": "new",
        "plan-obj-title": "Mục tiêu giả",
        "plan-obj-kind": "resolution",
        "plan-obj-weight": 1,
        "plan-state": state,
    }
    response = post(client, body(key, save, values, trigger="plan-obj-save.n_clicks"))
    assert response.status_code == 200
    with server.extensions["pulse"]["store"].read() as db:
        assert (
            db.execute(
                select(func.count()).select_from(Objective).where(Objective.title == "Mục tiêu giả")
            ).scalar_one()
            == 0
        )
        own_plan = db.execute(
            select(Plan.id, Plan.version).where(Plan.unit_id == known["ward"]).order_by(Plan.id.desc()).limit(1)
        ).one()
    # Approving its own plan (forged click on a hidden button): refused and audited.
    key, move = spec(app, "plan-message.children")
    state = {"plan": own_plan.id, "version": own_plan.version, "unit": known["ward"], "year": YEAR}
    response = post(client, body(key, move, {"plan-state": state}, trigger="plan-approve.n_clicks"))
    assert response.status_code == 200
    assert "không được phép" in json.dumps(response.get_json(), ensure_ascii=False).lower()
    assert denied(server, known["ward_leader"]) >= before + 3


@pytest.mark.parametrize("forged", [None, "1; DROP TABLE users", {"id": "x"}, [1, 2], -5, 10**12, True, "9999999"])
def test_forged_values_get_an_answer_never_an_error(server: Flask, forged: Any) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    client = logged_in(server, "lanhdao.hoankiem")
    for key, callback_spec in plan_callbacks(app):
        values = {
            entry["id"]: forged
            for entry in callback_spec.get("inputs", []) + callback_spec.get("state", [])
            if isinstance(entry["id"], str) and not entry["id"].startswith("{") and entry["property"] != "n_clicks"
        }
        response = post(client, body(key, callback_spec, values))
        assert response.status_code in (200, 204), (key, forged, response.status_code, response.get_data()[:300])


def test_an_objective_saved_through_the_form_lands_in_the_plan(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    known = ids(server)
    client = logged_in(server, "lanhdao.hoankiem")
    key, save = next((k, v) for k, v in app.callback_map.items() if "plan-obj-pick.value" in k and "plan-message" in k)
    state = {"plan": None, "version": None, "unit": known["ward"], "year": YEAR}
    values = {
        "plan-obj-pick": "new",
        "plan-obj-title": "Số hóa hồ sơ phường",
        "plan-obj-kind": "key_task",
        "plan-obj-ref": "KH 01/KH-UBND",
        "plan-obj-weight": 2,
        "plan-state": state,
    }
    response = post(client, body(key, save, values, trigger="plan-obj-save.n_clicks"))
    text = json.dumps(response.get_json(), ensure_ascii=False)
    assert "Đã lưu mục tiêu" in text, text[:400]
    with server.extensions["pulse"]["store"].read() as db:
        made = db.execute(select(Objective).where(Objective.title == "Số hóa hồ sơ phường")).scalar_one()
        assert made.unit_id == known["ward"] and not made.published and made.weight == 2
    # A weight that is not a number: a message, nothing written.
    values |= {"plan-obj-title": "Không có trọng số", "plan-obj-weight": "abc"}
    response = post(client, body(key, save, values, trigger="plan-obj-save.n_clicks"))
    assert "Trọng số" in json.dumps(response.get_json(), ensure_ascii=False)


def test_the_plan_downloads_as_excel_in_vietnamese_and_another_wards_is_refused(server: Flask) -> None:
    import base64
    import io

    from openpyxl import load_workbook

    app: dash.Dash = server.extensions["pulse"]["dash"]
    known = ids(server)
    client = logged_in(server, "lanhdao.hoankiem")
    key, export = spec(app, "plan-download.data")
    response = post(client, body(key, export, {"plan-ctx": {"unit": known["ward"], "period": YEAR}}))
    download = response.get_json()["response"]["plan-download"]["data"]
    assert download["filename"] == f"pulse-plan-{known['ward']}-{YEAR}.xlsx" and download["base64"]
    book = load_workbook(io.BytesIO(base64.b64decode(download["content"])))
    assert book.sheetnames == ["Mục tiêu", "Kết quả then chốt", "Lộ trình"]
    assert book["Mục tiêu"]["B2"].value == "Mục tiêu"
    # Another ward's plan: no file, a refusal in Vietnamese, audited.
    before = denied(server, known["ward_leader"])
    response = post(client, body(key, export, {"plan-ctx": {"unit": known["other"], "period": YEAR}}))
    text = json.dumps(response.get_json(), ensure_ascii=False)
    assert "plan-download" not in response.get_json()["response"] and "không được phép" in text.lower()
    assert denied(server, known["ward_leader"]) == before + 1

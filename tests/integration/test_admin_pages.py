"""The administration pages deny by default: every /admin route and every admin callback refuses
anonymous clients, staff, managers, leaders and the meeting-room screen (refusals audited); the
administrator gets the pages and their callbacks work when posted directly, forged input included.
"""

from __future__ import annotations

import json
from typing import Any

import dash
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from data_access.models import AuditEntry, OrgUnit, User
from data_access.queries import admin as queries
from tests.support.login import csrf_header, login
from tests.support.viewers import viewer_of

REFUSED = [
    "chuyenvien.khcn",
    "canbo.hoankiem",
    "truongphong.khcn",
    "quanly.thanhpho",
    "lanhdao.thanhpho",  # a leader of the city: administration is the administrator's job
    "manhinh.phonghop",
]
HOAN_KIEM = "W00070"


def admin_paths() -> list[str]:
    paths = [p["path"] for p in dash.page_registry.values() if p["path"].startswith("/admin")]
    assert {"/admin/units", "/admin/users"} <= set(paths)
    return paths


def admin_callbacks(app: dash.Dash) -> list[tuple[str, dict[str, Any]]]:
    found = [(k, v) for k, v in app.callback_map.items() if "admin-" in k and "callback" in v]
    assert len(found) >= 8, [k for k, _ in found]
    return found


def body(
    key: str, spec: dict[str, Any], values: dict[str, Any] | None = None, trigger: str | None = None
) -> dict[str, Any]:
    """A callback request as Dash's renderer sends it; `values` by component id, the first input as trigger."""
    values = values or {}

    def item(entry: dict[str, Any]) -> dict[str, Any]:
        entry_id = entry["id"]
        if isinstance(entry_id, str) and entry_id.startswith("{"):
            entry_id = json.loads(entry_id)
        key_id = entry_id if isinstance(entry_id, str) else entry_id.get("type")
        value = values.get(key_id, 1 if entry["property"] == "n_clicks" else None)
        if isinstance(entry_id, dict):  # a pattern-matching input with ALL: a list of one matching component
            concrete = {k: (1 if v in (["ALL"], ["MATCH"], ["ALLSMALLER"]) else v) for k, v in entry_id.items()}
            return [{"id": concrete, "property": entry["property"], "value": value}]  # type: ignore[return-value]
        return {"id": entry_id, "property": entry["property"], "value": value}

    inputs = [item(i) for i in spec.get("inputs", [])]
    first = spec["inputs"][0]
    first_id = first["id"]
    if isinstance(first_id, str) and first_id.startswith("{"):  # the renderer names the concrete component
        pattern = json.loads(first_id)
        concrete = {k: (1 if v in (["ALL"], ["MATCH"], ["ALLSMALLER"]) else v) for k, v in pattern.items()}
        first_id = json.dumps(concrete, sort_keys=True, separators=(",", ":"))
    changed = trigger or f"{first_id}.{first['property']}"
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[-1].split("@")[0]} for o in key.strip(".").split("...")]
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": [item(s) for s in spec.get("state", [])],
        "changedPropIds": [changed] if changed else [],
    }


def post(client: FlaskClient, payload: dict[str, Any]) -> Any:
    return client.post(
        "/_dash-update-component",
        data=json.dumps(payload),
        content_type="application/json",
        headers=csrf_header(client),
    )


def logged_in(server: Flask, username: str) -> FlaskClient:
    client = server.test_client()
    assert login(client, username).status_code == 302
    client.get("/")
    return client


def shell_text(client: FlaskClient) -> str:
    """The shell's layout (navbar included) as plain JSON text."""
    return json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)


def test_anonymous_clients_get_the_login_page_and_401s(server: Flask) -> None:
    client = server.test_client()
    for path in admin_paths():
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    app: dash.Dash = server.extensions["pulse"]["dash"]
    logged_in(server, "admin")  # Dash moves the pages' callbacks into its map at the first served request
    for key, spec in admin_callbacks(app):
        response = client.post(
            "/_dash-update-component", data=json.dumps(body(key, spec)), content_type="application/json"
        )
        assert response.status_code == 401, key


@pytest.mark.parametrize("username", REFUSED)
def test_every_other_role_is_refused_pages_and_callbacks(server: Flask, username: str) -> None:
    client = logged_in(server, username)
    for path in admin_paths():
        assert client.get(path).status_code == 403, (username, path)
    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    with store.read() as db:
        user_id = db.execute(select(User.id).where(User.username == username)).scalar_one()
        units_before = db.execute(select(func.count()).select_from(OrgUnit)).scalar_one()
    callbacks = admin_callbacks(app)
    for key, spec in callbacks:
        values = {
            "admin-units-selected": {"id": 1, "version": "x"},
            "admin-units-new-name": "X",
            "admin-users-username": "ke.gian",
        }
        response = post(client, body(key, spec, values))
        assert response.status_code == 403, (username, key, response.status_code)
    with store.read() as db:
        refusals = db.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.user_id == user_id, AuditEntry.outcome == "denied")
        ).scalar_one()
        assert db.execute(select(func.count()).select_from(OrgUnit)).scalar_one() == units_before
    assert refusals >= len(callbacks)
    # No admin entry in their menu either.
    shell = shell_text(client)
    assert '"href": "/"' in shell and '"href": "/admin/units"' not in shell


def test_the_administrator_opens_the_pages_and_sees_the_menu_entry(server: Flask) -> None:
    client = logged_in(server, "admin")
    for path in admin_paths():
        assert client.get(path).status_code == 200, path
    assert '"href": "/admin/units"' in shell_text(client)


def _spec(app: dash.Dash, output_start: str) -> tuple[str, dict[str, Any]]:
    return next((k, v) for k, v in app.callback_map.items() if k.lstrip(".").startswith(output_start))


def test_a_division_created_through_the_callback_lands_in_the_tree(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    client = logged_in(server, "admin")
    admin = viewer_of(store, "admin")
    with store.read() as db:
        ward = db.execute(select(OrgUnit).where(OrgUnit.code == HOAN_KIEM)).scalar_one()
        version = next(n.version for n in queries.unit_tree(db, viewer=admin) if n.id == ward.id)
        ward_id = ward.id
    key, spec = _spec(app, "admin-units-message.children")
    values = {
        "admin-units-selected": {"id": ward_id, "version": version},
        "admin-units-new-name": "  Tổ   công tác số hóa ",
        "admin-units-new-kind": "division",
        "admin-units-expanded": [],
    }
    response = post(client, body(key, spec, values, trigger="admin-units-create.n_clicks"))
    assert response.status_code == 200
    text = json.dumps(response.get_json(), ensure_ascii=False)
    assert "Đã tạo đơn vị" in text
    with store.read() as db:
        made = db.execute(select(OrgUnit).where(OrgUnit.name == "Tổ công tác số hóa")).scalar_one()
        assert made.parent_id == ward_id and made.kind == "division"
    # The same form with a stale version: a conflict message in Vietnamese, nothing renamed.
    values |= {"admin-units-selected": {"id": ward_id, "version": "stale"}, "admin-units-rename-name": "Tên mới"}
    response = post(client, body(key, spec, values, trigger="admin-units-rename.n_clicks"))
    text = json.dumps(response.get_json(), ensure_ascii=False)
    assert "tải lại trang" in text.lower() or "reload" in text.lower(), text[:300]
    with store.read() as db:
        assert db.get(OrgUnit, ward_id).name == ward.name  # type: ignore[union-attr]


def test_forged_values_get_an_answer_never_an_error(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    client = logged_in(server, "admin")
    forged_values: list[Any] = [None, "1; DROP TABLE users", {"id": "x"}, [1, 2], -5, 10**12, True]
    for key, spec in admin_callbacks(app):
        for forged in forged_values:
            values = {
                entry["id"] if isinstance(entry["id"], str) else "": forged
                for entry in spec.get("inputs", []) + spec.get("state", [])
                if isinstance(entry["id"], str) and not entry["id"].startswith("{")
            }
            response = post(client, body(key, spec, values))
            assert response.status_code in (200, 204), (key, forged, response.status_code)


def test_a_tree_of_many_units_posts_every_button_as_trigger(server: Flask) -> None:
    """The renderer names every instance of a pattern input that appeared at once (127 wards on an empty
    start): the envelope check must take that as the real request it is, not a malformed one."""
    client = logged_in(server, "admin")
    app: dash.Dash = server.extensions["pulse"]["dash"]
    key, spec = next((k, v) for k, v in app.callback_map.items() if k.startswith("admin-units-selected"))
    payload = body(key, spec)
    pattern = json.loads(spec["inputs"][0]["id"])
    instances = [{**pattern, "index": i} for i in range(1, 151)]
    payload["inputs"][0] = [{"id": i, "property": "n_clicks", "value": 0} for i in instances]
    payload["changedPropIds"] = [json.dumps(i, sort_keys=True, separators=(",", ":")) + ".n_clicks" for i in instances]
    assert post(client, payload).status_code != 400


DELEGATED = ["quantri.hoankiem", "lanhdao.hoankiem"]  # the ward's unit administrator and its leader
TU_LIEM = "W00592"


@pytest.mark.parametrize("username", DELEGATED)
def test_a_ward_administrator_gets_its_subtree_and_cannot_touch_another_ward(server: Flask, username: str) -> None:
    """Through the callbacks, as the browser posts them: the ward's tree only, its accounts only, and a
    forged create under another ward refused (audited) with nothing written."""
    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    client = logged_in(server, username)
    assert client.get("/admin/units").status_code == 200
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/periods").status_code == 403  # the agency's calendar is the administrator's
    shell = shell_text(client)
    assert '"href": "/admin/units"' in shell
    with store.read() as db:
        ward = db.execute(select(OrgUnit).where(OrgUnit.code == HOAN_KIEM)).scalar_one()
        other = db.execute(select(OrgUnit).where(OrgUnit.code == TU_LIEM)).scalar_one()
        user_id = db.execute(select(User.id).where(User.username == username)).scalar_one()
        units_before = db.execute(select(func.count()).select_from(OrgUnit)).scalar_one()
    key, spec = _spec(app, "admin-units-tree.children")
    tree = json.dumps(post(client, body(key, spec, {"admin-units-expanded": [ward.id]})).get_json(), ensure_ascii=False)
    assert ward.name in tree and other.name not in tree
    key, spec = _spec(app, "admin-units-panel.hidden")
    panel = post(client, body(key, spec, {"admin-units-selected": {"id": ward.id}})).get_json()["response"]
    assert panel["admin-units-change-cards"]["hidden"] is True  # its own ward: create under it, nothing more
    assert panel["admin-units-panel"]["hidden"] is False
    key, spec = _spec(app, "admin-users-grid.rowData")
    grid = json.dumps(post(client, body(key, spec)).get_json(), ensure_ascii=False)
    assert "canbo.hoankiem" in grid and "truongphong.khcn" not in grid and '"admin"' not in grid
    key, spec = _spec(app, "admin-users-scope.options")
    options = json.dumps(post(client, body(key, spec)).get_json(), ensure_ascii=False)
    assert ward.name in options and other.name not in options
    assert '"value": "admin"' not in options and '"value": "unit_admin"' in options  # roles it may grant
    key, spec = _spec(app, "admin-units-message.children")
    forged = {
        "admin-units-selected": {"id": other.id, "version": "x"},
        "admin-units-new-name": "Tổ giả mạo",
        "admin-units-new-kind": "division",
        "admin-units-expanded": [],
    }
    text = json.dumps(
        post(client, body(key, spec, forged, trigger="admin-units-create.n_clicks")).get_json(), ensure_ascii=False
    )
    assert "Tổ giả mạo" not in text
    key, spec = _spec(app, "admin-users-message.children")
    forged_account = {
        "admin-users-username": "quantri.tuliem",
        "admin-users-role": "unit_admin",
        "admin-users-scope": other.id,
        "admin-users-language": "vi",
    }
    post(client, body(key, spec, forged_account, trigger="admin-users-create.n_clicks"))
    with store.read() as db:
        assert db.execute(select(func.count()).select_from(OrgUnit)).scalar_one() == units_before
        assert db.execute(select(User.id).where(User.username == "quantri.tuliem")).first() is None
        refusals = db.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.user_id == user_id, AuditEntry.outcome == "denied")
        ).scalar_one()
    assert refusals >= 2


def test_the_administrator_opens_a_year_through_the_periods_page(server: Flask) -> None:
    from config.clock import today
    from data_access.models import Period

    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    client = logged_in(server, "admin")
    assert client.get("/admin/periods").status_code == 200
    key, spec = _spec(app, "admin-periods-grid.rowData")
    listed = json.dumps(post(client, body(key, spec)).get_json(), ensure_ascii=False)
    year = today().year + 1
    assert f"Mở năm {year}" in listed and f"Năm {today().year}" in listed
    key, spec = _spec(app, "admin-periods-message.children")
    values = {"admin-periods-next-year": year}
    for _ in range(2):  # a double click opens the year once
        text = json.dumps(
            post(client, body(key, spec, values, trigger="admin-periods-open-year.n_clicks")).get_json(),
            ensure_ascii=False,
        )
    assert f"Năm {year} đã được mở trước đó" in text
    with store.read() as db:
        assert db.execute(select(func.count()).select_from(Period).where(Period.year == year)).scalar_one() == 17
    # Grace days out of range: a message in Vietnamese, nothing saved.
    with store.read() as db:
        month = db.execute(select(Period).where(Period.code == f"{year}-01")).scalar_one()
    from data_access.queries.admin_periods import period_token

    selected = [{"id": str(month.id), "version": period_token(month), "grace_days": month.grace_days}]
    values = {"admin-periods-grid": selected, "admin-periods-grace": 90}
    text = json.dumps(
        post(client, body(key, spec, values, trigger="admin-periods-save-grace.n_clicks")).get_json(),
        ensure_ascii=False,
    )
    assert "từ 0 đến 60 ngày" in text
    with store.read() as db:
        assert db.get(Period, month.id).grace_days == 10  # type: ignore[union-attr]


def test_the_quality_page_counts_per_unit_and_links_each_record_to_fix(server: Flask) -> None:
    from data_access.models import Person

    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    with store.write() as db:
        ward = db.execute(select(OrgUnit).where(OrgUnit.code == HOAN_KIEM)).scalar_one()
        person = db.execute(
            select(Person).join(OrgUnit, OrgUnit.id == Person.unit_id).where(OrgUnit.parent_id == ward.id).limit(1)
        ).scalar_one()
        person.email = "sai-dia-chi"
        unit_id, unit_name, person_id = person.unit_id, db.get(OrgUnit, person.unit_id).name, person.id  # type: ignore[union-attr]
    client = logged_in(server, "quantri.hoankiem")
    assert client.get("/admin/quality").status_code == 200
    key, spec = _spec(app, "admin-quality-grid.rowData")
    listed = post(client, body(key, spec, {"admin-quality-search": unit_name})).get_json()
    rows = listed["response"]["admin-quality-grid"]["rowData"]
    line = next(r for r in rows if r["id"] == str(unit_id))
    assert line["correct"] >= 1 and line["to_fix"] >= 1
    key, spec = _spec(app, "admin-quality-detail.children")
    detail = json.dumps(
        post(client, body(key, spec, {"admin-quality-grid": [{"id": str(unit_id)}]})).get_json(), ensure_ascii=False
    )
    assert f"/admin/people?person={person_id}" in detail and "email" in detail
    # Another ward's unit, forged: nothing of it comes back.
    with store.read() as db:
        other = db.execute(select(OrgUnit.id).where(OrgUnit.code == TU_LIEM)).scalar_one()
    forged = json.dumps(
        post(client, body(key, spec, {"admin-quality-grid": [{"id": str(other)}]})).get_json(), ensure_ascii=False
    )
    assert "/admin/people?person=" not in forged


def test_a_unit_administrator_reads_its_ward_and_keeps_its_own_account(server: Flask) -> None:
    """It lands on its ward's overview and changes its own password or language on /account; the work
    pages (tasks, entry, evaluations) are for the people who do the work."""
    client = logged_in(server, "quantri.hoankiem")
    for path in ("/", "/account", "/lagging", "/admin/units", "/admin/users", "/admin/quality"):
        assert client.get(path).status_code == 200, path
    for path in ("/work", "/entry", "/evaluations", "/admin/periods"):
        assert client.get(path).status_code == 403, path

"""/admin/tokens through its callbacks: an administrator creates a token (shown once, working at
once against the API) and revokes it; an administrator of a ward cannot reach another unit's token."""

from __future__ import annotations

import json
import re

import dash
from flask import Flask
from sqlalchemy import select

from data_access import accounts
from data_access.commands.api_tokens import create_token
from data_access.models import ApiToken, AuditEntry, OrgUnit
from tests.conftest import DEMO_PASSWORD
from tests.integration.test_admin_pages import _spec, body, logged_in, post


def test_an_administrator_creates_and_revokes_a_token_on_the_page(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    client = logged_in(server, "admin")
    assert client.get("/admin/tokens").status_code == 200
    with store.read() as db:
        ward_id = db.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
    key, spec = _spec(app, "admin-tokens-message.children")
    values = {
        "admin-tokens-name": "Hệ thống nhân sự",
        "admin-tokens-scopes": ["org:read", "nonsense"],
        "admin-tokens-unit": ward_id,
        "admin-tokens-days": 30,
        "admin-tokens-rate": 60,
    }
    refused = json.dumps(post(client, body(key, spec, values)).get_json(), ensure_ascii=False)
    assert "Phạm vi quyền" in refused and "admin-tokens-secret" not in refused  # an unknown scope: nothing made
    values["admin-tokens-scopes"] = ["org:read"]
    answer = json.dumps(post(client, body(key, spec, values)).get_json(), ensure_ascii=False)
    secret = re.search(r"pulse_[A-Za-z0-9_-]{40,}", answer)
    assert secret, answer[:500]
    api = server.test_client()
    assert api.get("/api/v1/org-units", headers={"Authorization": f"Bearer {secret.group(0)}"}).status_code == 200

    grid_key, grid_spec = _spec(app, "admin-tokens-grid.rowData")
    rows = post(client, body(grid_key, grid_spec))
    listed = rows.get_json()["response"]["admin-tokens-grid"]["rowData"]
    assert listed[0]["name"] == "Hệ thống nhân sự" and listed[0]["last_used"] != "chưa bao giờ"

    revoke_key, revoke_spec = _spec(app, "admin-tokens-message.children@")
    answer = post(client, body(revoke_key, revoke_spec, {"admin-tokens-grid": [listed[0]]}))
    assert "thu hồi" in json.dumps(answer.get_json(), ensure_ascii=False).lower()
    assert api.get("/api/v1/org-units", headers={"Authorization": f"Bearer {secret.group(0)}"}).status_code == 401


def test_a_ward_administrator_cannot_revoke_another_units_token(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    store = server.extensions["pulse"]["store"]
    with store.write() as db:
        accounts.create_user(
            db,
            actor=None,
            username="admin.hoankiem",  # an administrator of one ward (the pilot's unit_admin may not open the page)
            password=DEMO_PASSWORD,
            role="admin",
            scope_code="W00070",
            language="vi",
        )
    other = create_token(store, actor=None, name="Sở KHCN", scopes="org:read", unit_code="SO-KHCN", days=30)
    client = logged_in(server, "admin.hoankiem")
    key, spec = _spec(app, "admin-tokens-message.children@")
    forged = {"id": str(other.token_id), "name": "Sở KHCN"}
    answer = post(client, body(key, spec, {"admin-tokens-grid": [forged]}))
    assert answer.status_code == 200
    with store.read() as db:
        assert db.get(ApiToken, other.token_id).revoked_at is None  # type: ignore[union-attr]
        denied = db.execute(
            select(AuditEntry).where(AuditEntry.action == "api_token.revoke", AuditEntry.outcome == "denied")
        ).scalar_one()
    assert denied.entity_id == str(other.token_id)
    grid_key, grid_spec = _spec(app, "admin-tokens-grid.rowData")
    assert post(client, body(grid_key, grid_spec)).get_json()["response"]["admin-tokens-grid"]["rowData"] == []

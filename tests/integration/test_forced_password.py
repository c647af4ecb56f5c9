"""After an administrator's reset the user must choose a new password: the guard, not only a
redirect, closes every page, callback and API to them until they have; then all opens again."""

from __future__ import annotations

import json
import re

from flask import Flask
from sqlalchemy import select

from data_access.commands import admin_users
from data_access.models import User
from tests.support.login import csrf_header, login
from tests.support.viewers import viewer_of

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _reset(server: Flask, username: str) -> str:
    store = server.extensions["pulse"]["store"]
    admin = viewer_of(store, "admin")
    with store.read() as db:
        user = db.execute(select(User).where(User.username == username)).scalar_one()
    from data_access.queries.admin import user_token

    state = admin_users.reset_password(store, viewer=admin, user_id=user.id, version=user_token(user))
    assert state.password
    return state.password


def test_the_reset_user_can_do_nothing_before_choosing_a_password(server: Flask) -> None:
    password = _reset(server, "canbo.hoankiem")
    client = server.test_client()
    response = login(client, "canbo.hoankiem", password)
    assert response.status_code == 302
    for path in ("/", "/work", "/account", "/admin/users"):
        page = client.get(path)
        assert page.status_code == 302 and page.headers["Location"].startswith("/password"), path
    form = client.get("/password")
    assert form.status_code == 200 and "Chọn mật khẩu mới" in form.get_data(as_text=True)
    # Dash's own endpoints and any callback: refused, not merely hidden behind a redirect.
    assert client.get("/_dash-layout").status_code == 403
    body = {
        "output": "pulse-work-badge.children",
        "outputs": {"id": "pulse-work-badge", "property": "children"},
        "inputs": [
            {"id": "pulse-live-version", "property": "data", "value": 1},
            {"id": "_pages_location", "property": "pathname", "value": "/"},
        ],
        "changedPropIds": [],
    }
    refused = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=csrf_header(client)
    )
    assert refused.status_code == 403

    token = _TOKEN.search(form.get_data(as_text=True))
    assert token
    fields = {"csrf_token": token.group(1), "next": "/", "current": password}
    same = client.post("/password", data={**fields, "new": password, "repeat": password})
    assert same.status_code == 400 and "phải khác" in same.get_data(as_text=True)
    mismatch = client.post("/password", data={**fields, "new": "Mật khẩu riêng 2026", "repeat": "khác hẳn 2026"})
    assert mismatch.status_code == 400
    assert client.get("/").status_code == 302  # still closed
    done = client.post("/password", data={**fields, "new": "Mật khẩu riêng 2026", "repeat": "Mật khẩu riêng 2026"})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    with server.extensions["pulse"]["store"].read() as db:
        assert (
            db.execute(select(User.must_change_password).where(User.username == "canbo.hoankiem")).scalar_one() is False
        )
    # The next login uses the new password; the shown one no longer works.
    other = server.test_client()
    assert login(other, "canbo.hoankiem", password).status_code == 401
    assert login(other, "canbo.hoankiem", "Mật khẩu riêng 2026").status_code == 302


def test_the_password_form_needs_a_login(server: Flask) -> None:
    response = server.test_client().get("/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")

"""Deny by default: every route and every callback refuses anonymous clients (SECURITY.md 1-3)."""

from __future__ import annotations

import json
from typing import Any

import dash
from flask import Flask

from tests.support.login import csrf_header, login

# The machine API's OpenAPI document is public (it describes, holds no data); its calls need a token.
PUBLIC = {
    "/login",
    "/health",
    "/favicon.ico",
    "/_favicon.ico",
    "/api/v1/openapi.json",
    "/public",
    "/public.csv",
    "/public.json",
}
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/static/")


def _concrete(rule: str) -> str:
    """A path that matches the rule, with its variables filled in."""
    out = rule
    for name in ("path", "filename", "code", "package_name", "fingerprinted_path"):
        out = out.replace(f"<path:{name}>", "x").replace(f"<{name}>", "x")
    return out


def _callback_body(app: dash.Dash, key: str, spec: dict[str, Any], *, forged_path: str | None = None) -> dict[str, Any]:
    def prop(item: dict[str, Any]) -> dict[str, Any]:
        value: Any = forged_path if (forged_path and item["property"] == "pathname") else None
        return {"id": item["id"], "property": item["property"], "value": value}

    return {
        "output": key,
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[-1]} for o in key.strip(".").split("...")],
        "inputs": [prop(i) for i in spec.get("inputs", [])],
        "state": [prop(s) for s in spec.get("state", [])],
        "changedPropIds": [],
    }


def test_every_route_refuses_anonymous_clients(server: Flask) -> None:
    client = server.test_client()
    checked = 0
    for rule in server.url_map.iter_rules():
        path = _concrete(rule.rule)
        if path in PUBLIC or path.startswith(PUBLIC_PREFIXES):
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        checked += 1
        if path.startswith("/_dash-") or path.startswith("/_reload") or path.startswith("/_alive"):
            assert response.status_code == 401, (rule.rule, response.status_code)
        else:
            assert response.status_code in (302, 401), (rule.rule, response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login")
    pages = set()
    for page in dash.page_registry.values():
        response = client.get(page.get("path") or "/")
        pages.add(page.get("path"))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert checked >= 4
    # Every administration page is in the matrix (new ones join by registering), and the password form.
    assert {"/admin/units", "/admin/users", "/admin/periods", "/admin/quality"} <= pages
    assert client.get("/password").status_code == 302 and client.post("/password").status_code in (302, 401)


def test_every_callback_refuses_anonymous_clients_even_with_a_forged_pathname(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    client = server.test_client()
    client.get("/_dash-layout")  # let Dash finish setting up its callback map
    callbacks = app.callback_map
    assert callbacks, "the app registers callbacks"
    for key, spec in callbacks.items():
        for forged in (None, "/login", "/health"):
            body = _callback_body(app, key, spec, forged_path=forged)
            response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
            assert response.status_code == 401, (key, forged, response.status_code)


def test_callbacks_need_the_csrf_token(server: Flask) -> None:
    client = server.test_client()
    assert login(client, "lanhdao.thanhpho").status_code == 302
    client.get("/")
    body = {
        "output": "pulse-work-badge.children",
        "outputs": {"id": "pulse-work-badge", "property": "children"},
        "inputs": [
            {"id": "pulse-live-version", "property": "data", "value": 1},
            {"id": "_pages_location", "property": "pathname", "value": "/"},
        ],
        "changedPropIds": [],
    }
    payload = json.dumps(body)
    missing = client.post("/_dash-update-component", data=payload, content_type="application/json")
    assert missing.status_code == 400
    forged = client.post(
        "/_dash-update-component",
        data=payload,
        content_type="application/json",
        headers={"X-CSRFToken": "forged.token.value"},
    )
    assert forged.status_code == 400
    valid = client.post(
        "/_dash-update-component", data=payload, content_type="application/json", headers=csrf_header(client)
    )
    assert valid.status_code == 200  # the same body with the token is served


def test_the_login_form_itself_needs_the_csrf_token(server: Flask) -> None:
    client = server.test_client()
    response = client.post("/login", data={"username": "admin", "password": "whatever-long"})
    assert response.status_code == 400


def test_logged_in_pages_open(server: Flask) -> None:
    client = server.test_client()
    login(client, "lanhdao.thanhpho")
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/_dash-dependencies").status_code == 200

"""Production fails closed; responses carry the security headers; failures leak nothing (SECURITY.md 4-8)."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import dash
import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app import create_app
from config.clock import today
from config.settings import Settings, SettingsError, load_settings
from data_access import accounts
from data_access.commands import evaluations, tasks
from data_access.db import Store
from data_access.errors import Conflict, Invalid
from data_access.models import OrgUnit, Task, User
from data_access.queries import evaluations as evaluation_queries
from tests.integration.conftest import make_settings
from tests.support.login import csrf_header, login
from tests.support.viewers import demo_viewers


@pytest.mark.parametrize("secret", ["", "changeme", "short-but-not-placeholder"])
def test_production_refuses_a_weak_secret_key(secret: str) -> None:
    with pytest.raises(SettingsError):
        load_settings({"PULSE_ENV": "production", "SECRET_KEY": secret})
    with pytest.raises(SettingsError):
        create_app(Settings(env="production", secret_key=secret))


def test_production_settings_are_strict() -> None:
    settings = load_settings({"PULSE_ENV": "production", "SECRET_KEY": "p" * 48, "DATABASE_URL": "postgres://u@h/db"})
    assert settings.secure_cookies is True
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_mcp_stays_off_whatever_the_environment_says(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASH_MCP_ENABLED", "true")
    server = create_app(make_settings(demo_url, env="production"))
    app: dash.Dash = server.extensions["pulse"]["dash"]
    assert app._enable_mcp is False
    assert not any("mcp" in rule.rule for rule in server.url_map.iter_rules())
    client = server.test_client()
    login(client, "admin")
    assert client.post("/_mcp", json={}).status_code in (400, 404, 405)


def test_headers_cookies_and_no_version_banner(server: Flask) -> None:
    client = server.test_client()
    login_page = client.get("/login")
    csp = login_page.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in csp
    assert "unsafe-eval" not in csp and "*" not in csp
    assert login_page.headers["X-Content-Type-Options"] == "nosniff"
    assert login_page.headers["Referrer-Policy"] == "same-origin"
    response = login(client, "admin")
    cookie = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookie if c.startswith("pulse_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    index = client.get("/").get_data(as_text=True)
    import sys

    assert sys.version.split()[0] not in index and "python_version" not in index
    assert "Access-Control-Allow-Origin" not in client.get("/").headers


def test_cookies_are_secure_behind_https(demo_url: str) -> None:
    server = create_app(make_settings(demo_url, secure_cookies=True))
    client = server.test_client()
    response = login(client, "admin")
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("pulse_session="))
    assert "Secure" in session_cookie


def test_a_callback_error_returns_a_generic_message(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]

    @app.callback(dash.Output("boom-out", "children"), dash.Input("boom-in", "n_clicks"))
    def boom(_n: int) -> str:
        raise RuntimeError("secret internals: /etc/passwd")

    client = server.test_client()
    login(client, "admin")
    client.get("/")
    body = {
        "output": "boom-out.children",
        "outputs": {"id": "boom-out", "property": "children"},
        "inputs": [{"id": "boom-in", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["boom-in.n_clicks"],
    }
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=csrf_header(client)
    )
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text


def test_404_and_403_pages_speak_the_users_language(server: Flask) -> None:
    client = server.test_client()
    login(client, "chuyenvien.khcn")
    missing = client.get("/no/such/page/here")
    assert missing.status_code in (200, 404)
    staff_only_pages = [p for p in dash.page_registry.values() if p.get("roles") and "staff" not in p["roles"]]
    if staff_only_pages:
        refused = client.get(staff_only_pages[0]["path"])
        assert refused.status_code == 403
        assert "Vai trò" in refused.get_data(as_text=True) or "role" in refused.get_data(as_text=True)


def test_passwords_under_eight_or_common_are_refused(server: Flask) -> None:
    with server.extensions["pulse"]["store"].write() as db:
        for bad, reason in (("Ab1!", "too_short"), ("password123", "too_common"), ("matkhau123", "too_common")):
            with pytest.raises(Invalid) as caught:
                accounts.create_user(db, actor=None, username="new.user", password=bad, role="staff", scope_code="HN")
            assert caught.value.problems["password"] == reason
        accounts.create_user(
            db, actor=None, username="new.user", password="Đúng-mật-khẩu-2026", role="staff", scope_code="HN"
        )


def test_health_reports_the_database_and_the_app_recovers(tmp_path: Path, demo_url: str) -> None:
    source = Path(make_url(demo_url).database or "")
    if not source.exists():  # PostgreSQL pass: point at a database that does not exist yet
        pytest.importorskip("psycopg")
        _postgres_recovery(demo_url)
        return
    target = tmp_path / "later" / "pulse.db"
    server = create_app(make_settings(f"sqlite:///{target}"))
    client = server.test_client()
    assert client.get("/health").status_code == 503
    assert client.get("/health").get_json()["database"] == "unreachable"
    page = client.get("/login")
    assert page.status_code == 200  # the login form needs no database
    target.unlink(missing_ok=True)
    for leftover in target.parent.glob("pulse.db-*"):
        leftover.unlink()
    server.extensions["pulse"]["store"].engine.pool.dispose()  # stands for the connections a restarted database drops
    shutil.copyfile(source, target)
    assert client.get("/health").status_code == 200


def _postgres_recovery(demo_url: str) -> None:
    from sqlalchemy import create_engine, text

    url = make_url(demo_url)
    missing = url.set(database=f"{url.database}_later")
    server = create_app(make_settings(missing.render_as_string(hide_password=False)))
    client = server.test_client()
    assert client.get("/health").status_code == 503
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{missing.database}" TEMPLATE "{url.database}"'))
    try:
        assert client.get("/health").status_code == 200
    finally:
        server.extensions["pulse"]["store"].dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{missing.database}" WITH (FORCE)'))
        admin.dispose()


def test_a_write_that_omits_the_version_it_saw_is_refused(demo_store: Store) -> None:
    """F13: `version: null` from a forged client used to skip the optimistic-locking check."""
    people = demo_viewers(demo_store)
    with demo_store.read() as db:
        ward = db.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
    (task_id,) = tasks.assign(
        demo_store,
        viewer=people["city_manager"],
        title="Rà soát hồ sơ",
        due_date=today() + timedelta(days=9),
        unit_ids=[ward],
    )
    with demo_store.read() as db:
        seen = db.get(Task, task_id).version
    with pytest.raises(Conflict):
        tasks.report_progress(demo_store, viewer=people["ward_staff"], task_id=task_id, version=None, progress_pct=40)
    with demo_store.read() as db:
        assert db.get(Task, task_id).progress_pct == 0 and db.get(Task, task_id).version == seen
    state = tasks.report_progress(
        demo_store, viewer=people["ward_staff"], task_id=task_id, version=seen, progress_pct=40
    )
    assert state.version == seen + 1

    manager, staff = people["manager"], people["staff"]
    evaluations.open_evaluations(demo_store, viewer=manager, period_code="2026-Q3", unit_id=manager.scope_unit_id)
    with demo_store.read() as db:
        (own,) = evaluation_queries.list_evaluations(db, viewer=staff, period_code="2026-Q3")
    full = {"politics": 10, "ethics": 5, "manner": 5, "discipline": 10}
    with pytest.raises(Conflict):
        evaluations.self_assess(demo_store, viewer=staff, evaluation_id=own.id, version=None, scores=full)
    evaluations.self_assess(demo_store, viewer=staff, evaluation_id=own.id, version=own.version, scores=full)


def test_logout_and_language_change_need_a_post_with_the_csrf_token(server: Flask) -> None:
    """F11: a cross-site GET /logout ended the session and GET /language/fr rewrote users.language."""
    client = server.test_client()
    login(client, "chuyenvien.khcn")
    cross_site = {"Sec-Fetch-Site": "cross-site", "Referer": "https://evil.example/"}
    assert client.get("/language/fr", headers=cross_site).status_code == 405
    assert client.post("/language/fr", headers=cross_site).status_code == 400  # no token
    assert client.get("/logout", headers=cross_site).status_code == 405
    assert client.post("/logout", headers=cross_site).status_code == 400
    with server.extensions["pulse"]["store"].read() as db:
        assert db.execute(select(User.language).where(User.username == "chuyenvien.khcn")).scalar_one() == "vi"
    assert client.get("/_dash-layout").status_code == 200  # still logged in

    # The navbar's language menu and logout are forms that post a token of this session.
    forms = {
        f["props"]["action"].split("?")[0]: f["props"] for f in _components(client.get("/_dash-layout").json, "Form")
    }
    assert {"/logout", "/language/vi", "/language/en", "/language/fr"} <= set(forms)
    for form in forms.values():
        button = form["children"]["props"]
        assert form["method"] == "post" and button["type"] == "submit" and button["name"] == "csrf_token"
        assert button["value"]

    switched = client.post(
        "/language/fr?next=/account", data={"csrf_token": forms["/language/fr"]["children"]["props"]["value"]}
    )
    assert switched.status_code == 302 and switched.headers["Location"] == "/account"
    with server.extensions["pulse"]["store"].read() as db:
        assert db.execute(select(User.language).where(User.username == "chuyenvien.khcn")).scalar_one() == "fr"
    assert (
        client.post("/logout", data={"csrf_token": forms["/logout"]["children"]["props"]["value"]}).status_code == 302
    )
    assert client.get("/_dash-layout").status_code == 401


def _components(node: object, kind: str) -> list[dict]:
    """Every component of this type in a serialised Dash layout."""
    found = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node)
        for value in node.values():
            found.extend(_components(value, kind))
    elif isinstance(node, list):
        for item in node:
            found.extend(_components(item, kind))
    return found


def test_hsts_when_cookies_are_secure(demo_url: str, server: Flask) -> None:
    assert "Strict-Transport-Security" not in server.test_client().get("/login").headers  # plain HTTP in development
    secure = create_app(make_settings(demo_url, secure_cookies=True))
    hsts = secure.test_client().get("/login").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1]) >= 180 * 86400
    secure.extensions["pulse"]["store"].dispose()


def test_favicon_is_an_icon_not_the_dash_index(server: Flask) -> None:
    """F11: anonymous GET /favicon.ico answered Dash's index page, with every package version in it."""
    icon = server.test_client().get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/x-icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert b"dash" not in icon.data.lower()
    client = server.test_client()
    login(client, "admin")
    index = client.get("/").get_data(as_text=True)
    assert "/assets/favicon.ico" in index and "_favicon.ico?v=" not in index

"""Logging in through the real form with a Flask test client."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import DEMO_PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    match = _TOKEN.search(page)
    assert match, "login form has no CSRF token"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> Any:
    """Post the login form; returns the response (302 on success)."""
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": form_token(client), "next": "/"}
    )


def csrf_header(client: FlaskClient) -> dict[str, str]:
    """The header Dash's renderer sends: the _csrf_token cookie's value as X-CSRFToken."""
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None, "no CSRF cookie was set"
    return {"X-CSRFToken": cookie.value}


def logout(client: FlaskClient) -> Any:
    """Log out as the navbar does: a POST carrying the CSRF token."""
    return client.post("/logout", headers=csrf_header(client))


def switch_language(client: FlaskClient, code: str) -> Any:
    """Choose a language as the navbar does: a POST carrying the CSRF token."""
    return client.post(f"/language/{code}", headers=csrf_header(client))

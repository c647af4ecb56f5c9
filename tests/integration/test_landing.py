"""Each person lands where their work is: after logging in without a page asked for, staff and ward
officials open "My work", the manager of a ward's division too; leaders, other managers and administrators
the overview. A page asked for (?next=) still wins."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import DEMO_PASSWORD
from tests.support.login import form_token, login


@pytest.mark.parametrize(
    ("username", "lands_on"),
    [
        ("canbo.hoankiem", "/work"),  # ward official
        ("chuyenvien.khcn", "/work"),  # staff member of a department's division
        ("lanhdao.hoankiem", "/"),  # ward leader
        ("lanhdao.thanhpho", "/"),  # city leader
        ("truongphong.khcn", "/"),  # manager of a department's division: the division's overview
        ("quanly.thanhpho", "/"),
        ("admin", "/"),
    ],
)
def test_a_person_lands_where_their_work_is(server: Flask, username: str, lands_on: str) -> None:
    response = login(server.test_client(), username)
    assert response.status_code == 302
    assert response.headers["Location"] == lands_on


def test_a_page_asked_for_wins_over_the_landing(server: Flask) -> None:
    client = server.test_client()
    response = client.post(
        "/login",
        data={
            "username": "canbo.hoankiem",
            "password": DEMO_PASSWORD,
            "csrf_token": form_token(client),
            "next": "/entry",
        },
    )
    assert response.headers["Location"] == "/entry"

"""Privacy between colleagues, through the callbacks a browser would post (Flask test client, real
login): a page closed to a role (403) is closed through its callbacks too; staff see their own task
points, and a colleague's page shows name, position and unit only; the meeting screen sees what the
wall shows, not people's points.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from data_access.models import Person, User
from data_access.seed import DEMO_USERNAMES
from tests.integration.test_evaluation_callbacks import DashClient, as_user, store_of, text_of
from tests.integration.test_evaluation_callbacks import server as server  # noqa: F401  (the fixture)

PERIOD = "2026-Q3"


def rankings(client: DashClient, unit_id: int | None = None) -> tuple[int, str]:
    status, body = client.call(
        [("rankings-body", "children")],
        [
            {"id": "pulse-live-version", "property": "data", "value": 1},
            {"id": "rankings-period", "property": "data", "value": PERIOD},
        ],
        [{"id": "rankings-unit", "property": "data", "value": str(unit_id) if unit_id else None}],
    )
    return status, text_of(body.get("response", {}).get("rankings-body", {}).get("children")) if status == 200 else ""


def rankings_export(client: DashClient) -> int:
    status, _body = client.call(
        [("rankings-download", "data")],
        [{"id": "rankings-export", "property": "n_clicks", "value": 1}],
        [
            {"id": "rankings-period", "property": "data", "value": PERIOD},
            {"id": "rankings-unit", "property": "data", "value": None},
        ],
        ["rankings-export.n_clicks"],
    )
    return status


def person_page(client: DashClient, person_id: int) -> tuple[int, str]:
    status, body = client.call(
        [("person-body", "children")],
        [
            {"id": "pulse-live-version", "property": "data", "value": 1},
            {"id": "person-period", "property": "data", "value": PERIOD},
        ],
        [{"id": "person-id", "property": "data", "value": str(person_id)}],
    )
    return status, text_of(body.get("response", {}).get("person-body", {}).get("children")) if status == 200 else ""


def people_of(app: Flask, role: str) -> tuple[int, int]:
    """The demo user's own person id and a colleague's in the same unit."""
    with store_of(app).read() as session:
        user = session.execute(select(User).where(User.username == DEMO_USERNAMES[role])).scalar_one()
        colleague = session.execute(
            select(Person.id).where(Person.unit_id == user.scope_unit_id, Person.id != user.person_id).limit(1)
        ).scalar_one()
    assert user.person_id is not None
    return user.person_id, colleague


def test_staff_are_refused_the_rankings_page_and_every_callback_behind_it(server: Flask) -> None:  # noqa: F811
    staff = as_user(server, "staff")
    assert staff.client.get("/rankings").status_code == 403
    status, text = rankings(staff)
    assert (status, text) == (403, "")  # before: 200 with colleagues' task points
    assert rankings_export(staff) == 403
    # A manager still gets the page and the people ranked within their groups.
    status, text = rankings(as_user(server, "manager"))
    assert status == 200 and "People, ranked within their position group" in text


def test_the_screen_sees_the_units_on_the_rankings_wall_but_not_peoples_points(server: Flask) -> None:  # noqa: F811
    screen = as_user(server, "screen")
    status, text = rankings(screen)
    assert status == 200 and "Rankings" in text
    assert "People, ranked within their position group" not in text and "Task points" not in text


def test_staff_see_their_own_points_but_only_a_colleagues_name_position_and_unit(server: Flask) -> None:  # noqa: F811
    own, colleague = people_of(server, "staff")
    staff = as_user(server, "staff")
    status, text = person_page(staff, own)
    assert status == 200 and "Task points so far (of 70)" in text and "Tasks of the period" in text

    status, text = person_page(staff, colleague)
    with store_of(server).read() as session:
        person = session.get(Person, colleague)
        assert person is not None
        name = person.full_name
    assert status == 200 and name in text
    assert "shown only to them and to those who manage them" in text
    for private in ("Task points", "Tasks of the period", "Major errors", "Late tasks", "Indicators owned"):
        assert private not in text, private
    # Their manager sees the colleague's work.
    status, text = person_page(as_user(server, "manager"), colleague)
    assert status == 200 and "Task points so far (of 70)" in text


@pytest.mark.parametrize("role", ["screen"])
def test_the_screen_gets_a_persons_name_not_their_work(server: Flask, role: str) -> None:  # noqa: F811
    _own, colleague = people_of(server, "staff")
    status, text = person_page(as_user(server, role), colleague)
    assert status == 200 and "Task points" not in text and "Tasks of the period" not in text


def test_the_navbar_badge_still_answers_every_role(server: Flask) -> None:  # noqa: F811
    """The work badge lives in the /notices module, which the screen may not open: it must still answer."""
    for role in ("screen", "staff"):
        client = as_user(server, role)
        status, _body = client.call(
            [("pulse-work-badge", "children")],
            [
                {"id": "pulse-live-version", "property": "data", "value": 1},
                {"id": "_pages_location", "property": "pathname", "value": "/"},
            ],
        )
        assert status == 200, role

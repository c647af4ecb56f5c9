"""The evaluation pages' callbacks, posted to /_dash-update-component with a Flask test client,
as different users: what each sees, what each may do, and that errors come back as messages.
"""

from __future__ import annotations

import base64
import json
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from app import create_app
from config.settings import load_settings
from data_access.commands import evaluations as commands
from data_access.db import Store
from data_access.models import Evaluation, Person, User
from data_access.seed import DEMO_USERNAMES
from data_access.viewer import load_viewer
from tests.support.login import csrf_header, login, switch_language

PERIOD = "2026-Q3"


@pytest.fixture
def server(demo_url: str) -> Flask:
    return create_app(load_settings({"PULSE_ENV": "test", "SECRET_KEY": "t" * 48, "DATABASE_URL": demo_url}))


def store_of(app: Flask) -> Store:
    return app.extensions["pulse"]["store"]


class DashClient:
    """A test client logged in through the real form, posting callbacks the way Dash's renderer does."""

    def __init__(self, app: Flask, username: str) -> None:
        self.client: FlaskClient = app.test_client()
        assert login(self.client, username).status_code == 302
        switch_language(self.client, "en")  # the assertions read English

    def call(
        self,
        outputs: list[tuple[Any, str]],
        inputs: list[Any],
        state: list[Any] | None = None,
        changed: list[str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        def key(component_id: Any) -> str:
            return (
                json.dumps(component_id, sort_keys=True, separators=(",", ":"))
                if isinstance(component_id, dict)
                else component_id
            )

        output = "...".join(f"{key(i)}.{p}" for i, p in outputs)
        body = {
            "output": f"..{output}.." if len(outputs) > 1 else output,
            "outputs": [{"id": i, "property": p} for i, p in outputs]
            if len(outputs) > 1
            else {"id": outputs[0][0], "property": outputs[0][1]},
            "inputs": inputs,
            "state": state or [],
            "changedPropIds": changed or [],
        }
        response = self.client.post("/_dash-update-component", json=body, headers=csrf_header(self.client))
        return response.status_code, (response.get_json(silent=True) or {}) if response.status_code == 200 else {}


def as_user(app: Flask, role: str) -> DashClient:
    return DashClient(app, DEMO_USERNAMES[role])


def viewer_for(app: Flask, role: str):  # type: ignore[no-untyped-def]
    with store_of(app).read() as session:
        user_id = session.execute(select(User.id).where(User.username == DEMO_USERNAMES[role])).scalar_one()
        return load_viewer(session, user_id)


def text_of(node: Any) -> str:
    """All text in a serialised component tree."""
    if isinstance(node, str):
        return node
    if isinstance(node, (int, float)):
        return str(node)
    if isinstance(node, list):
        return " ".join(text_of(n) for n in node)
    if isinstance(node, dict):
        return text_of(node.get("props", {}).get("children", ""))
    return ""


def list_response(client: DashClient, unit_id: int) -> tuple[int, str]:
    status, body = client.call(
        [("evaluations-list", "children"), ("evaluations-list-version", "data")],
        [
            {"id": "evaluations-period", "property": "data", "value": PERIOD},
            {"id": "evaluations-unit", "property": "value", "value": unit_id},
            {"id": "evaluations-refresh", "property": "data", "value": 0},
            {"id": "pulse-live-version", "property": "data", "value": 1},
        ],
        [{"id": "evaluations-list-version", "property": "data", "value": None}],
    )
    return status, text_of(body.get("response", {}).get("evaluations-list", {}).get("children"))


def person_name(app: Flask, person_id: int) -> str:
    with store_of(app).read() as session:
        return session.get(Person, person_id).full_name


def test_manager_sees_the_division_and_staff_only_themselves(server: Flask) -> None:
    manager, staff = viewer_for(server, "manager"), viewer_for(server, "staff")
    commands.open_evaluations(store_of(server), viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    with store_of(server).read() as session:
        colleagues = (
            session.execute(
                select(Person.full_name).where(Person.unit_id == manager.scope_unit_id, Person.id != staff.person_id)
            )
            .scalars()
            .all()
        )
    status, text = list_response(as_user(server, "manager"), manager.scope_unit_id)
    assert status == 200 and person_name(server, staff.person_id) in text
    assert all(name in text for name in colleagues)
    status, text = list_response(as_user(server, "staff"), staff.scope_unit_id)
    assert status == 200 and person_name(server, staff.person_id) in text
    assert not any(name in text for name in colleagues if name != person_name(server, staff.person_id))


def test_another_wards_leader_gets_not_found_not_the_rows(server: Flask) -> None:
    manager = viewer_for(server, "manager")
    commands.open_evaluations(store_of(server), viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    status, text = list_response(as_user(server, "ward_leader"), manager.scope_unit_id)
    assert status == 200 and "Not found" in text
    assert person_name(server, manager.person_id) not in text


def action_body(
    action: str,
    evaluation_id: int,
    version: int,
    scores: dict[str, Any],
    reasons: dict[str, str] | None = None,
    texts: dict[str, str] | None = None,
) -> dict[str, Any]:
    action_ids = [{"type": "evaluation-action", "action": action}]
    score_ids = [{"type": "evaluation-score", "criterion": c} for c in scores]
    reason_ids = [{"type": "evaluation-reason", "criterion": c} for c in (reasons or {})]
    text_ids = [{"type": "evaluation-text", "field": f} for f in (texts or {})]
    return {
        "inputs": [[{"id": i, "property": "n_clicks", "value": 1} for i in action_ids]],
        "state": [
            {"id": "evaluation-id", "property": "data", "value": evaluation_id},
            {"id": "evaluation-version", "property": "data", "value": version},
            {"id": "evaluation-refresh", "property": "data", "value": 0},
            [{"id": i, "property": "value", "value": scores[i["criterion"]]} for i in score_ids],
            [{"id": i, "property": "id", "value": i} for i in score_ids],
            [{"id": i, "property": "value", "value": (reasons or {})[i["criterion"]]} for i in reason_ids],
            [{"id": i, "property": "id", "value": i} for i in reason_ids],
            [{"id": i, "property": "value", "value": (texts or {})[i["field"]]} for i in text_ids],
            [{"id": i, "property": "id", "value": i} for i in text_ids],
            [],
            [],
        ],
        "changed": [json.dumps(action_ids[0], sort_keys=True, separators=(",", ":")) + ".n_clicks"],
    }


def post_action(client: DashClient, body: dict[str, Any]) -> tuple[int, str]:
    status, response = client.call(
        [("evaluation-message", "children"), ("evaluation-refresh", "data")],
        body["inputs"],
        body["state"],
        body["changed"],
    )
    return status, text_of(response.get("response", {}).get("evaluation-message", {}).get("children"))


def own(app: Flask, person_id: int) -> Evaluation:
    with store_of(app).read() as session:
        return session.execute(select(Evaluation).where(Evaluation.person_id == person_id)).scalar_one()


def test_self_assessment_and_review_through_the_callbacks(server: Flask) -> None:
    manager, staff = viewer_for(server, "manager"), viewer_for(server, "staff")
    commands.open_evaluations(store_of(server), viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    evaluation = own(server, staff.person_id)
    scores = {"politics": 10, "ethics": 5, "manner": 5, "discipline": 9}
    status, text = post_action(
        as_user(server, "staff"), action_body("self_assess", evaluation.id, evaluation.version, scores)
    )
    assert status == 200 and "Self-assessment saved" in text
    evaluation = own(server, staff.person_id)
    assert (evaluation.status, evaluation.general_points) == ("self_assessed", 29.0)

    # The manager changes a score without a reason: a message, nothing saved.
    changed = {**scores, "discipline": 7}
    status, text = post_action(
        as_user(server, "manager"),
        action_body("review", evaluation.id, evaluation.version, changed, {c: "" for c in scores}),
    )
    assert status == 200 and "give a reason" in text
    assert own(server, staff.person_id).status == "self_assessed"
    reasons = {c: "" for c in scores} | {"discipline": "Missed two deadlines for the weekly report"}
    status, text = post_action(
        as_user(server, "manager"), action_body("review", evaluation.id, evaluation.version, changed, reasons)
    )
    assert status == 200 and "Review saved" in text
    assert (own(server, staff.person_id).status, own(server, staff.person_id).general_points) == (
        "reviewed",
        27.0,
    )  # 30 - 3

    # A forged post from the person to review themselves is refused, and says so.
    evaluation = own(server, staff.person_id)
    status, text = post_action(
        as_user(server, "staff"),
        action_body("review", evaluation.id, evaluation.version, scores, {c: "x" for c in scores}),
    )
    assert status == 200 and "not allowed" in text
    assert own(server, staff.person_id).general_points == 27.0


def test_approve_shows_who_the_quota_moved(server: Flask) -> None:
    manager = viewer_for(server, "manager")
    commands.open_evaluations(store_of(server), viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    client = as_user(server, "manager")
    outputs = [("evaluations-message", "children"), ("evaluations-moves", "children"), ("evaluations-refresh", "data")]
    state = [
        {"id": "evaluations-period", "property": "data", "value": PERIOD},
        {"id": "evaluations-unit", "property": "value", "value": manager.scope_unit_id},
        {"id": "evaluations-refresh", "property": "data", "value": 0},
    ]

    def click(button: str) -> dict[str, Any]:
        inputs = [
            {"id": b, "property": "n_clicks", "value": 1 if b == button else None}
            for b in ("evaluations-open", "evaluations-review-rest", "evaluations-approve", "evaluations-lock")
        ]
        status, body = client.call(outputs, inputs, state, [f"{button}.n_clicks"])
        assert status == 200
        return body["response"]

    assert "still wait for review" in text_of(click("evaluations-approve")["evaluations-message"]["children"])
    click("evaluations-review-rest")
    response = click("evaluations-approve")
    assert "approved" in text_of(response["evaluations-message"]["children"])
    moves = text_of(response["evaluations-moves"]["children"])
    with store_of(server).read() as session:
        moved = [
            e
            for e in session.execute(select(Evaluation).where(Evaluation.unit_id == manager.scope_unit_id)).scalars()
            if e.final_level and e.final_level != e.level
        ]
        names = [session.get(Person, e.person_id).full_name for e in moved]
    assert names and all(name in moves for name in names)


def test_export_callback_sends_a_workbook(server: Flask) -> None:
    manager = viewer_for(server, "manager")
    commands.open_evaluations(store_of(server), viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    status, body = as_user(server, "manager").call(
        [("emulation-download", "data"), ("emulation-message", "children")],
        [{"id": "emulation-export", "property": "n_clicks", "value": 1}],
        [
            {"id": "emulation-period", "property": "data", "value": PERIOD},
            {"id": "emulation-unit", "property": "value", "value": manager.scope_unit_id},
        ],
        ["emulation-export.n_clicks"],
    )
    assert status == 200
    download = body["response"]["emulation-download"]["data"]
    assert download["filename"].endswith(".xlsx") and download["base64"]
    book = load_workbook(BytesIO(base64.b64decode(download["content"])))
    names = [row[2] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
    assert person_name(server, manager.person_id) in names


@pytest.mark.parametrize("forged", ["abc", {"x": 1}, [1], -5, 10**12, True])
def test_forged_ids_get_a_message_not_a_crash(server: Flask, forged: Any) -> None:
    client = as_user(server, "manager")
    status, body = client.call(
        [("evaluation-content", "children"), ("evaluation-version", "data"), ("evaluation-back", "href")],
        [
            {"id": "evaluation-id", "property": "data", "value": forged},
            {"id": "evaluation-refresh", "property": "data", "value": 0},
        ],
    )
    assert status == 200
    assert "Not found" in text_of(body["response"]["evaluation-content"]["children"])
    status, text = list_response(client, forged)  # type: ignore[arg-type]
    assert status in (200, 204)


def test_out_of_scope_action_is_not_found_and_changes_nothing(server: Flask) -> None:
    manager, staff = viewer_for(server, "manager"), viewer_for(server, "staff")
    commands.open_evaluations(store_of(server), viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    evaluation = own(server, staff.person_id)
    scores = {"politics": 1, "ethics": 1, "manner": 1, "discipline": 1}
    status, text = post_action(
        as_user(server, "ward_leader"),
        action_body("review", evaluation.id, evaluation.version, scores, {c: "x" for c in scores}),
    )
    assert status == 200 and "Not found" in text
    assert own(server, staff.person_id).general_points == 30.0


def test_an_evaluation_changed_elsewhere_is_announced_without_losing_the_form(server: Flask) -> None:
    manager, staff = viewer_for(server, "manager"), viewer_for(server, "staff")
    commands.open_evaluations(store_of(server), viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    shown = own(server, staff.person_id)  # what the manager's page shows
    reviewer = as_user(server, "manager")

    def banner(version: int) -> str:
        status, body = reviewer.call(
            [("evaluation-stale", "children")],
            [
                {"id": "pulse-live-version", "property": "data", "value": 2},
                {"id": "evaluation-version", "property": "data", "value": version},
            ],
            [{"id": "evaluation-id", "property": "data", "value": shown.id}],
            ["pulse-live-version.data"],
        )
        assert status == 200
        return text_of(body["response"]["evaluation-stale"]["children"])

    assert banner(shown.version) == ""
    scores = {"politics": 10, "ethics": 5, "manner": 5, "discipline": 9}
    commands.self_assess(store_of(server), viewer=staff, evaluation_id=shown.id, version=shown.version, scores=scores)
    assert "Someone changed this evaluation meanwhile." in banner(shown.version)
    assert banner(own(server, staff.person_id).version) == ""  # reloaded: the page shows it as it is now


def test_the_list_follows_a_change_made_elsewhere_but_not_twice(server: Flask) -> None:
    manager, staff = viewer_for(server, "manager"), viewer_for(server, "staff")
    client = as_user(server, "manager")

    def poll(live: int, shown: int | None) -> tuple[int, dict[str, Any]]:
        return client.call(
            [("evaluations-list", "children"), ("evaluations-list-version", "data")],
            [
                {"id": "evaluations-period", "property": "data", "value": PERIOD},
                {"id": "evaluations-unit", "property": "value", "value": manager.scope_unit_id},
                {"id": "evaluations-refresh", "property": "data", "value": 0},
                {"id": "pulse-live-version", "property": "data", "value": live},
            ],
            [{"id": "evaluations-list-version", "property": "data", "value": shown}],
            ["pulse-live-version.data"],
        )

    status, body = poll(1, None)
    assert status == 200 and person_name(server, staff.person_id) not in text_of(
        body["response"]["evaluations-list"]["children"]
    )
    shown = body["response"]["evaluations-list-version"]["data"]
    # Someone opens the period elsewhere: the next poll brings a newer version and the list shows it ...
    commands.open_evaluations(store_of(server), viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    status, body = poll(shown + 1, shown)
    assert status == 200 and person_name(server, staff.person_id) in text_of(
        body["response"]["evaluations-list"]["children"]
    )
    # ... and a poll that brings nothing newer than what is shown does not redraw it.
    shown = body["response"]["evaluations-list-version"]["data"]
    assert poll(shown, shown)[0] == 204

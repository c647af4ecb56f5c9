"""A unit's own evaluation through the pages' callbacks (Flask test client, real login): the unit's
head self-assesses the unit's criteria, the level above reviews with a reason and approves, and the
quota's moves among units are listed with the reason.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from data_access.commands import evaluations as commands
from data_access.models import Evaluation, OrgUnit
from tests.data.test_unit_evaluation import PERFECT, set_plan, unit_by_code, unit_products
from tests.integration.test_evaluation_callbacks import (
    PERIOD,
    DashClient,
    action_body,
    as_user,
    post_action,
    store_of,
    text_of,
    viewer_for,
)
from tests.integration.test_evaluation_callbacks import server as server  # noqa: F401  (the fixture)

UNIT_SCORES = {"unit_direction": 10, "unit_organisation": 9, "unit_reform": 9}


def unit_evaluation(app: Flask, unit_id: int) -> Evaluation:
    with store_of(app).read() as session:
        return session.execute(
            select(Evaluation).where(Evaluation.unit_id == unit_id, Evaluation.person_id.is_(None))
        ).scalar_one()


def page_text(client: DashClient, evaluation_id: int) -> str:
    status, body = client.call(
        [("evaluation-content", "children"), ("evaluation-version", "data"), ("evaluation-back", "href")],
        [
            {"id": "evaluation-id", "property": "data", "value": evaluation_id},
            {"id": "evaluation-refresh", "property": "data", "value": 0},
        ],
    )
    assert status == 200
    return text_of(body["response"]["evaluation-content"]["children"])


def test_the_head_self_assesses_the_unit_and_the_level_above_reviews(server: Flask) -> None:  # noqa: F811
    manager = viewer_for(server, "manager")
    commands.open_evaluations(store_of(server), viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    evaluation = unit_evaluation(server, manager.scope_unit_id)
    head = as_user(server, "manager")

    text = page_text(head, evaluation.id)
    assert "Self-assessment of the unit's general criteria" in text
    assert "Direction and management" in text and "Administrative reform and service to citizens" in text
    assert "How the unit's task points were computed" in text and "Planned work" in text
    assert "Task points (of 70)" in text and "Review by the level above" not in text

    status, message = post_action(head, action_body("self_assess", evaluation.id, evaluation.version, UNIT_SCORES))
    assert status == 200 and "Self-assessment saved" in message
    evaluation = unit_evaluation(server, manager.scope_unit_id)
    assert (evaluation.status, evaluation.general_points) == ("self_assessed", 28.0)

    # The unit does not review itself, even with a forged post.
    status, message = post_action(
        head, action_body("review", evaluation.id, evaluation.version, UNIT_SCORES, {c: "x" for c in UNIT_SCORES})
    )
    assert status == 200 and "not allowed" in message

    above = as_user(server, "city_leader")
    text = page_text(above, evaluation.id)
    assert "Review by the level above" in text and "Self-assessment of the unit's general criteria" not in text
    lowered = {**UNIT_SCORES, "unit_reform": 6}
    status, message = post_action(
        above, action_body("review", evaluation.id, evaluation.version, lowered, {c: "" for c in lowered})
    )
    assert status == 200 and "give a reason" in message
    status, message = post_action(
        above,
        action_body(
            "review",
            evaluation.id,
            evaluation.version,
            lowered,
            {c: "" for c in lowered} | {"unit_reform": "Hồ sơ trực tuyến còn ít"},
        ),
    )
    assert status == 200 and "Review saved" in message
    evaluation = unit_evaluation(server, manager.scope_unit_id)
    assert (evaluation.status, evaluation.general_points) == ("reviewed", 25.0)
    assert "Hồ sơ trực tuyến còn ít" in page_text(head, evaluation.id)


@pytest.fixture
def flawless_divisions(server: Flask) -> list[OrgUnit]:  # noqa: F811
    """The department's five divisions with one flawless product each and their plans met: 100 points."""
    store = store_of(server)
    department = unit_by_code(store, "SO-KHCN")
    with store.read() as session:
        divisions = list(session.execute(select(OrgUnit).where(OrgUnit.parent_id == department.id)).scalars())
    for division in divisions:
        unit_products(store, division, [PERFECT])
    for division in divisions:
        set_plan(store, division.id, 1.0)
    return divisions


def test_approving_the_department_lists_the_divisions_the_quota_moved(
    server: Flask, flawless_divisions: list[OrgUnit]
) -> None:  # noqa: F811
    leader = viewer_for(server, "city_leader")
    department = flawless_divisions[0].parent_id
    commands.open_evaluations(store_of(server), viewer=leader, period_code=PERIOD, unit_id=department)
    client = as_user(server, "city_leader")
    outputs = [("evaluations-message", "children"), ("evaluations-moves", "children"), ("evaluations-refresh", "data")]
    state = [
        {"id": "evaluations-period", "property": "data", "value": PERIOD},
        {"id": "evaluations-unit", "property": "value", "value": department},
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

    click("evaluations-review-rest")
    moves = text_of(click("evaluations-approve")["evaluations-moves"]["children"])
    assert all(d.name in moves for d in flawless_divisions)
    # In plain words, not "at most 0 of 5 ... 0 kept": why none of five equals may stay excellent.
    assert "With 5 unit(s) of this kind under the same parent, the 20% quota allows no excellent unit" in moves
    assert "kept" not in moves

    status, body = client.call(
        [("evaluations-list", "children"), ("evaluations-list-version", "data")],
        [
            {"id": "evaluations-period", "property": "data", "value": PERIOD},
            {"id": "evaluations-unit", "property": "value", "value": department},
            {"id": "evaluations-refresh", "property": "data", "value": 1},
            {"id": "pulse-live-version", "property": "data", "value": 1},
        ],
        [{"id": "evaluations-list-version", "property": "data", "value": None}],
    )
    listing = text_of(body["response"]["evaluations-list"]["children"])
    assert status == 200 and "Units" in listing and all(d.name in listing for d in flawless_divisions)
    assert listing.count("the 20% quota allows no excellent unit") == len(flawless_divisions)

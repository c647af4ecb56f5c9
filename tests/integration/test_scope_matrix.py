"""Scope inside data access: forged ids of other units, posted to every callback by every scoped
role, never bring back a row of those units; each refusal lands in the audit log.
"""

from __future__ import annotations

import json
from typing import Any

import dash
import pytest
from flask import Flask
from sqlalchemy import func, or_, select

from data_access.models import AuditEntry, Indicator, OrgUnit, Person, Task, User
from tests.support.login import csrf_header, login

# (user, code of a unit inside their scope whose subtree they may see)
SCOPED_USERS = [
    ("lanhdao.hoankiem", "W00070"),
    ("quantri.hoankiem", "W00070"),  # the ward's unit administrator: the admin callbacks answer it, in its ward only
    ("truongphong.khcn", None),
    ("chuyenvien.khcn", None),
    ("canbo.hoankiem", None),
]


def _outside(server: Flask, username: str) -> dict[str, Any]:
    """Ids and unique names of units, indicators and people outside the user's scope."""
    with server.extensions["pulse"]["store"].read() as db:
        scope_path = db.execute(
            select(OrgUnit.path).join(User, User.scope_unit_id == OrgUnit.id).where(User.username == username)
        ).scalar_one()
        units = db.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.path, OrgUnit.parent_id)).all()
        outside_units = [u for u in units if not u.path.startswith(scope_path)]
        outside_ids = {u.id for u in outside_units}
        name_counts = dict(db.execute(select(OrgUnit.name, func.count()).group_by(OrgUnit.name)).all())
        people = db.execute(select(Person.id, Person.full_name, Person.unit_id)).all()
        person_counts = dict(db.execute(select(Person.full_name, func.count()).group_by(Person.full_name)).all())
        inside_people = {p.full_name for p in people if p.unit_id not in outside_ids}
        # Whoever gave work to the user's units is named on that work ("Người giao: ..."): not a secret either.
        ancestors_ids = [int(part) for part in scope_path.strip("/").split("/")]
        inside_people |= set(
            db.execute(
                select(Person.full_name)
                .join(User, User.person_id == Person.id)
                .join(Task, Task.assigner_user_id == User.id)
                .join(OrgUnit, OrgUnit.id == Task.assignee_unit_id)
                .where(or_(OrgUnit.path.startswith(scope_path), OrgUnit.id.in_(ancestors_ids)))
                .distinct()
            ).scalars()
        )
        indicators = db.execute(select(Indicator.id).where(Indicator.unit_id.in_(outside_ids)).limit(3)).scalars().all()
    # The units above one's own are not secrets: a division's staff see their ward's name on the ward's tasks.
    ancestors = {int(part) for part in scope_path.strip("/").split("/")}
    inside_texts = [u.name for u in units if u.id not in outside_ids or u.id in ancestors] + sorted(inside_people)
    unique_outside = {u.name for u in outside_units if name_counts[u.name] == 1} | {
        p.full_name for p in people if p.unit_id in outside_ids and person_counts[p.full_name] == 1
    }
    return {
        "units": [u.id for u in outside_units][:6],
        "people": [p.id for p in people if p.unit_id in outside_ids][:4],
        "indicators": list(indicators),
        # Names that identify an outside unit or person unambiguously (not even inside a name the user may see).
        "names": {n for n in unique_outside if not any(n in inside for inside in inside_texts)},
    }


def _forged_bodies(key: str, spec: dict[str, Any], forged: dict[str, Any]) -> list[dict[str, Any]]:
    ids = (
        [("unit", i) for i in forged["units"][:3]]
        + [("indicator", i) for i in forged["indicators"][:2]]
        + [("person", i) for i in forged["people"][:2]]
    )
    bodies = []
    for kind, forged_id in ids:

        def value(item: dict[str, Any], kind: str = kind, forged_id: Any = forged_id) -> Any:
            name = item["id"] if isinstance(item["id"], str) else item["id"].get("type", "")
            prop = item["property"]
            if "period" in name:
                return "2026"
            if name.endswith("version"):
                return 1
            if prop == "pathname":
                return f"/{kind}/{forged_id}"
            if prop == "search":
                return f"?period=2026&unit={forged_id}"
            if prop == "getRowsRequest":  # an infinite grid's block request, so the forged state reaches the query
                return {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
            if name.endswith("-id") or name.endswith("-unit") or prop in ("n_clicks", "value", "clickData"):
                return (
                    str(forged_id)
                    if prop != "clickData"
                    else {"points": [{"customdata": forged_id, "id": str(forged_id)}]}
                )
            return None

        def item_of(entry: dict[str, Any], forged_id: Any = forged_id) -> dict[str, Any]:
            entry_id = entry["id"]
            if isinstance(entry_id, dict):  # pattern-matching id: forge its index
                entry_id = {**entry_id, **{k: forged_id for k in entry_id if k != "type"}}
            return {"id": entry_id, "property": entry["property"], "value": value(entry)}

        outputs = [{"id": o.split(".")[0], "property": o.split(".")[-1]} for o in key.strip(".").split("...")]
        bodies.append(
            {
                "output": key,
                "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": [item_of(i) for i in spec.get("inputs", [])],
                "state": [item_of(s) for s in spec.get("state", [])],
                "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"]
                if spec.get("inputs") and isinstance(spec["inputs"][0]["id"], str)
                else [],
            }
        )
    return bodies


@pytest.mark.parametrize(("username", "_scope"), SCOPED_USERS)
def test_forged_ids_never_leak_other_units(server: Flask, username: str, _scope: str | None) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    client = server.test_client()
    assert login(client, username).status_code == 302
    client.get("/")
    headers = csrf_header(client)
    forged = _outside(server, username)
    assert forged["units"] and forged["names"]
    posted = 0
    server_side = [(k, v) for k, v in app.callback_map.items() if "callback" in v]  # clientside ones run in the browser
    for key, spec in server_side:
        for body in _forged_bodies(key, spec, forged):
            response = client.post(
                "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=headers
            )
            posted += 1
            # Forged input gets an answer, never an internal error.
            assert response.status_code in (200, 204, 400, 403, 404), (key, response.status_code)
            if response.status_code != 200:
                continue
            text = json.dumps(response.get_json(), ensure_ascii=False)
            leaked = [name for name in forged["names"] if name in text]
            assert not leaked, (username, key, leaked[:3])
    assert posted > 10
    with server.extensions["pulse"]["store"].read() as db:
        refusals = db.execute(
            select(func.count())
            .select_from(AuditEntry)
            .join(User, User.id == AuditEntry.user_id)
            .where(User.username == username, AuditEntry.outcome == "denied")
        ).scalar_one()
    assert refusals > 0

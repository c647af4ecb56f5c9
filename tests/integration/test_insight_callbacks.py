"""The alignment tree, the analysis form and the milestone form posted as the browser would: the tree
follows the viewer's scope and keeps its open nodes, the owner's analysis is saved and then shown,
and forged ids (an indicator or a milestone of another unit) are refused and audited.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import dash
from flask import Flask
from sqlalchemy import func, select

from data_access.commands import milestones
from data_access.models import AuditEntry, Indicator, IndicatorAnalysis, Objective, OrgUnit, Period, User
from tests.conftest import TEST_TODAY
from tests.support.login import csrf_header, login
from tests.support.viewers import viewer_of

YEAR = str(TEST_TODAY.year)


def _post(client, app: dash.Dash, fragment: str, values: dict[str, Any], changed: str | None = None) -> Any:  # type: ignore[no-untyped-def]
    key = next(k for k in app.callback_map if fragment in k)
    spec = app.callback_map[key]

    def fill(items: list[dict]) -> list[dict]:
        return [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in items]

    outputs = [{"id": o.split(".")[0], "property": o.split(".")[-1]} for o in key.strip(".").split("...")]
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": fill(spec["inputs"]),
        "state": fill(spec.get("state", [])),
        "changedPropIds": [changed or f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=csrf_header(client)
    )


def _logged_in(server: Flask, username: str):  # type: ignore[no-untyped-def]
    client = server.test_client()
    login(client, username)
    client.get("/")
    return client, server.extensions["pulse"]["dash"]


def _denied(server: Flask, username: str, action: str) -> int:
    with server.extensions["pulse"]["store"].read() as db:
        return db.execute(
            select(func.count())
            .select_from(AuditEntry)
            .join(User, User.id == AuditEntry.user_id)
            .where(User.username == username, AuditEntry.action == action, AuditEntry.outcome == "denied")
        ).scalar_one()


def _text(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_the_tree_shows_the_city_objective_and_opens_on_what_serves_it(server: Flask) -> None:
    client, app = _logged_in(server, "lanhdao.thanhpho")
    with server.extensions["pulse"]["store"].read() as db:
        city_objective, ward_objective = db.execute(
            select(Objective.parent_objective_id, Objective.id)
            .join(OrgUnit, OrgUnit.id == Objective.unit_id)
            .join(Period, Period.id == Objective.period_id)
            .where(OrgUnit.code == "W00070", Period.code == YEAR, Objective.source_ref == "57-NQ/TW")
        ).one()
    closed = _text(_post(client, app, "alignment-body", {"pulse-live-version": 1, "alignment-period": YEAR}))
    assert "Đẩy mạnh chuyển đổi số theo Nghị quyết 57-NQ/TW" in closed
    assert "Xây dựng đô thị thông minh" in closed  # listed as unsupported too
    assert f'"data-objective": "{ward_objective}"' not in closed
    opened = _text(
        _post(
            client,
            app,
            "alignment-body",
            {"pulse-live-version": 1, "alignment-period": YEAR, "alignment-open": [city_objective]},
        )
    )
    assert f'"data-objective": "{ward_objective}"' in opened
    assert "Phường Hoàn Kiếm" in opened


def test_a_ward_leader_sees_only_the_wards_branch(server: Flask) -> None:
    client, app = _logged_in(server, "lanhdao.hoankiem")
    text = _text(_post(client, app, "alignment-body", {"pulse-live-version": 1, "alignment-period": YEAR}))
    assert "Phường Hoàn Kiếm" in text
    with server.extensions["pulse"]["store"].read() as db:
        others = db.execute(select(OrgUnit.name).where(OrgUnit.kind == "ward", OrgUnit.code != "W00070")).scalars()
        assert not [name for name in others if name in text]
    # Forged open ids are only a filter on what the viewer may see: nothing else comes back.
    forged = _text(
        _post(
            client,
            app,
            "alignment-body",
            {"pulse-live-version": 1, "alignment-period": YEAR, "alignment-open": [1, 2, 3, "x", None, 10**12]},
        )
    )
    assert "Ban Tổ chức Thành ủy" not in forged


def _toggle(client, app: dash.Dash, kind: str, index: object, opened: list) -> Any:  # type: ignore[no-untyped-def]
    key = next(k for k in app.callback_map if k.startswith("alignment-open."))
    clicked = {"id": {"type": kind, "index": index}, "property": "n_clicks", "value": 1}
    untouched = {"id": {"type": "alignment-toggle", "index": 999}, "property": "n_clicks", "value": 0}
    body = {
        "output": key,
        "outputs": {"id": "alignment-open", "property": "data"},
        "inputs": [
            [clicked, untouched] if kind == "alignment-toggle" else [untouched],
            [clicked] if kind == "alignment-show-all" else [],
        ],
        "state": [{"id": "alignment-open", "property": "data", "value": opened}],
        "changedPropIds": [json.dumps({"index": index, "type": kind}, separators=(",", ":")) + ".n_clicks"],
    }
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=csrf_header(client)
    )
    return response.get_json()["response"]["alignment-open"]["data"] if response.status_code == 200 else None


def test_the_toggle_opens_and_closes_a_node_and_shows_all_below_it(server: Flask) -> None:
    client, app = _logged_in(server, "lanhdao.thanhpho")
    assert _toggle(client, app, "alignment-toggle", 7, [8]) == [8, 7]
    assert _toggle(client, app, "alignment-toggle", 8, [8, 7]) == [7]
    assert _toggle(client, app, "alignment-show-all", 7, [7]) == [7, "all:7"]
    assert _toggle(client, app, "alignment-show-all", 7, [7, "all:7"]) == [7]
    assert _toggle(client, app, "alignment-toggle", "<script>", [7]) is None  # a forged index: nothing changes


def _staff_indicator(server: Flask) -> int:
    staff = viewer_of(server.extensions["pulse"]["store"], "chuyenvien.khcn")
    with server.extensions["pulse"]["store"].read() as db:
        return db.execute(
            select(Indicator.id)
            .join(Period, Period.id == Indicator.period_id)
            .where(Indicator.owner_person_id == staff.person_id, Period.year == TEST_TODAY.year)
            .order_by(Indicator.id)
        ).scalar()


def test_the_owner_saves_an_analysis_and_the_indicator_page_shows_it(server: Flask) -> None:
    client, app = _logged_in(server, "chuyenvien.khcn")
    indicator = _staff_indicator(server)
    shown = _text(
        _post(client, app, "analysis-area.hidden", {"indicator-id": str(indicator), "indicator-period": YEAR})
    )
    assert '"hidden": false' in shown
    opened = _text(
        _post(
            client,
            app,
            "analysis-modal.is_open...",
            {"analysis-open": 1, "indicator-id": str(indicator), "indicator-period": YEAR},
        )
    )
    assert '"version": null' in opened
    saved = _text(
        _post(
            client,
            app,
            "analysis-message.children",
            {
                "analysis-save": 1,
                "indicator-id": str(indicator),
                "analysis-seen": {"period": YEAR, "version": None},
                "analysis-why": "Chậm do thiếu dữ liệu từ phường",
            },
        )
    )
    assert "alert-success" in saved or "success" in saved
    page = _text(
        _post(
            client,
            app,
            "indicator-body",
            {"pulse-live-version": 2, "indicator-period": YEAR, "indicator-id": str(indicator)},
        )
    )
    assert "Chậm do thiếu dữ liệu từ phường" in page


def test_forged_ids_in_the_analysis_and_milestone_forms_are_refused_and_audited(server: Flask) -> None:
    store = server.extensions["pulse"]["store"]
    client, app = _logged_in(server, "canbo.hoankiem")
    other = _staff_indicator(server)  # the science department's: outside a Hoan Kiem official's scope
    hidden = _text(_post(client, app, "analysis-area.hidden", {"indicator-id": str(other), "indicator-period": YEAR}))
    assert '"hidden": true' in hidden
    refused = _text(
        _post(
            client,
            app,
            "analysis-message.children",
            {
                "analysis-save": 1,
                "indicator-id": str(other),
                "analysis-seen": {"period": YEAR, "version": None},
                "analysis-why": "forged",
            },
        )
    )
    assert "alert-danger" in refused or "danger" in refused
    assert _denied(server, "canbo.hoankiem", "analysis.write") == 1
    with store.read() as db:
        assert db.execute(select(IndicatorAnalysis.id)).first() is None
    # A milestone of the science department, forged into the form of a Hoan Kiem official.
    with store.write() as db:
        db.get(Indicator, other).direction = "milestones"
    leader = viewer_of(store, "lanhdao.thanhpho")
    state = milestones.add_milestone(
        store, viewer=leader, indicator_id=other, title="Bước 1", due_on=date(TEST_TODAY.year, 6, 1)
    )
    forged = _text(
        _post(
            client,
            app,
            "milestone-message.children",
            {
                "milestone-save": 1,
                "indicator-id": str(other),
                "milestone-choice": str(state.milestone_id),
                "milestone-known": {
                    str(state.milestone_id): {
                        "title": "Bước 1",
                        "due": f"{TEST_TODAY.year}-06-01",
                        "done": None,
                        "version": 1,
                    }
                },
                "milestone-title": "Bước 1",
                "milestone-due": f"{TEST_TODAY.year}-06-01",
                "milestone-done": TEST_TODAY.isoformat(),
            },
        )
    )
    assert "danger" in forged
    assert _denied(server, "canbo.hoankiem", "milestone.done") == 1


def test_the_big_screens_lagging_slide_says_why(server: Flask) -> None:
    from data_access.commands import analyses
    from data_access.queries.lagging import lagging_indicators

    store = server.extensions["pulse"]["store"]
    leader = viewer_of(store, "lanhdao.thanhpho")
    with store.read() as db:
        top = lagging_indicators(db, viewer=leader, period=YEAR, limit=1)
    analyses.write_analysis(
        store,
        viewer=leader,
        indicator_id=int(top.iloc[0].indicator_id),
        period=YEAR,
        what_happened="",
        why="Chờ kết quả đấu thầu phần mềm",
        next_steps="",
        version=None,
    )
    client, app = _logged_in(server, "manhinh.phonghop")
    playlist = {"slides": ["lagging"], "interval": 20, "period": YEAR}
    text = _text(
        _post(client, app, "present-slide", {"pulse-live-version": 5, "present-index": 0, "present-playlist": playlist})
    )
    assert "Chờ kết quả đấu thầu phần mềm" in text and "present-why" in text

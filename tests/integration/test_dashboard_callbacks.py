"""Dashboard callbacks posted as the browser would: figures follow the URL's period, rankings
compare like with like and download as Excel, the shared cache runs one query per scope and version,
and the lagging grid gets its blocks sorted and filtered by the server, forged requests an empty block."""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

import dash
import openpyxl
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from data_access.cache import ScopedCache, cache_key
from data_access.models import AuditEntry, OrgUnit, User
from data_access.viewer import Viewer
from domain.kinds import Role
from tests.support.login import csrf_header, login


def _post(client, app: dash.Dash, fragment: str, values: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    key = next(k for k in app.callback_map if fragment in k)
    spec = app.callback_map[key]

    def fill(items: list[dict]) -> list[dict]:
        return [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in items]

    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": fill(spec["inputs"]),
        "state": fill(spec.get("state", [])),
        "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
    }
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=csrf_header(client)
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def _text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


def _logged_in(server: Flask, username: str):  # type: ignore[no-untyped-def]
    client = server.test_client()
    login(client, username)
    client.get("/")
    return client, server.extensions["pulse"]["dash"]


def test_overview_follows_the_period_in_the_url(server: Flask) -> None:
    client, app = _logged_in(server, "lanhdao.thanhpho")
    year = _text(_post(client, app, "overview-body", {"pulse-live-version": 1, "overview-period": "2026"}))
    january = _text(_post(client, app, "overview-body", {"pulse-live-version": 1, "overview-period": "2026-01"}))
    assert "Thành phố Hà Nội" in year and "Thành phố Hà Nội" in january
    assert year != january


def test_rankings_compare_like_with_like_and_export_to_excel(server: Flask) -> None:
    client, app = _logged_in(server, "lanhdao.thanhpho")
    page = _text(_post(client, app, "rankings-body", {"pulse-live-version": 1, "rankings-period": "2026"}))
    assert "rankings-ward" in page and "rankings-department" in page and "rankings-people" in page
    download = _post(client, app, "rankings-download", {"rankings-export": 1, "rankings-period": "2026"})
    content = download["response"]["rankings-download"]["data"]
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(content["content"])))
    sheets = {name: {str(row[1].value) for row in book[name].iter_rows(min_row=2)} for name in book.sheetnames}
    ward_sheet = next(names for names in sheets.values() if "Phường Hoàn Kiếm" in names)
    assert "Phường Từ Liêm" in ward_sheet and "Sở Khoa học và Công nghệ" not in ward_sheet  # like against like
    assert any("Sở Khoa học và Công nghệ" in names for names in sheets.values())


def test_a_ward_leader_sees_only_the_ward(server: Flask) -> None:
    client, app = _logged_in(server, "lanhdao.hoankiem")
    page = _text(_post(client, app, "overview-body", {"pulse-live-version": 1, "overview-period": "2026"}))
    assert "Phường Hoàn Kiếm" in page and "Phường Từ Liêm" not in page and "Sở Khoa học" not in page


def test_the_cache_runs_one_query_per_scope_and_version() -> None:
    cache = ScopedCache()
    city = Viewer(1, "a", Role.LEADER, 1, "/1/")
    ward = Viewer(2, "b", Role.LEADER, 8, "/1/8/")
    assert cache_key("overview", city, "2026", 5) != cache_key("overview", ward, "2026", 5)
    assert cache_key("overview", city, "2026", 5) != cache_key("overview", city, "2026", 6)
    runs = []
    for _ in range(20):
        cache.get_or_compute(cache_key("overview", city, "2026", 5), lambda: runs.append(1) or "city")
    assert cache.get_or_compute(cache_key("overview", ward, "2026", 5), lambda: "ward") == "ward"
    assert len(runs) == 1 and cache.computations == 2


def test_the_redis_cache_is_shared_between_processes() -> None:
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/11")
    client.flushdb()
    first, second = ScopedCache(client), ScopedCache(redis.Redis.from_url("redis://127.0.0.1:6379/11"))
    viewer = Viewer(1, "a", Role.LEADER, 1, "/1/")
    key = cache_key("overview", viewer, "2026", 9)
    assert first.get_or_compute(key, lambda: {"score": 0.8}) == {"score": 0.8}
    assert second.get_or_compute(key, lambda: {"score": 0.0}) == {"score": 0.8}  # computed once, in the other process
    assert (first.computations, second.computations) == (1, 0)


# --- /lagging: the grid asks the server for blocks of rows -----------------------------------------------

FIRST_BLOCK = {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "gap", "sort": "desc"}], "filterModel": {}}


def _block(client, app: dash.Dash, request: object, unit: object = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    payload = _post(
        client,
        app,
        "lagging-grid.getRowsResponse",
        {"lagging-grid": request, "lagging-period": "2026", "lagging-unit": unit},
    )
    return payload["response"]["lagging-grid"]["getRowsResponse"]


def test_the_lagging_grid_gets_blocks_sorted_and_filtered_by_the_server(server: Flask) -> None:
    client, app = _logged_in(server, "lanhdao.thanhpho")
    header = _text(_post(client, app, "lagging-header", {"pulse-live-version": 1, "lagging-period": "2026"}))
    first = _block(client, app, FIRST_BLOCK)
    assert f"{first['rowCount']} chỉ số" in header and first["rowCount"] > 50  # the header counts what the pager pages
    assert len(first["rowData"]) == 50
    assert [r["gap"] for r in first["rowData"]] == sorted((r["gap"] for r in first["rowData"]), reverse=True)
    row = first["rowData"][0]
    assert row["indicator"].endswith(f"(/indicator/{row['indicator_id']}?period=2026)") and "](/unit/" in row["unit"]
    rest = _block(client, app, {**FIRST_BLOCK, "startRow": 50, "endRow": 100})
    assert len(rest["rowData"]) == first["rowCount"] - 50
    assert not {r["indicator_id"] for r in first["rowData"]} & {r["indicator_id"] for r in rest["rowData"]}

    # Sorted by progress, filtered on the labels the user reads (Vietnamese here) and on a unit name.
    asked = {
        "startRow": 0,
        "endRow": 100,
        "sortModel": [{"colId": "progress", "sort": "asc", "type": "default"}],
        "filterModel": {
            "status": {"filterType": "text", "type": "equals", "filter": "có nguy cơ"},
            "unit": {"filterType": "text", "type": "contains", "filter": "PHÒNG"},
        },
    }
    block = _block(client, app, asked)
    assert 0 < block["rowCount"] == len(block["rowData"]) < first["rowCount"]
    assert all(r["status"] == "Có nguy cơ" and "phòng" in r["unit"].lower() for r in block["rowData"])
    assert [r["progress"] for r in block["rowData"]] == sorted(r["progress"] for r in block["rowData"])


@pytest.mark.parametrize(
    "request_",
    [
        None,
        "rows please",
        [],
        {"startRow": -10, "endRow": 10},
        {"startRow": 0, "endRow": 100_000},
        {"startRow": "0", "endRow": "50"},
        {"startRow": 0, "endRow": 50, "sortModel": "gap"},
        {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "people.citizen_id", "sort": "asc"}]},
        {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "gap", "sort": "desc; DROP TABLE indicators"}]},
        {
            "startRow": 0,
            "endRow": 50,
            "filterModel": {"citizen_id": {"filterType": "text", "type": "contains", "filter": "0"}},
        },
        {"startRow": 0, "endRow": 50, "filterModel": {"unit": {"filterType": "text", "type": "like", "filter": "%"}}},
        {
            "startRow": 0,
            "endRow": 50,
            "filterModel": {"progress": {"filterType": "number", "type": "lessThan", "filter": "1) OR (1=1"}},
        },
        {
            "startRow": 0,
            "endRow": 50,
            "filterModel": {"progress": {"filterType": "number", "type": "lessThan", "filter": 10**400}},
        },
        {"startRow": 0, "endRow": 50, "filterModel": {"unit": {"operator": "AND", "conditions": "all"}}},
        {
            "startRow": 0,
            "endRow": 50,
            "filterModel": {
                "unit": {
                    "operator": {"$ne": 1},
                    "conditions": [{"filterType": "text", "type": "contains", "filter": "a"}],
                }
            },
        },
        {"startRow": 0, "endRow": 50, "filterModel": {"unit": ["contains", "a"]}},
    ],
)
def test_a_forged_grid_request_gets_an_empty_block(server: Flask, request_: object) -> None:
    client, app = _logged_in(server, "lanhdao.thanhpho")
    assert _block(client, app, request_) == {"rowData": [], "rowCount": 0}


def _refusals(server: Flask, username: str) -> int:
    with server.extensions["pulse"]["store"].read() as db:
        return db.execute(
            select(func.count())
            .select_from(AuditEntry)
            .join(User, User.id == AuditEntry.user_id)
            .where(User.username == username, AuditEntry.outcome == "denied")
        ).scalar_one()


def test_a_forged_unit_gets_an_empty_block_and_an_audited_refusal(server: Flask) -> None:
    client, app = _logged_in(server, "lanhdao.hoankiem")
    with server.extensions["pulse"]["store"].read() as db:
        ward_path = db.execute(select(OrgUnit.path).where(OrgUnit.code == "W00070")).scalar_one()
        paths = dict(db.execute(select(OrgUnit.id, OrgUnit.path)).all())
    other = next(unit_id for unit_id, path in paths.items() if not path.startswith(ward_path))
    own = _block(client, app, FIRST_BLOCK)
    shown_units = [int(re.search(r"/unit/(\d+)", r["unit"]).group(1)) for r in own["rowData"]]  # type: ignore[union-attr]
    assert own["rowCount"] == len(shown_units) > 0 and all(paths[u].startswith(ward_path) for u in shown_units)

    before = _refusals(server, "lanhdao.hoankiem")
    assert _block(client, app, FIRST_BLOCK, unit=str(other)) == {"rowData": [], "rowCount": 0}
    assert _refusals(server, "lanhdao.hoankiem") == before + 1
    assert _block(client, app, FIRST_BLOCK, unit="1 OR 1=1") == {"rowData": [], "rowCount": 0}
    assert _block(client, app, FIRST_BLOCK, unit=["1"]) == {"rowData": [], "rowCount": 0}
    forged_period = _post(
        client, app, "lagging-grid.getRowsResponse", {"lagging-grid": FIRST_BLOCK, "lagging-period": {"code": "2026"}}
    )
    assert (
        forged_period["response"]["lagging-grid"]["getRowsResponse"]["rowCount"] == own["rowCount"]
    )  # the default period


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
FIELDS = st.sampled_from(
    [
        "indicator",
        "unit",
        "unit_kind",
        "source",
        "owner",
        "status",
        "progress",
        "expected",
        "gap",
        "indicator_id",
        "people.citizen_id",
        "",
        "unit) OR (1=1",
    ]
)
OPERATORS = st.sampled_from(
    [
        "contains",
        "notContains",
        "equals",
        "notEqual",
        "startsWith",
        "endsWith",
        "lessThan",
        "lessThanOrEqual",
        "greaterThan",
        "greaterThanOrEqual",
        "inRange",
        "blank",
        "regex",
        "; --",
    ]
)
CONDITION = st.fixed_dictionaries(
    {
        "filterType": st.sampled_from(["text", "number", "set"]),
        "type": st.one_of(OPERATORS, JUNK),
        "filter": st.one_of(st.text(max_size=20), st.floats(-1e3, 1e3), JUNK),
    },
    optional={"filterTo": st.one_of(st.floats(-1e3, 1e3), JUNK)},
)
COLUMN_FILTER = st.one_of(
    CONDITION,
    st.fixed_dictionaries(
        {
            "operator": st.one_of(st.sampled_from(["AND", "OR"]), JUNK),
            "conditions": st.one_of(st.lists(CONDITION, max_size=3), JUNK),
        }
    ),
    JUNK,
)
GRID_REQUESTS = st.fixed_dictionaries(
    {},
    optional={
        "startRow": st.one_of(st.integers(-5, 300), JUNK),
        "endRow": st.one_of(st.integers(-5, 800), JUNK),
        "sortModel": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {"colId": st.one_of(FIELDS, JUNK), "sort": st.one_of(st.sampled_from(["asc", "desc"]), JUNK)}
                ),
                max_size=4,
            ),
            JUNK,
        ),
        "filterModel": st.one_of(st.dictionaries(FIELDS, COLUMN_FILTER, max_size=3), JUNK),
    },
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(request_=GRID_REQUESTS)
def test_any_grid_request_answers_in_scope_or_empty(server: Flask, request_: dict[str, Any]) -> None:
    """Fuzzed block requests from a ward leader: never an error, never a row from outside the ward."""
    if "fuzz" not in server.extensions:  # one login per app, not per example (password hashing is slow on purpose)
        client, app = _logged_in(server, "lanhdao.hoankiem")
        with server.extensions["pulse"]["store"].read() as db:
            ward_path = db.execute(select(OrgUnit.path).where(OrgUnit.code == "W00070")).scalar_one()
            paths = dict(db.execute(select(OrgUnit.id, OrgUnit.path)).all())
        server.extensions["fuzz"] = (client, app, ward_path, paths)
    client, app, ward_path, paths = server.extensions["fuzz"]
    block = _block(client, app, request_)  # asserts a 200 answer
    assert set(block) == {"rowData", "rowCount"} and block["rowCount"] >= len(block["rowData"])
    for row in block["rowData"]:
        unit_id = int(re.search(r"/unit/(\d+)", row["unit"]).group(1))  # type: ignore[union-attr]
        assert paths[unit_id].startswith(ward_path)

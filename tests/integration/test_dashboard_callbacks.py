"""Dashboard callbacks posted as the browser would: figures follow the URL's period, rankings
compare like with like and download as Excel, and the shared cache runs one query per scope and version."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import dash
import openpyxl
from flask import Flask

from data_access.cache import ScopedCache, cache_key
from data_access.viewer import Viewer
from domain.kinds import Role
from tests.support.login import csrf_header, login


def _post(client, app: dash.Dash, fragment: str, values: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    key = next(k for k in app.callback_map if fragment in k)
    spec = app.callback_map[key]

    def fill(items: list[dict]) -> list[dict]:
        return [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in items]

    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": fill(spec["inputs"]),
            "state": fill(spec.get("state", [])), "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"]}
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json",
                           headers=csrf_header(client))
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

    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    client.flushdb()
    first, second = ScopedCache(client), ScopedCache(redis.Redis.from_url("redis://127.0.0.1:6379/15"))
    viewer = Viewer(1, "a", Role.LEADER, 1, "/1/")
    key = cache_key("overview", viewer, "2026", 9)
    assert first.get_or_compute(key, lambda: {"score": 0.8}) == {"score": 0.8}
    assert second.get_or_compute(key, lambda: {"score": 0.0}) == {"score": 0.8}  # computed once, in the other process
    assert (first.computations, second.computations) == (1, 0)

"""/admin/import through its callbacks, as the browser posts them: a bad file (20 MB, a zip bomb, a
malformed or truncated file, JSON not in the exchange shape, wrong types) gets a clear message in the
user's language and writes nothing; the size is judged before the upload is decoded; a good file is
checked and imported with the ticks; the template downloads with translated headers and reads back.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import dash
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from data_access import record_files
from data_access.models import ImportJob, Person
from tests.integration.test_admin_pages import logged_in, post
from tests.support.people_files import people_file, ward_positions
from tests.support.xlsx_files import XXE, empty_rows, shared_string_bomb, with_doctype

XLSX = "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
JSON = "data:application/json;base64,"


def body(key: str, spec: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A callback request as the renderer sends it; `values` by "id.property" or by id; the first input triggers."""

    def item(entry: dict[str, Any]) -> dict[str, Any]:
        found = values.get(f"{entry['id']}.{entry['property']}", values.get(entry["id"]))
        return {"id": entry["id"], "property": entry["property"], "value": found}

    outputs = [{"id": o.split(".")[0], "property": o.split(".")[-1].split("@")[0]} for o in key.strip(".").split("...")]
    first = spec["inputs"][0]
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [item(i) for i in spec["inputs"]],
        "state": [item(s) for s in spec.get("state", [])],
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }


def _spec(app: dash.Dash, output_start: str, trigger: str) -> tuple[str, dict[str, Any]]:
    return next(
        (k, v)
        for k, v in app.callback_map.items()
        if k.lstrip(".").startswith(output_start) and v["inputs"][0]["id"] == trigger
    )


def upload(server: Flask, client: FlaskClient, contents: str, kind: str = "people") -> Any:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    key, spec = _spec(app, "admin-import-job.data", "admin-import-upload")
    values = {
        "admin-import-upload.contents": contents,
        "admin-import-upload.filename": "nhan-su.xlsx",
        "admin-import-kind": kind,
        "admin-import-tick": 0,
    }
    return post(client, body(key, spec, values))


def _text(response: Any) -> str:
    return json.dumps(response.get_json(), ensure_ascii=False)


def counts(server: Flask) -> tuple[int, int]:
    with server.extensions["pulse"]["store"].read() as session:
        return (
            session.execute(select(func.count()).select_from(Person)).scalar_one(),
            session.execute(select(func.count()).select_from(ImportJob)).scalar_one(),
        )


@pytest.mark.parametrize(
    ("contents", "expected"),
    [
        (XLSX + "A" * (14 * 1024 * 1024), "Tệp lớn hơn 10 MB."),
        (XLSX + base64.b64encode(shared_string_bomb(1024)).decode(), "Sổ tính khi giải nén lớn hơn 60 MB"),
        (XLSX + base64.b64encode(empty_rows(3_000_000)).decode(), "lớn hơn 60 MB"),
        (XLSX + base64.b64encode(empty_rows(60_000)).decode(), "hơn 50000 bản ghi"),
        (XLSX + base64.b64encode(with_doctype(XXE)).decode(), "Không đọc được tệp dưới dạng sổ tính Excel"),
        (XLSX + base64.b64encode(b"PK\x03\x04 truncated").decode(), "Không đọc được tệp dưới dạng sổ tính Excel"),
        (XLSX + "!!not base64!!", "Không đọc được tệp dưới dạng sổ tính Excel"),
        (JSON + base64.b64encode(b'{"records": [').decode(), "Tệp không phải JSON hợp lệ"),
        (JSON + base64.b64encode(b'[{"citizen_id": "001185001234"}]').decode(), "JSON không theo định dạng trao đổi"),
        (JSON + base64.b64encode(b'{"records": []}').decode(), "Tệp không có bản ghi nào."),
    ],
    ids=[
        "over-10-mb",
        "zip-bomb",
        "empty-rows-bomb",
        "60000-empty-rows",
        "xxe",
        "truncated-zip",
        "not-base64",
        "malformed-json",
        "not-the-shape",
        "no-records",
    ],  # fmt: skip
)
def test_a_bad_file_gets_a_clear_message_and_writes_nothing(server: Flask, contents: str, expected: str) -> None:
    client = logged_in(server, "admin")
    before = counts(server)
    response = upload(server, client, contents)
    assert response.status_code == 200
    text = _text(response)
    assert expected in text and "Chưa có gì được lưu." in text, text[:400]
    assert counts(server) == before


def test_a_20_mb_upload_is_refused_before_it_is_read(server: Flask) -> None:
    """The body is over the server's 20 MB limit: Werkzeug refuses it (413) before the callback runs;
    the page tells the user (callback_failures.js, tested in the browser suite) and nothing is written."""
    client = logged_in(server, "admin")
    before = counts(server)
    response = upload(server, client, XLSX + "A" * (27 * 1024 * 1024))
    assert response.status_code == 413
    assert counts(server) == before


def test_wrong_types_are_reported_row_by_row(server: Flask) -> None:
    client = logged_in(server, "admin")
    records = [{"citizen_id": 1185001234, "full_name": 12, "date_of_birth": True, "gender": "nam", "unit_code": []}]
    response = upload(server, client, JSON + base64.b64encode(json.dumps({"records": records}).encode()).decode())
    job = response.get_json()["response"]["admin-import-job"]["data"]
    assert isinstance(job, int)
    state = tick_to_rest(server, client, job)
    assert "0 bản ghi hợp lệ, 1 bản ghi có lỗi" in state
    assert "Phải là văn bản" in state and "Pulse bắt buộc phải có" in state


def tick_to_rest(server: Flask, client: FlaskClient, job: int) -> str:
    """Post ticks until the job rests; the last answer's text."""
    app: dash.Dash = server.extensions["pulse"]["dash"]
    key, spec = _spec(app, "admin-import-tick.disabled", "admin-import-tick")
    for n in range(1, 50):
        response = post(client, body(key, spec, {"admin-import-tick": n, "admin-import-job": job}))
        if response.status_code == 204:
            continue
        answer = response.get_json()["response"]
        if answer["admin-import-tick"]["disabled"] is True:
            return _text(response)
    raise AssertionError("the job never came to rest")


def test_fifty_people_through_the_callbacks(server: Flask) -> None:
    store = server.extensions["pulse"]["store"]
    client = logged_in(server, "admin")
    made = people_file(ward_positions(store))
    people_before = counts(server)[0]
    response = upload(server, client, XLSX + base64.b64encode(made.xlsx_bytes()).decode())
    job = response.get_json()["response"]["admin-import-job"]["data"]
    checked = tick_to_rest(server, client, job)
    assert "45 bản ghi hợp lệ, 5 bản ghi có lỗi" in checked
    assert "Nhập 45 bản ghi hợp lệ" in checked
    app: dash.Dash = server.extensions["pulse"]["dash"]
    key, spec = _spec(app, "admin-import-tick.disabled", "admin-import-button")
    assert (
        post(
            client, body(key, spec, {"admin-import-button": 1, "admin-import-job": job, "admin-import-tick": 0})
        ).status_code
        == 200
    )
    imported = tick_to_rest(server, client, job)
    assert "Đã nhập: lưu 45 người, bỏ qua 5 bản ghi." in imported
    assert counts(server)[0] == people_before + 45


def test_the_template_has_translated_headers_and_reads_back(server: Flask) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    client = logged_in(server, "admin")
    key, spec = _spec(app, "admin-import-template-download.data", "admin-import-template")
    for kind, first_header in (("people", "Họ và tên"), ("units", "Mã đơn vị")):
        response = post(client, body(key, spec, {"admin-import-template": 1, "admin-import-kind": kind}))
        assert response.status_code == 200, response.data[:300]
        download = response.get_json()["response"]["admin-import-template-download"]["data"]
        content = base64.b64decode(download["content"])
        book = load_workbook(io.BytesIO(content))
        sheet = book.worksheets[0]
        assert sheet.cell(1, 1).value == first_header
        assert sheet.row_dimensions[2].hidden
        assert book.sheetnames[-1] == "Đơn vị và vị trí" and book.worksheets[-1].max_row > 10
        # An untouched template reads as a file without records (refused as such), not as a broken one.
        read = record_files.read_record_bytes(content, shape="profiles" if kind == "people" else "units")
        assert (read.records, read.rows) == ([], [])
        if kind == "people":  # filled in a spreadsheet program (openpyxl here), it reads back field by field
            made = people_file(ward_positions(server.extensions["pulse"]["store"]), count=5)
            keys = [c.value for c in sheet[2]]
            for record in made.records:
                sheet.append([record.get(k) for k in keys])
            out = io.BytesIO()
            book.save(out)
            filled = record_files.read_record_bytes(out.getvalue(), shape="profiles")
            assert filled.records == made.records and filled.rows == [3, 4, 5, 6, 7]

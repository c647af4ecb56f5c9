"""/reports over HTTP: leaders and managers get the page, staff and the meeting screen do not; a request posted
to the callback queues a job only for a unit of the viewer's scope (forged ids refused); the download route
gives a finished report to the one who asked for it and 404 to anyone else, another scope included."""

from __future__ import annotations

import io
import json

import dash
import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from data_access.commands.reports import request_report
from data_access.models import AuditEntry, OrgUnit, ReportJob
from server import jobs
from tests.integration.test_admin_pages import body, logged_in, post
from tests.support.viewers import viewer_of


def _store(server: Flask):  # type: ignore[no-untyped-def]
    return server.extensions["pulse"]["store"]


def _unit(server: Flask, name: str) -> int:
    with _store(server).read() as session:
        return session.execute(select(OrgUnit.id).where(OrgUnit.name == name)).scalar_one()


def _finished_report(server: Flask, username: str, unit_name: str) -> int:
    store = _store(server)
    viewer = viewer_of(store, username)
    job_id = request_report(
        store, viewer=viewer, unit_id=_unit(server, unit_name), period_code="2026-Q3", fmt="pdf", language="vi"
    )
    jobs.run_report_job(store, job_id, retries_left=0)
    return job_id


@pytest.mark.parametrize(
    ("username", "status"),
    [("lanhdao.hoankiem", 200), ("truongphong.khcn", 200), ("chuyenvien.khcn", 403), ("manhinh.phonghop", 403)],
)
def test_the_page_is_for_leaders_and_managers(server: Flask, username: str, status: int) -> None:
    assert logged_in(server, username).get("/reports").status_code == status


def test_the_download_is_the_owners_only(server: Flask) -> None:
    job_id = _finished_report(server, "lanhdao.hoankiem", "Phường Hoàn Kiếm")
    owner = logged_in(server, "lanhdao.hoankiem")
    response = owner.get(f"/reports/download/{job_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="bao-cao-phuong-hoan-kiem-2026-Q3.pdf"'
    assert "Phường Hoàn Kiếm" in PdfReader(io.BytesIO(response.data)).pages[0].extract_text()

    for other in ("truongphong.khcn", "lanhdao.thanhpho"):  # another scope; a wider scope that did not ask
        assert logged_in(server, other).get(f"/reports/download/{job_id}").status_code == 404
    assert owner.get(f"/reports/download/{job_id + 1000}").status_code == 404
    for probe in ("/reports/download/..%2F..%2Fetc%2Fpasswd", f"/reports/download/{job_id}/../../../etc/passwd"):
        answer = owner.get(probe)  # no file route matches: the app's own page (its "not found"), never a file
        assert answer.mimetype == "text/html" and "root:" not in answer.get_data(as_text=True)
    anonymous = server.test_client().get(f"/reports/download/{job_id}")
    assert anonymous.status_code in (302, 401)
    with _store(server).read() as session:
        denied = (
            session.execute(
                select(AuditEntry.user_id).where(AuditEntry.action == "report.download", AuditEntry.outcome == "denied")
            )
            .scalars()
            .all()
        )
    assert len(denied) >= 3


def test_the_request_callback_queues_only_units_of_the_scope(server: Flask) -> None:
    client = logged_in(server, "lanhdao.hoankiem")
    client.get("/reports")
    app: dash.Dash = server.extensions["pulse"]["dash"]
    key, spec = next((k, v) for k, v in app.callback_map.items() if k.startswith("..reports-message.children"))
    ward = _unit(server, "Phường Hoàn Kiếm")
    with _store(server).read() as session:
        outside = session.execute(select(OrgUnit.id).where(OrgUnit.name == "Phường Tây Hồ")).scalar_one_or_none()
        if outside is None:
            outside = session.execute(
                select(OrgUnit.id).where(~OrgUnit.path.like(f"%/{ward}/%")).order_by(OrgUnit.id.desc()).limit(1)
            ).scalar_one()
    values = {"reports-period": "2026-Q3", "reports-format": "xlsx", "reports-language": "en"}
    refused = post(client, body(key, spec, {**values, "reports-unit": outside}))
    assert refused.status_code == 200
    assert "reports-queued-note" not in refused.get_data(as_text=True)
    forged = post(client, body(key, spec, {**values, "reports-unit": "1 OR 1=1", "reports-format": "exe"}))
    assert forged.status_code == 200 and "reports-queued-note" not in forged.get_data(as_text=True)
    queued = post(client, body(key, spec, {**values, "reports-unit": ward}))
    assert "reports-queued-note" in queued.get_data(as_text=True)
    with _store(server).read() as session:
        rows = session.execute(select(ReportJob.unit_id, ReportJob.format, ReportJob.language)).all()
    assert rows == [(ward, "xlsx", "en")]


def test_a_queue_out_of_reach_fails_the_job_with_a_message(server: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(_job_id: int) -> None:
        raise ConnectionError("redis down")

    monkeypatch.setattr(jobs, "enqueue_report", unreachable)
    client = logged_in(server, "lanhdao.hoankiem")
    client.get("/reports")
    app: dash.Dash = server.extensions["pulse"]["dash"]
    key, spec = next((k, v) for k, v in app.callback_map.items() if k.startswith("..reports-message.children"))
    values = {"reports-period": "2026-Q3", "reports-format": "pdf", "reports-language": "vi"}
    answer = post(client, body(key, spec, {**values, "reports-unit": _unit(server, "Phường Hoàn Kiếm")}))
    assert "Không kết nối được hàng đợi công việc" in json.dumps(answer.get_json(), ensure_ascii=False)
    with _store(server).read() as session:
        assert session.execute(select(ReportJob.status)).scalar_one() == "failed"

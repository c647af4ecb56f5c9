"""/evidence/<id> over HTTP: the ward official's photo on a task reaches those who see the task (the file and
its thumbnail, typed by the server, never sniffed by the browser) and is 404 for anyone else, the meeting
screen and another division included (audited), and for anonymous clients a login, never the file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from config.clock import today
from data_access.commands import tasks as commands
from data_access.evidence_store import FolderStore
from data_access.models import Attachment, AuditEntry, OrgUnit
from data_access.queries import work
from domain.evidence import Upload
from tests.integration.conftest import make_settings
from tests.integration.test_admin_pages import logged_in
from tests.support.evidence_files import image_bytes
from tests.support.viewers import viewer_of


@pytest.fixture
def evidence_server(demo_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(make_settings(demo_url, evidence_dir=str(tmp_path / "evidence")))
    yield app
    app.extensions["pulse"]["store"].dispose()


def _photo_on_a_ward_task(server: Flask, photo: bytes) -> int:
    store = server.extensions["pulse"]["store"]
    files = FolderStore(server.extensions["pulse"]["evidence_store"].root)
    with store.read() as session:
        ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
    (task_id,) = commands.assign(
        store,
        viewer=viewer_of(store, "quanly.thanhpho"),
        title="Kiểm tra hiện trường",
        due_date=today() + timedelta(days=7),
        unit_ids=[ward],
    )
    official = viewer_of(store, "canbo.hoankiem")
    with store.read() as session:
        version = work.task_version(session, viewer=official, task_id=task_id)
    commands.report_progress(
        store,
        viewer=official,
        task_id=task_id,
        version=version,
        progress_pct=50,
        attachments=[Upload("ảnh hiện trường.jpg", photo)],
        files=files,
    )
    with store.read() as session:
        return session.execute(select(Attachment.id).where(Attachment.task_id == task_id)).scalar_one()


def test_a_photo_is_served_only_to_those_who_see_its_task(evidence_server: Flask) -> None:
    photo = image_bytes("JPEG", size=(800, 600))
    attachment_id = _photo_on_a_ward_task(evidence_server, photo)
    for username in ("canbo.hoankiem", "lanhdao.hoankiem", "quanly.thanhpho"):
        client = logged_in(evidence_server, username)
        response = client.get(f"/evidence/{attachment_id}")
        assert response.status_code == 200, username
        assert response.data == photo
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "filename*=UTF-8''%E1%BA%A3nh" in response.headers["Content-Disposition"]
        thumb = client.get(f"/evidence/{attachment_id}/thumb")
        assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
        assert thumb.data.startswith(b"\xff\xd8\xff") and len(thumb.data) < len(photo)

    for username in ("chuyenvien.khcn", "truongphong.khcn", "manhinh.phonghop"):
        client = logged_in(evidence_server, username)
        assert client.get(f"/evidence/{attachment_id}").status_code == 404, username
        assert client.get(f"/evidence/{attachment_id}/thumb").status_code == 404, username
    official = logged_in(evidence_server, "canbo.hoankiem")
    assert official.get(f"/evidence/{attachment_id + 1000}").status_code == 404
    anonymous = evidence_server.test_client().get(f"/evidence/{attachment_id}")
    assert anonymous.status_code in (302, 401)
    assert anonymous.data != photo
    store = evidence_server.extensions["pulse"]["store"]
    with store.read() as session:
        denied = (
            session.execute(
                select(AuditEntry.entity_id).where(AuditEntry.action == "evidence.open", AuditEntry.outcome == "denied")
            )
            .scalars()
            .all()
        )
    assert str(attachment_id) in denied

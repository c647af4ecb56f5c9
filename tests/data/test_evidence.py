"""Evidence files on the real store (SQLite and PostgreSQL): a ward official reports progress with a photo and
enters a KPI value with a photo; the files land in the folder store under their content hash, with a thumbnail;
bad files are refused with a reason and write nothing (no row, no file); a refused write leaves no file behind;
only those who see the task or the value get the file.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.clock import today
from data_access.commands import measurements as values
from data_access.commands import tasks as commands
from data_access.commands.evidence import decode_uploads
from data_access.db import Store
from data_access.errors import Forbidden, Invalid, NotFound
from data_access.evidence_store import FolderStore, content_key
from data_access.models import Attachment, AuditEntry, Indicator, OrgUnit, Period, TaskCheckin
from data_access.queries import work
from data_access.queries.evidence import attachment_file
from data_access.viewer import Viewer
from domain.evidence import MAX_FILES, Upload
from tests.support.evidence_files import EXECUTABLE, data_url, image_bytes, pdf_bytes
from tests.support.viewers import demo_viewers


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


@pytest.fixture
def files(tmp_path: Path) -> FolderStore:
    return FolderStore(tmp_path / "evidence")


def stored(files: FolderStore) -> list[Path]:
    return sorted(p for p in files.root.rglob("*") if p.is_file()) if files.root.exists() else []


def count(store: Store, model: type, *where: object) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def ward_task(store: Store, people: dict[str, Viewer]) -> int:
    with store.read() as session:
        ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
    (task_id,) = commands.assign(
        store,
        viewer=people["city_manager"],
        title="Kiểm tra vệ sinh môi trường",
        due_date=today() + timedelta(days=10),
        unit_ids=[ward],
    )
    return task_id


def report(store: Store, files: FolderStore, viewer: Viewer, task_id: int, uploads: list[Upload]) -> None:
    with store.read() as session:
        version = work.task_version(session, viewer=viewer, task_id=task_id)
    commands.report_progress(
        store,
        viewer=viewer,
        task_id=task_id,
        version=version,
        progress_pct=40,
        comment="Đã kiểm tra 4/10 tổ dân phố",
        attachments=uploads,
        files=files,
    )


def test_a_progress_report_keeps_its_photos_by_content_hash_with_thumbnails(
    demo_store: Store, people: dict[str, Viewer], files: FolderStore
) -> None:
    official = people["ward_staff"]
    task_id = ward_task(demo_store, people)
    photo = image_bytes("JPEG")
    report(
        demo_store,
        files,
        official,
        task_id,
        [
            Upload("hien-truong.jpg", photo),
            Upload("IMG_1.HEIC", image_bytes("HEIF", colour=(10, 160, 60))),
            Upload("bb.pdf", pdf_bytes()),
        ],
    )
    with demo_store.read() as session:
        task = work.task_detail(session, viewer=official, task_id=task_id, today=today())
    checkin = task.checkins[-1]
    assert checkin.author == official.person_name  # signed by the person, not the login
    assert [a.filename for a in checkin.attachments] == ["hien-truong.jpg", "IMG_1.jpg", "bb.pdf"]
    assert [a.mime for a in checkin.attachments] == ["image/jpeg", "image/jpeg", "application/pdf"]
    assert [a.has_thumbnail for a in checkin.attachments] == [True, True, False]
    # Three files and two thumbnails, each named by the hash of its content, none in the web root.
    names = [p.name for p in stored(files)]
    assert content_key(photo) in names
    assert len(names) == 5
    with demo_store.read() as session:
        found = attachment_file(session, viewer=official, attachment_id=checkin.attachments[0].id)
    assert files.get(found.key) == photo


def test_the_same_photo_twice_is_stored_once(demo_store: Store, people: dict[str, Viewer], files: FolderStore) -> None:
    task_id = ward_task(demo_store, people)
    photo = image_bytes("PNG")
    report(demo_store, files, people["ward_staff"], task_id, [Upload("a.png", photo)])
    report(demo_store, files, people["ward_staff"], task_id, [Upload("b.png", photo)])
    assert count(demo_store, Attachment, Attachment.task_id == task_id) == 2
    assert len(stored(files)) == 2  # the photo and its thumbnail


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (Upload("photo.jpg", EXECUTABLE), "evidence_type"),
        (Upload("cut.jpg", image_bytes("JPEG", size=(900, 700))[:900]), "unreadable_evidence"),
        (Upload("scan.pdf", b"%PDF-1.4 nothing"), "unreadable_evidence"),
        (Upload("empty.png", b""), "empty_evidence"),
        (Upload("huge.jpg", b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024)), "evidence_too_large"),
    ],
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_written(
    demo_store: Store, people: dict[str, Viewer], files: FolderStore, upload: Upload, code: str
) -> None:
    task_id = ward_task(demo_store, people)
    before = count(demo_store, TaskCheckin, TaskCheckin.task_id == task_id)
    with pytest.raises(Invalid) as problem:
        report(demo_store, files, people["ward_staff"], task_id, [Upload("ok.png", image_bytes("PNG")), upload])
    assert problem.value.problems == {"evidence": code}
    assert problem.value.params["file"] == upload.filename
    assert count(demo_store, TaskCheckin, TaskCheckin.task_id == task_id) == before
    assert count(demo_store, Attachment) == 0
    assert stored(files) == []


def test_more_files_than_allowed_are_refused(demo_store: Store, people: dict[str, Viewer], files: FolderStore) -> None:
    task_id = ward_task(demo_store, people)
    many = [data_url(image_bytes("PNG", colour=(i, 0, 0))) for i in range(MAX_FILES + 1)]
    with pytest.raises(Invalid) as problem:
        decode_uploads(many, [f"{i}.png" for i in range(MAX_FILES + 1)])
    assert problem.value.problems == {"evidence": "too_many_files"}
    with pytest.raises(Invalid):
        report(demo_store, files, people["ward_staff"], task_id, [Upload("x.png", image_bytes("PNG"))] * 6)
    assert stored(files) == []


def test_a_refused_report_leaves_no_file_behind(
    demo_store: Store, people: dict[str, Viewer], files: FolderStore
) -> None:
    """The tech division's staff is not on the ward's task: refused, audited, and its photo removed again."""
    task_id = ward_task(demo_store, people)
    with pytest.raises((Forbidden, NotFound)):
        report(demo_store, files, people["staff"], task_id, [Upload("x.jpg", image_bytes("JPEG"))])
    assert stored(files) == []
    assert count(demo_store, Attachment) == 0


def test_task_files_are_served_only_to_those_who_see_the_task(
    demo_store: Store, people: dict[str, Viewer], files: FolderStore
) -> None:
    task_id = ward_task(demo_store, people)
    report(demo_store, files, people["ward_staff"], task_id, [Upload("x.jpg", image_bytes("JPEG"))])
    with demo_store.read() as session:
        attachment_id = session.execute(select(Attachment.id).where(Attachment.task_id == task_id)).scalar_one()
        for who in ("ward_staff", "ward_leader", "city_manager", "city_leader"):
            assert attachment_file(session, viewer=people[who], attachment_id=attachment_id).mime == "image/jpeg"
            thumb = attachment_file(session, viewer=people[who], attachment_id=attachment_id, thumbnail=True)
            assert thumb.key.endswith(".thumb")
        for who in ("staff", "manager", "screen"):
            with pytest.raises(NotFound):
                attachment_file(session, viewer=people[who], attachment_id=attachment_id)
        with pytest.raises(NotFound):
            attachment_file(session, viewer=people["ward_staff"], attachment_id=attachment_id + 999)


def owned_indicator(store: Store, viewer: Viewer) -> Indicator:
    with store.read() as session:
        return (
            session.execute(
                select(Indicator)
                .join(Period, Period.id == Indicator.period_id)
                .where(
                    Indicator.owner_person_id == viewer.person_id,
                    Period.year == today().year,
                    Indicator.direction == "increase",
                    Indicator.published.is_(True),
                )
                .order_by(Indicator.id)
            )
            .scalars()
            .first()
        )


def test_a_kpi_value_carries_a_photo_that_its_reviewers_can_open(
    demo_store: Store, people: dict[str, Viewer], files: FolderStore
) -> None:
    official = people["ward_staff"]
    indicator = owned_indicator(demo_store, official)
    assert indicator is not None, "the demo's ward official owns an indicator this year"
    photo = image_bytes("JPEG", colour=(200, 40, 40))
    state = values.enter_value(
        demo_store,
        viewer=official,
        indicator_id=indicator.id,
        value="12",
        measured_on=max(date(today().year, 1, 1), today() - timedelta(days=1)),
        attachments=[Upload("so-lieu.jpg", photo)],
        files=files,
    )
    with demo_store.read() as session:
        attachment_id = session.execute(
            select(Attachment.id).where(Attachment.measurement_id == state.measurement_id)
        ).scalar_one()
        for who in ("ward_staff", "ward_leader", "city_leader"):
            found = attachment_file(session, viewer=people[who], attachment_id=attachment_id)
            assert files.get(found.key) == photo
        for who in ("staff", "manager", "screen"):
            with pytest.raises(NotFound):
                attachment_file(session, viewer=people[who], attachment_id=attachment_id)


def test_a_kpi_value_with_a_bad_file_is_not_saved(
    demo_store: Store, people: dict[str, Viewer], files: FolderStore
) -> None:
    from data_access.models import Measurement

    official = people["ward_staff"]
    indicator = owned_indicator(demo_store, official)
    before = count(demo_store, Measurement)
    with pytest.raises(Invalid) as problem:
        values.enter_value(
            demo_store,
            viewer=official,
            indicator_id=indicator.id,
            value="12",
            measured_on=today(),
            attachments=[Upload("photo.jpg", EXECUTABLE)],
            files=files,
        )
    assert problem.value.problems == {"evidence": "evidence_type"}
    assert count(demo_store, Measurement) == before
    assert stored(files) == []


def test_the_audit_names_the_files_of_a_report(
    demo_store: Store, people: dict[str, Viewer], files: FolderStore
) -> None:
    task_id = ward_task(demo_store, people)
    report(demo_store, files, people["ward_staff"], task_id, [Upload("hien-truong.jpg", image_bytes("JPEG"))])
    with demo_store.read() as session:
        detail = session.execute(
            select(AuditEntry.detail).where(AuditEntry.action == "task.progress", AuditEntry.entity_id == str(task_id))
        ).scalar_one()
    assert "hien-truong.jpg" in detail

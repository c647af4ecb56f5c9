"""The files attached to tasks, check-ins and indicator values, as pages list them. Callers have already
checked that the viewer sees the task or the values; the files themselves are served by server.evidence_download
after data_access.queries.evidence checks the viewer again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import Attachment


@dataclass(frozen=True)
class AttachmentView:
    """One file as a page lists it: its name, whether it has a thumbnail, where to open it."""

    id: int
    filename: str
    mime: str
    size_bytes: int
    has_thumbnail: bool
    checkin_id: int | None = None
    measurement_id: int | None = None


def _view(a: Attachment) -> AttachmentView:
    return AttachmentView(
        a.id, a.filename, a.mime, a.size_bytes, a.thumb_key is not None, a.checkin_id, a.measurement_id
    )


def task_attachments(session: Session, *, task_id: int) -> list[AttachmentView]:
    """Every file of a task (the caller has checked the viewer sees the task), in the order they came."""
    rows = session.execute(select(Attachment).where(Attachment.task_id == task_id).order_by(Attachment.id)).scalars()
    return [_view(a) for a in rows]


def value_attachments(session: Session, *, measurement_ids: Iterable[int]) -> dict[int, list[AttachmentView]]:
    """The files of values the caller has already read for the viewer, by value."""
    ids = sorted(set(measurement_ids))
    found: dict[int, list[AttachmentView]] = {}
    if not ids:
        return found
    rows = session.execute(
        select(Attachment).where(Attachment.measurement_id.in_(ids)).order_by(Attachment.id)
    ).scalars()
    for a in rows:
        if a.measurement_id is not None:
            found.setdefault(a.measurement_id, []).append(_view(a))
    return found

"""Reads of evidence files: the files shown with a task's check-ins or with indicator values, and one file
for the viewer who may see what it is attached to (the task, or the value's indicator), NotFound otherwise.

A file is seen by exactly those who see its owner: a task's files follow the task's visibility
(queries.work.roles_on), a value's files the indicator's unit scope or the person who entered the value.
A meeting-room screen sees none: the wall shows figures, never evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.errors import NotFound
from data_access.models import Attachment, Indicator, Measurement, OrgUnit, Task
from data_access.queries.work import roles_on
from data_access.viewer import Viewer


@dataclass(frozen=True)
class AttachmentFile:
    """What the download route needs: the key in the store, its type and its name."""

    id: int
    key: str
    mime: str
    filename: str


def attachment_file(session: Session, *, viewer: Viewer, attachment_id: int, thumbnail: bool = False) -> AttachmentFile:
    """One file (or its thumbnail) for a viewer who may see its task or value; NotFound for anyone else."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or viewer.is_screen or not _may_see(session, viewer, attachment):
        raise NotFound("attachment", attachment_id)
    if thumbnail:
        if attachment.thumb_key is None:
            raise NotFound("thumbnail", attachment_id)
        return AttachmentFile(attachment.id, attachment.thumb_key, "image/jpeg", attachment.filename)
    return AttachmentFile(attachment.id, attachment.content_key, attachment.mime, attachment.filename)


def _may_see(session: Session, viewer: Viewer, attachment: Attachment) -> bool:
    if attachment.task_id is not None:
        task = session.get(Task, attachment.task_id)
        return task is not None and roles_on(session, viewer, task).visible
    measurement = session.get(Measurement, attachment.measurement_id) if attachment.measurement_id else None
    if measurement is None:
        return False
    if measurement.entered_by_id == viewer.user_id:
        return True
    path = session.execute(
        select(OrgUnit.path)
        .join(Indicator, Indicator.unit_id == OrgUnit.id)
        .where(Indicator.id == measurement.indicator_id)
    ).scalar_one_or_none()
    return path is not None and viewer.covers_path(path)

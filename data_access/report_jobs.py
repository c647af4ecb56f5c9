"""A report job's life in the worker: started (one more attempt), moved on, done with its file (and a
notice to its owner), put back in the queue after a failed attempt, or failed for good with the reason
in the owner's language. Each step is its own short transaction, so the page sees the progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from config.clock import now
from data_access import audit
from data_access.db import Store
from data_access.models import Notification, ReportJob

ENTITY = "report"


@dataclass(frozen=True)
class JobOrder:
    """What the worker needs to make a report."""

    id: int
    user_id: int
    template: str
    unit_id: int
    period_code: str
    format: str
    language: str
    attempts: int


def start(store: Store, job_id: int) -> JobOrder | None:
    """Mark the job running and count the attempt; None when it is gone or already finished."""
    with store.write() as session:
        job = session.execute(select(ReportJob).where(ReportJob.id == job_id).with_for_update()).scalar_one_or_none()
        if job is None or job.status in ("done", "failed"):
            return None
        job.status = "running"
        job.progress = 5
        job.attempts += 1
        job.started_at = now()
        job.error = None
        return JobOrder(
            job.id, job.user_id, job.template, job.unit_id, job.period_code, job.format, job.language, job.attempts
        )


def advance(store: Store, job_id: int, progress: int) -> None:
    """Move the job's progress on (0-100) while it runs."""
    with store.write() as session:
        session.execute(
            update(ReportJob)
            .where(ReportJob.id == job_id, ReportJob.status == "running")
            .values(progress=max(0, min(100, progress)))
        )


def finish(store: Store, job_id: int, *, filename: str, content: bytes) -> None:
    """Keep the file, mark the job done and tell its owner (an in-app notice with the link)."""
    with store.write() as session:
        job = session.execute(select(ReportJob).where(ReportJob.id == job_id).with_for_update()).scalar_one()
        job.status = "done"
        job.progress = 100
        job.filename = filename
        job.content = content
        job.finished_at = now()
        session.add(
            Notification(
                user_id=job.user_id, kind="report_ready", report_job_id=job.id, detail=filename, created_at=now()
            )
        )
        audit.record(
            session,
            user_id=None,
            action="report.done",
            entity=ENTITY,
            entity_id=job.id,
            after={"filename": filename, "bytes": len(content), "attempts": job.attempts},
        )


def retry_later(store: Store, job_id: int, *, reason: str) -> None:
    """An attempt failed and another will follow: back to the queue, with the reason shown meanwhile."""
    with store.write() as session:
        session.execute(
            update(ReportJob)
            .where(ReportJob.id == job_id, ReportJob.status == "running")
            .values(status="queued", progress=0, error=reason[:500])
        )


def fail(store: Store, job_id: int, *, reason: str, cause: str) -> None:
    """The last attempt failed: the job says failed with the reason (owner's language); the cause is audited."""
    with store.write() as session:
        job = session.execute(select(ReportJob).where(ReportJob.id == job_id).with_for_update()).scalar_one_or_none()
        if job is None:
            return
        job.status = "failed"
        job.error = reason[:500]
        job.finished_at = now()
        session.add(
            Notification(
                user_id=job.user_id, kind="report_failed", report_job_id=job.id, detail=reason[:500], created_at=now()
            )
        )
        audit.record(
            session,
            user_id=None,
            action="report.failed",
            entity=ENTITY,
            entity_id=job.id,
            outcome="failed",
            after={"attempts": job.attempts},
            detail=cause,
        )


def requeue_interrupted(store: Store, *, older_than: timedelta) -> list[int]:
    """Jobs a stopped worker left "running" (started longer ago than `older_than`): back to "queued", their ids
    returned for the queue. Queued jobs are in the queue's own storage already and survive a restart."""
    cutoff = now() - older_than
    with store.write() as session:
        ids = list(
            session.execute(
                select(ReportJob.id)
                .where(ReportJob.status == "running", ReportJob.started_at <= cutoff)
                .order_by(ReportJob.id)
                .with_for_update()
            ).scalars()
        )
        if ids:
            session.execute(update(ReportJob).where(ReportJob.id.in_(ids)).values(status="queued", progress=0))
        return ids

"""The life of an import job, whatever it imports: staged, checked a chunk at a time, imported a chunk
at a time when its owner says so, cancelled, failed or timed out.

Each kind of import (KPI values in data_access.imports, people and units in
data_access.record_imports, a plan in data_access.plan_imports) gives a `Flow`: which ImportJob kinds
are its own, how a chunk of rows is checked and how a chunk of the report is written. This module holds
everything else, once: only the job's owner sees or moves it, each chunk is one transaction with the
job's row locked (two ticks, two tabs or a retry never run one chunk twice), a chunk that fails
unexpectedly fails the job ("error") instead of every later tick, and a job at work that has not moved
for `STALE_AFTER` times out.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from config.clock import now
from data_access import audit
from data_access.commands.common import refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound, PulseError
from data_access.models import ImportJob
from data_access.viewer import Viewer

log = logging.getLogger("pulse.imports")

AT_WORK = ("checking", "importing")  # statuses the page keeps ticking for
STALE_AFTER = timedelta(minutes=10)  # a chunk takes about a second; ten minutes without one is a stuck job

Report = list[dict[str, Any]]
# (session, viewer, job, rows, report, chunk): appends one report entry per row checked (the next
# `chunk` rows after those already in the report); it may amend earlier entries on the last chunk.
Checker = Callable[[Session, Viewer, ImportJob, list[Any], Report, int], None]


@dataclass(frozen=True)
class Chunk:
    """What a writer is given: the job, its rows and report, and the positions start..end to write
    (`last` for the job's final chunk)."""

    job: ImportJob
    rows: list[Any]
    report: Report
    start: int
    end: int
    last: bool


# (session, viewer, chunk): writes the valid entries among the chunk's positions, marks them "imported"
# (or adds the problems that refused them) and returns what the chunk's audit entry says besides the
# row it reached.
Writer = Callable[[Session, Viewer, Chunk], dict[str, Any]]


@dataclass(frozen=True)
class JobState:
    """Where an import job stands, for the progress bar."""

    job_id: int
    status: str
    total: int
    checked: int
    imported: int
    valid: int
    invalid: int
    saved: int = 0  # rows written so far
    failure: str | None = None  # why a "failed" job stopped: cancelled, timed_out, error

    @property
    def share_done(self) -> float:
        if not self.total:
            return 1.0
        done = self.imported if self.status in ("importing", "imported") or self.imported else self.checked
        return done / self.total

    @property
    def at_work(self) -> bool:
        return self.status in AT_WORK


def _blocked_by_problems(entry: Mapping[str, Any]) -> bool:
    return bool(entry["problems"])


@dataclass(frozen=True)
class Flow:
    """One kind of import: its job kinds, its checker and writer, and its chunk sizes."""

    kinds: tuple[str, ...]
    check: Checker
    write: Writer
    check_chunk: int
    import_chunk: int
    # Whether a report entry keeps its row out (values: any problem; records: a blocking one).
    blocked: Callable[[Mapping[str, Any]], bool] = _blocked_by_problems
    # Asked again before the import starts (an administrator may have lost the role meanwhile).
    before_start: Callable[[Store, Viewer], None] | None = None
    # What the audit entries say of the job besides its counts (the kind, when a flow has several).
    describe: Callable[[ImportJob], dict[str, Any]] = field(default=lambda _job: {})
    name: str = "import"


# --- the job row --------------------------------------------------------------------------------


def expire_stale(session: Session, viewer: Viewer, flow: Flow) -> None:
    """Close the viewer's jobs that stopped moving (a closed tab leaves its job "checking")."""
    session.execute(
        update(ImportJob)
        .where(
            ImportJob.user_id == viewer.user_id,
            ImportJob.kind.in_(flow.kinds),
            ImportJob.status.in_(AT_WORK),
            func.coalesce(ImportJob.updated_at, ImportJob.created_at) < now() - STALE_AFTER,
        )
        .values(status="failed", failure="timed_out")
    )


def create(
    store: Store, *, viewer: Viewer, flow: Flow, kind: str, filename: str, rows: Sequence[Any], audited: dict[str, Any]
) -> JobState:
    """A new job holding the file's rows, to be checked; nothing else is written."""
    with store.write() as session:
        expire_stale(session, viewer, flow)
        job = ImportJob(
            user_id=viewer.user_id,
            kind=kind,
            filename=(filename or "?")[:200],
            created_at=now(),
            updated_at=now(),
            status="checking",
            total_rows=len(rows),
            imported_rows=0,
            rows_json=json.dumps(list(rows), ensure_ascii=False),
            report_json="[]",
        )
        session.add(job)
        session.flush()
        audit.record(
            session,
            user_id=viewer.user_id,
            action="import.stage",
            entity="import_job",
            entity_id=job.id,
            after={**audited, "filename": job.filename, "rows": len(rows)},
        )
        return state(flow, job, [])


def own_job(session: Session, viewer: Viewer, flow: Flow, job_id: int, *, lock: bool = False) -> ImportJob:
    """The viewer's job of this flow; `lock` holds its row so that two ticks never run one chunk twice.
    Another flow's job is not found: its rows are not this flow's."""
    job = session.get(ImportJob, job_id, with_for_update=lock or None)
    if job is None or job.user_id != viewer.user_id or job.kind not in flow.kinds:
        raise NotFound("import_job", job_id)
    return job


def _stale(job: ImportJob) -> bool:
    return job.status in AT_WORK and (job.updated_at or job.created_at) < now() - STALE_AFTER


def state(flow: Flow, job: ImportJob, report: Sequence[Mapping[str, Any]]) -> JobState:
    invalid = sum(1 for entry in report if flow.blocked(entry))
    saved = sum(1 for entry in report if entry.get("imported"))
    status, failure = ("failed", "timed_out") if _stale(job) else (job.status, job.failure)
    return JobState(
        job.id, status, job.total_rows, len(report), job.imported_rows, len(report) - invalid, invalid, saved, failure
    )


def _time_out(job: ImportJob) -> bool:
    """Mark a stuck job as timed out; True if it was."""
    if not _stale(job):
        return False
    job.status, job.failure = "failed", "timed_out"
    return True


def _save(job: ImportJob, report: Report) -> None:
    job.report_json = json.dumps(report, ensure_ascii=False, default=str)
    job.updated_at = now()


def job_report(session: Session, *, viewer: Viewer, flow: Flow, job_id: int) -> tuple[JobState, Report]:
    """The job's progress and its row-by-row report (problems as codes, for the page to translate)."""
    job = own_job(session, viewer, flow, job_id)
    report = json.loads(job.report_json)
    return state(flow, job, report), report


def current(store: Store, viewer: Viewer, flow: Flow, job_id: int) -> JobState:
    with store.read() as session:
        return job_report(session, viewer=viewer, flow=flow, job_id=job_id)[0]


# --- checking and importing ---------------------------------------------------------------------


@contextmanager
def _chunk(store: Store, viewer: Viewer, action: str, job_id: int) -> Iterator[Session]:
    """A chunk's transaction; a Refused raised inside (the viewer lost the right meanwhile) is audited
    as a Forbidden once it is rolled back."""
    with (
        refusals_and_conflicts(store, viewer, action=action, entity="import_job", entity_id=job_id),
        store.write() as session,
    ):
        yield session


def check_chunk(store: Store, viewer: Viewer, flow: Flow, job_id: int, chunk: int) -> JobState | None:
    """The next chunk checked; None when the job (locked) had nothing to check: another tick moved it first."""
    with _chunk(store, viewer, "import.check", job_id) as session:
        job = own_job(session, viewer, flow, job_id, lock=True)
        report = json.loads(job.report_json)
        if _time_out(job):
            return state(flow, job, report)
        if job.status != "checking":
            return None
        flow.check(session, viewer, job, json.loads(job.rows_json), report, chunk)
        if len(report) >= job.total_rows:
            job.status = "checked"
        _save(job, report)
        return state(flow, job, report)


def start_import(store: Store, *, viewer: Viewer, flow: Flow, job_id: int) -> JobState:
    """The user chose to import the valid rows of a checked file."""
    if flow.before_start is not None:
        flow.before_start(store, viewer)
    with store.write() as session:
        job = own_job(session, viewer, flow, job_id, lock=True)
        report = json.loads(job.report_json)
        if job.status != "checked":
            raise Invalid({"file": "not_allowed_now"})
        job.status, job.imported_rows, job.updated_at = "importing", 0, now()
        audit.record(
            session,
            user_id=viewer.user_id,
            action="import.start",
            entity="import_job",
            entity_id=job.id,
            after={**flow.describe(job), "valid_rows": sum(1 for entry in report if not flow.blocked(entry))},
        )
        return state(flow, job, report)


def import_chunk(store: Store, viewer: Viewer, flow: Flow, job_id: int, chunk: int) -> JobState | None:
    """The next chunk written in one transaction (rows, audit entries and the job's counter together);
    None when the job (locked) had nothing to import: another tick moved it first.

    ``imported_rows`` counts report positions processed (valid or not), so the bar reaches 100%."""
    with _chunk(store, viewer, "import.chunk", job_id) as session:
        job = own_job(session, viewer, flow, job_id, lock=True)
        report = json.loads(job.report_json)
        if _time_out(job):
            return state(flow, job, report)
        if job.status != "importing":
            return None
        start = job.imported_rows
        end = min(job.total_rows, start + chunk)
        last = end >= job.total_rows
        said = flow.write(session, viewer, Chunk(job, json.loads(job.rows_json), report, start, end, last))
        job.imported_rows = end
        if last:
            job.status = "imported"
        _save(job, report)
        audit.record(
            session,
            user_id=viewer.user_id,
            action="import.chunk",
            entity="import_job",
            entity_id=job.id,
            after={**flow.describe(job), **said, "through_row": job.imported_rows},
        )
        return state(flow, job, report)


# --- moving a job on ----------------------------------------------------------------------------


def _status(store: Store, viewer: Viewer, flow: Flow, job_id: int) -> str:
    """The job's status alone (its rows and report are megabytes: not read for a tick at rest)."""
    with store.read() as session:
        found = session.execute(
            select(ImportJob.status, ImportJob.user_id, ImportJob.kind).where(ImportJob.id == job_id)
        ).one_or_none()
    if found is None or found.user_id != viewer.user_id or found.kind not in flow.kinds:
        raise NotFound("import_job", job_id)
    return found.status


def step(store: Store, *, viewer: Viewer, flow: Flow, job_id: int, chunk: int | None = None) -> JobState | None:
    """Move a job at work on by one chunk and return where it stands; None when this call moved nothing
    (the job is at rest, or a concurrent tick took the chunk), so only one caller ever reports a change.

    An unexpected failure fails the job (logged) instead of failing every later tick the same way;
    a database that is briefly unavailable is not the job's fault, and the next tick retries.
    """
    status = _status(store, viewer, flow, job_id)
    if status not in AT_WORK:
        return None
    try:
        if status == "checking":
            return check_chunk(store, viewer, flow, job_id, chunk or flow.check_chunk)
        return import_chunk(store, viewer, flow, job_id, chunk or flow.import_chunk)
    except (PulseError, OperationalError):
        raise
    except Exception:
        log.exception("%s job %s failed", flow.name, job_id)
        return fail(store, viewer, flow, job_id, "error")


def run(store: Store, *, viewer: Viewer, flow: Flow, job_id: int) -> JobState:
    """Step a job until it rests (for the command line and tests; the page steps once per tick)."""
    while True:
        moved = step(store, viewer=viewer, flow=flow, job_id=job_id)
        if moved is None or not moved.at_work:
            return current(store, viewer, flow, job_id)


def fail(store: Store, viewer: Viewer, flow: Flow, job_id: int, failure: str) -> JobState:
    """Stop a job for good (cancelled by its owner, or an error); what was written stays."""
    with store.write() as session:
        job = own_job(session, viewer, flow, job_id, lock=True)
        report = json.loads(job.report_json)
        if job.status in (*AT_WORK, "checked"):
            job.status, job.failure, job.updated_at = "failed", failure, now()
            audit.record(
                session,
                user_id=viewer.user_id,
                action=f"import.{'cancel' if failure == 'cancelled' else 'fail'}",
                entity="import_job",
                entity_id=job.id,
                after={"failure": failure, "through_row": job.imported_rows},
            )
        return state(flow, job, report)


def cancel(store: Store, *, viewer: Viewer, flow: Flow, job_id: int) -> JobState:
    """The owner stops a job: a chunk already running finishes (chunks are whole), nothing more is written."""
    return fail(store, viewer, flow, job_id, "cancelled")

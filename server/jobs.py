"""The background job queue (huey): reports are made here, out of the web request.

Storage: RedisHuey when REDIS_URL is set; otherwise a SQLite file beside the SQLite database (or in data/
for a PostgreSQL deployment), so `make run` needs no extra server and queued jobs survive a restart.
PULSE_HUEY_FILE names another file; PULSE_HUEY_IMMEDIATE=1 runs tasks inline (tests).

The consumer: `huey_consumer server.jobs.huey` (`make run` starts it beside gunicorn). A failed attempt
is retried twice (PULSE_JOB_RETRY_DELAY seconds apart, 10 by default), then the job says failed, with the
reason in its owner's language.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from functools import cache
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import Task

from config.settings import PROJECT_ROOT, load_settings
from data_access import report_jobs
from data_access.db import Store
from data_access.queries.reports import unit_report
from data_access.viewer import load_viewer
from domain.reports import RETRIES, report_filename

log = logging.getLogger(__name__)


def _huey_file(database_url: str) -> Path:
    if explicit := os.environ.get("PULSE_HUEY_FILE"):
        return Path(explicit)
    if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        database = Path(database_url.removeprefix("sqlite:///"))
        return database.with_name(database.stem + "-jobs.huey")
    return PROJECT_ROOT / "data" / "pulse-jobs.huey"


def make_huey() -> Huey:
    """The queue for the environment's settings."""
    settings = load_settings()
    immediate = os.environ.get("PULSE_HUEY_IMMEDIATE") == "1"
    if settings.redis_url and not immediate:
        return RedisHuey("pulse", url=settings.redis_url)
    path = _huey_file(settings.database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("pulse", filename=str(path), immediate=immediate)


huey = make_huey()
RETRY_DELAY = int(os.environ.get("PULSE_JOB_RETRY_DELAY", "10"))
# A report takes seconds: one still "running" this long after it started was cut off by a stopped worker.
INTERRUPTED_AFTER = timedelta(minutes=int(os.environ.get("PULSE_JOB_INTERRUPTED_MINUTES", "10")))


@cache
def _store(url: str) -> Store:
    settings = load_settings()
    return Store.connect(url, tolerances=settings.tolerances)


def worker_store() -> Store:
    """The worker's store, for the environment's database (one per process)."""
    return _store(load_settings().database_url)


@huey.on_startup()
def warm_up() -> None:
    """Start the worker's Chromium and load WeasyPrint before the first report needs them (seconds)."""
    from reports.unit_report import warm_up as warm_reports

    try:
        # A job that was being made when the worker stopped starts again (huey had already taken it off the queue).
        for job_id in report_jobs.requeue_interrupted(worker_store(), older_than=INTERRUPTED_AFTER):
            make_report(job_id)
    except Exception:
        log.exception("could not put interrupted report jobs back in the queue")
    try:
        warm_reports()
    except Exception:  # the first report tries again, and says why if it cannot
        log.exception("could not start Chromium for the report charts")


@huey.on_shutdown()
def cool_down() -> None:
    from reports.charts import stop_browser

    stop_browser()


def enqueue_report(job_id: int) -> None:
    """Hand a queued report job to the worker (call after the request's transaction committed)."""
    make_report(job_id)


@huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, context=True)
def make_report(job_id: int, task: Task | None = None) -> None:
    """Make a report job's file; a failure is retried, the last one marks the job failed."""
    run_report_job(worker_store(), job_id, retries_left=task.retries if task is not None else 0)


def run_report_job(store: Store, job_id: int, *, retries_left: int) -> None:
    """One attempt at a job. A failure with retries left puts the job back in the queue and re-raises (huey
    tries again later); the last failure marks the job failed with the reason, and does not re-raise."""
    try:
        build_report(store, job_id)
    except Exception as error:
        log.exception("report job %s failed (%s retries left)", job_id, retries_left)
        reason = failure_reason(store, job_id, error, final=retries_left <= 0)
        if retries_left > 0:
            report_jobs.retry_later(store, job_id, reason=reason)
            raise
        report_jobs.fail(store, job_id, reason=reason, cause=f"{type(error).__name__}: {error}"[:500])


def build_report(store: Store, job_id: int) -> None:
    """One attempt: read the figures with the owner's scope, render the file, keep it."""
    from reports.unit_report import unit_report_pdf, unit_report_xlsx  # WeasyPrint, kaleido: worker-only

    order = report_jobs.start(store, job_id)
    if order is None:
        return
    with store.read() as session:
        viewer = load_viewer(session, order.user_id)
        report = unit_report(session, viewer=viewer, unit_id=order.unit_id, period=order.period_code)
    report_jobs.advance(store, job_id, 30)
    if order.format == "pdf":
        content = unit_report_pdf(
            report, language=order.language, progress=lambda p: report_jobs.advance(store, job_id, p)
        )
    else:
        content = unit_report_xlsx(report, language=order.language)
    report_jobs.advance(store, job_id, 90)
    report_jobs.finish(
        store, job_id, filename=report_filename(report.unit_name, report.period_code, order.format), content=content
    )


def failure_reason(store: Store, job_id: int, error: Exception, *, final: bool) -> str:
    """Why the report could not be made, in its owner's language (the technical cause goes to the log)."""
    from components.i18n import _
    from data_access.errors import Forbidden, NotFound
    from reports.i18n import speaking

    language = "vi"
    with store.read() as session:
        from data_access.models import ReportJob

        job = session.get(ReportJob, job_id)
        if job is not None:
            language = job.language
    with speaking(language):
        if not final:
            return str(_("An attempt failed (%(cause)s); trying again shortly.", cause=type(error).__name__))
        if isinstance(error, Forbidden):
            return str(_("The unit is no longer in your scope."))
        if isinstance(error, NotFound):
            return str(_("The unit or the period of this report no longer exists."))
        return str(_("The report could not be made (%(cause)s). It was tried three times.", cause=type(error).__name__))

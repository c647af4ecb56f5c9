"""Time of a unit's quarterly PDF report, made the way the worker makes it.

`python -m bench.report_bench [--database-url postgresql://...] [--scale pilot|hanoi] [--runs 5]` seeds a fresh
database and, as the job queue's worker does (server.jobs.run_report_job: the figures read with the
requester's scope, the chart drawn by kaleido on the system's Chromium, the HTML printed by WeasyPrint, the
file kept with its notice), makes Phường Hoàn Kiếm's quarterly report for its leader. The first run starts the
worker's Chromium (`make run` starts it with the consumer); the others are what a user waits for.
Prints each run and a last line `report_pdf p95_ms=<n> goal_ms=5000`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select

from bench.databases import fresh_database
from data_access.commands.reports import request_report
from data_access.db import Store
from data_access.models import OrgUnit, ReportJob, User
from data_access.seed import seed_demo
from data_access.viewer import load_viewer
from reports.charts import stop_browser
from reports.unit_report import warm_up
from server.jobs import run_report_job

TODAY = date(2026, 11, 20)
GOAL_MS = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scale", default="pilot", choices=["pilot", "hanoi"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, fresh_database(args.database_url, Path(workdir)) as url:
        store = Store.connect(url)
        started = time.perf_counter()
        seed_demo(store, scale=args.scale, seed=2026, today=TODAY, demo_password="Bench-password-2026")
        print(f"seeded {args.scale} in {time.perf_counter() - started:.1f} s")
        with store.read() as session:
            unit_id = session.execute(select(OrgUnit.id).where(OrgUnit.name == "Phường Hoàn Kiếm")).scalar_one()
            user_id = session.execute(select(User.id).where(User.username == "lanhdao.hoankiem")).scalar_one()
            viewer = load_viewer(session, user_id)
        started = time.perf_counter()
        warm_up()  # what the consumer does when it starts (server.jobs.warm_up)
        print(f"worker start (WeasyPrint, Chromium for the charts): {(time.perf_counter() - started) * 1000:.0f} ms")
        timings = []
        try:
            for run in range(args.runs):
                job_id = request_report(
                    store, viewer=viewer, unit_id=unit_id, period_code="2026-Q3", fmt="pdf", language="vi"
                )
                started = time.perf_counter()
                run_report_job(store, job_id, retries_left=0)
                elapsed = (time.perf_counter() - started) * 1000
                with store.read() as session:
                    status, size = session.execute(
                        select(ReportJob.status, ReportJob.content).where(ReportJob.id == job_id)
                    ).one()
                assert status == "done", status
                timings.append(elapsed)
                print(f"run {run + 1}: quarterly PDF of Phường Hoàn Kiếm in {elapsed:.0f} ms ({len(size)} bytes)")
        finally:
            stop_browser()
            store.dispose()
    ordered = sorted(timings)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"report_pdf median_ms={statistics.median(timings):.0f} p95_ms={p95:.0f} goal_ms={GOAL_MS}")


if __name__ == "__main__":
    main()

"""Server time of work-management writes and reads at the hanoi scale.

`python -m bench.work_bench [--database-url postgresql://...] [--calls 30]` seeds a fresh hanoi-scale
database (SQLite by default) and times, through the real commands (validation, authorisation, audit,
notices and the incremental rollups in the same transaction):
- assigning one task to a ward, and one task to every ward of the city (126 copies);
- a progress report, a hand-in and an acceptance;
- entering a value and approving it;
- the /work lists of the city manager (their scope's work: a city of 220,000 tasks) and of a ward official;
- checking and importing a spreadsheet of 2,000 values, chunk by chunk as the page does.
Prints one line per operation (median and p95 in ms) and a last line `work p95_ms=<n>` over the
single-record writes and the lists.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from bench.databases import fresh_database
from data_access import imports
from data_access.commands import measurements, tasks
from data_access.db import Store
from data_access.models import Indicator, OrgUnit, Period, User
from data_access.queries import work
from data_access.seed import DEMO_USERNAMES, seed_demo
from data_access.viewer import Viewer, load_viewer

TODAY = date(2026, 11, 20)
PASSWORD = "Bench-password-2026"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _time(action: Callable[[], object], calls: int) -> list[float]:
    times = []
    for _ in range(calls):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return times


def _viewer(store: Store, role: str) -> Viewer:
    with store.read() as session:
        return load_viewer(
            session, session.execute(select(User.id).where(User.username == DEMO_USERNAMES[role])).scalar_one()
        )


def _sheet(store: Store, viewer: Viewer, rows: int) -> bytes:
    """A filled template of `rows` values: each of the viewer's indicators on the open days of this month in turn."""
    from data_access.queries.entry import entry_indicators

    with store.read() as session:
        listed = entry_indicators(session, viewer=viewer, year=TODAY.year)
    book = Workbook()
    sheet = book.active
    sheet.append(list(imports.TEMPLATE_KEYS))
    for n in range(rows):
        item = listed[n % len(listed)]
        when = TODAY - timedelta(days=(n // len(listed)) % TODAY.day)
        low = item.min_value if item.min_value is not None else 0
        value = 1 if item.direction == "done" else (low if item.direction == "milestones" else low + 1)
        sheet.append([item.id, "", "", "", "", "", when.isoformat(), value, ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(database_url: str | None, calls: int) -> list[str]:
    import os

    os.environ["PULSE_TODAY"] = TODAY.isoformat()
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, fresh_database(database_url, Path(tmp)) as url:
        store = Store.connect(url)
        started = time.perf_counter()
        seed_demo(store, scale="hanoi", seed=2026, today=TODAY, demo_password=PASSWORD)
        lines.append(f"seeded hanoi in {time.perf_counter() - started:.1f} s")
        manager, ward_staff, owner_manager = (
            _viewer(store, "city_manager"),
            _viewer(store, "ward_staff"),
            _viewer(store, "manager"),
        )
        with store.read() as session:
            ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
            wards = session.execute(select(OrgUnit.id).where(OrgUnit.kind == "ward")).scalars().all()
        due = TODAY + timedelta(days=20)
        results: dict[str, list[float]] = {}
        created: list[int] = []
        results["assign(one ward)"] = _time(
            lambda: created.extend(tasks.assign(store, viewer=manager, title="Bench", due_date=due, unit_ids=[ward])),
            calls,
        )
        results[f"assign({len(wards)} wards)"] = _time(
            lambda: tasks.assign(store, viewer=manager, title="Bench batch", due_date=due, unit_ids=wards),
            max(3, calls // 10),
        )
        queue = iter(created)
        states: dict[int, tasks.TaskState] = {}

        def report() -> None:
            task_id = next(queue)
            states[task_id] = tasks.report_progress(
                store, viewer=ward_staff, task_id=task_id, version=1, progress_pct=50
            )  # a new task is at version 1

        results["report progress"] = _time(report, calls)
        handed = iter(list(states))

        def hand_in() -> None:
            task_id = next(handed)
            states[task_id] = tasks.mark_done(
                store, viewer=ward_staff, task_id=task_id, version=states[task_id].version
            )

        results["hand in"] = _time(hand_in, calls)
        accepted = iter(list(states))

        def accept() -> None:
            task_id = next(accepted)
            tasks.accept(store, viewer=manager, task_id=task_id, version=states[task_id].version)

        results["accept"] = _time(accept, calls)

        staff = _viewer(store, "staff")
        with store.read() as session:
            owned = (
                session.execute(
                    select(Indicator.id)
                    .join(Period, Period.id == Indicator.period_id)
                    .where(Indicator.owner_person_id == staff.person_id, Period.year == TODAY.year)
                )
                .scalars()
                .first()
            )
        entered: list[measurements.ValueState] = []
        results["enter value"] = _time(
            lambda: entered.append(
                measurements.enter_value(store, viewer=staff, indicator_id=owned, value=50, measured_on=TODAY)
            ),
            calls,
        )
        pending = iter(entered)
        results["approve value"] = _time(
            lambda: measurements.approve(
                store, viewer=owner_manager, measurement_id=(e := next(pending)).measurement_id, version=e.version
            ),
            calls,
        )

        def listing(viewer: Viewer, box: str) -> Callable[[], object]:
            def read() -> object:
                with store.read() as session:
                    work.work_counts(session, viewer=viewer, today=TODAY)
                    return work.work_list(
                        session, viewer=viewer, box=box, today=TODAY, start=date(2026, 10, 1), end=date(2026, 12, 31)
                    )

            return read

        results["/work(city, my unit)"] = _time(listing(manager, "my_unit"), calls)
        results["/work(ward official)"] = _time(listing(ward_staff, "to_me"), calls)

        content = _sheet(store, manager, 2000)
        began = time.perf_counter()
        state = imports.stage(store, viewer=manager, filename="bench.xlsx", content=content)
        while state.status == "checking":
            state = imports.check_next(store, viewer=manager, job_id=state.job_id)
        checked = time.perf_counter() - began
        state = imports.start_import(store, viewer=manager, job_id=state.job_id)
        began = time.perf_counter()
        while state.status == "importing":
            state = imports.import_next(store, viewer=manager, job_id=state.job_id)
        imported = time.perf_counter() - began

        gated = []
        for name, times in results.items():
            lines.append(
                f"op={name:<24} calls={len(times)} median_ms={statistics.median(times):.1f} "
                f"p95_ms={_percentile(times, 0.95):.1f}"
            )
            if "wards)" not in name:
                gated += times
        lines.append(
            f"import rows=2000 valid={state.valid} check_s={checked:.2f} import_s={imported:.2f} "
            f"chunks={-(-2000 // imports.CHUNK)}"
        )
        lines.append(f"work p95_ms={_percentile(gated, 0.95):.1f}")
        store.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args()
    print(f"backend={'postgresql' if args.database_url else 'sqlite'}")
    for line in run(args.database_url, args.calls):
        print(line, flush=True)


if __name__ == "__main__":
    main()

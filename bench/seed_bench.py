"""Time the demo seed on a fresh database: `python -m bench.seed_bench [--scale hanoi] [--database-url URL]`.

Migrates a throw-away database (a temp SQLite file, or a fresh database created on the given
PostgreSQL server and dropped afterwards), seeds it, and prints the time each stage took, one line
per table with its row count, and a last line
`seed scale=<scale> seconds=<n> people=<n> tasks=<n> measurements=<n>`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.databases import fresh_database
from data_access.db import Store
from data_access.seed import SCALES, seed_demo

BENCH_PASSWORD = "Bench-password-2026"


class StageClock:
    """Records when each progress stage starts; the gaps between starts are the stage times."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.starts: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.starts.setdefault(stage, time.perf_counter())

    def durations(self, ended: float) -> list[tuple[str, float]]:
        marks = sorted(self.starts.items(), key=lambda item: item[1])
        ends = [at for _stage, at in marks[1:]] + [ended]
        return [(stage, end - at) for (stage, at), end in zip(marks, ends, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="hanoi", choices=SCALES)
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL server URL (a fresh database is created on it)"
    )
    parser.add_argument("--today", default=os.environ.get("PULSE_TODAY", "2026-11-20"), help="YYYY-MM-DD")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.database_url, Path(tmp)) as url:
        store = Store.connect(url)
        try:
            clock = StageClock()
            started = time.perf_counter()
            report = seed_demo(
                store,
                scale=args.scale,
                seed=args.seed,
                today=date.fromisoformat(args.today),
                demo_password=BENCH_PASSWORD,
                progress=clock,
            )
            seconds = time.perf_counter() - started
        finally:
            store.dispose()
    print(f"backend {'postgresql' if args.database_url else 'sqlite'}")
    for stage, spent in clock.durations(started + seconds):
        print(f"stage {stage:<18} {spent:7.2f} s")
    for table, count in report.counts.items():
        print(f"{table:>20} {count:>9}")
    print(
        f"seed scale={args.scale} seconds={seconds:.1f} people={report.counts['people']} "
        f"tasks={report.counts['tasks']} measurements={report.counts['measurements']}"
    )


if __name__ == "__main__":
    main()

"""Time the hanoi-scale demo seed: `python -m bench.seed_bench [--scale hanoi] [--database-url URL]`.

Prints one line per table and a last line `seed scale=... seconds=... people=... tasks=... measurements=...`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.databases import fresh_database
from data_access.db import Store
from data_access.seed import seed_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="hanoi", choices=["pilot", "hanoi"])
    parser.add_argument("--database-url", default=None, help="PostgreSQL server URL (a fresh database is created on it)")
    parser.add_argument("--today", default="2026-11-20")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.database_url, Path(tmp)) as url:
        store = Store.connect(url)
        started = time.perf_counter()
        report = seed_demo(store, scale=args.scale, seed=2026, today=date.fromisoformat(args.today),
                           demo_password="Bench-password-2026")
        seconds = time.perf_counter() - started
        store.dispose()
    for table, count in report.counts.items():
        print(f"{table:>20} {count:>9}")
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"seed scale={args.scale} backend={backend} seconds={seconds:.1f} people={report.counts['people']} "
          f"tasks={report.counts['tasks']} measurements={report.counts['measurements']}")


if __name__ == "__main__":
    main()

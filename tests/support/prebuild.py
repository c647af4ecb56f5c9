"""Build (or drop) the common test templates once for a whole run: `python -m tests.support.prebuild build|drop`.

scripts/run-tests.sh builds the migrated empty database and the seeded pilot demo once per backend,
before its passes, and exports PULSE_TEST_TEMPLATES=RUN: every worker of every pass then clones them
instead of migrating and seeding its own (about 40 s per worker and pass on a loaded 2-core machine).
The backend is PULSE_TEST_DB, as for the tests; the run name is PULSE_TEST_TEMPLATES.
"""

from __future__ import annotations

import os
import shutil
import sys

from sqlalchemy import create_engine, text

from tests.conftest import _backend, _seed_pilot
from tests.support.databases import SHARED_ENV, TestDatabases, shared_dir, shared_tag


def build(backend: str, run: str) -> None:
    """The templates every session asks for first; others (test-specific) are still built per session."""
    workdir = shared_dir(run)
    workdir.mkdir(parents=True, exist_ok=True)
    factory = TestDatabases(backend, workdir, tag=shared_tag(run))
    factory.template("empty")
    factory.template("pilot", _seed_pilot)


def drop(backend: str, run: str) -> None:
    shutil.rmtree(shared_dir(run), ignore_errors=True)
    if backend == "sqlite":
        return
    engine = create_engine(backend, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        names = conn.execute(
            text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"), {"prefix": f"{shared_tag(run)}_tpl_%"}
        ).scalars()
        for name in list(names):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


if __name__ == "__main__":
    action, run = sys.argv[1], os.environ[SHARED_ENV]
    if not run.isalnum():
        raise SystemExit(f"{SHARED_ENV} must be letters and digits, not {run!r}")
    (build if action == "build" else drop)(_backend(), run)

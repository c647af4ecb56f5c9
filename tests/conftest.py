"""Shared fixtures: a throw-away database per test, on SQLite or PostgreSQL.

PULSE_TEST_DB selects the backend for the whole run: "sqlite" (default) or a PostgreSQL URL
(scripts/run-tests.sh runs tests/unit once, then the rest once per backend). The date is pinned so
that demo data and expectations do not drift with the calendar. Under pytest-xdist each worker has
its own databases (names carry the pid); tests that share a Redis database run on one worker.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("PULSE_TODAY", "2026-11-20")
os.environ.setdefault("PULSE_ENV", "test")
# Jobs queued by tests go to a throw-away huey file, never to the checkout's data/ queue.
TEST_QUEUE = os.path.join(tempfile.gettempdir(), f"pulse-test-jobs-{os.getpid()}.huey")
os.environ.setdefault("PULSE_HUEY_FILE", TEST_QUEUE)

from config.settings import normalise_database_url  # noqa: E402
from data_access.db import Store  # noqa: E402
from tests.support.databases import TestDatabases  # noqa: E402

TEST_TODAY = date.fromisoformat(os.environ["PULSE_TODAY"])
DEMO_PASSWORD = "Pulse-demo-2026!"
DEMO_SEED = 2026


_factory: TestDatabases | None = None  # the session's factory, for the summary
UNIT_DIR = Path(__file__).resolve().parent / "unit"
DATABASE_FIXTURES = frozenset(
    {"databases", "backend_name", "empty_store", "demo_url", "demo_store", "shared_demo_store"}
)
# A module that names a local Redis database shares it with every other such module (they flush it).


def _backend() -> str:
    raw = os.environ.get("PULSE_TEST_DB", "sqlite")
    return raw if raw == "sqlite" else normalise_database_url(raw)


def pytest_report_header(config: pytest.Config) -> str:
    backend = _backend()
    shown = "SQLite" if backend == "sqlite" else f"PostgreSQL ({backend.split('@')[-1]})"
    return f"pulse test database: {shown}; today pinned to {TEST_TODAY}"


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    """The run's database factory (templates and per-test clones)."""
    global _factory
    factory = _factory = TestDatabases(_backend(), tmp_path_factory.mktemp("db"))
    yield factory
    factory.cleanup()


@pytest.fixture(scope="session")
def backend_name(databases: TestDatabases) -> str:
    return "postgresql" if databases.is_postgres else "sqlite"


def _seed_pilot(url: str) -> None:
    from data_access.seed import seed_demo

    store = Store.connect(url)
    try:
        seed_demo(store, scale="pilot", seed=DEMO_SEED, today=TEST_TODAY, demo_password=DEMO_PASSWORD)
    finally:
        store.dispose()


@pytest.fixture
def empty_store(databases: TestDatabases) -> Iterator[Store]:
    """A fresh, migrated, empty database."""
    url = databases.lend(databases.template("empty"))
    store = Store.connect(url)
    yield store
    store.dispose()
    databases.give_back(url)


@pytest.fixture
def demo_url(databases: TestDatabases) -> Iterator[str]:
    """URL of a fresh copy of the migrated database seeded with the pilot demo data."""
    url = databases.lend(databases.template("pilot", _seed_pilot))
    yield url
    databases.give_back(url)


@pytest.fixture
def demo_store(demo_url: str) -> Iterator[Store]:
    """A fresh copy of the pilot demo database, free to write to."""
    store = Store.connect(demo_url)
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def shared_demo_store(databases: TestDatabases) -> Iterator[Store]:
    """One pilot demo database shared by read-only tests (never write to it)."""
    store = Store.connect(databases.clone(databases.template("pilot", _seed_pilot)))
    yield store
    store.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep tests/unit free of databases (it runs once, not per backend).

    Tests that use Redis need no worker of their own: each module has its own Redis database and the
    keys are namespaced per test database, so two workers never see each other's keys. (Grouping them
    with xdist_group had stopped working anyway: pytest 9.2 no longer lets xdist 3.8 rename node ids.)"""
    misplaced = sorted(
        {
            str(item.path.name)
            for item in items
            if item.path.is_relative_to(UNIT_DIR) and DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        }
    )
    if misplaced:
        raise pytest.UsageError(
            "tests/unit runs once, without a database; move these to tests/data: " + ", ".join(misplaced)
        )


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    """How many PostgreSQL databases were reset in place instead of copied (shown without xdist only)."""
    if _factory is not None and (_factory.resets or _factory.reclones):
        terminalreporter.write_line(
            f"test databases: {_factory.resets} reset(s) in place, {_factory.reclones} copied again after a schema change"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the run's throw-away job queue file (and SQLite's companions)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(TEST_QUEUE + suffix).unlink(missing_ok=True)

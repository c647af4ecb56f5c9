"""Throw-away test databases on SQLite or PostgreSQL, cloned from migrated templates.

A template (migrated, optionally seeded) is built once per test run; each test gets its own
copy: a file copy on SQLite. On PostgreSQL a database a test has finished with (`lend` / `give_back`)
is reset in place to its template's content and renamed for the next test (tests/support/pg_reset.py:
an order of magnitude cheaper than CREATE DATABASE ... TEMPLATE and DROP DATABASE); `clone` still
makes a new copy for a test that keeps it. Names carry the process id and a counter, so two test runs
on one server never touch each other's data, and no two tests ever see one database name (caches and
change signals are keyed by it).
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from data_access.migrate import upgrade_to_head
from tests.support import pg_reset

Builder = Callable[[str], None]
# scripts/run-tests.sh builds the common templates once per backend for all its passes and workers
# (tests/support/prebuild.py) and names the run here; a test session then uses them instead of building.
SHARED_ENV = "PULSE_TEST_TEMPLATES"


def shared_tag(run: str) -> str:
    """Name prefix of one run's prebuilt PostgreSQL templates."""
    return f"pulse_r{run}"


def shared_dir(run: str) -> Path:
    """Folder of one run's prebuilt SQLite templates."""
    return Path(tempfile.gettempdir()) / f"pulse-templates-{run}"


class TestDatabases:
    """Factory of databases for one test run."""

    __test__ = False  # not a pytest test class

    def __init__(self, backend: str, workdir: Path, *, tag: str | None = None) -> None:
        self.backend = backend  # "sqlite" or a PostgreSQL URL
        self.workdir = workdir
        self._templates: dict[str, str] = {}
        self._created: list[str] = []
        self._counter = itertools.count()
        self._tag = tag or f"pulse_t{os.getpid()}"
        self._snapshots: dict[str, pg_reset.Snapshot] = {}  # template URL -> its content (PostgreSQL)
        self._free: list[pg_reset.Lent] = []  # used databases waiting for their reset
        self._lent: dict[str, pg_reset.Lent] = {}  # URL -> database lent to a running test
        self.resets = 0
        self.reclones = 0

    @property
    def is_postgres(self) -> bool:
        return self.backend != "sqlite"

    def template(self, name: str, build: Builder | None = None) -> str:
        """URL of a migrated template database, built (and passed to `build`) on first use."""
        if name in self._templates:
            return self._templates[name]
        prebuilt = self._prebuilt(name)
        if prebuilt is not None:
            self._templates[name] = prebuilt
            return prebuilt
        url = self._new_url(f"tpl_{name}")
        upgrade_to_head(url)
        if build is not None:
            build(url)
        if not self.is_postgres:
            _checkpoint(url)
        self._templates[name] = url
        return url

    def _prebuilt(self, name: str) -> str | None:
        """URL of this template when the run built it ahead (see SHARED_ENV), else None."""
        run = os.environ.get(SHARED_ENV)
        if not run:
            return None
        if not self.is_postgres:
            path = shared_dir(run) / f"tpl_{name}.db"
            return f"sqlite:///{path}" if path.exists() else None
        database = f"{shared_tag(run)}_tpl_{name}"
        with self._admin_connection() as admin:
            found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        return make_url(self.backend).set(database=database).render_as_string(hide_password=False) if found else None

    def clone(self, template_url: str) -> str:
        """A fresh database holding a copy of the template."""
        if not self.is_postgres:
            source = make_url(template_url).database
            target = self.workdir / f"db{next(self._counter)}.db"
            shutil.copyfile(str(source), target)
            return f"sqlite:///{target}"
        name = f"{self._tag}_{next(self._counter)}"
        template_name = make_url(template_url).database
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
        self._created.append(name)
        return make_url(self.backend).set(database=name).render_as_string(hide_password=False)

    def lend(self, template_url: str) -> str:
        """A database holding the template's content, for one test; hand it back with `give_back`."""
        if not self.is_postgres:
            return self.clone(template_url)
        used = next((lent for lent in self._free if lent.template == template_url), None)
        if used is None:
            url = self.clone(template_url)
            name = make_url(url).database or ""
            if template_url not in self._snapshots:
                self._snapshots[template_url] = pg_reset.snapshot(self._conninfo(name))
            self._lent[url] = pg_reset.Lent(name, template_url, pg_reset.counters(self._conninfo(name)))
            return url
        self._free.remove(used)
        return self._reset(used)

    def give_back(self, url: str) -> None:
        """The test is over: the database is reset for another one when next lent."""
        lent = self._lent.pop(url, None)
        if lent is not None:
            self._free.append(lent)

    def _reset(self, used: pg_reset.Lent) -> str:
        name = f"{self._tag}_{next(self._counter)}"
        with self._admin_connection() as admin:
            pg_reset.rename(admin, used.name, name)
        self._created[self._created.index(used.name)] = name
        clean = pg_reset.reset(self._conninfo(name), self._snapshots[used.template], used.clean)
        if clean is None:  # the test changed the schema: this one goes, a fresh copy takes its place
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._created.remove(name)
            self.reclones += 1
            return self.lend(used.template)
        self.resets += 1
        url = make_url(self.backend).set(database=name).render_as_string(hide_password=False)
        self._lent[url] = pg_reset.Lent(name, used.template, clean)
        return url

    def _conninfo(self, database: str) -> str:
        """libpq connection string of one database on the test server (psycopg, without SQLAlchemy)."""
        return (
            make_url(self.backend).set(drivername="postgresql", database=database).render_as_string(hide_password=False)
        )

    def _admin_connection(self) -> psycopg.Connection:
        return psycopg.connect(self._conninfo(make_url(self.backend).database or "postgres"), autocommit=True)

    def cleanup(self) -> None:
        """Drop every PostgreSQL database this run created."""
        if self.is_postgres:
            for name in reversed(self._created):
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _new_url(self, label: str) -> str:
        if not self.is_postgres:
            return f"sqlite:///{self.workdir / f'{label}.db'}"
        name = f"{self._tag}_{label}"
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return make_url(self.backend).set(database=name).render_as_string(hide_password=False)

    def _admin(self, statement: str) -> None:
        engine = create_engine(self.backend, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(statement))
        engine.dispose()


def _checkpoint(url: str) -> None:
    """Fold the WAL into the main file so that a plain file copy is complete."""
    path = make_url(url).database
    with sqlite3.connect(str(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

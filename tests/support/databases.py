"""Throw-away test databases on SQLite or PostgreSQL, cloned from migrated templates.

A template (migrated, optionally seeded) is built once per test run; each test gets its own
copy: a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. Names carry the
process id so that two test runs on one server never touch each other's data.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from data_access.migrate import upgrade_to_head

Builder = Callable[[str], None]


class TestDatabases:
    """Factory of databases for one test run."""

    __test__ = False  # not a pytest test class

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend  # "sqlite" or a PostgreSQL URL
        self.workdir = workdir
        self._templates: dict[str, str] = {}
        self._created: list[str] = []
        self._counter = itertools.count()
        self._tag = f"pulse_t{os.getpid()}"

    @property
    def is_postgres(self) -> bool:
        return self.backend != "sqlite"

    def template(self, name: str, build: Builder | None = None) -> str:
        """URL of a migrated template database, built (and passed to `build`) on first use."""
        if name in self._templates:
            return self._templates[name]
        url = self._new_url(f"tpl_{name}")
        upgrade_to_head(url)
        if build is not None:
            build(url)
        if not self.is_postgres:
            _checkpoint(url)
        self._templates[name] = url
        return url

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

"""Engines and sessions for SQLite (default) and PostgreSQL (psycopg 3).

SQLite gets WAL, foreign keys and a busy timeout on every connection; write sessions open with
BEGIN IMMEDIATE so that two writers queue instead of failing half-way with "database is locked".
Callers frame transactions themselves (``with store.write() as session:``); data functions never
commit on their own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from data_access.folding import sqlite_fold
from domain.indicators import Tolerances

SQLITE_BUSY_TIMEOUT_MS = 15_000
# A PostgreSQL host that drops packets would otherwise hold a request for the OS's TCP timeout (minutes);
# after this many seconds the request gets its 503 and the next one tries again.
POSTGRES_CONNECT_TIMEOUT_S = 5


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds ASCII only; filters on Vietnamese names need Unicode case folding.
        dbapi_connection.create_function(
            "pulse_lower", 1, lambda text: text.lower() if isinstance(text, str) else text, deterministic=True
        )
        # Accent-free search on names (data_access.folding).
        dbapi_connection.create_function("pulse_fold", 1, sqlite_fold, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("pulse_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine with the settings each backend needs."""
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        _configure_sqlite(engine)
        return engine
    # pool_pre_ping: after a restart of the server the pooled connections are dead; each is tested (and
    # replaced) before use, so the first request after an outage succeeds instead of failing once.
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S},
    )


@dataclass
class Store:
    """The app's handle on the database: one engine, a read and a write session factory."""

    engine: Engine
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str, *, echo: bool = False, tolerances: Tolerances | None = None) -> Store:
        """Open the database; writes recompute the rollups with these tolerances (the settings')."""
        from data_access import rollups  # imported here: rollups imports the models, which import nothing of ours

        engine = make_engine(url, echo=echo)
        write_engine = engine.execution_options(pulse_write=True)
        write_sessions = sessionmaker(
            write_engine, expire_on_commit=False, info={rollups.TOLERANCES_KEY: tolerances or Tolerances()}
        )
        rollups.install(write_sessions)
        return cls(
            engine=engine,
            read_sessions=sessionmaker(engine, expire_on_commit=False),
            write_sessions=write_sessions,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; closing it ends the transaction, and it never commits."""
        with self.read_sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work: commits once at the end, rolls back everything on any error."""
        with self.write_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def changed_rows(result: Result[Any]) -> int:
    """The row count of an UPDATE or DELETE (Session.execute is typed for any Result; theirs is a CursorResult)."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"a data change answered {type(result).__name__}, not a CursorResult")
    return result.rowcount or 0

"""Throw-away databases for benchmarks: a temp SQLite file, or a fresh database on a PostgreSQL server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config.settings import normalise_database_url
from data_access.migrate import upgrade_to_head


@contextmanager
def fresh_database(server_url: str | None, workdir: Path) -> Iterator[str]:
    """A migrated, empty database; dropped afterwards."""
    if not server_url:
        url = f"sqlite:///{workdir / 'bench.db'}"
        upgrade_to_head(url)
        yield url
        return
    server = make_url(normalise_database_url(server_url))
    name = f"pulse_bench_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_to_head(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

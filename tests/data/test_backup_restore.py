"""`flask --app app backup` / `restore`: a consistent snapshot with a SHA-256 file; restore into an
empty database gives the same rows and a chain that verifies; a damaged file or a non-empty target
is refused, leaving the target untouched."""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from app import create_app
from data_access import audit, backups
from data_access.audit_chain import verify_chain
from data_access.db import Store
from data_access.models import AuditEntry
from tests.integration.conftest import make_settings
from tests.support.databases import TestDatabases

_targets = itertools.count()


@pytest.fixture
def empty_target(databases: TestDatabases, tmp_path: Path) -> Iterator[str]:
    """URL of a database with nothing in it (not even the schema): what restore expects."""
    if not databases.is_postgres:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"pulse_t{os.getpid()}_restore{next(_targets)}"
    admin = create_engine(databases.backend, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(databases.backend).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _app(url: str) -> Flask:
    return create_app(make_settings(url))


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        names = inspect(engine).get_table_names()
        with engine.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}
    finally:
        engine.dispose()


def _invoke(url: str, *args: str) -> tuple[int, str]:
    server = _app(url)
    try:
        result = server.test_cli_runner().invoke(args=list(args))
        shown = result.output + (repr(result.exception) if result.exit_code and result.exception else "")
        return result.exit_code, shown
    finally:
        server.extensions["pulse"]["store"].dispose()


def _add_audit(store: Store, count: int) -> None:
    with store.write() as session:
        for n in range(count):
            audit.record(session, user_id=None, action="test.write", entity="task", entity_id=n, after={"n": n})


def test_backup_then_restore_into_an_empty_database(
    demo_store: Store, demo_url: str, empty_target: str, tmp_path: Path
) -> None:
    _add_audit(demo_store, 5)
    snapshot = tmp_path / "snap.backup"
    code, output = _invoke(demo_url, "backup", str(snapshot))
    assert code == 0, output
    checksum = snapshot.with_name("snap.backup.sha256")
    assert checksum.read_text() == f"{hashlib.sha256(snapshot.read_bytes()).hexdigest()}  snap.backup\n"
    assert not snapshot.with_name("snap.backup.partial").exists()

    code, output = _invoke(empty_target, "restore", str(snapshot))
    assert code == 0, output
    source = _counts(demo_url)
    assert _counts(empty_target) == source
    assert source["audit_entries"] >= 5 and source["people"] > 0
    assert "Audit chain intact" in output
    code, output = _invoke(empty_target, "audit", "verify")
    assert code == 0 and f"intact: {source['audit_entries']} entries" in output
    # The restored database is a working one: the app writes to it and the chain goes on.
    restored = Store.connect(empty_target)
    try:
        _add_audit(restored, 2)
        with restored.read() as session:
            assert verify_chain(session).checked == source["audit_entries"] + 2
    finally:
        restored.dispose()

    # Restoring again over data is refused, and nothing is changed.
    code, output = _invoke(empty_target, "restore", str(snapshot))
    assert code == 1 and "not empty" in output
    assert _counts(empty_target)["audit_entries"] == source["audit_entries"] + 2


def test_restore_refuses_a_damaged_or_unchecked_file(demo_url: str, empty_target: str, tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.backup"
    assert _invoke(demo_url, "backup", str(snapshot))[0] == 0
    assert _invoke(demo_url, "backup", str(snapshot))[1].count("already exists") == 1

    damaged = tmp_path / "damaged.backup"
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    damaged.with_name("damaged.backup.sha256").write_text(
        snapshot.with_name("snap.backup.sha256").read_text().replace("snap", "damaged")
    )
    code, output = _invoke(empty_target, "restore", str(damaged))
    assert code == 1 and "does not match its checksum" in output

    unchecked = tmp_path / "unchecked.backup"
    unchecked.write_bytes(snapshot.read_bytes())
    code, output = _invoke(empty_target, "restore", str(unchecked))
    assert code == 1 and "No checksum file" in output
    assert backups.table_names(empty_target) == []


def test_snapshot_is_one_moment_while_the_app_writes(
    demo_store: Store, demo_url: str, empty_target: str, tmp_path: Path
) -> None:
    """Writers add audit entries 50 per transaction during the backup: the copy holds whole transactions only."""
    with demo_store.read() as session:
        before = session.execute(select(func.count(AuditEntry.id))).scalar_one()
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        while not stop.is_set():
            _add_audit(demo_store, 50)
            written.append(50)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while not written:  # the backup starts while transactions are flowing
            stop.wait(0.01)
        snapshot = backups.backup(demo_url, tmp_path / "busy.backup")
    finally:
        stop.set()
        thread.join(timeout=60)
    backups.restore(empty_target, snapshot.path)
    copied = _counts(empty_target)["audit_entries"] - before
    assert copied > 0 and copied % 50 == 0
    restored = Store.connect(empty_target)
    try:
        with restored.read() as session:
            assert verify_chain(session).intact
    finally:
        restored.dispose()


def test_restore_refuses_the_other_backends_file(demo_url: str, tmp_path: Path, databases: TestDatabases) -> None:
    snapshot = backups.backup(demo_url, tmp_path / "snap.backup")
    other = (
        f"sqlite:///{tmp_path / 'other.db'}"
        if databases.is_postgres
        else "postgresql+psycopg://postgres@127.0.0.1:5432/never_reached"
    )
    with pytest.raises(backups.BackupError, match="is not a"):
        backups.restore(other, snapshot.path)


@pytest.mark.parametrize(
    ("server", "found", "chosen"),
    [
        (15, [("/usr/bin/pg_dump", 15)], "/usr/bin/pg_dump"),
        (
            16,
            [("/usr/bin/pg_dump", 15), ("/usr/lib/postgresql/16/bin/pg_dump", 16)],
            "/usr/lib/postgresql/16/bin/pg_dump",
        ),
        (14, [("/usr/lib/postgresql/17/bin/pg_dump", 17), ("/usr/bin/pg_dump", 15)], "/usr/bin/pg_dump"),
        (15, [("/broken", None), ("/usr/bin/pg_dump", 15)], "/usr/bin/pg_dump"),
    ],
)
def test_pg_tool_matches_the_server_version(server: int, found: list[tuple[str, int | None]], chosen: str) -> None:
    assert backups.choose_tool("pg_dump", server, found) == chosen


def test_pg_tool_older_than_the_server_is_refused_with_a_way_out() -> None:
    with pytest.raises(backups.BackupError, match="postgresql-client-17.*PULSE_PG_BIN"):
        backups.choose_tool("pg_dump", 17, [("/usr/bin/pg_dump", 15)])


def test_installed_pg_dump_reports_its_version() -> None:
    tools = backups.candidate_tools("pg_dump")
    assert tools, "pg_dump is not installed (Debian: apt-get install postgresql-client)"
    assert all(backups.tool_major(tool) for tool in tools)

"""Consistent backups of the store and their restore into an empty database, with a SHA-256 file.

- SQLite: the online backup API copies every page in one step under a read transaction, so the
  copy is one consistent moment even while the app writes (WAL lets writers go on meanwhile).
- PostgreSQL: ``pg_dump --format=custom`` (one repeatable-read snapshot) and ``pg_restore`` in a
  single transaction. The client must be at least as new as the server: the tool of the server's
  major version is looked up in PULSE_PG_BIN, Debian's /usr/lib/postgresql/<major>/bin and PATH,
  and run with an argument list (never a shell), the password in the environment, not in argv.

A backup is written to ``PATH.partial`` and renamed when complete, then ``PATH.sha256`` is
written in ``sha256sum`` format (``sha256sum -c PATH.sha256`` checks it by hand). Restore checks
the checksum and the file's kind first and refuses a target that holds any table.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")
PG_TIMEOUT_SECONDS = 6 * 3600  # a city-scale dump takes minutes; only a hung tool gets near this


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message an administrator can act on."""


@dataclass(frozen=True)
class BackupFile:
    """A written backup: where it is, its checksum file, its digest and size."""

    path: Path
    checksum_path: Path
    sha256: str
    size: int


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def default_path(database_url: str, directory: Path, at: datetime) -> Path:
    """``directory/pulse-YYYYmmdd-HHMMSS.sqlite`` (or ``.dump`` for PostgreSQL)."""
    suffix = "sqlite" if _is_sqlite(database_url) else "dump"
    return directory / f"pulse-{at:%Y%m%d-%H%M%S}.{suffix}"


def backup(database_url: str, path: Path) -> BackupFile:
    """Write a consistent snapshot of the database to ``path`` and its checksum beside it."""
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name (backups are never overwritten).")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _is_sqlite(database_url):
            _sqlite_backup(_sqlite_file(database_url), partial)
        else:
            _pg_dump(make_url(database_url), partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    digest = file_sha256(path)
    checksum = checksum_path(path)
    checksum.write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return BackupFile(path=path, checksum_path=checksum, sha256=digest, size=path.stat().st_size)


def restore(database_url: str, path: Path) -> None:
    """Load a backup into an empty database; refuse a bad checksum, a wrong kind of file or a non-empty target."""
    check_checksum(path)
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if _is_sqlite(database_url):
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{path} is not a SQLite backup; restore it into a PostgreSQL database.")
        target = _sqlite_file(database_url)
        _refuse_non_empty(database_url)
        _sqlite_restore(path, target)
    else:
        if not head.startswith(PG_CUSTOM_MAGIC):
            raise BackupError(f"{path} is not a PostgreSQL backup (pg_dump custom format).")
        _refuse_non_empty(database_url)
        _pg_restore(make_url(database_url), path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_checksum(path: Path) -> None:
    """Raise BackupError unless ``PATH.sha256`` exists and matches the file."""
    checksum = checksum_path(path)
    if not checksum.exists():
        raise BackupError(f"No checksum file {checksum}: refusing to restore a backup that cannot be checked.")
    expected = checksum.read_text(encoding="utf-8").split()[:1]
    if expected != [file_sha256(path)]:
        raise BackupError(f"{path} does not match its checksum in {checksum}: the file is damaged or was changed.")


def table_names(database_url: str) -> list[str]:
    """The tables a database holds (none for a fresh one)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            else:
                query = "SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            return sorted(conn.execute(text(query)).scalars())
    finally:
        engine.dispose()


def _refuse_non_empty(database_url: str) -> None:
    if _is_sqlite(database_url) and not _sqlite_file(database_url).exists():
        return
    tables = table_names(database_url)
    if tables:
        raise BackupError(
            f"The target database is not empty ({len(tables)} tables, e.g. {tables[0]}); "
            "restore only into a new, empty database."
        )


def _is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def _sqlite_file(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"No database file at {source}.")
    reader = sqlite3.connect(source, timeout=30)  # only read; "mode=ro" cannot open a WAL file without its -shm
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)  # all pages in one step: one consistent snapshot
        writer.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file, no -wal beside it
    finally:
        writer.close()
        reader.close()


def _sqlite_restore(backup_file: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    reader = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)  # journal_mode=DELETE: read-only is fine
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode=WAL")  # as the app runs it (data_access/db.py)
    finally:
        writer.close()
        reader.close()


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_env(url: URL) -> dict[str, str]:
    """Connection settings for libpq tools, passed in the environment so the password is not in argv."""
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def server_major(url: URL) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()


def tool_major(tool: str) -> int | None:
    """The major version a libpq tool reports (``pg_dump (PostgreSQL) 15.20 ...`` -> 15)."""
    try:
        # An argument list, no shell; the tool path comes from candidate_tools.
        shown = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603 # nosec B603
    except OSError:
        return None
    found = re.search(r"\)\s*(\d+)", shown.stdout)
    return int(found.group(1)) if found else None


def candidate_tools(name: str) -> list[str]:
    """Where a PostgreSQL client tool may be: PULSE_PG_BIN, Debian's per-version dirs, then PATH."""
    places: list[Path] = []
    if os.environ.get("PULSE_PG_BIN"):
        places.append(Path(os.environ["PULSE_PG_BIN"]) / name)
    if DEBIAN_PG_ROOT.is_dir():
        places.extend(sorted(DEBIAN_PG_ROOT.glob(f"*/bin/{name}")))
    found = [str(place) for place in places if place.is_file()]
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    return list(dict.fromkeys(found))


def choose_tool(name: str, server: int, tools: Iterable[tuple[str, int | None]]) -> str:
    """The tool matching the server's major version, else the oldest newer one (libpq tools read
    older servers but refuse newer ones); a clear error when there is none."""
    usable = sorted((major, path) for path, major in tools if major is not None and major >= server)
    exact = [path for major, path in usable if major == server]
    if exact:
        return exact[0]
    if usable:
        return usable[0][1]
    raise BackupError(
        f"No {name} for PostgreSQL {server} or newer was found (install postgresql-client-{server}, "
        f"or set PULSE_PG_BIN to the directory holding {name} {server})."
    )


def _pg_tool(name: str, url: URL) -> str:
    return choose_tool(name, server_major(url), ((tool, tool_major(tool)) for tool in candidate_tools(name)))


def _run(arguments: list[str], url: URL, action: str) -> None:
    # A fixed argument list and no shell; the only free values are paths the administrator typed.
    done = subprocess.run(  # noqa: S603 # nosec B603
        arguments, env=_pg_env(url), capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{action} failed: {done.stderr.strip() or done.stdout.strip()}")


def _pg_dump(url: URL, target: Path) -> None:
    tool = _pg_tool("pg_dump", url)
    # Owner and grants are left out: the restore runs as whichever role owns the new database.
    _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], url, "pg_dump")


def _pg_restore(url: URL, backup_file: Path) -> None:
    tool = _pg_tool("pg_restore", url)
    _run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",  # all or nothing: a failed restore leaves the target empty
            f"--dbname={url.database}",
            str(backup_file),
        ],
        url,
        "pg_restore",
    )

"""Put a used PostgreSQL test database back to its template's content, without CREATE/DROP DATABASE.

On PostgreSQL 15, ``CREATE DATABASE ... TEMPLATE`` copies the whole catalog and every DROP DATABASE
forces a cluster-wide checkpoint (0.4 s when nothing is dirty, tens of seconds on a loaded disk): per
test, that was most of the PostgreSQL pass. A used database is instead reset in place:

- the tables a test wrote are found from the server's own counters (``pg_stat_user_tables``: rows
  inserted, updated, deleted; a new ``relfilenode`` after TRUNCATE), which every backend flushes when it
  exits, so all sessions on the database are ended first;
- those tables are emptied and reloaded from an in-memory COPY of the template, with foreign-key
  triggers off (``session_replication_role = replica``: the reloaded rows are the template's, consistent
  with the untouched tables); every sequence is set back;
- anything a reset cannot undo (a changed schema: migrations run down, a table or type added) is
  reported by a fingerprint of the catalog, and the caller drops the database instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

# One text per schema object of `public`: tables, columns, constraints, indexes, triggers, types, functions.
FINGERPRINT_SQL = """
SELECT md5(coalesce(string_agg(item, '|' ORDER BY item), '')) FROM (
    SELECT concat_ws(':', 'c', c.relname, c.relkind::text) FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
    UNION ALL SELECT concat_ws(':', 'a', c.relname, a.attname, a.atttypid::text, a.attnotnull::text)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT concat_ws(':', 'k', conname::text, pg_get_constraintdef(oid)) FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT concat_ws(':', 't', tgname::text, tgrelid::regclass::text) FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT concat_ws(':', 'y', typname::text) FROM pg_type WHERE typnamespace = 'public'::regnamespace
    UNION ALL SELECT concat_ws(':', 'e', enumtypid::regtype::text, enumlabel::text) FROM pg_enum
    UNION ALL SELECT concat_ws(':', 'f', proname::text) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT concat_ws(':', 'n', nspname::text) FROM pg_namespace
) AS items(item)
"""

# The server's write counters per table, and its file (TRUNCATE gives a table a new one).
COUNTERS_SQL = """
SELECT s.relname, c.relfilenode, s.n_tup_ins, s.n_tup_upd, s.n_tup_del
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.schemaname = 'public'
"""

Counters = dict[str, tuple[int, int, int, int]]


@dataclass
class Snapshot:
    """What a template holds: its catalog fingerprint, each table's rows (binary COPY), its sequences."""

    fingerprint: str
    tables: dict[str, bytes]
    sequences: dict[str, tuple[int, bool]]


@dataclass
class Lent:
    """A pooled database: its name, template, and the counters it had when it was last clean."""

    name: str
    template: str
    clean: Counters = field(default_factory=dict)


def snapshot(conninfo: str) -> Snapshot:
    """Read an unused copy of a template (never the template itself: a session on a template makes
    every CREATE DATABASE from it fail, and other workers clone it)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        fingerprint = _fingerprint(conn)
        names = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        tables: dict[str, bytes] = {}
        for name in names:
            with conn.cursor().copy(sql.SQL("COPY {} TO STDOUT (FORMAT BINARY)").format(sql.Identifier(name))) as copy:
                tables[name] = b"".join(bytes(block) for block in copy)
        sequences = {}
        for (name,) in conn.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'").fetchall():
            value, called = conn.execute(
                sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(name))
            ).fetchone()  # type: ignore[misc]
            sequences[name] = (value, called)
    return Snapshot(fingerprint, tables, sequences)


def counters(conninfo: str) -> Counters:
    """The write counters of a database nobody else is connected to (see `end_sessions`)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return _counters(conn)


def end_sessions(admin: psycopg.Connection, database: str, *, timeout: float = 60.0) -> None:
    """End every session on `database` and wait until they are gone (each flushes its counters on exit)."""
    deadline = time.monotonic() + timeout
    while True:
        alive = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
        if not alive:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"sessions on {database} did not end within {timeout} s")
        time.sleep(0.02)


def rename(admin: psycopg.Connection, old: str, new: str, *, attempts: int = 5) -> None:
    """End the sessions on `old` and rename it: a client of the last test that reconnects late finds no
    database by its old name, instead of writing into the next test's."""
    for attempt in range(attempts):
        end_sessions(admin, old)
        try:
            admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new)))
            return
        except psycopg.errors.ObjectInUse:  # a session came back between the two statements
            if attempt == attempts - 1:
                raise


def reset(conninfo: str, template: Snapshot, clean: Counters) -> Counters | None:
    """Reload the tables written since `clean`; the new clean counters, or None when the schema changed
    (the caller then drops the database and copies the template again)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if _fingerprint(conn) != template.fingerprint:
            return None
        now = _counters(conn)
        written = sorted(name for name, values in now.items() if clean.get(name) != values)
        if not set(written) <= template.tables.keys():
            return None  # a table the template does not have: the schema changed after all
        with conn.transaction():
            # The reloaded rows are the template's own: consistent with the tables left alone, so the
            # foreign-key triggers (and any others) stay off while they go in.
            conn.execute("SET LOCAL session_replication_role = replica")
            for name in written:
                conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(name)))
                with conn.cursor().copy(
                    sql.SQL("COPY {} FROM STDIN (FORMAT BINARY)").format(sql.Identifier(name))
                ) as copy:
                    copy.write(template.tables[name])
            for name, (value, called) in template.sequences.items():
                conn.execute("SELECT setval(%s, %s, %s)", (sql.Identifier(name).as_string(conn), value, called))
        # This session's own counts (the reload) must be in the shared counters before they are read.
        conn.execute("SELECT pg_stat_force_next_flush()")
        return _counters(conn)


def _fingerprint(conn: psycopg.Connection) -> str:
    row = conn.execute(FINGERPRINT_SQL).fetchone()
    assert row is not None
    return str(row[0])


def _counters(conn: psycopg.Connection) -> Counters:
    conn.execute("SELECT pg_stat_clear_snapshot()")
    return {name: (node, ins, upd, dele) for name, node, ins, upd, dele in conn.execute(COUNTERS_SQL).fetchall()}

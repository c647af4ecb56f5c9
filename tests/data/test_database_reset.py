"""The test harness's database reuse: a database a test wrote to comes back holding exactly its template.

On PostgreSQL a used database is reset in place and renamed (tests/support/pg_reset.py) instead of
being copied again; on SQLite every test gets a file copy. Either way the next test must see the
template's rows and sequences, and never the previous test's name (caches are keyed by it).
"""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from tests.conftest import _seed_pilot
from tests.support.databases import TestDatabases


def _content(url: str) -> dict[str, str]:
    """A digest of every table's rows, and the next value of every sequence (PostgreSQL)."""
    engine = create_engine(url)
    try:
        names = sorted(inspect(engine).get_table_names())
        with engine.connect() as conn:
            digest = {
                name: str(sorted(tuple(map(str, row)) for row in conn.execute(text(f'SELECT * FROM "{name}"'))))
                for name in names
            }
            if engine.dialect.name == "postgresql":
                for (sequence,) in conn.execute(text("SELECT sequencename FROM pg_sequences")).all():
                    row = conn.execute(text(f'SELECT last_value, is_called FROM "{sequence}"')).one()
                    digest[f"sequence {sequence}"] = str(tuple(row))
        return digest
    finally:
        engine.dispose()


def _scribble(url: str) -> None:
    """Writes of every kind a test makes: insert, update, delete, truncate, a sequence moved by a rollback."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE people SET full_name = 'Written by a test'"))
            conn.execute(text("DELETE FROM task_checkins"))
            conn.execute(text("DELETE FROM notifications"))
            conn.execute(
                text(
                    "INSERT INTO audit_entries (action, entity, outcome, prev_hash, hash)"
                    " VALUES ('test.write', 'task', 'ok', 'test-prev', 'test-hash')"
                )
            )
        with engine.connect() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_entries (action, entity, outcome, prev_hash, hash)"
                    " VALUES ('test.undone', 'task', 'ok', 'undone-prev', 'undone-hash')"
                )
            )
            conn.rollback()
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("TRUNCATE user_sessions, sync_records"))
    finally:
        engine.dispose()


def test_a_written_database_comes_back_as_its_template(databases: TestDatabases) -> None:
    template = databases.template("pilot", _seed_pilot)
    fresh = databases.clone(template)
    expected = _content(fresh)
    assert any(name.startswith("sequence") for name in expected) == databases.is_postgres

    first = databases.lend(template)
    _scribble(first)
    assert _content(first) != expected  # the writes happened
    databases.give_back(first)

    second = databases.lend(template)
    assert second != first  # a new name: nothing keyed by the old one (cache, change signal) carries over
    assert _content(second) == expected
    databases.give_back(second)


def test_a_database_whose_schema_changed_is_replaced(databases: TestDatabases) -> None:
    template = databases.template("empty")
    first = databases.lend(template)
    engine = create_engine(first)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE left_behind (id integer)"))
    engine.dispose()
    databases.give_back(first)

    second = databases.lend(template)
    engine = create_engine(second)
    try:
        assert "left_behind" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    databases.give_back(second)

"""The one Alembic history builds, on SQLite and PostgreSQL, exactly the schema the models declare."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from data_access.db import Store
from data_access.migrate import alembic_config
from data_access.models import Base
from tests.support.databases import TestDatabases


def test_upgrade_to_head_matches_the_models(empty_store: Store) -> None:
    with empty_store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []
    tables = set(inspect(empty_store.engine).get_table_names())
    assert {"org_units", "people", "indicators", "measurements", "tasks", "unit_rollups", "audit_entries"} <= tables


def test_downgrade_to_base_and_back(databases: TestDatabases) -> None:
    url = databases.clone(databases.template("empty"))
    config = alembic_config(url)
    command.downgrade(config, "base")
    store = Store.connect(url)
    assert "org_units" not in inspect(store.engine).get_table_names()
    store.dispose()
    command.upgrade(config, "heads")
    store = Store.connect(url)
    assert "org_units" in inspect(store.engine).get_table_names()
    store.dispose()


def test_database_enforces_integrity(empty_store: Store) -> None:
    """Foreign keys and check constraints hold even for writes that skip the app's validation."""
    with pytest.raises(IntegrityError), empty_store.write() as session:
        session.execute(
            text(
                "INSERT INTO positions (id, unit_id, code, name, task_group, criteria_set, is_leader) "
                "VALUES (1, 999, 'x', 'x', 'g', 'default', false)"
            )
        )
    with pytest.raises(IntegrityError), empty_store.write() as session:
        session.execute(
            text(
                "INSERT INTO org_units (id, code, name, kind, path, depth, weight, requires_approval, ruleset, active) "
                "VALUES (1, 'X', 'X', 'galaxy', '/1/', 0, 1, true, 'decree_335', true)"
            )
        )

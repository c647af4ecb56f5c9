"""The data version: bumped inside every write transaction, read by caches and open dashboards.

A dashboard polls the version (one tiny primary-key read, or a Redis GET when REDIS_URL is set:
see server/signals.py) and refetches only when it moved; caches key results by scope and version,
so no stale result outlives a commit.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from config.clock import now
from data_access.models import DataVersion

GLOBAL = "global"


BUMPED_KEY = "pulse_data_version"


def bump(session: Session) -> int:
    """Increase the data version in the caller's transaction; returns the new version.

    The version is also left in ``session.info`` so that, once the transaction commits, a change
    signal (Redis, when configured) can announce it to every app process.
    """
    version = session.execute(
        update(DataVersion)
        .where(DataVersion.name == GLOBAL)
        .values(version=DataVersion.version + 1, changed_at=now())
        .returning(DataVersion.version)
    ).scalar_one_or_none()
    if version is None:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        version = session.execute(
            insert(DataVersion)
            .values(name=GLOBAL, version=1, changed_at=now())
            .on_conflict_do_update(
                index_elements=["name"], set_={"version": DataVersion.version + 1, "changed_at": now()}
            )
            .returning(DataVersion.version)
        ).scalar_one()
    session.info[BUMPED_KEY] = version
    return version


def current(session: Session) -> int:
    """The current data version (0 for an empty store)."""
    value = session.execute(select(DataVersion.version).where(DataVersion.name == GLOBAL)).scalar_one_or_none()
    return value or 0

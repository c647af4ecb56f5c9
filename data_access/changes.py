"""The data version: bumped inside every write transaction, read by caches and open dashboards.

A dashboard polls the version (one tiny primary-key read, or a Redis GET when REDIS_URL is set)
and refetches only when it moved; caches key results by scope and version, so no stale result
outlives a commit.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from config.clock import now
from data_access.models import DataVersion

GLOBAL = "global"


def bump(session: Session) -> None:
    """Increase the data version in the caller's transaction."""
    result = session.execute(
        update(DataVersion).where(DataVersion.name == GLOBAL).values(version=DataVersion.version + 1, changed_at=now())
    )
    if result.rowcount == 0:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(DataVersion)
            .values(name=GLOBAL, version=1, changed_at=now())
            .on_conflict_do_update(index_elements=["name"], set_={"version": DataVersion.version + 1, "changed_at": now()})
        )


def current(session: Session) -> int:
    """The current data version (0 for an empty store)."""
    value = session.execute(select(DataVersion.version).where(DataVersion.name == GLOBAL)).scalar_one_or_none()
    return value or 0

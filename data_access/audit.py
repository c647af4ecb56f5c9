"""The audit log: who changed what, when, before and after; refusals included.

Every entry is chained to the one before it (data_access/audit_chain.py), so that an edit or a
deletion in the table shows up in `flask --app app audit verify`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from config.clock import now
from data_access.audit_chain import append_tail, appended, lock_for_append
from data_access.models import AuditEntry
from domain.audit_chain import ChainEntry, entry_hash

# One statement compiled once and fed parameters: building ``insert().values(...)`` afresh per entry
# cost about 1 ms of Python each (two thirds of a 500-entry import chunk's audit time).
_INSERT = insert(AuditEntry.__table__)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=_default, ensure_ascii=False, sort_keys=True)


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of a row, for an audit entry's before/after."""
    return {name: getattr(obj, name) for name in fields}


def record(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: object = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    outcome: str = "ok",
    detail: str | None = None,
) -> None:
    """Add an audit entry to the caller's transaction (it commits or rolls back with the change).

    The first entry of a transaction takes the chain's append lock (held to the end of the
    transaction on PostgreSQL), so record audit entries late in a command, after its reads.
    """
    values: dict[str, Any] = {
        "at": now(),
        "user_id": user_id,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "outcome": outcome,
        "before_json": _json(before),
        "after_json": _json(after),
        "detail": (detail or "")[:500] or None,
    }
    lock_for_append(session)
    previous = append_tail(session)
    own = entry_hash(previous, ChainEntry(id=0, **values))
    session.execute(_INSERT, {**values, "prev_hash": previous, "hash": own})
    appended(session, own)

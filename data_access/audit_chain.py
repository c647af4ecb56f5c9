"""Appending to and proving the audit log's hash chain (the hashing rules are in domain/audit_chain).

Appends are serialised so that two writers can never both chain onto the same entry:
- PostgreSQL: a transaction-scoped advisory lock, taken before the tail is read and held until
  commit or rollback, so the next writer reads the tail only after this one's entries are visible;
- SQLite: write sessions begin with BEGIN IMMEDIATE (data_access/db.py), so the transaction
  already holds the database's single write lock; a deferred transaction that read an old tail
  cannot write after another commit (SQLite refuses the stale write).
A unique index on ``prev_hash`` refuses a fork outright should anything slip past both.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator

from sqlalchemy import Connection, bindparam, event, func, select, update
from sqlalchemy.orm import Session

from data_access.models import AuditEntry
from domain.audit_chain import GENESIS, ChainEntry, StoredLink, Verdict, entry_hash, verify

# Any fixed 64-bit number that no other part of the app uses as an advisory lock key ("PULSEAUD").
APPEND_LOCK_KEY = 0x50554C5345415544
_LOCKED_IN = "pulse_audit_chain_locked_in"
_TAIL = "pulse_audit_chain_tail"
_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.user_id,
    AuditEntry.action,
    AuditEntry.entity,
    AuditEntry.entity_id,
    AuditEntry.outcome,
    AuditEntry.before_json,
    AuditEntry.after_json,
    AuditEntry.detail,
)


def lock_for_append(session: Session) -> None:
    """Hold the chain's append lock until the caller's transaction ends (once per transaction)."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the write transaction already holds the database's only write lock
    transaction = session.get_transaction()
    held = session.info.get(_LOCKED_IN)
    if transaction is not None and held is not None and held() is transaction:
        return
    session.execute(select(func.pg_advisory_xact_lock(APPEND_LOCK_KEY)))
    if transaction is not None:
        session.info[_LOCKED_IN] = weakref.ref(transaction)


def tail_hash(session: Session | Connection) -> str:
    """The hash of the newest entry, or GENESIS for an empty log."""
    newest = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    return newest or GENESIS


def append_tail(session: Session) -> str:
    """The hash the next entry of this transaction chains onto (read once, then kept in the session).

    Keeping it saves a query per entry (a 500-entry import chunk would otherwise read the tail 500
    times); it is forgotten whenever a transaction or savepoint ends, so a rolled-back entry is
    never chained onto.
    """
    cached = session.info.get(_TAIL)
    if cached is None:
        cached = tail_hash(session)
    return cached


def appended(session: Session, own_hash: str) -> None:
    """Note the hash of the entry just added to this transaction."""
    session.info[_TAIL] = own_hash


@event.listens_for(Session, "after_transaction_end")
def _forget_tail(session: Session, _transaction: object) -> None:
    session.info.pop(_TAIL, None)


def _row_entry(row: object) -> ChainEntry:
    return ChainEntry(*(getattr(row, column.key) for column in _COLUMNS))


def _links(session: Session | Connection) -> Iterator[StoredLink]:
    rows = session.execute(
        select(*_COLUMNS, AuditEntry.prev_hash, AuditEntry.hash)
        .order_by(AuditEntry.id)
        .execution_options(yield_per=2000)
    )
    for row in rows:
        yield StoredLink(entry=_row_entry(row), prev_hash=row.prev_hash, hash=row.hash)


def verify_chain(session: Session | Connection) -> Verdict:
    """Recompute every link in id order and report the first one that does not hold."""
    return verify(_links(session))


def backfill(connection: Connection, *, batch: int = 2000) -> int:
    """Chain entries written before the chain existed, in id order (used by migration 0006).

    Reads and updates in pages of ``batch`` ids so that a long log never sits in memory at once.
    """
    statement = (
        update(AuditEntry.__table__)
        .where(AuditEntry.__table__.c.id == bindparam("entry_id"))
        .values(prev_hash=bindparam("new_prev"), hash=bindparam("new_hash"))
    )
    previous, last_id, count = GENESIS, None, 0
    while True:
        page = select(*_COLUMNS).order_by(AuditEntry.id).limit(batch)
        if last_id is not None:
            page = page.where(AuditEntry.id > last_id)
        rows = connection.execute(page).all()
        if not rows:
            return count
        updates = []
        for row in rows:
            own = entry_hash(previous, _row_entry(row))
            updates.append({"entry_id": row.id, "new_prev": previous, "new_hash": own})
            previous = own
        connection.execute(statement, updates)
        last_id, count = rows[-1].id, count + len(rows)

"""The frame every write command shares: refusals audited, stale versions turned into a Conflict
that names who changed the record last and when.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from data_access import audit
from data_access.db import Store
from data_access.errors import Conflict, Forbidden
from data_access.models import AuditEntry, User
from data_access.viewer import Viewer


def refuse(store: Store, viewer: Viewer, *, action: str, entity: str, entity_id: object, detail: str) -> Forbidden:
    """Audit a refusal in its own transaction (the refused work wrote nothing) and return the error to raise."""
    with store.write() as session:
        audit.record(
            session,
            user_id=viewer.user_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            outcome="denied",
            detail=detail,
        )
    return Forbidden(detail)


def conflict(session: Session, entity: str, entity_id: int) -> Conflict:
    """A Conflict naming the last successful writer of the record, from the audit log."""
    last = session.execute(
        select(User.username, AuditEntry.at)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id), AuditEntry.outcome == "ok")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    return Conflict(entity, entity_id, changed_by=last[0] if last else None, changed_at=last[1] if last else None)


def check_version(session: Session, entity: str, entity_id: int, *, current: int, seen: int | None) -> None:
    """Refuse a change made on an outdated copy: the version the user saw must still be current.

    A client that does not say which version it saw (None) is refused too: the screens always send
    it, so only a forged or broken client omits it, and letting that through skipped the check.
    """
    if seen is None or seen != current:
        raise conflict(session, entity, entity_id)


def flush_or_conflict(session: Session, entity: str, entity_id: object) -> None:
    """Flush; a concurrent commit that bumped the version first becomes a Conflict.

    The failed transaction can no longer be read from, so this Conflict does not name anyone yet:
    `named` fills that in from a fresh session once the transaction has rolled back.
    """
    try:
        session.flush()
    except StaleDataError as error:
        raise Conflict(entity, entity_id) from error


def named(store: Store, problem: Conflict) -> Conflict:
    """The same conflict, naming who changed the record last and when (read after the rollback)."""
    if problem.changed_by is not None or not isinstance(problem.entity_id, int):
        return problem
    with store.read() as session:
        return conflict(session, problem.entity, problem.entity_id)


class Refused(Exception):
    """A refusal found inside a write transaction: audited as a Forbidden once that transaction is rolled back."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@contextmanager
def refusals_and_conflicts(
    store: Store, viewer: Viewer, *, action: str, entity: str, entity_id: object
) -> Iterator[None]:
    """Wrap a write transaction (``with refusals_and_conflicts(...), store.write() as session:``): a Refused
    raised inside becomes an audited Forbidden, a Conflict gets its who and when, after the rollback."""
    try:
        yield
    except Refused as refusal:
        raise refuse(store, viewer, action=action, entity=entity, entity_id=entity_id, detail=refusal.detail) from None
    except Conflict as problem:
        raise named(store, problem) from problem

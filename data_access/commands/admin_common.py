"""What every versioned write shares: the role check before the transaction (refusals audited in their
own), the audited change of one locked row inside it, and the whole frame around such a change
(``versioned_change``: authorise, load and lock, check the version seen, change, audit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from data_access import audit
from data_access.commands.common import conflict, flush_or_conflict, refusals_and_conflicts, refuse
from data_access.db import Store
from data_access.errors import NotFound
from data_access.viewer import Viewer
from domain.admin_access import may_administer


class _Identified(Protocol):
    @property
    def id(self) -> int: ...


Row = TypeVar("Row", bound=_Identified)
Context = TypeVar("Context")
Out = TypeVar("Out")


def require_admin(store: Store, viewer: Viewer, *, action: str, entity: str, entity_id: object) -> None:
    """Refuse (and audit) anyone who may not administer, before anything is read."""
    if not may_administer(viewer.role.value, viewer.scope_kind):
        raise refuse(
            store,
            viewer,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=f"role {viewer.role.value} may not administer {entity}s",
        )


def audited_change(
    session: Session,
    viewer: Viewer,
    row: Row,
    *,
    action: str,
    entity: str,
    audited: tuple[str, ...],
    version: str | None,
    token: Callable[[Row], str],
    change: Callable[[Session, Row], None],
) -> None:
    """Check the version the client saw, apply ``change`` to the locked row and audit before and after."""
    if version != token(row):
        raise conflict(session, entity, row.id)
    before = audit.snapshot(row, audited)
    change(session, row)
    session.flush()
    _record(session, viewer, row, action=action, entity=entity, before=before, after=audit.snapshot(row, audited))


def _record(
    session: Session, viewer: Viewer, row: _Identified, *, action: str, entity: str, before: Any, after: Any
) -> None:
    audit.record(
        session, user_id=viewer.user_id, action=action, entity=entity, entity_id=row.id, before=before, after=after
    )


def _version_column(row: Any) -> object:
    return row.version


def same_version(seen: object, current: object) -> bool:
    """The client saw the current version: same value and same type (a forged ``true`` is not version 1,
    and a client that says nothing, None, saw nothing)."""
    return seen is not None and type(seen) is type(current) and seen == current


def versioned_change(
    store: Store,
    viewer: Viewer,
    *,
    model: type[Row],
    row_id: object,
    seen: object,
    action: str,
    entity: str,
    audited: tuple[str, ...] | Callable[[Session, Row], dict[str, Any]],
    authorise: Callable[[Session, Row], Context],
    change: Callable[[Session, Row, Context], None],
    result: Callable[[Row], Out],
    version_of: Callable[[Row], object] = _version_column,
    admin: bool = False,
) -> Out:
    """The frame of a change to one existing row, in one transaction: (``admin``: the role check first,
    refusal audited), load the row locked, ``authorise`` (raise Refused; what it returns, such as the
    row's unit, is handed to ``change``), check the version the client saw (``version_of``: the version
    column by default, or a token for rows without one), ``change`` (raise Invalid: nothing written),
    flush (a concurrent save is a Conflict), audit before and after, and return ``result(row)``.

    ``audited`` names the columns the audit keeps, or builds the snapshot (to add what is not a column).
    """
    if admin:
        require_admin(store, viewer, action=action, entity=entity, entity_id=row_id)
    snapshot = audited if callable(audited) else lambda _s, row: audit.snapshot(row, audited)
    with (
        refusals_and_conflicts(store, viewer, action=action, entity=entity, entity_id=row_id),
        store.write() as session,
    ):
        is_id = isinstance(row_id, int) and not isinstance(row_id, bool)
        row = session.get(model, row_id, with_for_update=True) if is_id else None
        if row is None:
            raise NotFound(entity, row_id)
        context = authorise(session, row)
        if not same_version(seen, version_of(row)):
            raise conflict(session, entity, row.id)
        before = snapshot(session, row)
        change(session, row, context)
        flush_or_conflict(session, entity, row.id)
        _record(session, viewer, row, action=action, entity=entity, before=before, after=snapshot(session, row))
        return result(row)

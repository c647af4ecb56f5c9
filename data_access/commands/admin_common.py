"""What every administration write shares: the role check before the transaction (refusals audited in
their own), and the audited change of one locked row inside it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from data_access import audit
from data_access.commands.common import conflict, refuse
from data_access.db import Store
from data_access.viewer import Viewer
from domain.admin_access import may_administer


class _Identified(Protocol):
    @property
    def id(self) -> int: ...


Row = TypeVar("Row", bound=_Identified)


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
    audit.record(
        session,
        user_id=viewer.user_id,
        action=action,
        entity=entity,
        entity_id=row.id,
        before=before,
        after=audit.snapshot(row, audited),
    )

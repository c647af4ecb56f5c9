"""Who is asking: every read and write takes a Viewer (domain.access) and is limited to the viewer's scope.

This module loads the viewer and turns its scope into SQL; the rules themselves live in domain.access.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import QueryableAttribute, Session

from data_access.errors import NotFound
from data_access.models import OrgUnit, Person, User
from domain.access import Viewer, parent_path
from domain.kinds import Role
from domain.landing import landing_path

__all__ = ["Viewer", "in_scope", "landing_of", "load_viewer"]


def in_scope(viewer: Viewer, path_column: ColumnElement[str] | QueryableAttribute[str]) -> ColumnElement[bool]:
    """SQL condition: the unit path lies in the viewer's subtree (one indexed prefix match)."""
    return path_column.startswith(viewer.scope_path, autoescape=True)


def load_viewer(session: Session, user_id: int) -> Viewer:
    """Build the Viewer for a user id (raises NotFound for unknown or inactive users)."""
    row = session.execute(
        select(User, OrgUnit.path, OrgUnit.kind, Person.full_name)
        .join(OrgUnit, OrgUnit.id == User.scope_unit_id)
        .outerjoin(Person, Person.id == User.person_id)
        .where(User.id == user_id)
    ).one_or_none()
    if row is None or not row[0].active:
        raise NotFound("user", user_id)
    user, path, kind, person_name = row
    return Viewer(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        scope_unit_id=user.scope_unit_id,
        scope_path=path,
        person_id=user.person_id,
        language=user.language,
        scope_kind=kind,
        person_name=person_name or "",
    )


def landing_of(session: Session, user_id: int) -> str:
    """The page a user lands on after logging in (domain.landing), from their role and scope."""
    viewer = load_viewer(session, user_id)
    above = parent_path(viewer.scope_path)
    parent_kind = (
        session.execute(select(OrgUnit.kind).where(OrgUnit.path == above)).scalar_one_or_none() if above else None
    )
    return landing_path(viewer.role, scope_kind=viewer.scope_kind, parent_kind=parent_kind)

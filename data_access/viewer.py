"""Who is asking: every read and write takes a Viewer and is limited to the viewer's scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from data_access.errors import NotFound
from data_access.models import OrgUnit, User
from domain.kinds import WRITER_ROLES, Role


@dataclass(frozen=True)
class Viewer:
    """A logged-in user as the data layer sees it (no ORM object leaks out)."""

    user_id: int
    username: str
    role: Role
    scope_unit_id: int
    scope_path: str
    person_id: int | None = None
    language: str = "vi"

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def cache_key(self) -> str:
        """What distinguishes this viewer's view of the data (role and scope)."""
        return f"{self.role.value}:{self.scope_unit_id}"

    def covers_path(self, unit_path: str) -> bool:
        """True when a unit with this materialized path lies inside the viewer's scope."""
        return unit_path.startswith(self.scope_path)


def in_scope(viewer: Viewer, path_column: ColumnElement[str]) -> ColumnElement[bool]:
    """SQL condition: the unit path lies in the viewer's subtree (one indexed prefix match)."""
    return path_column.startswith(viewer.scope_path, autoescape=True)


def load_viewer(session: Session, user_id: int) -> Viewer:
    """Build the Viewer for a user id (raises NotFound for unknown or inactive users)."""
    row = session.execute(
        select(User, OrgUnit.path).join(OrgUnit, OrgUnit.id == User.scope_unit_id).where(User.id == user_id)
    ).one_or_none()
    if row is None or not row[0].active:
        raise NotFound("user", user_id)
    user, path = row
    return Viewer(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        scope_unit_id=user.scope_unit_id,
        scope_path=path,
        person_id=user.person_id,
        language=user.language,
    )

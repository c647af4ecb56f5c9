"""Open login sessions as an administrator sees them, and revoking one of them.

A session is named by a short handle (the first characters of its id): enough to tell sessions
apart in a list and to revoke one, never enough to use it (the id itself stays on the server
and in its owner's signed cookie).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.accounts import SessionLimits
from data_access.errors import Forbidden, Invalid, NotFound
from data_access.models import User, UserSession
from data_access.viewer import Viewer

HANDLE_LENGTH = 8  # 48 random bits: no two open sessions share one in practice (checked anyway)


@dataclass(frozen=True)
class OpenSession:
    """One session that still opens the app, with when it will stop doing so by itself."""

    handle: str
    username: str
    role: str
    created_at: datetime
    last_seen_at: datetime
    ends_at: datetime
    user_agent: str


def _require_admin(actor: Viewer | None) -> None:
    """None is the command line (whoever runs it already holds the server); on the web, admins only."""
    if actor is not None and not actor.is_admin:
        raise Forbidden("only an administrator may see or end other users' sessions")


def open_sessions(
    session: Session, *, actor: Viewer | None, now: datetime, limits: SessionLimits, username: str | None = None
) -> list[OpenSession]:
    """Sessions not revoked, of active users, within their time limits; most recently used first."""
    _require_admin(actor)
    query = (
        select(UserSession, User.username, User.role)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.revoked_at.is_(None), User.active.is_(True))
        # No role keeps a session idle for longer than the screen's limit: older rows are dead anyway.
        .where(UserSession.last_seen_at >= now - max(limits.idle, limits.screen_idle))
        .order_by(UserSession.last_seen_at.desc())
    )
    if username:
        query = query.where(User.username == username.strip().lower())
    found = []
    for row, name, role in session.execute(query):
        ends = limits.ends_at(role=role, created_at=row.created_at, last_seen_at=row.last_seen_at)
        if ends >= now:
            found.append(
                OpenSession(
                    handle=row.id[:HANDLE_LENGTH],
                    username=name,
                    role=role,
                    created_at=row.created_at,
                    last_seen_at=row.last_seen_at,
                    ends_at=ends,
                    user_agent=row.user_agent or "",
                )
            )
    return found


def revoke_session(session: Session, *, actor: Viewer | None, handle: str, now: datetime) -> str:
    """End the open session with this handle at once; returns its user's name."""
    _require_admin(actor)
    handle = handle.strip()
    if len(handle) != HANDLE_LENGTH:
        raise Invalid({"session": "bad_handle"})
    rows = session.execute(
        select(UserSession.id, User.id, User.username)
        .join(User, User.id == UserSession.user_id)
        .where(func.substr(UserSession.id, 1, HANDLE_LENGTH) == handle, UserSession.revoked_at.is_(None))
    ).all()
    if not rows:
        raise NotFound("session", handle)
    if len(rows) > 1:
        raise Invalid({"session": "ambiguous_handle"})
    session_id, user_id, username = rows[0]
    session.execute(update(UserSession).where(UserSession.id == session_id).values(revoked_at=now))
    audit.record(
        session,
        user_id=actor.user_id if actor else None,
        action="revoke_session",
        entity="user",
        entity_id=user_id,
        detail=f"session {handle}",
    )
    return username

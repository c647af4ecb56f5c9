"""Logins, server-side sessions and login throttling (database backend).

A session row is created at login and checked on every request: revoked, idle for longer than
the idle limit, or older than the absolute limit means the cookie no longer opens anything.
The meeting-room screen gets much longer limits (it must not show a login box mid-meeting), but
not eternal ones: a cookie lifted from a meeting-room PC stops working within a week of disuse
and a month at most. Administrators list and revoke sessions (data_access.session_admin).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from config import clock
from data_access import audit
from data_access.db import changed_rows
from data_access.errors import Forbidden, Invalid, NotFound
from data_access.models import LoginCounter, OrgUnit, User, UserSession
from data_access.viewer import Viewer
from domain.kinds import Role
from domain.passwords import hash_password, needs_rehash, password_problems, verify_password

# Verified against when the user name is unknown, so both failures take the same time.
_DUMMY_HASH = hash_password("not-a-real-password-for-timing")
LAST_SEEN_GRANULARITY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lives without activity (idle) and at most (absolute), per kind of account."""

    idle: timedelta
    absolute: timedelta
    screen_idle: timedelta = timedelta(days=7)
    screen_absolute: timedelta = timedelta(days=30)

    def for_role(self, role: str) -> tuple[timedelta, timedelta]:
        """(idle, absolute) for an account of this role."""
        if role == Role.SCREEN.value:
            return self.screen_idle, self.screen_absolute
        return self.idle, self.absolute

    def ends_at(self, *, role: str, created_at: datetime, last_seen_at: datetime) -> datetime:
        """When a session with this history stops working if nothing happens meanwhile."""
        idle, absolute = self.for_role(role)
        return min(last_seen_at + idle, created_at + absolute)


@dataclass(frozen=True)
class SessionState:
    """What a request needs to know about its session."""

    user_id: int
    role: Role
    language: str
    epoch: int
    needs_touch: bool = False
    must_change_password: bool = False


@dataclass(frozen=True)
class Authenticated:
    """A user whose password was right; `new_hash` is a stronger hash of it to store, if the old one is weak."""

    user_id: int
    new_hash: str | None = None


@dataclass(frozen=True)
class OpenedSession:
    """What the login cookie needs about a session just opened."""

    session_id: str
    user_id: int
    role: Role
    language: str
    epoch: int


def authenticate(session: Session, *, username: str, password: str) -> Authenticated | None:
    """The active user with this name and password, or None. Reads only: the slow hash check runs
    outside any write transaction (on SQLite, a write transaction would hold every other writer)."""
    user = session.execute(select(User).where(User.username == username.strip().lower())).scalar_one_or_none()
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    return Authenticated(user.id, hash_password(password) if needs_rehash(user.password_hash) else None)


def open_session(
    session: Session, *, login: Authenticated, now: datetime, user_agent: str | None
) -> OpenedSession | None:
    """Create a new server-side session (a fresh id at every login), or None if the user was
    deactivated meanwhile. Stores the stronger hash, if any."""
    user = session.get(User, login.user_id)
    if user is None or not user.active:
        return None
    session_id = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=session_id, user_id=user.id, created_at=now, last_seen_at=now, user_agent=(user_agent or "")[:200]
        )
    )
    if login.new_hash is not None:
        user.password_hash = login.new_hash
    user.last_login_at = now
    audit.record(session, user_id=user.id, action="login", entity="user", entity_id=user.id)
    return OpenedSession(session_id, user.id, Role(user.role), user.language, user.session_epoch)


def check_session(
    session: Session, *, session_id: str, user_id: int, epoch: int, now: datetime, limits: SessionLimits
) -> SessionState | None:
    """The session's state if it is still valid, else None (read only)."""
    row = session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id).where(UserSession.id == session_id)
    ).one_or_none()
    if row is None:
        return None
    user_session, user = row
    if user.id != user_id or not user.active or user.session_epoch != epoch or user_session.revoked_at is not None:
        return None
    if now > limits.ends_at(role=user.role, created_at=user_session.created_at, last_seen_at=user_session.last_seen_at):
        return None
    return SessionState(
        user_id=user.id,
        role=Role(user.role),
        language=user.language,
        epoch=user.session_epoch,
        needs_touch=now - user_session.last_seen_at >= LAST_SEEN_GRANULARITY,
        must_change_password=bool(user.must_change_password),
    )


def touch_session(session: Session, *, session_id: str, now: datetime) -> None:
    """Record activity (at most once a minute per session, to spare the database)."""
    session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))


def close_session(session: Session, *, session_id: str, now: datetime) -> None:
    """Revoke one session (logout)."""
    session.execute(update(UserSession).where(UserSession.id == session_id).values(revoked_at=now))


def revoke_all_sessions(session: Session, *, actor: Viewer | None, username: str, now: datetime | None = None) -> None:
    """End every session of a user (admin action, or the user's own "log out everywhere")."""
    user = _user_by_name(session, username)
    if actor is not None and not (actor.is_admin or actor.user_id == user.id):
        raise Forbidden("only an administrator may end another user's sessions")
    user.session_epoch += 1
    # The rows say so too, so that the list of open sessions an administrator reads is true.
    _end_sessions(session, user_id=user.id, now=now or clock.now())
    audit.record(
        session, user_id=actor.user_id if actor else None, action="revoke_sessions", entity="user", entity_id=user.id
    )


def set_active(session: Session, *, actor: Viewer | None, username: str, active: bool) -> None:
    """Deactivate (or reactivate) a user; a deactivated user's open sessions stop working at once."""
    if actor is not None and not actor.is_admin:
        raise Forbidden("only an administrator may deactivate users")
    user = _user_by_name(session, username)
    before = {"active": user.active}
    user.active = active
    user.session_epoch += 1
    _end_sessions(session, user_id=user.id, now=clock.now())
    audit.record(
        session,
        user_id=actor.user_id if actor else None,
        action="set_active",
        entity="user",
        entity_id=user.id,
        before=before,
        after={"active": active},
    )


def create_user(
    session: Session,
    *,
    actor: Viewer | None,
    username: str,
    password: str,
    role: str,
    scope_code: str,
    language: str = "vi",
    person_id: int | None = None,
) -> int:
    """Create a login; the password must pass the policy."""
    if actor is not None and not actor.is_admin:
        raise Forbidden("only an administrator may create users")
    problems: dict[str, str] = {}
    name = username.strip().lower()
    if not name or len(name) > 80:
        problems["username"] = "username_length"
    elif session.execute(select(User.id).where(User.username == name)).first():
        problems["username"] = "username_taken"
    if bad := password_problems(password, username=name):
        problems["password"] = bad[0].value
    if role not in {r.value for r in Role}:
        problems["role"] = "unknown_role"
    unit_id = session.execute(select(OrgUnit.id).where(OrgUnit.code == scope_code)).scalar_one_or_none()
    if unit_id is None:
        problems["scope"] = "unknown_unit"
    if problems:
        raise Invalid(problems)
    user = User(
        username=name,
        password_hash=hash_password(password),
        role=role,
        scope_unit_id=unit_id,
        language=language,
        person_id=person_id,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        user_id=actor.user_id if actor else None,
        action="create",
        entity="user",
        entity_id=user.id,
        after={"username": name, "role": role, "scope": scope_code},
    )
    return user.id


def change_password(
    session: Session, *, viewer: Viewer, current: str, new: str, now: datetime, keep_session_id: str | None
) -> int:
    """The user's own password change; every other session of the user ends (a stolen cookie, a
    forgotten browser), the one that made the change (`keep_session_id`) goes on. Returns how many ended.
    """
    user = session.get(User, viewer.user_id)
    if user is None:
        raise NotFound("user", viewer.user_id)
    if not verify_password(user.password_hash, current):
        raise Invalid({"current": "wrong_password"})
    if bad := password_problems(new, username=user.username):
        raise Invalid({"new": bad[0].value})
    if new == current:
        raise Invalid({"new": "same_password"})
    user.password_hash = hash_password(new)
    forced = bool(user.must_change_password)
    user.must_change_password = False  # an administrator's reset is over once the user chose their own
    ended = _end_sessions(session, user_id=user.id, now=now, keep=keep_session_id)
    audit.record(
        session,
        user_id=user.id,
        action="change_password",
        entity="user",
        entity_id=user.id,
        after={"other_sessions_ended": ended, "after_reset": forced},
    )
    return ended


def _end_sessions(session: Session, *, user_id: int, now: datetime, keep: str | None = None) -> int:
    """Revoke the user's open sessions (all, or all but `keep`); returns how many."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return changed_rows(session.execute(query.values(revoked_at=now)))


def set_language(session: Session, *, viewer: Viewer, language: str) -> None:
    if language not in ("vi", "en", "fr"):
        raise Invalid({"language": "unknown_language"})
    user = session.get(User, viewer.user_id)
    if user is not None:
        audit.record(
            session,
            user_id=user.id,
            action="set_language",
            entity="user",
            entity_id=user.id,
            before={"language": user.language},
            after={"language": language},
        )
        user.language = language


def _user_by_name(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username.strip().lower())).scalar_one_or_none()
    if user is None:
        raise NotFound("user", username)
    return user


# --- throttle counters (database backend; Redis has its own in server/throttle.py) -------------


def count_attempt(session: Session, *, key: str, now: datetime, window: timedelta) -> int:
    """Add one attempt to the key's count and return the new count, in one atomic statement.

    Counting first and deciding on the returned number is what keeps a burst honest: with "read the
    count, check the password, then record a failure", 40 parallel guesses all read "fewer than 5".
    A count whose window has passed starts again at 1.
    """
    upsert = (postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(LoginCounter)
    stale = LoginCounter.window_start < now - window
    statement = (
        upsert.values(key=key, attempts=1, window_start=now)
        .on_conflict_do_update(
            index_elements=[LoginCounter.key],
            set_={
                "attempts": case((stale, 1), else_=LoginCounter.attempts + 1),
                "window_start": case((stale, now), else_=LoginCounter.window_start),
            },
        )
        .returning(LoginCounter.attempts)
    )
    count = session.execute(statement).scalar_one()
    if count == 1:  # a new window: a good moment to drop counters nobody has touched for a day
        session.execute(delete(LoginCounter).where(LoginCounter.window_start < now - timedelta(days=1)))
    return count


def take_back_attempt(session: Session, *, key: str) -> None:
    """Remove one attempt from the key's count (it turned out not to be a failure)."""
    session.execute(
        update(LoginCounter)
        .where(LoginCounter.key == key, LoginCounter.attempts > 0)
        .values(attempts=LoginCounter.attempts - 1)
    )


def forget_attempts(session: Session, *, key: str) -> None:
    """Start the key's count afresh."""
    session.execute(delete(LoginCounter).where(LoginCounter.key == key))

"""Write commands on accounts: create (for a person, with a role, a scope unit and a language),
reset a password (the new one is returned once, never stored in clear), deactivate, revoke sessions.

Same frame as the org tree's commands: role first (refusals audited), input checked, then one
transaction that loads the account (locked), checks the administrator's subtree and the version
the page saw, changes it and audits before and after (never a password or its hash).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config.clock import now
from data_access import audit
from data_access.commands.admin_common import audited_change, require_admin
from data_access.commands.common import Refused, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import OrgUnit, Person, User, UserSession
from data_access.queries.admin import user_token
from data_access.viewer import Viewer
from domain.admin_access import account_problems, may_manage_account
from domain.passwords import hash_password, password_problems

AUDITED = (
    "username",
    "role",
    "scope_unit_id",
    "person_id",
    "language",
    "active",
    "session_epoch",
    "must_change_password",
)
ENTITY = "user"
# 12 characters from a 54-symbol alphabet (no 0/O, 1/l/I to read aloud or copy from a screen): ~69 bits.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class AccountState:
    """An account after a command; `password` only when the command made one (shown once)."""

    user_id: int
    version: str
    password: str | None = None


def generate_password() -> str:
    """A random password that passes the policy."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if not password_problems(password):
            return password


def create_account(
    store: Store,
    *,
    viewer: Viewer,
    username: str,
    role: str,
    scope_unit_id: int | None,
    language: str = "vi",
    person_id: int | None = None,
) -> AccountState:
    """A new login with a generated password (returned once); the scope unit must be an open unit
    of the administrator's subtree, the person (optional) someone of that subtree without a login."""
    action = f"{ENTITY}.create"
    require_admin(store, viewer, action=action, entity=ENTITY, entity_id=None)
    problems = account_problems(username, role, language)
    if scope_unit_id is None:
        problems["scope"] = "required_choice"
    if problems:
        raise Invalid(problems)
    name = username.strip().lower()
    password = generate_password()
    with refusals_and_conflicts(store, viewer, action=action, entity=ENTITY, entity_id=None), store.write() as session:
        unit = session.get(OrgUnit, scope_unit_id)
        if unit is None or not unit.active:
            raise Invalid({"scope": "unknown_choice"})
        if not may_manage_account(viewer.role.value, viewer.scope_path, unit.path, role, viewer.scope_kind):
            raise Refused(f"account with role {role} on unit {unit.id} outside what the viewer may grant")
        if person_id is not None:
            _check_person(session, viewer, person_id)
        if session.execute(select(User.id).where(User.username == name)).first():
            raise Invalid({"username": "username_taken"})
        user = User(
            username=name,
            password_hash=hash_password(password),
            role=role,
            scope_unit_id=unit.id,
            person_id=person_id,
            language=language,
            active=True,
            session_epoch=0,
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            user_id=viewer.user_id,
            action=action,
            entity=ENTITY,
            entity_id=user.id,
            after=audit.snapshot(user, AUDITED),
        )
        return AccountState(user.id, user_token(user), password)


def _check_person(session: Session, viewer: Viewer, person_id: int) -> None:
    person = session.get(Person, person_id)
    unit = session.get(OrgUnit, person.unit_id) if person is not None else None
    if person is None or unit is None or not person.active:
        raise Invalid({"person": "unknown_choice"})
    if not viewer.covers_path(unit.path):
        raise Refused(f"person {person_id} outside the viewer's scope")
    if session.execute(select(User.id).where(User.person_id == person_id)).first():
        raise Invalid({"person": "person_has_account"})


def reset_password(store: Store, *, viewer: Viewer, user_id: int, version: str | None) -> AccountState:
    """A new generated password (returned once); every open session of the account ends, and the user
    must choose their own at the next login: the administrator who read it out must not know it for long."""
    password = generate_password()

    def change(session: Session, user: User) -> None:
        user.password_hash = hash_password(password)
        user.must_change_password = True
        _end_sessions(session, user)

    state = _act(store, viewer, user_id, version, "reset_password", change)
    return AccountState(state.user_id, state.version, password)


def deactivate(store: Store, *, viewer: Viewer, user_id: int, version: str | None) -> AccountState:
    """The account can no longer log in and its open sessions stop at once; not one's own."""

    def change(session: Session, user: User) -> None:
        if user.id == viewer.user_id:
            raise Invalid({"account": "own_account"})
        if not user.active:
            raise Invalid({"account": "already_inactive"})
        user.active = False
        _end_sessions(session, user)

    return _act(store, viewer, user_id, version, "deactivate", change)


def revoke_sessions(store: Store, *, viewer: Viewer, user_id: int, version: str | None) -> AccountState:
    """Every open session of the account ends (a lost phone, a shared computer); the login stays."""
    return _act(store, viewer, user_id, version, "revoke_sessions", _end_sessions)


def _end_sessions(session: Session, user: User) -> None:
    """The epoch makes every cookie of the user stale at once; marking the rows keeps the list of open
    sessions honest."""
    user.session_epoch += 1
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now())
    )


def _act(
    store: Store, viewer: Viewer, user_id: int, version: str | None, verb: str, change: Callable[[Session, User], None]
) -> AccountState:
    """Shared frame: authorise, load and lock, check the version seen, change, audit; one transaction."""
    action = f"{ENTITY}.{verb}"
    require_admin(store, viewer, action=action, entity=ENTITY, entity_id=user_id)
    with (
        refusals_and_conflicts(store, viewer, action=action, entity=ENTITY, entity_id=user_id),
        store.write() as session,
    ):
        user = (
            session.get(User, user_id, with_for_update=True)
            if isinstance(user_id, int) and not isinstance(user_id, bool)
            else None
        )
        if user is None:
            raise NotFound(ENTITY, user_id)
        scope_path = session.execute(select(OrgUnit.path).where(OrgUnit.id == user.scope_unit_id)).scalar_one()
        if not may_manage_account(viewer.role.value, viewer.scope_path, scope_path, user.role, viewer.scope_kind):
            raise Refused(f"account {user_id} outside what the viewer may manage")
        audited_change(
            session,
            viewer,
            user,
            action=action,
            entity=ENTITY,
            audited=AUDITED,
            version=version,
            token=user_token,
            change=change,
        )
        return AccountState(user.id, user_token(user))

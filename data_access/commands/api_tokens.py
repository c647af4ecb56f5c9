"""Machine tokens for /api/v1: create (the secret is returned once, only its hash is kept), revoke,
authenticate a call, and the audit entry every call leaves.

`actor` is the administrator doing it, or None for the server's operator at the command line. An
administrator creates and revokes tokens only for units of their own subtree.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config.clock import now
from data_access import audit
from data_access.commands.common import Refused, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import ApiToken, OrgUnit
from data_access.viewer import Viewer
from domain.admin_access import may_manage_tokens
from domain.api_tokens import TokenGrant, hash_secret, parse_scopes, refusal, scopes_text, token_problems

SECRET_PREFIX = "pulse_"  # noqa: S105  # nosec B105 (the visible start of every token, not a secret)
PREFIX_SHOWN = 12
AUDITED = ("name", "prefix", "scopes", "unit_id", "rate_per_minute", "expires_at", "revoked_at")


@dataclass(frozen=True)
class NewToken:
    token_id: int
    secret: str  # shown once; never stored
    expires_at: datetime


def _unit(session: Session, code: str | None, unit_id: int | None) -> OrgUnit:
    if unit_id is not None:
        unit = session.get(OrgUnit, unit_id)
    else:
        unit = session.execute(select(OrgUnit).where(OrgUnit.code == (code or "").strip())).scalar_one_or_none()
    if unit is None or not unit.active:
        raise Invalid({"unit": "unknown_choice"})
    return unit


def create_token(
    store: Store,
    *,
    actor: Viewer | None,
    name: str,
    scopes: str,
    unit_code: str | None = None,
    unit_id: int | None = None,
    days: int,
    rate_per_minute: int = 120,
) -> NewToken:
    """A new token for a named system and a unit (by code or id); Invalid lists what to fix, Forbidden when
    the unit is not the actor's."""
    problems = token_problems(name=name, scopes=scopes, days=days, rate_per_minute=rate_per_minute)
    if problems:
        raise Invalid(problems)
    known, _unknown = parse_scopes(scopes)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    moment = now()
    context = (
        refusals_and_conflicts(store, actor, action="api_token.create", entity="api_token", entity_id=None)
        if actor is not None
        else _no_context()
    )
    with context, store.write() as session:
        unit = _unit(session, unit_code, unit_id)
        if actor is not None and not may_manage_tokens(actor.role.value, actor.scope_path, unit.path):
            raise Refused(f"create a token for unit {unit.code}")
        token = ApiToken(
            name=name.strip(),
            token_hash=hash_secret(secret),
            prefix=secret[:PREFIX_SHOWN],
            scopes=scopes_text(known),
            unit_id=unit.id,
            rate_per_minute=rate_per_minute,
            created_by_id=actor.user_id if actor else None,
            created_at=moment,
            expires_at=moment + timedelta(days=days),
        )
        session.add(token)
        session.flush()
        audit.record(
            session,
            user_id=actor.user_id if actor else None,
            action="api_token.create",
            entity="api_token",
            entity_id=token.id,
            after=audit.snapshot(token, AUDITED),
            detail=None if actor else "command line",
        )
        return NewToken(token.id, secret, token.expires_at)


def revoke_token(store: Store, *, actor: Viewer | None, token_id: int) -> None:
    """Revoke a token at once; revoking a revoked token changes nothing."""
    context = (
        refusals_and_conflicts(store, actor, action="api_token.revoke", entity="api_token", entity_id=token_id)
        if actor is not None
        else _no_context()
    )
    with context, store.write() as session:
        row = session.execute(
            select(ApiToken, OrgUnit.path).join(OrgUnit, OrgUnit.id == ApiToken.unit_id).where(ApiToken.id == token_id)
        ).one_or_none()
        if row is None:
            raise NotFound("api_token", token_id)
        token, path = row
        if actor is not None and not may_manage_tokens(actor.role.value, actor.scope_path, path):
            raise Refused(f"revoke token {token_id}")
        if token.revoked_at is not None:
            return
        before = audit.snapshot(token, AUDITED)
        token.revoked_at = now()
        token.revoked_by_id = actor.user_id if actor else None
        session.flush()
        audit.record(
            session,
            user_id=actor.user_id if actor else None,
            action="api_token.revoke",
            entity="api_token",
            entity_id=token_id,
            before=before,
            after=audit.snapshot(token, AUDITED),
            detail=None if actor else "command line",
        )


class _no_context:
    """No refusal handling: the operator at the command line is never refused."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


@dataclass(frozen=True)
class Authentication:
    """A token's grant, or why there is none ("unknown", "revoked", "expired")."""

    grant: TokenGrant | None
    refusal: str | None
    token_id: int | None = None


def authenticate(session: Session, secret: str, *, moment: datetime) -> Authentication:
    """Who a bearer secret is; read-only (the call's audit entry records its use)."""
    row = session.execute(
        select(ApiToken, OrgUnit.path)
        .join(OrgUnit, OrgUnit.id == ApiToken.unit_id)
        .where(ApiToken.token_hash == hash_secret(secret))
    ).one_or_none()
    if row is None:
        return Authentication(None, "unknown")
    token, path = row
    why = refusal(expires_at=token.expires_at, revoked_at=token.revoked_at, now=moment)
    if why is not None:
        return Authentication(None, why, token.id)
    known, _unknown = parse_scopes(token.scopes)
    grant = TokenGrant(
        token_id=token.id,
        name=token.name,
        scopes=known,
        unit_id=token.unit_id,
        scope_path=path,
        rate_per_minute=token.rate_per_minute,
    )
    return Authentication(grant, None, token.id)


def record_call(
    session: Session,
    *,
    token_id: int | None,
    action: str,
    outcome: str,
    detail: str,
    moment: datetime,
) -> None:
    """The audit entry of one call (refusals included), and the token's last use when it was used."""
    if token_id is not None and outcome == "ok":
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=moment))
    audit.record(
        session, user_id=None, action=action, entity="api_token", entity_id=token_id, outcome=outcome, detail=detail
    )

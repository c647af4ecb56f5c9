"""The machine tokens an administrator sees: name, scopes, unit, expiry, revocation and last use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import ApiToken, OrgUnit
from data_access.queries.scope import under_path


@dataclass(frozen=True)
class TokenRow:
    token_id: int
    name: str
    prefix: str
    scopes: str
    unit_code: str
    unit_name: str
    rate_per_minute: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def list_tokens(session: Session, *, scope_path: str | None = None) -> list[TokenRow]:
    """Every token (of units under `scope_path` when given), newest first."""
    query = select(ApiToken, OrgUnit.code, OrgUnit.name).join(OrgUnit, OrgUnit.id == ApiToken.unit_id)
    if scope_path is not None:
        query = query.where(under_path(scope_path))
    return [
        TokenRow(
            t.id,
            t.name,
            t.prefix,
            t.scopes,
            code,
            name,
            t.rate_per_minute,
            t.created_at,
            t.expires_at,
            t.revoked_at,
            t.last_used_at,
        )
        for t, code, name in session.execute(query.order_by(ApiToken.id.desc()))
    ]

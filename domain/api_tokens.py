"""Rules for machine tokens of /api/v1: the scopes there are, what a token may still do, how a
citizen id is shown to a token that may not read it in full.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

NAME_MAX = 120
DAYS_MAX = 730  # two years: a token that never expires is a token nobody remembers
RATE_MAX = 6000
CITIZEN_ID_SHOWN = 4  # digits 1-3 (province of registration) and 4 (century and gender)


class Scope(StrEnum):
    ORG_READ = "org:read"
    PROFILES_READ = "profiles:read"
    PROFILES_CITIZEN_ID = "profiles:citizen_id"  # the full citizen ids in profiles
    MEASUREMENTS_WRITE = "measurements:write"
    INDICATORS_READ = "indicators:read"


@dataclass(frozen=True)
class TokenGrant:
    """What an authenticated token may do: its id and name, scopes and unit subtree."""

    token_id: int
    name: str
    scopes: frozenset[Scope]
    unit_id: int
    scope_path: str
    rate_per_minute: int

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes

    def covers_path(self, unit_path: str) -> bool:
        return unit_path.startswith(self.scope_path)


def hash_secret(secret: str) -> str:
    """The stored form of a token's secret (SHA-256 is enough for 256 random bits: nothing to guess)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_scopes(raw: str | Iterable[str]) -> tuple[frozenset[Scope], list[str]]:
    """The known scopes among space- or comma-separated words, and the unknown words."""
    words = raw.replace(",", " ").split() if isinstance(raw, str) else [w.strip() for w in raw]
    known = {scope.value: scope for scope in Scope}
    return frozenset(known[w] for w in words if w in known), [w for w in words if w and w not in known]


def scopes_text(scopes: Iterable[Scope]) -> str:
    return " ".join(sorted(scope.value for scope in scopes))


def token_problems(*, name: str, scopes: str | Iterable[str], days: int, rate_per_minute: int) -> dict[str, str]:
    """Field -> problem code for a new token; empty when it can be created."""
    problems: dict[str, str] = {}
    if not name.strip():
        problems["name"] = "required"
    elif len(name.strip()) > NAME_MAX:
        problems["name"] = "too_long"
    known, unknown = parse_scopes(scopes)
    if unknown:
        problems["scopes"] = "unknown_scope"
    elif not known:
        problems["scopes"] = "required"
    if not 1 <= days <= DAYS_MAX:
        problems["days"] = "out_of_range"
    if not 1 <= rate_per_minute <= RATE_MAX:
        problems["rate_per_minute"] = "out_of_range"
    return problems


def refusal(*, expires_at: datetime, revoked_at: datetime | None, now: datetime) -> str | None:
    """Why a known token may not be used now ("revoked", "expired"), or None."""
    if revoked_at is not None:
        return "revoked"
    if now >= expires_at:
        return "expired"
    return None


def mask_citizen_id(citizen_id: str) -> str:
    """ "001090000001" -> "0010********": the province and century-gender digits, the rest hidden."""
    return citizen_id[:CITIZEN_ID_SHOWN] + "*" * max(len(citizen_id) - CITIZEN_ID_SHOWN, 0)

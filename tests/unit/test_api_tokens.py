"""The token rules of /api/v1, by hand: scopes, what a new token must look like, when one stops
working, how a citizen id is masked."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.api_tokens import Scope, hash_secret, mask_citizen_id, parse_scopes, refusal, scopes_text, token_problems

NOON = datetime(2026, 11, 20, 12, 0)


def test_scopes_are_read_from_spaces_or_commas_and_unknown_words_are_named() -> None:
    known, unknown = parse_scopes("org:read, profiles:read  admin:all")
    assert known == {Scope.ORG_READ, Scope.PROFILES_READ}
    assert unknown == ["admin:all"]
    assert scopes_text(known) == "org:read profiles:read"


def test_a_new_token_needs_a_name_known_scopes_a_bounded_life_and_rate() -> None:
    assert token_problems(name="HR", scopes="org:read", days=365, rate_per_minute=120) == {}
    assert token_problems(name="  ", scopes="", days=0, rate_per_minute=0) == {
        "name": "required",
        "scopes": "required",
        "days": "out_of_range",
        "rate_per_minute": "out_of_range",
    }
    assert token_problems(name="x" * 121, scopes="org:write", days=731, rate_per_minute=6001) == {
        "name": "too_long",
        "scopes": "unknown_scope",
        "days": "out_of_range",
        "rate_per_minute": "out_of_range",
    }


def test_a_token_stops_at_its_expiry_or_its_revocation() -> None:
    assert refusal(expires_at=NOON, revoked_at=None, now=NOON - timedelta(seconds=1)) is None
    assert refusal(expires_at=NOON, revoked_at=None, now=NOON) == "expired"
    assert refusal(expires_at=NOON, revoked_at=NOON - timedelta(days=1), now=NOON - timedelta(days=2)) == "revoked"


def test_citizen_ids_keep_province_and_century_digits_only() -> None:
    assert mask_citizen_id("001090000001") == "0010********"


def test_the_stored_hash_is_sha256_hex() -> None:
    assert hash_secret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

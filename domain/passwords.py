"""Password policy and argon2id hashing (argon2-cffi defaults exceed the OWASP minimums)."""

from __future__ import annotations

from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 8

# The most common passwords of public breach lists, plus local favourites; compared case-insensitively.
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password123",
        "passw0rd",
        "12345678",
        "123456789",
        "1234567890",
        "11111111",
        "00000000",
        "88888888",
        "qwerty123",
        "qwertyuiop",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome",
        "welcome1",
        "admin123",
        "administrator",
        "letmein1",
        "trustno1",
        "abc12345",
        "abcd1234",
        "1q2w3e4r",
        "1qaz2wsx",
        "zaq12wsx",
        "superman",
        "matkhau",
        "matkhau123",
        "123456a@",
        "12345678a",
        "admin@123",
        "hanoi123",
        "vietnam123",
        "qwerty12",
        "asdfghjk",
        "changeme",
        "changeme1",
        "pulse123",
        "pulsepulse",
    ]
)

_hasher = PasswordHasher()  # argon2id with the library's current defaults


class PasswordProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_COMMON = "too_common"


def password_problems(password: str, *, username: str = "") -> list[PasswordProblem]:
    """Why a password would be refused (empty list when it is acceptable)."""
    problems: list[PasswordProblem] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(PasswordProblem.TOO_SHORT)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or (username and lowered == username.lower()):
        problems.append(PasswordProblem.TOO_COMMON)
    return problems


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the hash; never raises on a malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True

"""Who may administer what: pure rules on a viewer's role and scope path and a unit's path.

In this slice only administrators administer, and only inside their own subtree (an agency's
administrator is scoped to its province; a later delegated `unit_admin` gets a ward or department).
Paths are the org tree's materialised paths ("/1/7/"); a subtree is a path prefix.
"""

from __future__ import annotations

import re

from domain.kinds import Role

ADMIN_ROLES = frozenset({Role.ADMIN.value})


def may_administer(role: str) -> bool:
    """True when the role opens the administration pages at all."""
    return role in ADMIN_ROLES


def covers(scope_path: str, unit_path: str) -> bool:
    """True when a unit lies in the subtree rooted at the scope (the scope's own unit included)."""
    return bool(scope_path) and unit_path.startswith(scope_path)


def may_manage_unit(role: str, scope_path: str, unit_path: str) -> bool:
    """Create under, rename, move or close a unit: an administrator whose scope covers it."""
    return may_administer(role) and covers(scope_path, unit_path)


def may_manage_account(role: str, scope_path: str, account_scope_path: str, account_role: str) -> bool:
    """Create or change an account: its scope must lie inside the administrator's own, and only an
    administrator scoped to the whole tree's root may hand out or touch another administrator."""
    if not may_manage_unit(role, scope_path, account_scope_path):
        return False
    return account_role not in ADMIN_ROLES or scope_path.count("/") <= 2


# --- what an account must look like ------------------------------------------------------------

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")
LANGUAGES = ("vi", "en", "fr")


def account_problems(username: object, role: object, language: object) -> dict[str, str]:
    """A login name of 3 to 80 lower-case letters, digits, dots, dashes or underscores (no accents:
    people type it on any keyboard), a known role and a language of the interface."""
    problems: dict[str, str] = {}
    name = username.strip().lower() if isinstance(username, str) else ""
    if not USERNAME_PATTERN.fullmatch(name):
        problems["username"] = "username_format"
    if role not in {r.value for r in Role}:
        problems["role"] = "unknown_choice"
    if language not in LANGUAGES:
        problems["language"] = "unknown_choice"
    return problems

"""Who may administer what: pure rules on a viewer's role, scope (path and kind) and a target's path.

Three kinds of administrator:
- an administrator (`admin`) manages everything in its subtree, the org tree itself included;
- a unit administrator (`unit_admin`) scoped to a ward, commune or department manages the people,
  positions and accounts of that subtree, and the units below its own (a division under its ward),
  never its own unit or anything above it;
- a leader scoped to a ward, commune or department has the same delegated powers (the ward's
  chair runs the ward's staff). A leader of the city does not: that is the administrator's job.
A delegated administrator never hands out more than it has: no `admin` account, and a
`unit_admin` or leader account only at its own scope or below (which `covers` already ensures).
The org tree's periods are the whole agency's calendar: administrators only.

Paths are the org tree's materialised paths ("/1/7/"); a subtree is a path prefix.
"""

from __future__ import annotations

import re
from enum import StrEnum

from domain.kinds import Role, UnitKind

ADMIN_ROLES = frozenset({Role.ADMIN.value})
# Roles that may hold delegated administration (a leader only with a delegable scope).
DELEGATED_ROLES = frozenset({Role.UNIT_ADMIN.value, Role.LEADER.value})
# Every role that may open an administration page at all (the page registry's coarse `roles=`).
ADMIN_PAGE_ROLES = (Role.ADMIN.value, Role.UNIT_ADMIN.value, Role.LEADER.value)
DELEGABLE_SCOPE_KINDS = frozenset({UnitKind.WARD.value, UnitKind.COMMUNE.value, UnitKind.DEPARTMENT.value})


class AdminLevel(StrEnum):
    """How far a viewer administers: the whole of its subtree, or a delegated part of it."""

    FULL = "full"
    DELEGATED = "delegated"


def admin_level(role: str, scope_kind: str | None) -> AdminLevel | None:
    """The viewer's administration level, or None. Without the scope's kind a leader gets none: a
    caller that does not know it must not grant a city leader delegated powers by accident."""
    if role in ADMIN_ROLES:
        return AdminLevel.FULL
    if role == Role.UNIT_ADMIN.value:
        # A unit administrator is delegated by nature; its scope kind is what the account says.
        return AdminLevel.DELEGATED
    if role == Role.LEADER.value and scope_kind in DELEGABLE_SCOPE_KINDS:
        return AdminLevel.DELEGATED
    return None


def may_administer(role: str, scope_kind: str | None) -> bool:
    """True when the viewer opens the administration pages at all (units, accounts, people, quality)."""
    return admin_level(role, scope_kind) is not None


def may_manage_tokens(role: str, scope_path: str, unit_path: str) -> bool:
    """Machine tokens act for a unit's whole subtree without a person behind them: administrators only,
    and only for units inside their own scope."""
    return role in ADMIN_ROLES and covers(scope_path, unit_path)


def may_administer_periods(role: str) -> bool:
    """Opening years and locking periods concerns the whole agency: administrators only."""
    return role in ADMIN_ROLES


def covers(scope_path: str, unit_path: str) -> bool:
    """True when a unit lies in the subtree rooted at the scope (the scope's own unit included)."""
    return bool(scope_path) and unit_path.startswith(scope_path)


def may_manage_unit(role: str, scope_path: str, unit_path: str, scope_kind: str | None) -> bool:
    """Act on what lives in a unit (create a unit under it, its people, positions, accounts): any
    administrator whose scope covers it."""
    return may_administer(role, scope_kind) and covers(scope_path, unit_path)


def may_manage_people(role: str, scope_path: str, unit_path: str, scope_kind: str | None) -> bool:
    """Create, change or move the people of a unit (and place someone into it)."""
    return may_manage_unit(role, scope_path, unit_path, scope_kind)


def may_manage_positions(role: str, scope_path: str, unit_path: str, scope_kind: str | None) -> bool:
    """Create or change the job positions of a unit."""
    return may_manage_unit(role, scope_path, unit_path, scope_kind)


def may_change_unit(role: str, scope_path: str, unit_path: str, scope_kind: str | None) -> bool:
    """Rename, move or close the unit itself: an administrator covering it; a delegated one only
    strictly below its own scope (its ward and what is above belong to the administrator)."""
    level = admin_level(role, scope_kind)
    if level is None or not covers(scope_path, unit_path):
        return False
    return level is AdminLevel.FULL or unit_path != scope_path


def may_manage_account(
    role: str, scope_path: str, account_scope_path: str, account_role: str, scope_kind: str | None
) -> bool:
    """Create or change an account: its scope must lie inside the viewer's own; only an administrator
    scoped to the whole tree's root may hand out or touch another administrator. A delegated one never
    an administrator, nor its peers: a leader or unit administrator of its own unit is the
    administrator's to make, reset or deactivate (a reset shows the password to whoever did it, so
    resetting a peer would be taking over an account with the same powers over the whole ward)."""
    level = admin_level(role, scope_kind)
    if level is None or not covers(scope_path, account_scope_path):
        return False
    if account_role in ADMIN_ROLES:
        return level is AdminLevel.FULL and scope_path.count("/") <= 2
    if level is AdminLevel.DELEGATED and account_role in DELEGATED_ROLES:
        return account_scope_path != scope_path
    return True


def grantable_roles(role: str, scope_kind: str | None) -> tuple[str, ...]:
    """The roles this viewer may give an account (what its role dropdown offers)."""
    level = admin_level(role, scope_kind)
    if level is None:
        return ()
    return tuple(r.value for r in Role if level is AdminLevel.FULL or r.value not in ADMIN_ROLES)


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

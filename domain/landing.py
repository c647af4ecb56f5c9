"""Where a person lands after logging in: where their work is. Pure rules, no SQL."""

from __future__ import annotations

from domain.kinds import Role, UnitKind

OVERVIEW = "/"
MY_WORK = "/work"
# A division of a ward or commune is a handful of people: its overview is thin, its manager's day is tasks.
LOCAL_GOVERNMENTS = frozenset({UnitKind.WARD.value, UnitKind.COMMUNE.value})


def landing_path(role: Role, *, scope_kind: str, parent_kind: str | None) -> str:
    """Staff (ward officials included) and managers of a ward's or commune's division land on "My work";
    leaders, other managers, administrators and the screen on the overview."""
    if role is Role.STAFF:
        return MY_WORK
    if role is Role.MANAGER and scope_kind == UnitKind.DIVISION.value and parent_kind in LOCAL_GOVERNMENTS:
        return MY_WORK
    return OVERVIEW


def person_path(person_id: int | None) -> str | None:
    """The "Me" link: the person's own page (None for an account without a person record)."""
    return f"/person/{person_id}" if person_id is not None else None

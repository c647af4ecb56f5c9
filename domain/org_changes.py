"""Rules for changing the org tree by hand: which kinds go under which, names, moves without
cycles, and when a unit may be closed. Pure functions; problems are {field: code} maps that the
pages turn into messages in the user's language.
"""

from __future__ import annotations

from domain.kinds import UnitKind

NAME_MAX = 200

# What an administrator creates by hand; cities and wards come from the official list.
CREATABLE_KINDS: tuple[str, ...] = (UnitKind.DEPARTMENT.value, UnitKind.DIVISION.value, UnitKind.PARTY_BOARD.value)

# Parent kind -> the kinds allowed directly under it.
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    UnitKind.CITY.value: frozenset(
        {
            UnitKind.DEPARTMENT.value,
            UnitKind.WARD.value,
            UnitKind.COMMUNE.value,
            UnitKind.DIVISION.value,
            UnitKind.PARTY_BOARD.value,
        }
    ),
    UnitKind.DEPARTMENT.value: frozenset({UnitKind.DIVISION.value, UnitKind.PARTY_BOARD.value}),
    UnitKind.WARD.value: frozenset({UnitKind.DIVISION.value, UnitKind.PARTY_BOARD.value}),
    UnitKind.COMMUNE.value: frozenset({UnitKind.DIVISION.value, UnitKind.PARTY_BOARD.value}),
    UnitKind.PARTY_BOARD.value: frozenset({UnitKind.DIVISION.value}),
    UnitKind.DIVISION.value: frozenset(),
}


def clean_name(name: object) -> str:
    """The name as stored: text only, inner runs of spaces collapsed, ends trimmed."""
    return " ".join(name.split()) if isinstance(name, str) else ""


def name_problems(name: object) -> dict[str, str]:
    """A unit's name must be non-empty once trimmed and at most NAME_MAX characters."""
    cleaned = clean_name(name)
    if not cleaned:
        return {"name": "required"}
    if len(cleaned) > NAME_MAX:
        return {"name": "too_long"}
    return {}


def kind_problems(parent_kind: str, kind: object) -> dict[str, str]:
    """A new unit's kind must be one made by hand and allowed under its parent's kind."""
    if kind not in CREATABLE_KINDS:
        return {"kind": "unknown_choice"}
    if kind not in ALLOWED_CHILDREN.get(parent_kind, frozenset()):
        return {"kind": "not_under_parent"}
    return {}


def creation_problems(parent_kind: str, parent_active: bool, kind: object, name: object) -> dict[str, str]:
    """Everything wrong with creating a unit of this kind and name under this parent."""
    problems = {**name_problems(name), **kind_problems(parent_kind, kind)}
    if not parent_active:
        problems["parent"] = "parent_closed"
    return problems


def move_problems(
    *,
    unit_path: str,
    unit_kind: str,
    current_parent_id: int | None,
    new_parent_id: int,
    new_parent_path: str,
    new_parent_kind: str,
    new_parent_active: bool,
) -> dict[str, str]:
    """A move must keep the tree a tree (never under itself or its own descendants), go under an
    open unit that accepts this kind, and actually change the parent. The root never moves."""
    if current_parent_id is None:
        return {"parent": "root_fixed"}
    if new_parent_path.startswith(unit_path):
        return {"parent": "cycle"}
    if new_parent_id == current_parent_id:
        return {"parent": "unchanged"}
    if not new_parent_active:
        return {"parent": "parent_closed"}
    if unit_kind not in ALLOWED_CHILDREN.get(new_parent_kind, frozenset()):
        return {"parent": "not_under_parent"}
    return {}


def close_problems(*, is_root: bool, active_people: int, open_children: int) -> dict[str, str]:
    """A unit closes only when nobody active works in it and all its child units are closed."""
    if is_root:
        return {"unit": "root_fixed"}
    if active_people:
        return {"unit": "has_active_people"}
    if open_children:
        return {"unit": "has_open_children"}
    return {}


def moved_path(path: str, old_prefix: str, new_prefix: str) -> str:
    """A descendant's path after its ancestor's subtree moved from old_prefix to new_prefix."""
    if not path.startswith(old_prefix):
        raise ValueError(f"{path} is not under {old_prefix}")
    return new_prefix + path[len(old_prefix) :]


def child_path(parent_path: str, unit_id: int) -> str:
    """The materialised path of a unit under a parent ("/1/7/" + 12 -> "/1/7/12/")."""
    return f"{parent_path}{unit_id}/"


def state_token(*parts: object) -> str:
    """A short fingerprint of the fields a user saw; a write refuses when the record's token moved
    since (optimistic locking for tables without a version column: org units and users)."""
    import hashlib

    return hashlib.sha256("\x1f".join(repr(p) for p in parts).encode()).hexdigest()[:16]

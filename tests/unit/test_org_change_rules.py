"""The org tree's hand-made changes (domain/org_changes.py) and who may make them (domain/admin_access.py)."""

from __future__ import annotations

import pytest

from domain import admin_access, org_changes


@pytest.mark.parametrize(
    ("raw", "cleaned", "problems"),
    [
        ("  Phòng   Văn hóa  ", "Phòng Văn hóa", {}),
        ("", "", {"name": "required"}),
        ("   \t ", "", {"name": "required"}),
        (None, "", {"name": "required"}),
        (42, "", {"name": "required"}),
        ("x" * 200, "x" * 200, {}),
        ("x" * 201, "x" * 201, {"name": "too_long"}),
    ],
)
def test_names_are_trimmed_and_never_empty(raw: object, cleaned: str, problems: dict[str, str]) -> None:
    assert org_changes.clean_name(raw) == cleaned
    assert org_changes.name_problems(raw) == problems


@pytest.mark.parametrize(
    ("parent_kind", "kind", "problems"),
    [
        ("ward", "division", {}),
        ("ward", "party_board", {}),
        ("commune", "division", {}),  # a commune (xã) holds what a ward holds
        ("commune", "party_board", {}),
        ("commune", "department", {"kind": "not_under_parent"}),
        ("city", "department", {}),
        ("department", "division", {}),
        ("ward", "department", {"kind": "not_under_parent"}),
        ("division", "division", {"kind": "not_under_parent"}),
        ("ward", "ward", {"kind": "unknown_choice"}),  # wards come from the official list
        ("ward", "city", {"kind": "unknown_choice"}),
        ("ward", None, {"kind": "unknown_choice"}),
        ("ward", "<script>", {"kind": "unknown_choice"}),
    ],
)
def test_kinds_under_a_parent(parent_kind: str, kind: object, problems: dict[str, str]) -> None:
    assert org_changes.kind_problems(parent_kind, kind) == problems


def test_creation_under_a_closed_parent_is_refused_with_every_problem_at_once() -> None:
    assert org_changes.creation_problems("ward", False, "ward", " ") == {
        "name": "required",
        "kind": "unknown_choice",
        "parent": "parent_closed",
    }


def _move(unit_path: str, new_parent_path: str, *, parent: int | None = 1, kind: str = "division", **kw: object):  # type: ignore[no-untyped-def]
    new_parent_id = int(new_parent_path.strip("/").split("/")[-1])
    args = {
        "unit_path": unit_path,
        "unit_kind": kind,
        "current_parent_id": parent,
        "new_parent_id": new_parent_id,
        "new_parent_path": new_parent_path,
        "new_parent_kind": "ward",
        "new_parent_active": True,
    }
    return org_changes.move_problems(**{**args, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("unit_path", "new_parent_path", "problems"),
    [
        ("/1/2/5/", "/1/3/", {}),  # a division to another ward
        ("/1/2/5/", "/1/2/5/", {"parent": "cycle"}),  # under itself
        ("/1/2/5/", "/1/2/5/9/", {"parent": "cycle"}),  # under its own child
        ("/1/2/5/", "/1/2/5/9/14/", {"parent": "cycle"}),  # under a grandchild
        ("/1/2/5/", "/1/2/55/", {}),  # "/1/2/55/" shares the text prefix "/1/2/5" but is no descendant
        ("/1/2/5/", "/1/2/", {"parent": "unchanged"}),
    ],
)
def test_moves_never_make_a_cycle(unit_path: str, new_parent_path: str, problems: dict[str, str]) -> None:
    parent = int(unit_path.strip("/").split("/")[-2])
    assert _move(unit_path, new_parent_path, parent=parent) == problems


def test_moves_respect_kinds_closed_parents_and_the_root() -> None:
    assert _move("/1/2/5/", "/1/3/", new_parent_kind="commune") == {}
    assert _move("/1/2/", "/9/", kind="commune", new_parent_kind="city") == {}
    assert _move("/1/2/5/", "/1/3/", new_parent_kind="division") == {"parent": "not_under_parent"}
    assert _move("/1/2/5/", "/1/3/", new_parent_active=False) == {"parent": "parent_closed"}
    assert _move("/1/", "/1/3/", parent=None) == {"parent": "root_fixed"}


def test_paths_follow_a_moved_subtree() -> None:
    assert org_changes.child_path("/1/7/", 12) == "/1/7/12/"
    assert org_changes.moved_path("/1/2/5/9/", "/1/2/5/", "/1/3/5/") == "/1/3/5/9/"
    with pytest.raises(ValueError):
        org_changes.moved_path("/1/4/", "/1/2/", "/1/3/")


@pytest.mark.parametrize(
    ("root", "people", "children", "problems"),
    [
        (False, 0, 0, {}),
        (False, 1, 0, {"unit": "has_active_people"}),
        (False, 0, 2, {"unit": "has_open_children"}),
        (True, 0, 0, {"unit": "root_fixed"}),
    ],
)
def test_closing_needs_an_empty_unit(root: bool, people: int, children: int, problems: dict[str, str]) -> None:
    assert org_changes.close_problems(is_root=root, active_people=people, open_children=children) == problems


@pytest.mark.parametrize(
    ("role", "scope_kind"),
    [
        ("leader", "city"),  # the city's leader: administration is the administrator's job
        ("leader", "division"),
        ("leader", None),  # a caller that does not know the scope's kind grants nothing
        ("manager", "ward"),
        ("staff", "ward"),
        ("screen", "city"),
        ("", "ward"),
        ("ADMIN", "city"),
    ],
)
def test_only_administrators_administer(role: str, scope_kind: str | None) -> None:
    assert not admin_access.may_administer(role, scope_kind)
    assert not admin_access.may_manage_unit(role, "/1/", "/1/2/", scope_kind)
    assert not admin_access.may_manage_people(role, "/1/", "/1/2/", scope_kind)
    assert not admin_access.may_manage_positions(role, "/1/", "/1/2/", scope_kind)
    assert not admin_access.may_change_unit(role, "/1/", "/1/2/", scope_kind)
    assert not admin_access.may_manage_account(role, "/1/", "/1/2/", "staff", scope_kind)
    assert admin_access.grantable_roles(role, scope_kind) == ()


WARD = "/1/70/"  # a ward under the city /1/
OTHER_WARD = "/1/592/"
DIVISION = "/1/70/700/"


# role x scope kind x target: who administers the people, positions and accounts of which unit.
@pytest.mark.parametrize(
    ("role", "scope_kind", "target", "people", "change_unit"),
    [
        ("admin", "city", "/1/", True, True),
        ("admin", "city", WARD, True, True),
        ("admin", "city", DIVISION, True, True),
        ("unit_admin", "ward", WARD, True, False),  # its own ward's people, not the ward itself
        ("unit_admin", "ward", DIVISION, True, True),  # a division below it: both
        ("unit_admin", "ward", OTHER_WARD, False, False),
        ("unit_admin", "ward", "/1/", False, False),  # above its scope
        ("unit_admin", "department", DIVISION, False, False),
        ("leader", "ward", WARD, True, False),
        ("leader", "commune", DIVISION, True, True),
        ("leader", "department", OTHER_WARD, False, False),
        ("leader", "city", DIVISION, False, False),
    ],
)
def test_delegated_administration_stays_in_its_subtree(
    role: str, scope_kind: str, target: str, people: bool, change_unit: bool
) -> None:
    scope = "/1/" if scope_kind == "city" else (WARD if scope_kind != "department" else "/1/9/")
    assert admin_access.may_manage_people(role, scope, target, scope_kind) is people
    assert admin_access.may_manage_positions(role, scope, target, scope_kind) is people
    assert admin_access.may_manage_unit(role, scope, target, scope_kind) is people
    assert admin_access.may_change_unit(role, scope, target, scope_kind) is change_unit


@pytest.mark.parametrize(
    ("role", "scope_kind", "account_scope", "account_role", "allowed"),
    [
        ("unit_admin", "ward", DIVISION, "staff", True),
        ("unit_admin", "ward", WARD, "staff", True),
        ("unit_admin", "ward", WARD, "leader", False),  # its peers at the ward are the administrator's
        ("unit_admin", "ward", WARD, "unit_admin", False),
        ("unit_admin", "ward", DIVISION, "unit_admin", True),  # a division's administrator, below it
        ("unit_admin", "ward", DIVISION, "leader", True),
        ("unit_admin", "ward", "/1/", "unit_admin", False),  # above its scope
        ("unit_admin", "ward", "/1/", "staff", False),
        ("unit_admin", "ward", OTHER_WARD, "staff", False),
        ("unit_admin", "ward", WARD, "admin", False),  # never an administrator
        ("leader", "ward", DIVISION, "manager", True),
        ("leader", "ward", WARD, "unit_admin", False),
        ("leader", "ward", WARD, "manager", True),
        ("leader", "ward", WARD, "admin", False),
        ("leader", "ward", OTHER_WARD, "unit_admin", False),
        ("leader", "city", DIVISION, "staff", False),
        ("admin", "city", WARD, "unit_admin", True),
        ("admin", "city", WARD, "admin", True),
    ],
)
def test_delegated_accounts_never_give_more_than_the_scope(
    role: str, scope_kind: str, account_scope: str, account_role: str, allowed: bool
) -> None:
    scope = "/1/" if scope_kind == "city" else WARD
    assert admin_access.may_manage_account(role, scope, account_scope, account_role, scope_kind) is allowed


def test_roles_a_delegated_administrator_may_grant() -> None:
    assert "admin" in admin_access.grantable_roles("admin", "city")
    granted = admin_access.grantable_roles("unit_admin", "ward")
    assert "admin" not in granted and {"unit_admin", "leader", "manager", "staff"} <= set(granted)
    assert admin_access.grantable_roles("leader", "ward") == granted


def test_periods_are_for_administrators_only() -> None:
    assert admin_access.may_administer_periods("admin")
    assert not admin_access.may_administer_periods("unit_admin")
    assert not admin_access.may_administer_periods("leader")


@pytest.mark.parametrize(
    ("scope", "unit", "allowed"),
    [
        ("/1/", "/1/", True),
        ("/1/", "/1/2/5/", True),
        ("/1/2/", "/1/2/5/", True),
        ("/1/2/", "/1/3/", False),
        ("/1/2/", "/1/22/", False),  # a text prefix of the path is not a subtree
        ("", "/1/", False),
    ],
)
def test_administrators_act_inside_their_subtree(scope: str, unit: str, allowed: bool) -> None:
    assert admin_access.may_manage_unit("admin", scope, unit, "city") is allowed


def test_only_a_root_administrator_makes_administrators() -> None:
    assert admin_access.may_manage_account("admin", "/1/", "/1/2/", "admin", "city")
    assert admin_access.may_manage_account("admin", "/1/2/", "/1/2/5/", "leader", "ward")
    assert not admin_access.may_manage_account("admin", "/1/2/", "/1/2/5/", "admin", "ward")


@pytest.mark.parametrize(
    ("username", "role", "language", "problems"),
    [
        ("lanhdao.hoankiem", "leader", "vi", {}),
        ("ab", "staff", "en", {"username": "username_format"}),
        ("lê.văn", "staff", "fr", {"username": "username_format"}),
        ("x" * 81, "staff", "vi", {"username": "username_format"}),
        ("ok.name", "king", "de", {"role": "unknown_choice", "language": "unknown_choice"}),
        (None, None, None, {"username": "username_format", "role": "unknown_choice", "language": "unknown_choice"}),
    ],
)
def test_account_fields(username: object, role: object, language: object, problems: dict[str, str]) -> None:
    assert admin_access.account_problems(username, role, language) == problems


def test_state_tokens_move_with_any_field() -> None:
    token = org_changes.state_token("Phường Hoàn Kiếm", 1, "ward", True)
    assert token == org_changes.state_token("Phường Hoàn Kiếm", 1, "ward", True)
    assert token != org_changes.state_token("Phường Hoàn Kiếm", 1, "ward", False)
    assert token != org_changes.state_token("Phường Hoàn Kiếm", "1", "ward", True)

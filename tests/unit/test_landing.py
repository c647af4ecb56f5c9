"""Where each role lands, and the "Me" link."""

from __future__ import annotations

import pytest

from domain.kinds import Role
from domain.landing import MY_WORK, OVERVIEW, landing_path, person_path


@pytest.mark.parametrize(
    ("role", "scope_kind", "parent_kind", "expected"),
    [
        (Role.STAFF, "division", "ward", MY_WORK),
        (Role.STAFF, "division", "department", MY_WORK),
        (Role.MANAGER, "division", "ward", MY_WORK),
        (Role.MANAGER, "division", "commune", MY_WORK),
        (Role.MANAGER, "division", "department", OVERVIEW),
        (Role.MANAGER, "city", None, OVERVIEW),
        (Role.LEADER, "ward", "city", OVERVIEW),
        (Role.ADMIN, "city", None, OVERVIEW),
        (Role.SCREEN, "city", None, OVERVIEW),
    ],
)
def test_landing(role: Role, scope_kind: str, parent_kind: str | None, expected: str) -> None:
    assert landing_path(role, scope_kind=scope_kind, parent_kind=parent_kind) == expected


def test_me_link() -> None:
    assert person_path(43) == "/person/43"
    assert person_path(None) is None

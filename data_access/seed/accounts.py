"""The demo logins: one per role a visitor may want to try, each tied to a scope and, mostly, a person.

All demo accounts share one password (generated unless given) and are the only users the demo
creates; everyone else in the tree is a person without a login.
"""

from __future__ import annotations

from dataclasses import dataclass

from data_access.seed.org_tree import PILOT_WARD_CODES, SCIENCE_DEPARTMENT, DemoRows, OrgTree, Row
from domain.kinds import Role

# Role label -> username. The labels are what tests and pages refer to.
DEMO_USERNAMES: dict[str, str] = {
    "admin": "admin",
    "city_leader": "lanhdao.thanhpho",
    "city_manager": "quanly.thanhpho",
    "ward_leader": "lanhdao.hoankiem",
    "manager": "truongphong.khcn",
    "staff": "chuyenvien.khcn",
    "ward_staff": "canbo.hoankiem",
    "screen": "manhinh.phonghop",
    "unit_admin": "quantri.hoankiem",
}

HOAN_KIEM = f"W{PILOT_WARD_CODES[0]}"
TECH_DIVISION_INDEX = 2  # SO-KHCN-P3, Phòng Quản lý công nghệ
WARD_CENTRE_INDEX = 3  # W00070-P4, Trung tâm Phục vụ hành chính công


@dataclass(frozen=True)
class DemoAccounts:
    """The generated user rows by role label, and the units the demo roles work in."""

    users: dict[str, Row]
    tech_division: Row
    ward_division: Row

    def user_id(self, label: str) -> int:
        return int(self.users[label]["id"])


def build_accounts(tree: OrgTree, rows: DemoRows, password_hash: str) -> DemoAccounts:
    """One user per DEMO_USERNAMES entry, added to ``rows``."""
    city = tree.city
    science = tree.top(SCIENCE_DEPARTMENT)
    hoan_kiem = tree.top(HOAN_KIEM)
    tech_division = science.divisions[TECH_DIVISION_INDEX]
    ward_division = hoan_kiem.divisions[WARD_CENTRE_INDEX]
    tech_people = tree.members[tech_division["id"]]
    ward_people = tree.members[ward_division["id"]]
    assert city.leader is not None and hoan_kiem.leader is not None
    plan: list[tuple[str, Role, Row, Row | None]] = [
        ("admin", Role.ADMIN, city.row, None),
        ("city_leader", Role.LEADER, city.row, city.leader),
        ("city_manager", Role.MANAGER, city.row, city.people[1]),
        ("ward_leader", Role.LEADER, hoan_kiem.row, hoan_kiem.leader),
        ("manager", Role.MANAGER, tech_division, tech_people[0]),  # the division head
        ("staff", Role.STAFF, tech_division, tech_people[2]),
        ("ward_staff", Role.STAFF, ward_division, ward_people[2]),
        ("screen", Role.SCREEN, city.row, None),
        # The ward's own administrator (delegated): its people, positions and accounts, nothing outside.
        ("unit_admin", Role.UNIT_ADMIN, hoan_kiem.row, ward_people[min(3, len(ward_people) - 1)]),
    ]
    users: dict[str, Row] = {}
    for label, role, scope, person in plan:
        users[label] = rows.add(
            "users",
            {
                "id": rows.next_id("users"),
                "username": DEMO_USERNAMES[label],
                "password_hash": password_hash,
                "role": role.value,
                "scope_unit_id": scope["id"],
                "person_id": person["id"] if person else None,
                "language": "vi",
                "active": True,
                "session_epoch": 0,
            },
        )
    return DemoAccounts(users=users, tech_division=tech_division, ward_division=ward_division)

"""The empty start of a real agency: one province's official tree, its periods and one administrator.

``seed_empty(store, province=1, today=...)`` writes the province (or centrally-run city) as the root
unit and every ward and commune of it from the official list (``vietnam_provinces``, codes as
published), the periods of the current and the next year, and the administrator account. No
people, no objectives, no values: the agency enters its own from the administration pages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from vietnam_provinces import Province, Ward

from data_access.db import Store
from data_access.seed.org_tree import CITY_CODE, DECREE_335, HANOI_PROVINCE_CODE, DemoRows, Row, official_ward_code
from domain.kinds import Role, UnitKind
from domain.passwords import hash_password, password_problems
from domain.periods import periods_of_year
from domain.text import fold

ADMIN_USERNAME = "admin"
GRACE_DAYS = 10


class UnknownProvince(ValueError):
    """The province code or name matches no province of the official list."""


@dataclass(frozen=True)
class EmptyStartReport:
    province: str
    seconds: float
    counts: dict[str, int]
    admin_username: str
    admin_password: str


def find_province(choice: str | int) -> Province:
    """A province by official code ("01", 1) or by name with or without accents ("Hà Nội", "ha noi")."""
    text = str(choice).strip()
    provinces = list(Province.iter_all())
    if text.isascii() and text.isdigit():
        for province in provinces:
            if int(province.code) == int(text):
                return province
    wanted = fold(text)
    for province in provinces:
        if wanted in (fold(province.name), province.codename.replace("_", " ")):
            return province
        if fold(province.name).endswith(" " + wanted):  # "Hà Nội" for "Thành phố Hà Nội"
            return province
    raise UnknownProvince(choice)


def build_empty_start(province: Province, today: date, password_hash: str) -> DemoRows:
    """The rows of an empty start, in memory (ids assigned, parents before children)."""
    rows = DemoRows()
    code = int(province.code)
    root_id = rows.next_id("org_units")
    root = rows.add(
        "org_units",
        _unit(
            root_id,
            code=CITY_CODE if code == HANOI_PROVINCE_CODE else f"P{code:02d}",
            name=province.name,
            kind=UnitKind.CITY,
            official_code=f"{code:02d}",
            parent=None,
        ),
    )
    wards = sorted((w for w in Ward.iter_all() if int(w.province_code) == code), key=lambda w: int(w.code))
    for ward in wards:
        official = official_ward_code(ward)
        rows.add(
            "org_units",
            _unit(
                rows.next_id("org_units"),
                code=f"W{official}",
                name=ward.name,
                kind=UnitKind.WARD,
                official_code=official,
                parent=root,
            ),
        )
    for year in (today.year, today.year + 1):
        for period in periods_of_year(year):
            rows.add(
                "periods",
                {
                    "id": rows.next_id("periods"),
                    "code": period.code,
                    "kind": period.kind.value,
                    "year": period.year,
                    "number": period.number,
                    "start_date": period.start,
                    "end_date": period.end,
                    "locked": False,
                    "grace_days": GRACE_DAYS,
                },
            )
    rows.add(
        "users",
        {
            "id": rows.next_id("users"),
            "username": ADMIN_USERNAME,
            "password_hash": password_hash,
            "role": Role.ADMIN.value,
            "scope_unit_id": root_id,
            "person_id": None,
            "language": "vi",
            "active": True,
            "session_epoch": 0,
        },
    )
    return rows


def seed_empty(
    store: Store, *, province: str | int = HANOI_PROVINCE_CODE, today: date, admin_password: str | None = None
) -> EmptyStartReport:
    """Write an empty start into an empty store, in one transaction; returns the admin's password."""
    from data_access.seed import TABLES, _bulk_insert, _generated_password, _rebuild_rollups, _reset_sequences, _silent

    started = time.perf_counter()
    chosen = find_province(province)
    password = admin_password if admin_password is not None else _generated_password()
    if problems := password_problems(password):
        raise ValueError(f"administrator password refused: {', '.join(problems)}")
    rows = build_empty_start(chosen, today, hash_password(password))
    counts: dict[str, int] = {}
    with store.write() as session:
        for table, model in TABLES:
            if rows.rows(table):
                counts[table] = _bulk_insert(session, model, rows.rows(table), table, _silent)
        _reset_sequences(session)
        _rebuild_rollups(session, today, _silent)  # the units' empty figures, so every page opens
    return EmptyStartReport(
        province=chosen.name,
        seconds=time.perf_counter() - started,
        counts=counts,
        admin_username=ADMIN_USERNAME,
        admin_password=password,
    )


def _unit(unit_id: int, *, code: str, name: str, kind: UnitKind, official_code: str, parent: Row | None) -> Row:
    return {
        "id": unit_id,
        "code": code,
        "official_code": official_code,
        "name": name,
        "kind": kind.value,
        "parent_id": parent["id"] if parent else None,
        "path": (parent["path"] if parent else "/") + f"{unit_id}/",
        "depth": parent["depth"] + 1 if parent else 0,
        "weight": 1.0,
        "requires_approval": True,
        "ruleset": DECREE_335,
        "active": True,
    }

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

from vietnam_provinces import Province, VietNamDivisionType

from data_access.db import Store
from data_access.seed.org_tree import (
    CITY_CODE,
    HANOI_PROVINCE_CODE,
    DemoRows,
    official_ward_code,
    province_wards,
    unit_row,
)
from data_access.seed.programmes import period_row
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
    root = unit_row(
        rows,
        code=CITY_CODE if code == HANOI_PROVINCE_CODE else f"P{code:02d}",
        name=province.name,
        kind=UnitKind.CITY,
        official_code=f"{code:02d}",
        parent=None,
    )
    for ward in province_wards(code):
        official = official_ward_code(ward)
        kind = UnitKind.COMMUNE if ward.division_type is VietNamDivisionType.XA else UnitKind.WARD
        unit_row(rows, code=f"W{official}", name=ward.name, kind=kind, official_code=official, parent=root)
    for year in (today.year, today.year + 1):
        for period in periods_of_year(year):
            period_row(rows, period, locked=False, grace_days=GRACE_DAYS)
    rows.add(
        "users",
        {
            "id": rows.next_id("users"),
            "username": ADMIN_USERNAME,
            "password_hash": password_hash,
            "role": Role.ADMIN.value,
            "scope_unit_id": root["id"],
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

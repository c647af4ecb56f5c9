"""The empty start of a real agency: the official tree of one province, two years of periods and one
administrator; no people, no plan, no values; a bad choice writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from data_access import models
from data_access.db import Store
from data_access.seed.empty import UnknownProvince, find_province, seed_empty
from domain.passwords import verify_password

ADMIN_PASSWORD = "Pulse-admin-2026!"
TODAY = date(2026, 12, 7)


def _count(store: Store, model: type[models.Base]) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_hanoi_by_default_with_its_126_official_wards_and_communes(empty_store: Store) -> None:
    report = seed_empty(empty_store, today=TODAY, admin_password=ADMIN_PASSWORD)
    assert report.province == "Thành phố Hà Nội"
    with empty_store.read() as session:
        units = session.execute(select(models.OrgUnit).order_by(models.OrgUnit.id)).scalars().all()
        root, wards = units[0], units[1:]
        assert (root.name, root.kind, root.official_code, root.parent_id, root.path) == (
            "Thành phố Hà Nội",
            "city",
            "01",
            None,
            f"/{root.id}/",
        )
        assert len(wards) == 126
        by_code = {w.official_code: w for w in wards}
        assert by_code["00070"].name == "Phường Hoàn Kiếm" and by_code["00070"].code == "W00070"
        # Wards (phường) and communes (xã) keep their official kind: 51 and 75 in Hanoi.
        kinds = [w.kind for w in wards]
        assert (kinds.count("ward"), kinds.count("commune")) == (51, 75)
        assert all(w.kind == ("ward" if w.name.startswith("Phường") else "commune") for w in wards)
        assert all(w.parent_id == root.id and w.path == f"/{root.id}/{w.id}/" and w.depth == 1 for w in wards)
        admin = session.execute(select(models.User)).scalar_one()
        assert (admin.username, admin.role, admin.scope_unit_id, admin.person_id) == ("admin", "admin", root.id, None)
        assert verify_password(admin.password_hash, ADMIN_PASSWORD)
        codes = set(session.execute(select(models.Period.code)).scalars())
    # This year and next, each with its quarters and months, none locked.
    assert len(codes) == 34 and {"2026", "2027", "2026-Q4", "2027-12"} <= codes
    for model in (models.Person, models.Position, models.Objective, models.Indicator, models.Measurement):
        assert _count(empty_store, model) == 0, model.__name__


def test_another_province_by_name_without_accents(empty_store: Store) -> None:
    report = seed_empty(empty_store, province="cao bang", today=TODAY, admin_password=ADMIN_PASSWORD)
    assert report.province == "Cao Bằng"
    with empty_store.read() as session:
        root = session.execute(select(models.OrgUnit).where(models.OrgUnit.parent_id.is_(None))).scalar_one()
    assert (root.official_code, root.code) == ("04", "P04")
    assert _count(empty_store, models.OrgUnit) == report.counts["org_units"] > 1


def test_a_generated_password_is_strong_and_returned_once(empty_store: Store) -> None:
    report = seed_empty(empty_store, today=TODAY)
    assert len(report.admin_password) >= 12
    with empty_store.read() as session:
        assert verify_password(session.execute(select(models.User.password_hash)).scalar_one(), report.admin_password)


@pytest.mark.parametrize(
    ("province", "password", "error"),
    [("Atlantis", ADMIN_PASSWORD, UnknownProvince), ("01", "admin", ValueError)],
)
def test_a_bad_choice_writes_nothing(empty_store: Store, province: str, password: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        seed_empty(empty_store, province=province, today=TODAY, admin_password=password)
    assert _count(empty_store, models.OrgUnit) == 0 and _count(empty_store, models.User) == 0


def test_provinces_found_by_code_or_name() -> None:
    assert find_province("79").name == "Thành phố Hồ Chí Minh"
    assert find_province(1).name == find_province("Hà Nội").name == "Thành phố Hà Nội"
    with pytest.raises(UnknownProvince):
        find_province("99")

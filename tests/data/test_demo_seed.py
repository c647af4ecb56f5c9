"""The pilot demo: the real org tree, valid people, accounts, a realistic spread, deterministic."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from data_access.db import Store
from data_access.models import Indicator, IndicatorRollup, Measurement, OrgUnit, Period, Person, Task, User
from data_access.seed import DEMO_USERNAMES, database_is_empty, seed_demo
from domain.citizen_id import validate_citizen_id
from domain.passwords import verify_password
from tests.conftest import DEMO_PASSWORD, TEST_TODAY


def test_org_tree_holds_the_official_units(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        units = {u.code: u for u in session.execute(select(OrgUnit)).scalars()}
    assert units["HN"].official_code == "01" and units["HN"].parent_id is None
    assert units["W00070"].name == "Phường Hoàn Kiếm" and units["W00070"].official_code == "00070"
    assert units["W00592"].name == "Phường Từ Liêm"
    assert units["SO-KHCN"].name == "Sở Khoa học và Công nghệ"
    assert units["BTC-TU"].kind == "party_board" and units["BTC-TU"].ruleset == "regulation_366"
    by_id = {u.id: u for u in units.values()}
    for unit in units.values():
        parent_path = by_id[unit.parent_id].path if unit.parent_id else "/"
        assert unit.path == f"{parent_path}{unit.id}/"


def test_people_are_about_three_hundred_with_valid_citizen_ids(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        people = session.execute(select(Person.citizen_id, Person.full_name)).all()
    assert 250 <= len(people) <= 350
    for citizen_id, name in people:
        assert validate_citizen_id(citizen_id, today=TEST_TODAY) == citizen_id
        assert len(name.split()) >= 2


def test_demo_accounts_have_their_roles_and_scopes(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        rows = session.execute(
            select(User.username, User.role, OrgUnit.code, User.password_hash).join(
                OrgUnit, OrgUnit.id == User.scope_unit_id
            )
        ).all()
    accounts = {r.username: r for r in rows}
    assert set(DEMO_USERNAMES.values()) <= set(accounts)
    assert (accounts["admin"].role, accounts["admin"].code) == ("admin", "HN")
    assert (accounts["lanhdao.hoankiem"].role, accounts["lanhdao.hoankiem"].code) == ("leader", "W00070")
    assert accounts["truongphong.khcn"].role == "manager" and accounts["truongphong.khcn"].code.startswith("SO-KHCN-P")
    assert accounts["manhinh.phonghop"].role == "screen"
    assert verify_password(accounts["chuyenvien.khcn"].password_hash, DEMO_PASSWORD)
    assert not verify_password(accounts["chuyenvien.khcn"].password_hash, "admin")


def test_measurements_stop_at_today_and_spread_realistically(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        latest = session.execute(select(func.max(Measurement.measured_on))).scalar_one()
        year_id = session.execute(select(Period.id).where(Period.code == str(TEST_TODAY.year))).scalar_one()
        statuses = dict(
            session.execute(
                select(IndicatorRollup.status, func.count())
                .where(IndicatorRollup.period_id == year_id)
                .group_by(IndicatorRollup.status)
            ).all()
        )
        overshoot = session.execute(
            select(func.count())
            .select_from(IndicatorRollup)
            .where(IndicatorRollup.period_id == year_id, IndicatorRollup.progress > 1.0)
        ).scalar_one()
        late_tasks = session.execute(select(func.count()).select_from(Task).where(Task.delays > 0)).scalar_one()
    assert latest <= TEST_TODAY
    assert statuses.get("off_track", 0) > 0 and statuses.get("on_track", 0) > 0 and statuses.get("done", 0) > 0
    assert overshoot > 0
    assert late_tasks > 0


def _fingerprint(store: Store) -> tuple[list[str], list[float]]:
    with store.read() as session:
        names = list(session.execute(select(Person.full_name).order_by(Person.id)).scalars())
        values = list(session.execute(select(Measurement.value).order_by(Measurement.id)).scalars())
    return names, values


def test_same_seed_same_data_other_seed_other_data(databases) -> None:  # type: ignore[no-untyped-def]
    stores = [Store.connect(databases.clone(databases.template("empty"))) for _ in range(3)]
    try:
        for store, seed in zip(stores, (7, 7, 8), strict=True):
            assert database_is_empty(store)
            report = seed_demo(store, scale="pilot", seed=seed, today=date(2026, 6, 15), demo_password=DEMO_PASSWORD)
            assert report.counts["people"] > 0 and not database_is_empty(store)
        first, second, third = (_fingerprint(s) for s in stores)
        assert first == second
        assert first != third
    finally:
        for store in stores:
            store.dispose()


def test_indicators_have_owners_in_their_unit_subtree(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        rows = session.execute(
            select(Indicator.id, OrgUnit.path, Person.unit_id)
            .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
            .join(Person, Person.id == Indicator.owner_person_id)
        ).all()
        unit_paths = dict(session.execute(select(OrgUnit.id, OrgUnit.path)).all())
    assert rows
    for _indicator_id, path, owner_unit in rows:
        assert unit_paths[owner_unit].startswith(path)

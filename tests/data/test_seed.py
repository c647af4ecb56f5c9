"""The demo seeder: the real org tree, valid people, the demo accounts, a realistic spread, determinism.

Runs on the backend the shared conftest selects (SQLite by default, PostgreSQL with PULSE_TEST_DB).
``shared_demo_store`` is the pilot seeded once per run with DEMO_SEED and TEST_TODAY.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from data_access.db import Store
from data_access.models import (
    Indicator,
    Measurement,
    Objective,
    OrgUnit,
    Period,
    Person,
    Position,
    Task,
    TaskCheckin,
    TaskType,
    User,
)
from data_access.seed import DEMO_USERNAMES, SeedReport, database_is_empty, generate, seed_demo
from data_access.seed.org_tree import DEPARTMENTS
from domain.citizen_id import birth_year, is_female, validate_citizen_id
from domain.passwords import password_problems, verify_password
from domain.plans import weights_sum_to_100
from tests.conftest import DEMO_PASSWORD, TEST_TODAY
from tests.support.databases import TestDatabases

# --- the org tree ---------------------------------------------------------------------------


def _units(store: Store) -> dict[str, OrgUnit]:
    with store.read() as session:
        return {u.code: u for u in session.execute(select(OrgUnit)).scalars()}


def test_org_tree_holds_the_official_units(shared_demo_store: Store) -> None:
    units = _units(shared_demo_store)
    city = units["HN"]
    assert (city.name, city.kind, city.official_code, city.parent_id, city.depth) == (
        "Thành phố Hà Nội",
        "city",
        "01",
        None,
        0,
    )
    hoan_kiem, tu_liem = units["W00070"], units["W00592"]
    assert (hoan_kiem.name, hoan_kiem.kind, hoan_kiem.official_code) == ("Phường Hoàn Kiếm", "ward", "00070")
    assert (tu_liem.name, tu_liem.official_code) == ("Phường Từ Liêm", "00592")
    assert (units["SO-KHCN"].name, units["SO-KHCN"].kind) == ("Sở Khoa học và Công nghệ", "department")
    assert (units["BTC-TU"].name, units["BTC-TU"].kind) == ("Ban Tổ chức Thành ủy", "party_board")
    tops = [u for u in units.values() if u.parent_id == city.id]
    assert {u.code for u in tops} == {"SO-KHCN", "W00070", "W00592", "BTC-TU"}
    for top in tops:
        divisions = [u for u in units.values() if u.parent_id == top.id]
        assert 4 <= len(divisions) <= 6, top.code
        assert all(d.kind == "division" for d in divisions)
    ward_divisions = {u.name for u in units.values() if u.parent_id == hoan_kiem.id}
    assert {
        "Văn phòng HĐND và UBND",
        "Phòng Kinh tế",
        "Phòng Văn hóa - Xã hội",
        "Trung tâm Phục vụ hành chính công",
    } <= ward_divisions
    science_divisions = {u.name for u in units.values() if u.parent_id == units["SO-KHCN"].id}
    assert {
        "Văn phòng",
        "Phòng Kế hoạch - Tài chính",
        "Phòng Quản lý công nghệ",
        "Phòng Chuyển đổi số",
    } <= science_divisions


def test_paths_and_depths_follow_the_parents(shared_demo_store: Store) -> None:
    units = _units(shared_demo_store)
    by_id = {u.id: u for u in units.values()}
    for unit in units.values():
        if unit.parent_id is None:
            assert unit.path == f"/{unit.id}/" and unit.depth == 0
        else:
            parent = by_id[unit.parent_id]
            assert unit.path == parent.path + f"{unit.id}/"
            assert unit.depth == parent.depth + 1


def test_rulesets_party_board_under_regulation_366(shared_demo_store: Store) -> None:
    units = _units(shared_demo_store)
    party_path = units["BTC-TU"].path
    for unit in units.values():
        expected = "regulation_366" if unit.path.startswith(party_path) else "decree_335"
        assert unit.ruleset == expected, unit.code


# --- people ---------------------------------------------------------------------------------


def test_about_three_hundred_people_with_valid_citizen_ids(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        people = list(session.execute(select(Person)).scalars())
        positions = {p.id: p for p in session.execute(select(Position)).scalars()}
    assert 250 <= len(people) <= 350
    assert len({p.citizen_id for p in people}) == len(people)
    assert len({p.civil_servant_code for p in people}) == len(people)
    for person in people:
        assert validate_citizen_id(person.citizen_id, today=TEST_TODAY) == person.citizen_id
        assert birth_year(person.citizen_id) == person.birth_year
        assert is_female(person.citizen_id) == (person.gender == "female")
        assert 1965 <= person.birth_year <= 2000
        assert len(person.full_name.split()) >= 2
        assert person.position_id is not None and positions[person.position_id].unit_id == person.unit_id
    provinces = Counter(p.citizen_id[:3] for p in people)
    assert provinces.most_common(1)[0][0] == "001" and len(provinces) > 1  # mostly Hanoi, some elsewhere


def test_every_division_has_one_head_and_groups_of_specialists(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        rows = session.execute(
            select(OrgUnit.code, Position.is_leader, Position.task_group)
            .join(Person, Person.unit_id == OrgUnit.id)
            .join(Position, Position.id == Person.position_id)
            .where(OrgUnit.kind == "division")
        ).all()
    heads: Counter[str] = Counter()
    groups: dict[str, set[str]] = defaultdict(set)
    for code, is_leader, group in rows:
        heads[code] += int(is_leader)
        groups[code].add(group)
    assert heads and all(count == 1 for count in heads.values())
    assert all({"chuyen_vien_tong_hop", "chuyen_vien_chuyen_mon"} <= g for g in groups.values())


# --- accounts -------------------------------------------------------------------------------


def test_demo_accounts_have_their_roles_and_scopes(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        rows = session.execute(
            select(User, OrgUnit.code, OrgUnit.path).join(OrgUnit, OrgUnit.id == User.scope_unit_id)
        ).all()
        people_units = dict(session.execute(select(Person.id, Person.unit_id)).all())
    accounts = {user.username: (user, code, path) for user, code, path in rows}
    assert set(DEMO_USERNAMES.values()) <= set(accounts)

    def role_scope(label: str) -> tuple[str, str]:
        user, code, _path = accounts[DEMO_USERNAMES[label]]
        return user.role, code

    assert role_scope("admin") == ("admin", "HN")
    assert role_scope("city_leader") == ("leader", "HN")
    assert role_scope("ward_leader") == ("leader", "W00070")
    assert role_scope("screen") == ("screen", "HN")
    manager, division_code, division_path = accounts[DEMO_USERNAMES["manager"]]
    assert manager.role == "manager" and division_code.startswith("SO-KHCN-P")
    staff, staff_scope, _ = accounts[DEMO_USERNAMES["staff"]]
    assert staff.role == "staff" and staff_scope == division_code
    assert people_units[staff.person_id] == manager.scope_unit_id == people_units[manager.person_id]
    for user, _code, _path in accounts.values():
        assert user.language == "vi" and user.active
        assert user.person_id is None or user.person_id in people_units
    assert verify_password(staff.password_hash, DEMO_PASSWORD)
    assert not verify_password(staff.password_hash, "admin")


# --- periods, programmes, measurements ----------------------------------------------------


def test_periods_cover_this_and_last_year(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        periods = {p.code: p for p in session.execute(select(Period)).scalars()}
    year = TEST_TODAY.year
    assert len(periods) == 34
    for y in (year - 1, year):
        assert {str(y), f"{y}-Q1", f"{y}-Q4", f"{y}-01", f"{y}-12"} <= set(periods)
    assert (periods[f"{year}-Q3"].start_date, periods[f"{year}-Q3"].end_date) == (date(year, 7, 1), date(year, 9, 30))
    assert all(p.locked for p in periods.values() if p.year == year - 1)
    assert not any(p.locked for p in periods.values() if p.year == year)


def test_objectives_come_from_real_programmes(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        objectives = session.execute(
            select(Objective, OrgUnit.code, Period.year)
            .join(OrgUnit, OrgUnit.id == Objective.unit_id)
            .join(Period, Period.id == Objective.period_id)
        ).all()
        indicators = list(session.execute(select(Indicator)).scalars())
        owners = dict(
            session.execute(select(Person.id, OrgUnit.path).join(OrgUnit, OrgUnit.id == Person.unit_id)).all()
        )
        unit_paths = dict(session.execute(select(OrgUnit.id, OrgUnit.path)).all())
    refs = {o.source_ref for o, _code, _year in objectives}
    assert {"57-NQ/TW", "366-QĐ/TW"} <= refs
    assert {o.source_kind for o, _c, _y in objectives} >= {"resolution", "action_programme", "key_task", "regular_work"}
    assert {year for _o, _c, year in objectives} == {TEST_TODAY.year - 1, TEST_TODAY.year}
    assert any(code == "BTC-TU" and o.source_ref == "366-QĐ/TW" for o, code, _y in objectives)
    assert any(o.parent_objective_id is not None for o, _c, _y in objectives)  # divisions align to their unit
    assert {i.direction for i in indicators} == {"increase", "decrease", "band", "done", "milestones"}
    assert {i.accumulation for i in indicators} == {"last", "sum", "average"}
    weights: dict[int, list[float]] = {}
    for indicator in indicators:
        weights.setdefault(indicator.objective_id, []).append(indicator.weight)
    # Percentages of their objective: no "normalised" note on the seeded plans.
    assert weights and all(weights_sum_to_100(shares) for shares in weights.values())
    assert {round(w, 2) for w in weights[next(i.objective_id for i in indicators if i.code == "TTHC-TT")]} == {
        50.0,
        33.33,
        16.67,
    }
    assert not all(i.published for i in indicators)
    online = [i for i in indicators if i.code == "TTHC-TT"]
    assert online and all(i.target >= 95 and i.direction == "increase" for i in online)
    for indicator in indicators:  # owned by someone in the indicator's unit (or below)
        assert owners[indicator.owner_person_id].startswith(unit_paths[indicator.unit_id])


def test_measurements_stop_at_today(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        latest = session.execute(select(func.max(Measurement.measured_on))).scalar_one()
        statuses = Counter(session.execute(select(Measurement.status)).scalars())
        rejected = (
            session.execute(select(Measurement.reject_reason).where(Measurement.status == "rejected")).scalars().all()
        )
    assert latest <= TEST_TODAY
    assert statuses["approved"] > 0.9 * sum(statuses.values())
    assert statuses["submitted"] > 0 and statuses["rejected"] > 0
    assert all(reason for reason in rejected)


def test_values_spread_some_lag_some_overshoot(shared_demo_store: Store) -> None:
    """Worked out from the raw values: latest approved value of this year's increase/decrease indicators."""
    with shared_demo_store.read() as session:
        rows = session.execute(
            select(Indicator.id, Indicator.baseline, Indicator.target, Measurement.value, Measurement.measured_on)
            .join(Measurement, Measurement.indicator_id == Indicator.id)
            .join(Period, Period.id == Indicator.period_id)
            .where(
                Period.code == str(TEST_TODAY.year),
                Indicator.accumulation == "last",
                Indicator.direction.in_(("increase", "decrease")),
                Measurement.status == "approved",
            )
            .order_by(Indicator.id, Measurement.measured_on)
        ).all()
    latest = {r.id: r for r in rows}  # ordered by date: the last one wins
    year_start = date(TEST_TODAY.year, 1, 1)
    year_days = (date(TEST_TODAY.year, 12, 31) - year_start).days + 1
    lagging = overshooting = 0
    for r in latest.values():
        progress = (r.value - r.baseline) / (r.target - r.baseline)
        expected = ((r.measured_on - year_start).days + 1) / year_days
        lagging += progress < expected - 0.20
        overshooting += progress > 1.0
    assert lagging > 0 and overshooting > 0
    assert lagging + overshooting < len(latest)  # most are neither


# --- tasks ----------------------------------------------------------------------------------


def test_tasks_have_realistic_outcomes(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        tasks = list(session.execute(select(Task)).scalars())
        coefficients = dict(session.execute(select(TaskType.id, TaskType.coefficient)).all())
        hoan_kiem, tu_liem = (
            session.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()
            for code in ("W00070", "W00592")
        )
    done = [t for t in tasks if t.status == "done"]
    assert any(t.delays == 0 for t in done) and {1, 2, 3} <= {t.delays for t in done}
    assert any(t.major_errors > 0 for t in done) and any(t.quality_accepted is False for t in done)
    assert any(t.status in ("open", "in_progress") and t.due_date < TEST_TODAY for t in tasks)  # overdue
    assert any(t.status in ("open", "in_progress") and t.due_date >= TEST_TODAY for t in tasks)
    cancelled = [t for t in tasks if t.status == "cancelled"]
    assert cancelled and all(t.cancel_reason for t in cancelled)
    for task in tasks:
        assert task.coefficient == coefficients[task.task_type_id]
        assert task.start_date <= task.original_due_date <= task.due_date
        assert task.completed_on is None or task.completed_on <= TEST_TODAY
        assert (task.status == "done") == (task.completed_on is not None)
    assert any(t.original_due_date < t.due_date for t in tasks)  # some deadlines were extended
    assert any(t.indicator_id is not None for t in tasks) and any(t.objective_id is not None for t in tasks)
    batches: dict[str, set[int]] = defaultdict(set)
    for task in tasks:
        if task.batch_key:
            batches[task.batch_key].add(task.assignee_unit_id)
    assert batches and all(units == {hoan_kiem, tu_liem} for units in batches.values())


def test_checkins_trail_tasks_and_never_run_ahead_of_today(shared_demo_store: Store) -> None:
    with shared_demo_store.read() as session:
        rows = session.execute(
            select(TaskCheckin.kind, TaskCheckin.at, Task.start_date).join(Task, Task.id == TaskCheckin.task_id)
        ).all()
    assert {"progress", "done", "accepted", "returned", "extended", "cancelled"} <= {r.kind for r in rows}
    for kind, at, start in rows:
        assert start <= at.date() <= TEST_TODAY, kind


# --- the API: passwords, progress, determinism ----------------------------------------------


@pytest.fixture
def fresh_stores(databases: TestDatabases) -> Iterator[list[Store]]:
    stores = [Store.connect(databases.clone(databases.template("empty"))) for _ in range(2)]
    yield stores
    for store in stores:
        store.dispose()


def _fingerprint(store: Store) -> tuple[list[str], list[float]]:
    with store.read() as session:
        names = list(session.execute(select(Person.full_name).order_by(Person.id)).scalars())
        values = list(session.execute(select(Measurement.value).order_by(Measurement.id)).scalars())
    return names, values


def test_same_seed_same_data_other_seed_other_data(fresh_stores: list[Store], shared_demo_store: Store) -> None:
    calls: list[tuple[str, int, int]] = []
    reports: list[SeedReport] = []
    for store in fresh_stores:
        assert database_is_empty(store)
        reports.append(
            seed_demo(
                store,
                scale="pilot",
                seed=7,
                today=TEST_TODAY,
                demo_password=None,
                progress=lambda *call: calls.append(call),
            )
        )
        assert not database_is_empty(store)
    first, second = (_fingerprint(s) for s in fresh_stores)
    assert first == second
    other_seed = _fingerprint(shared_demo_store)  # seeded with DEMO_SEED
    assert first[0] != other_seed[0] and first[1] != other_seed[1]
    # A generated password: strong, returned once, and the accounts accept it.
    password = reports[0].demo_password
    assert password and not password_problems(password) and len(password) >= 16
    assert password != reports[1].demo_password
    with fresh_stores[0].read() as session:
        admin_hash = session.execute(select(User.password_hash).where(User.username == "admin")).scalar_one()
    assert verify_password(admin_hash, password)
    assert reports[0].counts == reports[1].counts and reports[0].demo_usernames == tuple(DEMO_USERNAMES.values())
    # Progress: every stage ends with done == total.
    last: dict[str, tuple[int, int]] = {}
    for stage, done, total in calls:
        last[stage] = (done, total)
    assert {"generate", "people", "measurements", "tasks"} <= set(last)
    assert all(done == total for done, total in last.values())


def test_generation_is_deterministic_row_for_row() -> None:
    first = generate(scale="pilot", seed=11, today=date(2026, 6, 15), password_hash="x")
    second = generate(scale="pilot", seed=11, today=date(2026, 6, 15), password_hash="x")
    assert first.tables == second.tables
    later = generate(scale="pilot", seed=11, today=date(2026, 6, 30), password_hash="x")
    assert max(m["measured_on"] for m in later.rows("measurements")) == date(2026, 6, 30)
    assert max(m["measured_on"] for m in first.rows("measurements")) == date(2026, 5, 31)


def test_a_weak_password_is_refused_and_nothing_is_written(empty_store: Store) -> None:
    with pytest.raises(ValueError, match="demo password refused"):
        seed_demo(empty_store, scale="pilot", seed=1, today=TEST_TODAY, demo_password="admin")
    with pytest.raises(ValueError, match="unknown scale"):
        seed_demo(empty_store, scale="country", seed=1, today=TEST_TODAY, demo_password=DEMO_PASSWORD)
    assert database_is_empty(empty_store)


@pytest.mark.slow
def test_hanoi_scale_has_every_ward_and_the_volumes() -> None:
    """In memory only (the bench times the database side): 126 wards, the departments, the volumes."""
    rows = generate(scale="hanoi", seed=2026, today=TEST_TODAY, password_hash="x")
    units = rows.rows("org_units")
    wards = [u for u in units if u["kind"] == "ward"]
    assert len(wards) == 126
    assert all(u["code"] == f"W{u['official_code']}" and len(u["official_code"]) == 5 for u in wards)
    assert {"Phường Hoàn Kiếm", "Phường Từ Liêm"} <= {u["name"] for u in wards}
    departments = [u for u in units if u["kind"] == "department"]
    assert len(departments) == len(DEPARTMENTS) >= 17
    assert sum(u["kind"] == "party_board" for u in units) == 1
    assert len(rows.rows("people")) >= 30_000
    assert len(rows.rows("tasks")) >= 200_000
    assert len(rows.rows("measurements")) >= 100_000
    assert len({p["citizen_id"] for p in rows.rows("people")}) == len(rows.rows("people"))
    assert max(m["measured_on"] for m in rows.rows("measurements")) <= TEST_TODAY


def test_names_read_as_civil_servant_records(shared_demo_store: Store) -> None:
    """Family name first, then middle and given names; no honorific ("Quý cô", "Bà", "Ông", ...)."""
    from faker.providers.person.vi_VN import Provider

    with shared_demo_store.read() as session:
        names = session.execute(select(Person.full_name)).scalars().all()
    honorifics = set(Provider.prefixes_female) | set(Provider.prefixes_male)
    assert names and not [n for n in names if any(n.startswith(h + " ") for h in honorifics)]
    family_names = set(Provider.last_names)
    assert all(n.split()[0] in family_names for n in names), [n for n in names if n.split()[0] not in family_names][:5]


def test_people_records_are_full_and_each_has_one_open_placement(shared_demo_store: Store) -> None:
    """Date of birth agreeing with the birth year and the citizen id, a rank, a start before last year
    (so every seeded period finds people where they are), a phone the profile rules accept, and one
    placement from the start date in the person's unit and position."""
    from data_access.models import PersonPlacement
    from domain.records.values import PHONE

    with shared_demo_store.read() as session:
        people = session.execute(select(Person)).scalars().all()
        placements = session.execute(select(PersonPlacement)).scalars().all()
    by_person = defaultdict(list)
    for placement in placements:
        by_person[placement.person_id].append(placement)
    for person in people:
        assert person.birth_date is not None and person.birth_date.year == person.birth_year
        assert birth_year(person.citizen_id) == person.birth_year
        assert is_female(person.citizen_id) == (person.gender == "female")
        assert person.rank_code in {"01.001", "01.002", "01.003"}
        assert person.start_date is not None and person.start_date <= date(TEST_TODAY.year - 1, 1, 1)
        assert (person.start_date - person.birth_date).days >= 18 * 365
        assert person.phone is not None and PHONE.match(person.phone)
        (placement,) = by_person[person.id]
        assert (placement.unit_id, placement.position_id, placement.valid_from, placement.valid_to) == (
            person.unit_id,
            person.position_id,
            person.start_date,
            None,
        )


def test_plans_approved_for_units_with_indicators_and_a_few_drafts(shared_demo_store: Store) -> None:
    """Every unit with indicators has a plan for each year; a draft plan's objectives and indicators are
    unpublished (so no dashboard counts them), an approved plan's are all published."""
    from data_access.models import IndicatorRollup, Plan

    with shared_demo_store.read() as session:
        plans = {(p.unit_id, p.period_id): p.status for p in session.execute(select(Plan)).scalars()}
        indicators = list(session.execute(select(Indicator)).scalars())
        with_rollups = set(session.execute(select(IndicatorRollup.indicator_id).distinct()).scalars())
        demo_units = set(
            session.execute(
                select(OrgUnit.id).where(OrgUnit.code.startswith("W00070") | OrgUnit.code.startswith("SO-KHCN"))
            ).scalars()
        )
    assert {(i.unit_id, i.period_id) for i in indicators} <= set(plans)
    assert "draft" in plans.values() and "approved" in plans.values()
    for indicator in indicators:
        assert indicator.published == (plans[(indicator.unit_id, indicator.period_id)] == "approved")
        assert (indicator.id in with_rollups) == indicator.published
    assert all(plans[key] == "approved" for key in plans if key[0] in demo_units)

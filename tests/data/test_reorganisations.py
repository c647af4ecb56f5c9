"""Reorganisations on the real store (SQLite and PostgreSQL), the 2025 reform as the model case.

A city with two wards (ward A has a division) scored last year, in locked periods. The wards merge on
January 1 of this year: last year's rankings still list both wards with their old scores, this year's
values entered under the new ward count in its rollup and the city's, and the city's rollups of last
year do not move. The division (carried into the new ward) splits into two with its people placed
under the parts. Rollups stay equal to a full rebuild, and an administrator of one ward cannot
reorganise the other (refused and audited, nothing written).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select, update

from data_access.commands import admin_reorgs as reorgs
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid
from data_access.models import (
    AuditEntry,
    Indicator,
    Measurement,
    OrgUnit,
    Period,
    Person,
    PersonPlacement,
    Position,
    UnitRollup,
    UnitSuccession,
    User,
)
from data_access.queries import rankings, units
from data_access.queries.admin import unit_token
from data_access.queries.reorganisations import lineage, units_in_period
from data_access.rollups import rebuild_all
from data_access.viewer import Viewer, load_viewer
from domain.periods import periods_of_year
from tests.conftest import TEST_TODAY
from tests.support.builders import SmallTree, add_indicator, build_small_tree
from tests.support.databases import TestDatabases

REFORM = date(2026, 1, 1)
LAST_YEAR, THIS_YEAR = "2025", "2026"


@dataclass(frozen=True)
class Town:
    tree: SmallTree  # last year's periods
    this_year: int  # the 2026 year period
    admin: Viewer  # the city's administrator
    ward_b_admin: Viewer  # an administrator scoped to ward B only
    ward_a_leader: int  # a ward leader's account, scoped to ward A
    people: dict[str, int]  # in ward A, in the division


@pytest.fixture
def town(databases: TestDatabases) -> Iterator[tuple[Store, Town]]:
    store = Store.connect(databases.clone(databases.template("empty")))
    try:
        yield store, _build(store)
    finally:
        store.dispose()


def _build(store: Store) -> Town:
    tree = build_small_tree(store, year=2025)
    ward_a_score = add_indicator(store, tree, unit_id=tree.ward_a, code="KT-01")
    ward_b_score = add_indicator(store, tree, unit_id=tree.ward_b, code="KT-01")
    with store.write() as session:
        for period in periods_of_year(2026):
            session.add(
                Period(
                    code=period.code,
                    kind=period.kind.value,
                    year=2026,
                    number=period.number,
                    start_date=period.start,
                    end_date=period.end,
                    locked=False,
                    grace_days=10,
                )
            )
        session.add_all(
            [
                Measurement(indicator_id=ward_a_score, value=80, measured_on=date(2025, 12, 1), status="approved"),
                Measurement(indicator_id=ward_b_score, value=40, measured_on=date(2025, 12, 1), status="approved"),
            ]
        )
        # Last year is closed: its periods are locked.
        session.execute(update(Period).where(Period.year == 2025).values(locked=True))
        clerk = Position(unit_id=tree.ward_a, code="CV", name="Chuyên viên", task_group="tổng hợp")
        officer = Position(unit_id=tree.division, code="CV", name="Chuyên viên", task_group="văn hóa")
        session.add_all([clerk, officer])
        session.flush()
        people = {}
        for n, (key, unit, position) in enumerate(
            [
                ("an", tree.ward_a, clerk),
                ("binh", tree.division, officer),
                ("chi", tree.division, officer),
                ("dung", tree.division, officer),
            ]
        ):
            person = Person(
                citizen_id=f"00109000000{n}",
                civil_servant_code=f"CC-{n}",
                full_name=key,
                gender="female",
                birth_year=1990,
                unit_id=unit,
                position_id=position.id,
                start_date=date(2020, 1, 1),
            )
            session.add(person)
            session.flush()
            people[key] = person.id
        users = []
        for name, scope in (("city-admin", tree.city), ("ward-b-admin", tree.ward_b), ("ward-a-leader", tree.ward_a)):
            role = "leader" if name == "ward-a-leader" else "admin"
            user = User(username=name, password_hash="x", role=role, scope_unit_id=scope)
            session.add(user)
            users.append(user)
        session.flush()
        ids = [u.id for u in users]
        this_year = session.execute(select(Period.id).where(Period.code == THIS_YEAR)).scalar_one()
    with store.read() as session:
        admin, ward_b_admin = load_viewer(session, ids[0]), load_viewer(session, ids[1])
    return Town(tree, this_year, admin, ward_b_admin, ids[2], people)


def _token(store: Store, unit_id: int) -> str:
    with store.read() as session:
        unit = session.get(OrgUnit, unit_id)
        assert unit is not None
        return unit_token(unit)


def _rollup(store: Store, unit_id: int, period: str) -> tuple:
    with store.read() as session:
        row = session.execute(
            select(UnitRollup)
            .join(Period, Period.id == UnitRollup.period_id)
            .where(UnitRollup.unit_id == unit_id, Period.code == period)
        ).scalar_one()
        return tuple(getattr(row, c.key) for c in UnitRollup.__table__.columns)


def _rollups(store: Store) -> list[tuple]:
    with store.read() as session:
        rows = session.execute(select(UnitRollup).order_by(UnitRollup.unit_id, UnitRollup.period_id)).scalars()
        return [tuple(getattr(r, c.key) for c in UnitRollup.__table__.columns) for r in rows]


def _same(a: list[tuple], b: list[tuple]) -> bool:
    def equal(x: object, y: object) -> bool:
        if isinstance(x, float) and isinstance(y, float):
            return math.isclose(x, y, abs_tol=1e-9)
        return x == y

    return len(a) == len(b) and all(all(map(equal, r, s)) for r, s in zip(a, b, strict=True))


def _merge(store: Store, town: Town) -> int:
    result = reorgs.merge_units(
        store,
        viewer=town.admin,
        unit_ids=[town.tree.ward_a, town.tree.ward_b],
        version=_token(store, town.tree.ward_a),
        name="Phường Hoàn Kiếm",
        effective_on=REFORM,
    )
    assert result.people_moved == 4 and result.units_moved == 1
    return result.successor_ids[0]


def _ranked(store: Store, viewer: Viewer, period: str) -> dict[str, float | None]:
    with store.read() as session:
        return {r.name: r.score for r in rankings.unit_rankings(session, viewer=viewer, period=period).get("ward", [])}


def test_a_merge_keeps_last_years_rankings_and_counts_this_year_under_the_new_ward(town: tuple[Store, Town]) -> None:
    store, t = town
    # Plans for this year made before the merge go to the new ward with them, under codes kept apart.
    planned = add_indicator(store, t.tree, unit_id=t.tree.ward_a, code="KT-02")
    also_planned = add_indicator(store, t.tree, unit_id=t.tree.ward_b, code="KT-02")
    with store.write() as session:
        for indicator_id in (planned, also_planned):
            session.get(Indicator, indicator_id).period_id = t.this_year  # type: ignore[union-attr]
    before_ranking = _ranked(store, t.admin, LAST_YEAR)
    assert before_ranking == {"WA": pytest.approx(0.8), "WB": pytest.approx(0.4)}
    city_last_year = _rollup(store, t.tree.city, LAST_YEAR)
    city_last_quarter = _rollup(store, t.tree.city, "2025-Q4")

    merged = _merge(store, t)

    # Last year: both wards, their old scores; the new ward did not exist yet.
    assert _ranked(store, t.admin, LAST_YEAR) == before_ranking
    assert _same([_rollup(store, t.tree.city, LAST_YEAR)], [city_last_year])
    assert _same([_rollup(store, t.tree.city, "2025-Q4")], [city_last_quarter])
    # This year: only the new ward, and the plan made under ward A is now its own.
    assert set(_ranked(store, t.admin, THIS_YEAR)) == {"Phường Hoàn Kiếm"}
    with store.write() as session:
        indicator = session.get(Indicator, planned)
        assert indicator is not None and indicator.unit_id == merged
        other = session.get(Indicator, also_planned)
        assert other is not None and other.unit_id == merged
        assert {indicator.code, other.code} == {"KT-02", f"KT-02~{t.tree.ward_b}"}
        session.add(Measurement(indicator_id=planned, value=60, measured_on=date(2026, 10, 1), status="approved"))
    assert _ranked(store, t.admin, THIS_YEAR) == {
        "Phường Hoàn Kiếm": pytest.approx(0.6)
    }  # the other plan has no value yet
    merged_rollup, city_rollup = _rollup(store, merged, THIS_YEAR), _rollup(store, t.tree.city, THIS_YEAR)
    columns = [c.key for c in UnitRollup.__table__.columns]
    assert merged_rollup[columns.index("score")] == pytest.approx(0.6)
    assert merged_rollup[columns.index("n_indicators")] == 2
    assert city_rollup[columns.index("score")] == pytest.approx(0.6)
    assert city_rollup[columns.index("n_indicators")] == 2
    assert _same([_rollup(store, t.tree.city, LAST_YEAR)], [city_last_year])

    with store.read() as session:
        # The closed wards end the day before; their successor starts on the day, linked both ways.
        a, b = session.get(OrgUnit, t.tree.ward_a), session.get(OrgUnit, t.tree.ward_b)
        assert a is not None and b is not None
        assert (a.valid_to, b.valid_to, a.active) == (date(2025, 12, 31), date(2025, 12, 31), False)
        seen = lineage(session, viewer=t.admin, unit_id=merged)
        assert {p.name for p in seen.predecessors} == {"WA", "WB"}
        assert {p.change_kind for p in seen.predecessors} == {"merge"}
        assert [s.name for s in lineage(session, viewer=t.admin, unit_id=t.tree.ward_a).successors] == [
            "Phường Hoàn Kiếm"
        ]
        # The city's page lists the wards of each period.
        below_then = units.children_figures(session, viewer=t.admin, unit_id=t.tree.city, period=LAST_YEAR)
        below_now = units.children_figures(session, viewer=t.admin, unit_id=t.tree.city, period=THIS_YEAR)
        assert [c.name for c in below_then] == ["WA", "WB"]
        assert [c.name for c in below_now] == ["Phường Hoàn Kiếm"]
        # The units as they were: last year two wards and the division under A; this year the new ward.
        last = {u.name for u in units_in_period(session, viewer=t.admin, period=LAST_YEAR)}
        now = {u.name for u in units_in_period(session, viewer=t.admin, period=THIS_YEAR)}
        assert last == {"City", "WA", "WB", "WA-D"}
        assert now == {"City", "Phường Hoàn Kiếm", "WA-D"}
        # The division got a new row under the new ward; its old row stays under ward A for the past.
        division_now = session.execute(
            select(OrgUnit).where(OrgUnit.name == "WA-D", OrgUnit.valid_to.is_(None))
        ).scalar_one()
        assert division_now.parent_id == merged and division_now.code == "WA-D"
        assert session.get(OrgUnit, t.tree.division).parent_id == t.tree.ward_a  # type: ignore[union-attr]
        # People work in the new units from the day; their placement in the old one ends the day before.
        an = session.get(Person, t.people["an"])
        assert an is not None and an.unit_id == merged
        placements = session.execute(
            select(PersonPlacement.unit_id, PersonPlacement.valid_from, PersonPlacement.valid_to)
            .where(PersonPlacement.person_id == an.id)
            .order_by(PersonPlacement.valid_from)
        ).all()
        assert [tuple(p) for p in placements] == [
            (t.tree.ward_a, date(2020, 1, 1), date(2025, 12, 31)),
            (merged, REFORM, None),
        ]
        assert session.get(Position, an.position_id).unit_id == merged  # type: ignore[union-attr]
        # Last year's page of ward A lists the people who worked there then; this year's, the new ward's.
        people_then = units.unit_people(session, viewer=t.admin, unit_id=t.tree.ward_a, period=LAST_YEAR)
        assert set(people_then["name"]) == {"an", "binh", "chi", "dung"}
        assert units.unit_people(session, viewer=t.admin, unit_id=t.tree.ward_a, period=THIS_YEAR).empty
        people_now = units.unit_people(session, viewer=t.admin, unit_id=merged, period=THIS_YEAR)
        assert set(people_now["name"]) == {"an", "binh", "chi", "dung"}
        # The ward leader's account now looks after the new ward.
        assert session.get(User, t.ward_a_leader).scope_unit_id == merged  # type: ignore[union-attr]
        entries = session.execute(
            select(AuditEntry.entity_id, AuditEntry.detail, AuditEntry.after_json).where(
                AuditEntry.action == "org_unit.merge"
            )
        ).all()
        # Two wards and the division closed, the new ward and the division's new row opened, and what
        # each of the three carried over (people, accounts, plans, tasks) on its own entry.
        assert sum(1 for e in entries if e.detail in ("closed",) or e.detail.startswith("opened")) == 5
        carried = {int(e.entity_id): json.loads(e.after_json) for e in entries if e.detail.startswith("carried")}
        assert set(carried) == {t.tree.ward_a, t.tree.ward_b, t.tree.division}
        assert carried[t.tree.ward_a]["people"] == {str(t.people["an"]): merged}
        assert carried[t.tree.ward_a]["accounts"] == [t.ward_a_leader]
        assert carried[t.tree.ward_a]["indicators"] == [planned]


def test_a_split_places_people_under_the_parts_and_leaves_the_past_alone(town: tuple[Store, Town]) -> None:
    store, t = town
    merged = _merge(store, t)
    with store.read() as session:
        division = session.execute(
            select(OrgUnit.id).where(OrgUnit.parent_id == merged, OrgUnit.valid_to.is_(None))
        ).scalar_one()
    old_division_last_year = _rollup(store, t.tree.division, LAST_YEAR)
    ward_a_last_year = _rollup(store, t.tree.ward_a, LAST_YEAR)
    result = reorgs.split_unit(
        store,
        viewer=t.admin,
        unit_id=division,
        version=_token(store, division),
        names=["Phòng Văn hóa", "Phòng Thông tin"],
        effective_on=date(2026, 7, 1),
        assignment={t.people["dung"]: 1},
    )
    culture, information = result.successor_ids
    with store.read() as session:
        where = {p.full_name: p.unit_id for p in session.execute(select(Person)).scalars()}
        assert where == {"an": merged, "binh": culture, "chi": culture, "dung": information}
        links = session.execute(
            select(UnitSuccession.successor_id, UnitSuccession.change_kind).where(
                UnitSuccession.predecessor_id == division
            )
        ).all()
        assert {tuple(link) for link in links} == {(culture, "split"), (information, "split")}
        dung = session.get(Person, t.people["dung"])
        assert dung is not None and session.get(Position, dung.position_id).unit_id == information  # type: ignore[union-attr]
        # In 2026 the division existed until June 30 and its parts from July 1: all three count.
        this_year = {u.name for u in units_in_period(session, viewer=t.admin, period=THIS_YEAR)}
        assert {"WA-D", "Phòng Văn hóa", "Phòng Thông tin"} <= this_year
        q1 = {u.name for u in units_in_period(session, viewer=t.admin, period="2026-Q1")}
        assert "Phòng Văn hóa" not in q1 and "WA-D" in q1
    assert _same([_rollup(store, t.tree.division, LAST_YEAR)], [old_division_last_year])
    assert _same([_rollup(store, t.tree.ward_a, LAST_YEAR)], [ward_a_last_year])


def test_rollups_equal_a_full_rebuild_after_reorganisations(town: tuple[Store, Town]) -> None:
    store, t = town
    merged = _merge(store, t)
    this_year = add_indicator(store, t.tree, unit_id=merged, code="KT-09")
    with store.write() as session:
        session.get(Indicator, this_year).period_id = t.this_year  # type: ignore[union-attr]
        session.add(Measurement(indicator_id=this_year, value=30, measured_on=date(2026, 3, 1), status="approved"))
    reorgs.rename_unit_from(
        store,
        viewer=t.admin,
        unit_id=merged,
        version=_token(store, merged),
        name="Phường Cửa Nam",
        effective_on=date(2026, 4, 1),
    )
    kept = _rollups(store)
    with store.write() as session:
        rebuild_all(session, today=TEST_TODAY)
    assert _same(kept, _rollups(store))
    with store.read() as session:
        renamed = session.execute(select(OrgUnit).where(OrgUnit.name == "Phường Cửa Nam")).scalar_one()
        # The rename kept the unit's code on the current row; Q1 still shows the name it had then.
        assert renamed.code == session.get(OrgUnit, merged).code.split("@")[0]  # type: ignore[union-attr]
        assert "Phường Hoàn Kiếm" in {u.name for u in units_in_period(session, viewer=t.admin, period="2026-Q1")}
        assert "Phường Hoàn Kiếm" not in {u.name for u in units_in_period(session, viewer=t.admin, period="2026-Q3")}


def _written(store: Store) -> tuple[int, int]:
    with store.read() as session:
        units = session.execute(select(func.count()).select_from(OrgUnit)).scalar_one()
        links = session.execute(select(func.count()).select_from(UnitSuccession)).scalar_one()
        return units, links


def test_an_administrator_of_one_ward_cannot_reorganise_the_other(town: tuple[Store, Town]) -> None:
    store, t = town
    before = _written(store)
    with pytest.raises(Forbidden):
        reorgs.merge_units(
            store,
            viewer=t.ward_b_admin,
            unit_ids=[t.tree.ward_b, t.tree.ward_a],
            version=_token(store, t.tree.ward_b),
            name="X",
            effective_on=REFORM,
        )
    with pytest.raises(Forbidden):
        reorgs.split_unit(
            store,
            viewer=t.ward_b_admin,
            unit_id=t.tree.division,
            version=_token(store, t.tree.division),
            names=["A", "B"],
            effective_on=REFORM,
        )
    assert _written(store) == before
    with store.read() as session:
        refusals = session.execute(
            select(AuditEntry.action, AuditEntry.outcome).where(AuditEntry.user_id == t.ward_b_admin.user_id)
        ).all()
    assert [tuple(r) for r in refusals] == [("org_unit.merge", "denied"), ("org_unit.split", "denied")]


def test_bad_input_and_stale_versions_write_nothing(town: tuple[Store, Town]) -> None:
    store, t = town
    before = _written(store)
    ward_a, ward_b = t.tree.ward_a, t.tree.ward_b
    token = _token(store, ward_a)
    cases = [
        (dict(unit_ids=[ward_a, ward_b], name="X", effective_on=date(2025, 7, 1)), {"effective_on": "locked_period"}),
        (dict(unit_ids=[ward_a], name="X", effective_on=REFORM), {"units": "merge_needs_two"}),
        (dict(unit_ids=[ward_a, ward_b], name=" ", effective_on=REFORM), {"name": "required"}),
        (dict(unit_ids=[ward_a, ward_b], name="X", effective_on=None), {"effective_on": "date_required"}),
        (dict(unit_ids=[ward_a, t.tree.division], name="X", effective_on=REFORM), {"units": "mixed_kinds"}),
    ]
    for arguments, problems in cases:
        with pytest.raises(Invalid) as refused:
            reorgs.merge_units(store, viewer=t.admin, version=token, **arguments)  # type: ignore[arg-type]
        assert refused.value.problems.items() >= problems.items(), arguments
    with pytest.raises(Conflict):
        reorgs.merge_units(
            store, viewer=t.admin, unit_ids=[ward_a, ward_b], version="stale", name="X", effective_on=REFORM
        )
    assert _written(store) == before


def test_the_merged_wards_leader_reads_the_history_of_the_wards_it_was_formed_from(town: tuple[Store, Town]) -> None:
    store, t = town
    with store.write() as session:
        division_head = User(username="division-head", password_hash="x", role="manager", scope_unit_id=t.tree.division)
        session.add(division_head)
        session.flush()
        division_head_id = division_head.id
    merged = _merge(store, t)
    with store.read() as session:
        leader = load_viewer(session, t.ward_a_leader)
        head = load_viewer(session, division_head_id)
        assert leader.scope_unit_id == merged
        # Last year's figures of both wards it was formed from, and the links to them.
        for ward in (t.tree.ward_a, t.tree.ward_b):
            figures = units.unit_figures(session, viewer=leader, unit_id=ward, period=LAST_YEAR)
            assert figures.score is not None
        seen = lineage(session, viewer=leader, unit_id=merged)
        assert {p.unit_id for p in seen.predecessors} == {t.tree.ward_a, t.tree.ward_b}
        # The division's head follows the division (its new row), not the wards above it.
        assert head.scope_unit_id != t.tree.division
        units.unit_figures(session, viewer=head, unit_id=t.tree.division, period=LAST_YEAR)
        with pytest.raises(Forbidden):
            units.unit_figures(session, viewer=head, unit_id=t.tree.ward_a, period=LAST_YEAR)


def test_a_merge_dated_before_a_unit_below_started_is_refused_with_a_message(town: tuple[Store, Town]) -> None:
    store, t = town
    # The division moves to ward B from March; merging the wards from January would end its new row
    # before it starts.
    moved = reorgs.move_unit_from(
        store,
        viewer=t.admin,
        unit_id=t.tree.division,
        version=_token(store, t.tree.division),
        new_parent_id=t.tree.ward_b,
        effective_on=date(2026, 3, 1),
    )
    before = _written(store)
    with pytest.raises(Invalid) as refused:
        reorgs.merge_units(
            store,
            viewer=t.admin,
            unit_ids=[t.tree.ward_b, t.tree.ward_a],
            version=_token(store, t.tree.ward_b),
            name="X",
            effective_on=REFORM,
        )
    assert refused.value.problems == {"effective_on": "before_unit_start"}
    assert _written(store) == before
    with store.read() as session:
        row = session.get(OrgUnit, moved.successor_ids[0])
        assert row is not None and row.parent_id == t.tree.ward_b and row.valid_to is None


def test_two_administrators_merging_the_same_wards_at_once_make_one_merge(town: tuple[Store, Town]) -> None:
    """The wards are locked before the version check: the second merge waits, then finds them changed."""
    import threading

    store, t = town
    token = _token(store, t.tree.ward_a)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def merge(name: str) -> None:
        barrier.wait()
        try:
            outcomes.append(
                reorgs.merge_units(
                    store,
                    viewer=t.admin,
                    unit_ids=[t.tree.ward_a, t.tree.ward_b],
                    version=token,
                    name=name,
                    effective_on=REFORM,
                )
            )
        except Exception as problem:  # noqa: BLE001 (the outcome is what the test looks at)
            outcomes.append(problem)

    threads = [threading.Thread(target=merge, args=(name,)) for name in ("Phường Một", "Phường Hai")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(isinstance(o, reorgs.Reorganised) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, (Conflict, Invalid)) for o in outcomes) == 1, outcomes
    with store.read() as session:
        assert session.execute(select(func.count()).select_from(UnitSuccession)).scalar_one() == 3  # 2 wards + division
    kept = _rollups(store)
    with store.write() as session:
        rebuild_all(session, today=TEST_TODAY)
    assert _same(kept, _rollups(store))

"""The lagging list sorted, filtered and paged in SQL: a small tree worked out by hand, then the pilot demo
checked against the plain list, and forged requests refused.

Today is pinned to 2026-11-20, so the year's expected progress is 324/365 = 0.8877 (88.8 % shown):
on track from 0.8377, at risk from 0.6877, off track below. Every indicator goes 0 -> 100, last value.

| indicator | unit (kind)                 | weight | value | progress | status    | weighted gap          |
| records   | Phòng Văn hóa (division)    | 2      | 40    | 40.0     | off track | 2 x 0.4877 = 0.975    |
| online    | Phường Ba Đình (ward)       | 1      | 10    | 10.0     | off track | 0.788                 |
| meetings  | Thành phố (city)            | 1      | 60    | 60.0     | off track | 0.288                 |
| đường     | Phường Đống Đa (ward)       | 1      | 70    | 70.0     | at risk   | 0.188                 |
| budget    | Phường Ba Đình (ward)       | 3      | 95    | 95.0     | on track  | (not lagging)         |
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from data_access.db import Store
from data_access.errors import Forbidden, Invalid
from data_access.models import (
    Indicator,
    IndicatorRollup,
    Measurement,
    Objective,
    OrgUnit,
    Period,
    Person,
    UnitRollup,
    User,
)
from data_access.queries.lagging import (
    ColumnFilter,
    Condition,
    LaggingLabels,
    SortKey,
    lagging_count,
    lagging_indicators,
    lagging_page,
)
from data_access.viewer import Viewer, load_viewer
from domain.kinds import Role
from tests.support.builders import SmallTree, add_indicator, build_small_tree

LABELS = LaggingLabels(
    unit_kinds={"city": "City", "ward": "Ward / commune", "division": "Division"},
    statuses={"at_risk": "At risk", "off_track": "Off track"},
    sources={"resolution": "Resolution", "regular_work": "Regular work"},
)


class Hand:
    """The hand-made store: indicator ids by short name, and a viewer for the city."""

    def __init__(self, store: Store, tree: SmallTree, ids: dict[str, int]) -> None:
        self.store, self.tree, self.ids = store, tree, ids
        self.names = {v: k for k, v in ids.items()}
        self.city = Viewer(1, "leader", Role.LEADER, tree.city, f"/{tree.city}/")

    def page(self, *, viewer: Viewer | None = None, **options: Any) -> tuple[list[str], int]:
        with self.store.read() as session:
            result = lagging_page(session, viewer=viewer or self.city, period="2026", labels=LABELS, **options)
        return [self.names[int(i)] for i in result.rows["indicator_id"]], result.total

    def rows(self, **options: Any) -> list[dict[str, Any]]:
        with self.store.read() as session:
            result = lagging_page(session, viewer=self.city, period="2026", labels=LABELS, **options)
        return result.rows.to_dict("records")


def _text(field: str, operator: str, value: str) -> ColumnFilter:
    return ColumnFilter(field, (Condition(operator, value),))


def _number(field: str, operator: str, value: float, value_to: float | None = None) -> ColumnFilter:
    return ColumnFilter(field, (Condition(operator, value, value_to),))


@pytest.fixture
def hand(empty_store: Store) -> Hand:
    tree = build_small_tree(empty_store)
    names = {
        tree.city: "Thành phố",
        tree.ward_a: "Phường Đống Đa",
        tree.ward_b: "Phường Ba Đình",
        tree.division: "Phòng Văn hóa",
    }
    with empty_store.write() as session:
        for unit_id, name in names.items():
            session.get(OrgUnit, unit_id).name = name
        owner = Person(
            citizen_id="001090000001",
            civil_servant_code="CC-1",
            full_name="Đặng Thu Hà",
            gender="female",
            birth_year=1990,
            unit_id=tree.ward_a,
        )
        resolution = Objective(
            unit_id=tree.division,
            period_id=tree.year_period,
            title="Chuyển đổi số",
            source_kind="resolution",
            source_ref="57-NQ/TW",
            weight=1.0,
        )
        session.add_all([owner, resolution])
    plan = [
        ("records", tree.division, 2.0, 40),
        ("online", tree.ward_b, 1.0, 10),
        ("meetings", tree.city, 1.0, 60),
        ("đường", tree.ward_a, 1.0, 70),
        ("budget", tree.ward_b, 3.0, 95),
    ]
    ids = {name: add_indicator(empty_store, tree, unit_id=unit, weight=weight) for name, unit, weight, _ in plan}
    with empty_store.write() as session:
        for name, _unit, _weight, value in plan:
            indicator = session.get(Indicator, ids[name])
            indicator.name = {"meetings": "Số cuộc họp (giảm 10%/năm)", "đường": "Đường truyền số"}.get(
                name, name.title()
            )
            session.add(
                Measurement(indicator_id=ids[name], value=value, measured_on=date(2026, 10, 31), status="approved")
            )
        session.get(Indicator, ids["đường"]).owner_person_id = owner.id
        session.get(Indicator, ids["records"]).objective_id = resolution.id
    return Hand(empty_store, tree, ids)


def test_the_rollups_store_the_weighted_gap(hand: Hand) -> None:
    with hand.store.read() as session:
        gaps = dict(
            session.execute(
                select(IndicatorRollup.indicator_id, IndicatorRollup.gap).where(
                    IndicatorRollup.period_id == hand.tree.year_period
                )
            ).all()
        )
    assert gaps[hand.ids["records"]] == pytest.approx(2 * (324 / 365 - 0.4))
    assert gaps[hand.ids["budget"]] == pytest.approx(3 * (324 / 365 - 0.95))  # negative: ahead of plan


def test_the_biggest_weighted_gaps_come_first_and_blocks_page_through(hand: Hand) -> None:
    assert hand.page() == (["records", "online", "meetings", "đường"], 4)
    assert hand.page(limit=2) == (["records", "online"], 4)
    assert hand.page(offset=2, limit=2) == (["meetings", "đường"], 4)
    assert hand.page(offset=4, limit=2) == ([], 4)
    first = hand.rows(limit=1)[0]
    assert (first["progress_pct"], first["expected_pct"], first["gap"]) == (40.0, 88.8, 97.5)  # all in %
    assert (first["unit"], first["unit_kind"], first["source_kind"], first["source_ref"]) == (
        "Phòng Văn hóa",
        "division",
        "resolution",
        "57-NQ/TW",
    )
    with hand.store.read() as session:
        assert lagging_count(session, viewer=hand.city, period="2026") == 4
        top = lagging_indicators(session, viewer=hand.city, period="2026", limit=2)
    assert [hand.names[i] for i in top["indicator_id"]] == ["records", "online"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ([SortKey("progress")], ["online", "records", "meetings", "đường"]),
        ([SortKey("progress", descending=True)], ["đường", "meetings", "records", "online"]),
        (
            [SortKey("unit")],
            ["records", "online", "đường", "meetings"],
        ),  # Phòng < Phường Ba Đình < Phường Đống Đa < Thành phố
        (
            [SortKey("unit_kind"), SortKey("gap", descending=True)],
            ["meetings", "records", "online", "đường"],
        ),  # City, Division, Ward
        (
            [SortKey("status"), SortKey("progress")],
            ["đường", "online", "records", "meetings"],
        ),  # At risk before Off track
        ([SortKey("owner")], ["đường", "records", "online", "meetings"]),  # Đặng Thu Hà, then the unowned "–" by id
    ],
)
def test_sorting_by_any_column(hand: Hand, sort: list[SortKey], expected: list[str]) -> None:
    assert hand.page(sort=sort) == (expected, 4)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # A unit filter includes the units under it: the ward Đống Đa brings its division's "records".
        ([_text("unit", "contains", "đống đa")], ["records", "đường"]),  # Unicode case folding, on SQLite too
        ([_text("unit", "equals", "phường đống đa")], ["records", "đường"]),
        ([_text("unit", "contains", "văn hóa")], ["records"]),  # a division alone: nothing of its ward
        ([_text("unit", "startsWith", "PHƯỜNG")], ["records", "online", "đường"]),
        ([_text("unit", "endsWith", "ba đình")], ["online"]),
        ([_text("unit", "notContains", "phường")], ["meetings"]),  # the division is in a ward: left out
        ([_text("unit", "notEqual", "phường ba đình")], ["records", "meetings", "đường"]),
        ([_text("unit", "contains", "thành phố")], ["records", "online", "meetings", "đường"]),
        ([_text("indicator", "endsWith", "số")], ["đường"]),
        ([_text("indicator", "contains", "10%")], ["meetings"]),  # % is a character, not a wildcard
        ([_text("indicator", "contains", "%")], ["meetings"]),
        ([_text("indicator", "contains", "_")], []),
        ([_text("unit_kind", "equals", "ward / commune")], ["online", "đường"]),  # the label the user sees
        ([_text("unit_kind", "notEqual", "Ward / commune")], ["records", "meetings"]),
        ([_text("status", "equals", "at risk")], ["đường"]),
        ([_text("source", "contains", "resolution 57")], ["records"]),
        ([_text("source", "equals", "–")], ["online", "meetings", "đường"]),  # no objective, no source
        ([_text("owner", "contains", "đặng")], ["đường"]),
        ([_number("progress", "lessThan", 40)], ["online"]),
        ([_number("progress", "lessThanOrEqual", 40)], ["records", "online"]),
        ([_number("progress", "equals", 60)], ["meetings"]),
        ([_number("progress", "inRange", 10, 70)], ["records", "meetings"]),  # both bounds excluded, as the grid does
        ([_number("gap", "greaterThanOrEqual", 78.8)], ["records", "online"]),  # the shown (rounded) value
        ([_number("expected", "notEqual", 88.8)], []),
        (
            [ColumnFilter("progress", (Condition("lessThan", 20), Condition("greaterThan", 65)), "OR")],
            ["online", "đường"],
        ),
        (
            [ColumnFilter("unit", (Condition("contains", "phường"), Condition("notContains", "ba")), "AND")],
            ["records", "đường"],
        ),
        ([_text("unit", "contains", "phường"), _number("progress", "greaterThan", 50)], ["đường"]),
    ],
)
def test_filtering_by_what_the_user_sees(hand: Hand, filters: list[ColumnFilter], expected: list[str]) -> None:
    assert hand.page(filters=filters) == (expected, len(expected))
    if len(expected) > 1:  # a filtered block shorter than the list still gives the filtered total
        assert hand.page(filters=filters, limit=1) == (expected[:1], len(expected))


def test_the_list_stays_in_the_viewer_scope(hand: Hand) -> None:
    ward_b = Viewer(2, "ward", Role.LEADER, hand.tree.ward_b, f"/{hand.tree.city}/{hand.tree.ward_b}/")
    assert hand.page(viewer=ward_b) == (["online"], 1)
    assert hand.page(viewer=ward_b, filters=[_text("unit", "contains", "")]) == (["online"], 1)
    assert hand.page(unit_id=hand.tree.ward_a) == (["records", "đường"], 2)
    with pytest.raises(Forbidden), hand.store.read() as session:
        lagging_page(session, viewer=ward_b, period="2026", unit_id=hand.tree.ward_a)
    with hand.store.read() as session:
        assert lagging_count(session, viewer=ward_b, period="2026") == 1


@pytest.mark.parametrize(
    "options",
    [
        {"sort": [SortKey("indicators.name; DROP TABLE indicators")]},
        {"sort": [SortKey("gap")] * 4},
        {"filters": [_text("password_hash", "contains", "a")]},
        {"filters": [_text("unit", "regex", ".*")]},
        {"filters": [_text("unit", "lessThan", "a")]},  # a number operator on a text column
        {"filters": [_number("progress", "contains", 1)]},
        {"filters": [ColumnFilter("progress", (Condition("lessThan", "1 OR 1=1"),))]},  # type: ignore[arg-type]
        {"filters": [_number("progress", "lessThan", float("nan"))]},
        {"filters": [_number("progress", "lessThan", 10**400)]},  # JSON integers have no size limit
        {"filters": [_number("progress", "inRange", 1)]},  # no upper bound
        {"filters": [ColumnFilter("unit", (Condition("contains", "a"),) * 3)]},
        {"filters": [ColumnFilter("unit", (Condition("contains", "a"),), "XOR")]},
        {"filters": [_text("unit", "contains", "x" * 201)]},
        {"limit": 0},
        {"limit": 501},
        {"offset": -1},
    ],
)
def test_anything_outside_the_whitelist_is_refused(hand: Hand, options: dict[str, Any]) -> None:
    with pytest.raises(Invalid), hand.store.read() as session:
        lagging_page(session, viewer=hand.city, period="2026", labels=LABELS, **options)


def test_quotes_and_wildcards_in_values_are_only_text(hand: Hand) -> None:
    assert hand.page(filters=[_text("unit", "contains", "' OR '1'='1")]) == ([], 0)
    assert hand.page(filters=[_text("unit", "notContains", "' OR '1'='1")]) == (
        ["records", "online", "meetings", "đường"],
        4,
    )
    with hand.store.read() as session:  # and the table is still there
        assert len(session.execute(select(Indicator.id)).all()) == 5


# --- the pilot demo: the SQL path agrees with the plain list ---------------------------------------------


def _leader(store: Store, username: str) -> Viewer:
    with store.read() as session:
        return load_viewer(session, session.execute(select(User.id).where(User.username == username)).scalar_one())


def test_pilot_blocks_put_together_give_the_whole_list(shared_demo_store: Store) -> None:
    city = _leader(shared_demo_store, "lanhdao.thanhpho")
    with shared_demo_store.read() as session:
        whole = lagging_indicators(session, viewer=city, period="2026")
        count = lagging_count(session, viewer=city, period="2026")
        blocks = [
            lagging_page(session, viewer=city, period="2026", offset=start, limit=20)
            for start in range(0, len(whole) + 20, 20)
        ]
    assert len(whole) == count > 40
    assert all(block.total == count for block in blocks)
    paged = [int(i) for block in blocks for i in block.rows["indicator_id"]]
    assert paged == [int(i) for i in whole["indicator_id"]]  # same order, no row twice, none missing
    assert whole["gap"].is_monotonic_decreasing


def test_pilot_filters_and_sorts_agree_with_the_plain_list(shared_demo_store: Store) -> None:
    city = _leader(shared_demo_store, "lanhdao.thanhpho")
    with shared_demo_store.read() as session:
        whole = lagging_indicators(session, viewer=city, period="2026")
        owned = lagging_page(
            session,
            viewer=city,
            period="2026",
            limit=500,
            filters=[_text("owner", "contains", "đặng")],
            sort=[SortKey("progress")],
        )
        slow = lagging_page(
            session,
            viewer=city,
            period="2026",
            limit=7,
            offset=3,
            filters=[_number("progress", "lessThan", 70)],
            sort=[SortKey("indicator", descending=True)],
        )
    expected = whole[whole["owner"].fillna("").str.lower().str.contains("đặng")]
    assert len(expected) > 2 and owned.total == len(expected)
    assert set(owned.rows["indicator_id"]) == set(expected["indicator_id"])
    assert owned.rows["progress_pct"].is_monotonic_increasing
    below = whole[(whole["progress"] * 100).round(1) < 70]  # 70.0 itself is out
    assert slow.total == len(below) > 10
    ordered = below.sort_values(["indicator", "indicator_id"], ascending=[False, True])
    assert list(slow.rows["indicator_id"]) == list(ordered["indicator_id"])[3:10]


def test_pilot_ward_leader_sees_only_the_ward(shared_demo_store: Store) -> None:
    ward = _leader(shared_demo_store, "lanhdao.hoankiem")
    with shared_demo_store.read() as session:
        page = lagging_page(session, viewer=ward, period="2026", limit=500)
        paths = dict(session.execute(select(OrgUnit.id, OrgUnit.path)).all())
        assert page.total == lagging_count(session, viewer=ward, period="2026") == len(page.rows) > 0
    assert all(paths[int(u)].startswith(ward.scope_path) for u in page.rows["unit_id"])


def test_rankings_compare_a_running_year_with_the_same_date_last_year(shared_demo_store: Store) -> None:
    from data_access.queries.rankings import unit_rankings

    city = _leader(shared_demo_store, "lanhdao.thanhpho")
    with shared_demo_store.read() as session:
        ranked = unit_rankings(session, viewer=city, period="2026", today=date(2026, 12, 8))
        same_date = dict(
            session.execute(
                select(UnitRollup.unit_id, UnitRollup.score)
                .join(Period, Period.id == UnitRollup.period_id)
                .where(Period.code == "2025-11")
            ).all()
        )
        whole_year = dict(
            session.execute(
                select(UnitRollup.unit_id, UnitRollup.score)
                .join(Period, Period.id == UnitRollup.period_id)
                .where(Period.code == "2025")
            ).all()
        )
        finished = unit_rankings(session, viewer=city, period="2025", today=date(2026, 12, 8))
    units = [u for rows in ranked.values() for u in rows]
    assert units and all(u.previous == same_date.get(u.unit_id) for u in units)
    assert any(u.previous is not None for u in units)
    assert any(same_date.get(u.unit_id) != whole_year.get(u.unit_id) for u in units)  # not last year's whole year
    assert all(u.previous is None for rows in finished.values() for u in rows)  # 2024 has no rollups in the demo

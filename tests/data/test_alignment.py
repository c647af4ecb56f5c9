"""The alignment tree on a small hand-built store (SQLite and PostgreSQL): a city objective served by a
ward's objective, itself served by its division's; scores rolled up from the key results' rollups;
orphans and unsupported city objectives listed; everything limited to the viewer's scope.
"""

from __future__ import annotations

import math

import pytest

from data_access.db import Store
from data_access.models import Indicator, Measurement, Objective, OrgUnit
from data_access.queries.alignment import AlignmentTree, alignment_tree, key_results_of
from data_access.viewer import Viewer
from domain.kinds import Role
from tests.support.builders import SmallTree, add_indicator, build_small_tree, day


def _objective(store: Store, tree: SmallTree, unit_id: int, title: str, *, parent: int | None = None, **extra) -> int:  # type: ignore[no-untyped-def]
    with store.write() as session:
        row = Objective(
            unit_id=unit_id,
            period_id=tree.year_period,
            title=title,
            source_kind="resolution",
            source_ref="57-NQ/TW",
            parent_objective_id=parent,
            **extra,
        )
        session.add(row)
        session.flush()
        return row.id


def _key_result(store: Store, tree: SmallTree, unit_id: int, objective_id: int, value: float) -> int:
    indicator_id = add_indicator(store, tree, unit_id=unit_id, baseline=0, target=100)
    with store.write() as session:
        session.get(Indicator, indicator_id).objective_id = objective_id
        session.add(Measurement(indicator_id=indicator_id, value=value, measured_on=day(6, 30), status="approved"))
    return indicator_id


def _tree(store: Store, unit_id: int) -> AlignmentTree:
    with store.read() as session:
        return alignment_tree(session, viewer=_viewer(store, unit_id), period="2026")


def _viewer(store: Store, unit_id: int) -> Viewer:
    with store.read() as session:
        path = session.get(OrgUnit, unit_id).path
    return Viewer(user_id=1, username="x", role=Role.LEADER, scope_unit_id=unit_id, scope_path=path)


@pytest.fixture
def cascade(empty_store: Store) -> dict[str, int]:
    tree = build_small_tree(empty_store)
    ids = {"city": tree.city, "ward_a": tree.ward_a, "ward_b": tree.ward_b, "division": tree.division}
    ids["digital"] = _objective(empty_store, tree, tree.city, "Digital transformation")
    ids["smart"] = _objective(empty_store, tree, tree.city, "Smart city")
    ids["ward_digital"] = _objective(empty_store, tree, tree.ward_a, "Ward online services", parent=ids["digital"])
    ids["division_digital"] = _objective(
        empty_store, tree, tree.division, "Division paperless", parent=ids["ward_digital"]
    )
    ids["lonely"] = _objective(empty_store, tree, tree.ward_b, "Ward B regular work")
    ids["draft"] = _objective(empty_store, tree, tree.ward_b, "A draft", parent=ids["digital"], published=False)
    ids["ward_kr"] = _key_result(empty_store, tree, tree.ward_a, ids["ward_digital"], 50)
    ids["division_kr"] = _key_result(empty_store, tree, tree.division, ids["division_digital"], 100)
    ids["lonely_kr"] = _key_result(empty_store, tree, tree.ward_b, ids["lonely"], 30)
    return ids


def test_the_city_objective_shows_what_serves_it_and_its_rolled_up_score(
    empty_store: Store, cascade: dict[str, int]
) -> None:
    tree = _tree(empty_store, cascade["city"])
    digital = tree.nodes[cascade["digital"]]
    assert set(tree.roots) == {cascade["digital"], cascade["smart"]}
    assert digital.children == (cascade["ward_digital"],)
    assert tree.nodes[cascade["ward_digital"]].children == (cascade["division_digital"],)
    assert digital.n_below == 2
    # The division's key result is done (1.0); the ward's own key result is half way (0.5): the ward's
    # objective is the mean of its own 0.5 and the division's 1.0, and the city's has only the ward's.
    assert math.isclose(tree.nodes[cascade["division_digital"]].score, 1.0)
    assert math.isclose(tree.nodes[cascade["ward_digital"]].score, 0.75)
    assert math.isclose(digital.score, 0.75)
    assert tree.nodes[cascade["ward_digital"]].n_key_results == 1
    with empty_store.read() as session:
        krs = key_results_of(
            session,
            viewer=_viewer(empty_store, cascade["city"]),
            period="2026",
            objective_ids=[cascade["ward_digital"], cascade["lonely"]],
        )
        outside = key_results_of(
            session,
            viewer=_viewer(empty_store, cascade["ward_b"]),
            period="2026",
            objective_ids=[cascade["ward_digital"]],
        )
    assert [kr.indicator_id for kr in krs[cascade["ward_digital"]]] == [cascade["ward_kr"]]
    assert [kr.progress for kr in krs[cascade["lonely"]]] == [0.3]
    assert outside == {}  # another ward's key results stay out of reach
    assert cascade["draft"] not in tree.nodes  # a draft objective is not on the tree yet
    assert tree.orphans == (cascade["lonely"],) and tree.n_orphans == 1
    assert tree.unsupported == (cascade["smart"],) and tree.n_unsupported == 1
    assert tree.nodes[cascade["smart"]].status == "no_data"


def test_a_ward_sees_its_own_branch_and_what_it_serves_but_nothing_of_other_wards(
    empty_store: Store, cascade: dict[str, int]
) -> None:
    tree = _tree(empty_store, cascade["ward_a"])
    assert set(tree.nodes) == {cascade["ward_digital"], cascade["division_digital"]}
    assert tree.roots == (cascade["ward_digital"],)
    assert tree.nodes[cascade["ward_digital"]].serves == "Digital transformation"
    assert tree.orphans == () and tree.unsupported == ()


def test_a_value_entered_below_moves_the_city_objective(empty_store: Store, cascade: dict[str, int]) -> None:
    with empty_store.write() as session:
        session.add(Measurement(indicator_id=cascade["ward_kr"], value=100, measured_on=day(7, 31), status="approved"))
    tree = _tree(empty_store, cascade["city"])
    assert math.isclose(tree.nodes[cascade["digital"]].score, 1.0)
    assert tree.nodes[cascade["digital"]].status == "done"


def test_a_store_without_objectives_has_an_empty_tree(empty_store: Store) -> None:
    tree = build_small_tree(empty_store)
    with empty_store.read() as session:
        found = alignment_tree(session, viewer=_viewer(empty_store, tree.city), period="2026-Q2")
    assert found.nodes == {} and found.roots == () and found.n_orphans == found.n_unsupported == 0

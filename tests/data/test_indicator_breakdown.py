"""The indicator page's breakdown: the same indicator (code and year) in the units below, in scope only."""

from __future__ import annotations

from data_access.db import Store
from data_access.models import OrgUnit
from data_access.queries.indicator_breakdown import indicator_breakdown
from data_access.viewer import Viewer
from domain.kinds import Role
from tests.support.builders import add_indicator, build_small_tree


def test_the_same_indicator_below_is_listed_by_unit_in_scope(empty_store: Store) -> None:
    tree = build_small_tree(empty_store)
    ids = {
        unit: add_indicator(empty_store, tree, unit_id=unit, code="TTHC_ONLINE")
        for unit in (tree.city, tree.ward_a, tree.ward_b, tree.division)
    }
    other = add_indicator(empty_store, tree, unit_id=tree.ward_a, code="OTHER")
    with empty_store.read() as session:
        names = {u: session.get(OrgUnit, u).name for u in ids}
    city = Viewer(1, "leader", Role.LEADER, tree.city, f"/{tree.city}/")
    ward_b = Viewer(2, "ward", Role.LEADER, tree.ward_b, f"/{tree.city}/{tree.ward_b}/")

    def below(viewer: Viewer, indicator_id: int) -> set[str]:
        with empty_store.read() as session:
            frame = indicator_breakdown(session, viewer=viewer, indicator_id=indicator_id, period="2026")
        return set(frame["unit"])

    assert below(city, ids[tree.city]) == {names[tree.ward_a], names[tree.ward_b], names[tree.division]}
    assert below(city, ids[tree.ward_a]) == {names[tree.division]}  # the ward's divisions, not the other ward
    assert below(city, ids[tree.division]) == set()  # nothing below: no breakdown
    assert below(city, other) == set()  # another code is another indicator
    assert below(ward_b, ids[tree.ward_b]) == set()

"""What the unit page and the overview need to explain a number: the baseline beside the progress,
what was expected by now, and the children with their kind (so wards are compared with wards).

Today is pinned to 2026-11-20: the year's elapsed share is 324/365. One indicator of ward A goes from
a baseline of 70.0 to a target of 95.0 and stands at 87.1: (87.1 - 70.0) / (95.0 - 70.0) = 68.4 %.
"""

from __future__ import annotations

from datetime import date

import pytest

from data_access.db import Store
from data_access.models import Indicator, Measurement, Person
from data_access.queries.people import person_detail
from data_access.queries.units import overview, unit_indicators
from data_access.viewer import Viewer
from domain.kinds import Role
from tests.support.builders import add_indicator, build_small_tree


def test_a_units_indicators_carry_their_baseline_and_what_was_expected(empty_store: Store) -> None:
    tree = build_small_tree(empty_store)
    indicator = add_indicator(empty_store, tree, unit_id=tree.ward_a, baseline=70.0, target=95.0)
    with empty_store.write() as session:
        owner = Person(
            citizen_id="001090000001",
            civil_servant_code="CC-1",
            full_name="Đặng Thu Hà",
            gender="female",
            birth_year=1990,
            unit_id=tree.ward_a,
        )
        session.add(owner)
        session.flush()
        session.get(Indicator, indicator).owner_person_id = owner.id
        session.add(Measurement(indicator_id=indicator, value=87.1, measured_on=date(2026, 10, 31), status="approved"))
    city = Viewer(1, "leader", Role.LEADER, tree.city, f"/{tree.city}/")
    with empty_store.read() as session:
        frame = unit_indicators(session, viewer=city, unit_id=tree.ward_a, period="2026")
        summary = overview(session, viewer=city, period="2026")
        owned = person_detail(session, viewer=city, person_id=owner.id, period="2026", today=date(2026, 11, 20))
    row = frame.iloc[0]
    assert (row["baseline"], row["target"], row["current_value"]) == (70.0, 95.0, 87.1)
    assert row["progress"] == pytest.approx(17.1 / 25.0)
    assert row["expected"] == pytest.approx(324 / 365)
    # The owner's page shows the same figures for the indicators they own.
    mine = owned.indicators.iloc[0]
    assert (mine["baseline"], mine["target"], mine["current_value"]) == (70.0, 95.0, 87.1)
    assert mine["expected"] == pytest.approx(324 / 365)
    # The overview's children come with their kind; the ward without a value has no score and is left out.
    assert [(c.unit_id, c.kind) for c in summary.children] == [(tree.ward_a, "ward")]

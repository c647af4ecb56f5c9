"""What a bulk import adds to the six qualities (domain.records.imports): which problems keep a record
out, what Pulse requires beyond the exchange format, where a unit may go, and the order units are made."""

from __future__ import annotations

import pytest

from domain.records import Problem, Quality
from domain.records.imports import blocks, merged, orphaned, parents_first, placement_problem, pulse_problems


@pytest.mark.parametrize(
    ("code", "stops"),
    [("stale", False), ("needed_for_exchange", False), ("missing", True), ("duplicate_in_store", True),
     ("required_in_pulse", True), ("out_of_scope", True)],
)  # fmt: skip
def test_only_staleness_and_exchange_needs_let_a_record_in(code: str, stops: bool) -> None:
    assert blocks(Problem(0, "x", code, Quality.CORRECT)) is stops


def test_a_missing_civil_servant_code_is_required_in_pulse_not_just_for_the_exchange() -> None:
    records = [{"citizen_id": "001185001234"}, {"civil_servant_code": "  "}, {"civil_servant_code": "A1"}, 7]
    from_validator = [
        Problem(0, "civil_servant_code", "needed_for_exchange", Quality.SHARED),
        Problem(0, "rank_code", "needed_for_exchange", Quality.SHARED),
        Problem(1, "civil_servant_code", "needed_for_exchange", Quality.SHARED),
        Problem(3, "", "not_a_record", Quality.CORRECT),
    ]
    found = [(p.record, p.field, p.code) for p in merged("profiles", records, from_validator)]
    assert found == [
        (0, "rank_code", "needed_for_exchange"),
        (0, "civil_servant_code", "required_in_pulse"),
        (1, "civil_servant_code", "required_in_pulse"),
        (3, "", "not_a_record"),
    ]


def test_a_unit_needs_a_parent_and_a_kind_pulse_knows() -> None:
    assert [(p.field, p.code) for p in pulse_problems("units", 0, {"code": "X", "kind": "other"})] == [
        ("parent_code", "required_in_pulse"),
        ("kind", "kind_not_in_pulse"),
    ]
    assert pulse_problems("units", 0, {"code": "X", "kind": "division", "parent_code": "HN"}) == []


@pytest.mark.parametrize(
    ("parent", "kind", "allowed"),
    [
        ("city", "ward", True),
        ("city", "commune", True),
        ("city", "department", True),
        ("ward", "division", True),
        ("commune", "division", True),
        ("commune", "party_board", True),
        ("department", "ward", False),
        ("division", "division", False),
        ("ward", "ward", False),
        ("party_board", "division", True),
    ],
)
def test_where_a_unit_may_go(parent: str, kind: str, allowed: bool) -> None:
    assert (placement_problem(parent, kind) is None) is allowed


def test_parents_come_before_their_children_and_cycles_do_not_hang() -> None:
    records = [
        {"code": "C", "parent_code": "B"},
        {"code": "B", "parent_code": "A"},
        {"code": "A", "parent_code": "HN"},
        {"code": "D", "parent_code": "HN"},
        {"code": "X", "parent_code": "Y"},
        {"code": "Y", "parent_code": "X"},
    ]
    order = parents_first(records)
    assert sorted(order) == list(range(6))
    assert order.index(2) < order.index(1) < order.index(0)
    assert order[:4] == [2, 1, 0, 3]


def test_children_of_a_unit_kept_out_are_kept_out_down_the_line() -> None:
    records = [
        {"code": "A", "parent_code": "HN"},
        {"code": "B", "parent_code": "A"},
        {"code": "C", "parent_code": "B"},
        {"code": "D", "parent_code": "HN"},
        "not a record",
    ]
    assert orphaned(records, {0}) == {1: "A", 2: "B"}
    assert orphaned(records, {3}) == {}

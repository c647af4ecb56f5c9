"""The approval cycle of a plan: which transitions exist and who may take them (hand-made viewers on
a small tree: city /1/, ward /1/7/, its division /1/7/42/, another ward /1/8/)."""

from __future__ import annotations

import pytest

from domain.access import Viewer
from domain.kinds import PlanStatus, Role
from domain.plan_cycle import (
    EditMode,
    PlanAction,
    edit_mode,
    may_act,
    may_author,
    may_decide,
    may_delete,
    may_see_plan,
    may_submit,
    next_status,
    numbers_changed,
    parent_unit_id,
    reason_problems,
)

CITY, WARD, DIVISION, OTHER_WARD = "/1/", "/1/7/", "/1/7/42/", "/1/8/"


def viewer(role: Role, scope_id: int, scope_path: str) -> Viewer:
    return Viewer(user_id=scope_id * 10, username="u", role=role, scope_unit_id=scope_id, scope_path=scope_path)


CITY_LEADER = viewer(Role.LEADER, 1, CITY)
CITY_MANAGER = viewer(Role.MANAGER, 1, CITY)
WARD_LEADER = viewer(Role.LEADER, 7, WARD)
DIVISION_HEAD = viewer(Role.MANAGER, 42, DIVISION)
STAFF = viewer(Role.STAFF, 42, DIVISION)
ADMIN = viewer(Role.ADMIN, 1, CITY)
SCREEN = viewer(Role.SCREEN, 1, CITY)


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        (PlanStatus.DRAFT, PlanAction.SUBMIT, PlanStatus.SUBMITTED),
        (PlanStatus.RETURNED, PlanAction.SUBMIT, PlanStatus.SUBMITTED),
        (PlanStatus.SUBMITTED, PlanAction.APPROVE, PlanStatus.APPROVED),
        (PlanStatus.SUBMITTED, PlanAction.RETURN, PlanStatus.RETURNED),
        (PlanStatus.DRAFT, PlanAction.APPROVE, None),
        (PlanStatus.DRAFT, PlanAction.RETURN, None),
        (PlanStatus.SUBMITTED, PlanAction.SUBMIT, None),
        (PlanStatus.APPROVED, PlanAction.SUBMIT, None),
        (PlanStatus.APPROVED, PlanAction.APPROVE, None),
        (PlanStatus.RETURNED, PlanAction.APPROVE, None),
    ],
)
def test_transitions(status: PlanStatus, action: PlanAction, expected: PlanStatus | None) -> None:
    assert next_status(status, action) is expected


def test_authors_are_leaders_and_managers_of_the_subtree() -> None:
    assert may_author(WARD_LEADER, WARD) and may_author(WARD_LEADER, DIVISION)
    assert may_author(CITY_MANAGER, WARD) and may_author(DIVISION_HEAD, DIVISION)
    assert not may_author(WARD_LEADER, OTHER_WARD)  # another ward's plan
    assert not may_author(WARD_LEADER, CITY)  # the level above
    assert not may_author(DIVISION_HEAD, WARD)
    assert not may_author(STAFF, DIVISION) and not may_author(ADMIN, WARD) and not may_author(SCREEN, CITY)


def test_the_head_of_the_unit_submits() -> None:
    assert may_submit(WARD_LEADER, unit_id=7) and may_submit(DIVISION_HEAD, unit_id=42)
    assert not may_submit(WARD_LEADER, unit_id=42)  # the division's own head submits its plan
    assert not may_submit(CITY_LEADER, unit_id=7) and not may_submit(STAFF, unit_id=42)
    assert may_act(WARD_LEADER, PlanAction.SUBMIT, unit_id=7, unit_path=WARD)
    assert not may_act(WARD_LEADER, PlanAction.SUBMIT, unit_id=7, unit_path=OTHER_WARD)  # id and path disagree


def test_a_leader_of_the_level_above_decides_never_the_unit_itself() -> None:
    assert may_decide(CITY_LEADER, WARD) and may_decide(CITY_LEADER, DIVISION)
    assert may_decide(WARD_LEADER, DIVISION)
    assert not may_decide(WARD_LEADER, WARD)  # a ward leader cannot approve its own
    assert not may_decide(WARD_LEADER, OTHER_WARD)
    assert not may_decide(CITY_MANAGER, WARD) and not may_decide(ADMIN, WARD)  # leaders only
    assert may_act(CITY_LEADER, PlanAction.APPROVE, unit_id=7, unit_path=WARD)
    assert not may_act(WARD_LEADER, PlanAction.RETURN, unit_id=7, unit_path=WARD)


def test_the_city_adopts_its_own_plan_having_no_level_above() -> None:
    assert may_decide(CITY_LEADER, CITY)
    assert not may_decide(WARD_LEADER, CITY) and not may_decide(CITY_MANAGER, CITY)


def test_how_a_change_is_made() -> None:
    assert edit_mode(PlanStatus.DRAFT, published=False) is EditMode.DIRECT
    assert edit_mode(PlanStatus.RETURNED, published=False) is EditMode.DIRECT
    assert edit_mode(PlanStatus.SUBMITTED, published=False) is EditMode.LOCKED
    assert edit_mode(PlanStatus.APPROVED, published=True) is EditMode.CHANGE_REQUEST
    # an approved plan being amended: the approved items still need a request, the new ones do not
    assert edit_mode(PlanStatus.DRAFT, published=True) is EditMode.CHANGE_REQUEST
    assert edit_mode(PlanStatus.DRAFT, published=False) is EditMode.DIRECT
    assert may_delete(PlanStatus.DRAFT, published=False)
    assert not may_delete(PlanStatus.DRAFT, published=True)
    assert not may_delete(PlanStatus.SUBMITTED, published=False)


def test_who_sees_a_plan() -> None:
    assert may_see_plan(WARD_LEADER, WARD, PlanStatus.DRAFT)
    assert may_see_plan(WARD_LEADER, CITY, PlanStatus.APPROVED)  # to align to it
    assert not may_see_plan(WARD_LEADER, CITY, PlanStatus.DRAFT)
    assert not may_see_plan(WARD_LEADER, OTHER_WARD, PlanStatus.APPROVED)
    assert may_see_plan(STAFF, DIVISION, PlanStatus.APPROVED)
    assert not may_see_plan(STAFF, DIVISION, PlanStatus.DRAFT)
    assert not may_see_plan(SCREEN, CITY, PlanStatus.APPROVED)


def test_reasons_and_changed_numbers() -> None:
    assert reason_problems("  ") == {"reason": "reason_required"}
    assert reason_problems(None) == {"reason": "reason_required"}
    assert reason_problems("x" * 1001) == {"reason": "too_long"}
    assert reason_problems("Nguồn vốn giảm") == {}
    before = {"target": 90.0, "baseline": 60.0, "weight": 50.0}
    assert numbers_changed(before, {"target": 95.0, "baseline": 60.0, "min_value": 0.0}) == {"target": 95.0}
    assert parent_unit_id(DIVISION) == 7 and parent_unit_id(CITY) is None


def test_what_an_objective_and_a_key_result_must_look_like() -> None:
    from domain.plan_items import IndicatorDraft, ObjectiveDraft, clean, indicator_problems, objective_problems

    assert clean("  Nghị quyết   57  ") == "Nghị quyết 57" and clean(None) == ""
    assert objective_problems(ObjectiveDraft(title="Chuyển đổi số", source_kind="resolution")) == {}
    assert objective_problems(ObjectiveDraft(title=" ", source_kind="x", weight=float("nan"))) == {
        "title": "required",
        "source_kind": "unknown_choice",
        "weight": "not_a_number",
    }
    assert objective_problems(ObjectiveDraft(title="t" * 301, source_kind="key_task", source_ref="r" * 201)) == {
        "title": "too_long",
        "source_ref": "too_long",
    }
    good = IndicatorDraft(name="Hồ sơ trực tuyến", direction="increase", baseline=60, target=90, weight=50)
    assert indicator_problems(good) == {}
    assert indicator_problems(IndicatorDraft(name="x", direction="decrease", baseline=10, target=20)) == {
        "target": "target_not_below_baseline"
    }
    assert indicator_problems(IndicatorDraft(name="x", direction="band", band_low=5, band_high=1)) == {
        "band_low": "band_inverted"
    }
    assert indicator_problems(
        IndicatorDraft(
            name="", direction="sideways", accumulation="max", frequency="daily", data_source="fax", weight=-1
        )
    ) == {
        "name": "required",
        "direction": "unknown_choice",
        "accumulation": "unknown_choice",
        "frequency": "unknown_choice",
        "data_source": "unknown_choice",
        "weight": "weight_negative",
    }

"""Decree 335/2025/ND-CP and Regulation 366-QD/TW: cases computed by hand from the rule text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.rulesets import available_rulesets, load_ruleset
from domain.evaluation import (
    TaskOutcome,
    classify,
    classify_with_conditions,
    general_criteria_points,
    leader_task_result,
    task_result,
)
from domain.quota import apply_quota, check_council_choice, council_seats, excellent_allowance, pooled_groups
from domain.rulesets import DEFAULT_RULES, InvalidRuleSet, Level, RuleSet

DONE = TaskOutcome(completed=True, meets_quality=True)


@pytest.mark.parametrize(
    ("outcome", "quality", "progress"),
    [
        (DONE, 100, 100),
        (TaskOutcome(completed=True, meets_quality=True, major_errors=1), 75, 100),  # 1 - 0.25
        (TaskOutcome(completed=True, meets_quality=True, major_errors=4), 0, 100),  # 1 - 1.0
        (TaskOutcome(completed=True, meets_quality=True, major_errors=5), 0, 100),  # not below 0
        (TaskOutcome(completed=True, meets_quality=True, delays=2), 100, 50),  # 1 - 0.5
        (TaskOutcome(completed=True, meets_quality=True, delays=4), 100, 0),  # 1 - 1.0
        (TaskOutcome(completed=True, meets_quality=True, delays=6), 100, 0),  # not below 0
        (TaskOutcome(completed=True, meets_quality=True, major_errors=1, delays=3), 75, 25),  # each on its own measure
        (TaskOutcome(completed=True, meets_quality=False), 0, 100),  # quality not accepted
        (TaskOutcome(completed=True, meets_quality=True, major_errors=2, delays=3, excused=True), 100, 100),
        (TaskOutcome(completed=False, meets_quality=True), 0, 0),
    ],
)
def test_each_deduction(outcome: TaskOutcome, quality: float, progress: float) -> None:
    result = task_result([outcome])
    assert (result.quality, result.progress) == (pytest.approx(quality), pytest.approx(progress))


def test_coefficients_weigh_the_products() -> None:
    # W = 1 + 2 + 1 = 4. Quantity (1 + 2) / 4 = 75; quality (0.75 + 2) / 4 = 68.75; progress (1 + 2 * 0.5) / 4 = 50.
    # Points = 70 * (75 + 68.75 + 50) / 300 = 45.2083...
    result = task_result(
        [TaskOutcome(1, True, True, major_errors=1), TaskOutcome(2, True, True, delays=2), TaskOutcome(1)]
    )
    assert (result.quantity, result.quality, result.progress) == (75, 68.75, 50)
    assert result.points == pytest.approx(70 * 193.75 / 300)
    assert [line.error_deduction for line in result.lines] == [0.25, 0, 0]


def test_nothing_assigned_gives_no_points() -> None:
    assert task_result([]).points is None
    assert task_result([DONE] * 3).points == pytest.approx(70)


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (90, Level.EXCELLENT),
        (89.99, Level.GOOD),
        (89.994, Level.GOOD),
        (89.995, Level.EXCELLENT),
        (70, Level.GOOD),
        (69.99, Level.COMPLETED),
        (69.995, Level.GOOD),
        (50, Level.COMPLETED),
        (49.99, Level.NOT_COMPLETED),
        (100, Level.EXCELLENT),
        (0, Level.NOT_COMPLETED),
    ],
)
def test_classification_boundaries(total: float, level: Level) -> None:
    assert classify(total) is level


def test_discipline_overrides_the_total() -> None:
    assert classify(98, disciplined=True) is Level.NOT_COMPLETED


@pytest.mark.parametrize(
    ("n", "g", "k"), [(6, 10, 2), (1, 0, 0), (1, 4, 0), (1, 5, 1), (3, 12, 2), (0, 10, 0), (10, 50, 10)]
)
def test_excellent_allowance(n: int, g: int, k: int) -> None:
    # k is the largest whole number with k <= 0.2 * (g + n - k).
    assert excellent_allowance(n, g, 0.2) == k
    assert k <= 0.2 * (g + n - k) + 1e-9 and (k == n or k + 1 > 0.2 * (g + n - k - 1))


def test_quota_keeps_the_best_and_flags_ties_at_the_cut() -> None:
    # 4 excellent + 11 good: k <= 0.2 * (15 - k) -> k = 2. Ranks: 95, 93, 93 (tie across the cut), 91.
    candidates = [(1, 95, 65), (2, 93, 64), (3, 93, 64), (4, 91, 60)] + [(i, 75, 50) for i in range(5, 16)]
    decisions = {d.person_id: d for d in apply_quota(candidates)}
    assert decisions[1].level is Level.EXCELLENT and not decisions[1].moved_down
    # The tied are not demoted: they wait for the council, which has one seat left to give.
    assert decisions[2].level is Level.EXCELLENT and not decisions[2].moved_down and decisions[2].tied_at_cut
    assert decisions[3].tied_at_cut and not decisions[3].moved_down
    assert decisions[4].moved_down and not decisions[4].tied_at_cut
    assert all(decisions[i].level is Level.GOOD and not decisions[i].moved_down for i in range(5, 16))
    assert council_seats(list(decisions.values()), excellent_allowance(4, 11, 0.2)) == 1


def test_a_tie_with_nobody_above_it_leaves_every_seat_to_the_council() -> None:
    # 9 in the group, 2 tied at 100, 7 good: k <= 0.2 * (9 - k) -> k = 1; nobody is kept outright.
    candidates = [(1, 100, 70), (2, 100, 70)] + [(i, 80, 55) for i in range(3, 10)]
    decisions = apply_quota(candidates)
    assert [d.person_id for d in decisions if d.tied_at_cut] == [1, 2]
    assert council_seats(decisions, excellent_allowance(2, 7, 0.2)) == 1


@pytest.mark.parametrize(
    ("keep", "seats", "problem"),
    [([1], 1, None), ([], 1, None), ([1, 2], 1, "over_quota"), ([3], 1, "not_tied"), ([1, 1], 1, None)],
)
def test_the_council_chooses_only_among_the_tied_within_the_seats(
    keep: list[int], seats: int, problem: str | None
) -> None:
    assert check_council_choice([1, 2], keep, seats) == problem


def test_small_groups_pool_with_the_next_group_up() -> None:
    # A deputy head alone in "lanh_dao_phong" (1 excellent, 0 good) keeps no excellent at 20 %: pooled with
    # the unit leaders above when there are some, else with the group below.
    counts = {"lanh_dao_phong": (1, 0), "chuyen_vien_chuyen_mon": (5, 20), "chuyen_vien_tong_hop": (2, 7)}
    pools = pooled_groups(counts, 0.2)
    assert pools == {
        "lanh_dao_phong": "chuyen_vien_chuyen_mon",
        "chuyen_vien_chuyen_mon": "chuyen_vien_chuyen_mon",
        "chuyen_vien_tong_hop": "chuyen_vien_tong_hop",
    }
    with_heads = {"lanh_dao_don_vi": (1, 9), "lanh_dao_phong": (1, 0)}
    assert pooled_groups(with_heads, 0.2)["lanh_dao_phong"] == "lanh_dao_don_vi"
    # A chain of small groups ends in one pool: (1, 0) + (1, 1) still allows none, so both join the
    # group below, whose good members make room for one.
    chain = {"lanh_dao_phong": (1, 0), "chuyen_vien_chuyen_mon": (1, 1), "chuyen_vien_tong_hop": (0, 3)}
    assert set(pooled_groups(chain, 0.2).values()) == {"chuyen_vien_tong_hop"}
    # Groups that can keep someone stay apart.
    assert pooled_groups({"chuyen_vien_chuyen_mon": (1, 5), "chuyen_vien_tong_hop": (0, 1)}, 0.2) == {
        "chuyen_vien_chuyen_mon": "chuyen_vien_chuyen_mon",
        "chuyen_vien_tong_hop": "chuyen_vien_tong_hop",
    }


def test_quota_breaks_equal_totals_by_task_points() -> None:
    candidates = [(1, 92, 66), (2, 92, 61), (3, 91, 60)] + [(i, 80, 55) for i in range(4, 14)]
    # n = 3, g = 10: k <= 0.2 * (13 - k) -> k = 2.
    kept = [d.person_id for d in apply_quota(candidates) if d.level is Level.EXCELLENT]
    assert kept == [1, 2]


def test_leader_weighs_the_unit_results() -> None:
    own = task_result([DONE, DONE])  # 70 points
    # All subordinates completed: 70 * (0.5 * 1 + 0.25 * 1 + 0.25 * 0.8) = 66.5.
    assert leader_task_result(
        own, subordinate_levels=[Level.GOOD, Level.COMPLETED], plan_completion=0.8
    ) == pytest.approx(66.5)
    # One subordinate not completed: unit results count 50%: 70 * (0.5 + 0.125 + 0.2) = 57.75.
    assert leader_task_result(
        own, subordinate_levels=[Level.GOOD, Level.NOT_COMPLETED], plan_completion=0.8
    ) == pytest.approx(57.75)


def test_general_criteria_are_clamped_to_their_maxima() -> None:
    assert (
        general_criteria_points({"politics": 12, "ethics": 5, "manner": -1, "discipline": 9.5}, DEFAULT_RULES.criteria)
        == 24.5
    )


R366 = load_ruleset("regulation_366")


@pytest.mark.parametrize(
    ("total", "outcomes", "level", "reasons"),
    [
        (95, [DONE] * 10, Level.GOOD, ("excellent_needs_exceeded_share",)),  # nobody exceeded requirements
        (95, [TaskOutcome(completed=True, meets_quality=True, exceeded=True)] * 3 + [DONE] * 7, Level.EXCELLENT, ()),
        (
            95,
            [TaskOutcome(completed=True, meets_quality=True, exceeded=True)] * 4
            + [TaskOutcome(completed=True, delays=1)],
            Level.COMPLETED,
            ("excellent_needs_all_on_time", "good_needs_all_on_time"),
        ),
        (
            80,
            [DONE] * 4 + [TaskOutcome(completed=True, meets_quality=True, delays=1)],
            Level.COMPLETED,
            ("good_needs_all_on_time",),
        ),
        (
            60,
            [DONE] * 3 + [TaskOutcome(completed=False)] * 2,
            Level.NOT_COMPLETED,
            ("completed_too_many_late",),
        ),  # 40% late
        (60, [DONE] * 4 + [TaskOutcome(completed=False)], Level.COMPLETED, ()),  # 20% late is allowed
    ],
)
def test_regulation_366_conditions(
    total: float, outcomes: list[TaskOutcome], level: Level, reasons: tuple[str, ...]
) -> None:
    assert classify_with_conditions(total, outcomes, rules=R366) == (level, reasons)


def test_decree_335_has_no_extra_conditions() -> None:
    assert classify_with_conditions(95, [TaskOutcome(completed=True, delays=1)], rules=load_ruleset("decree_335")) == (
        Level.EXCELLENT,
        (),
    )


def test_rule_sets_load_and_bad_ones_are_refused() -> None:
    assert available_rulesets() == ["decree_335", "regulation_366"]
    decree = load_ruleset("decree_335")
    assert (decree.excellent_min, decree.good_min, decree.completed_min, decree.excellent_quota) == (90, 70, 50, 0.2)
    assert RuleSet.from_dict(decree.to_dict()) == decree
    with pytest.raises(InvalidRuleSet):
        RuleSet.from_dict({"good_min": 95})
    with pytest.raises(InvalidRuleSet):
        RuleSet.from_dict({"quantity_weight": 0.5})
    with pytest.raises(InvalidRuleSet):
        RuleSet.from_dict({"bonus": 1})


@given(
    st.lists(
        st.tuples(st.floats(0.1, 5), st.booleans(), st.booleans(), st.integers(0, 6), st.integers(0, 6), st.booleans()),
        max_size=20,
    )
)
def test_points_stay_within_seventy(raw: list[tuple]) -> None:
    result = task_result([TaskOutcome(*r) for r in raw])
    assert result.points is None or 0 <= result.points <= 70 + 1e-9


@given(st.lists(st.tuples(st.floats(85, 100), st.floats(0, 70)), min_size=1, max_size=30))
def test_quota_never_exceeds_the_formula(raw: list[tuple[float, float]]) -> None:
    candidates = [(i, total, points) for i, (total, points) in enumerate(raw)]
    decisions = apply_quota(candidates)
    n = sum(1 for _, total, _ in candidates if classify(total) is Level.EXCELLENT)
    g = sum(1 for _, total, _ in candidates if classify(total) is Level.GOOD)
    kept = sum(1 for d in decisions if d.level is Level.EXCELLENT and not d.tied_at_cut)
    allowance = excellent_allowance(n, g, 0.2)
    # Those kept outright, and the seats the council may give to the tied, never pass the allowance.
    assert kept + council_seats(decisions, allowance) <= allowance

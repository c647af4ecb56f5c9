"""Rule sets as data (config/rulesets/*.json): the unit and leader sections, what a broken rule set
looks like and that it is refused; units scored on their own 100-point scale; cases by hand."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from config.rulesets import RULESET_DIR, available_rulesets, load_ruleset
from domain.evaluation import TaskOutcome, classify_unit, leader_task_result, round_total, task_result, unit_task_result
from domain.quota import apply_quota
from domain.rulesets import DEFAULT_RULES, InvalidRuleSet, Level, RuleSet

DONE = TaskOutcome(completed=True, meets_quality=True)
DECREE = json.loads((RULESET_DIR / "decree_335.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["decree_335", "regulation_366"])
def test_each_rule_set_on_disk_holds_its_unit_and_leader_sections(name: str) -> None:
    raw = json.loads((RULESET_DIR / f"{name}.json").read_text(encoding="utf-8"))
    rules = load_ruleset(name)
    assert RuleSet.from_dict(rules.to_dict()) == rules
    assert set(raw["leader"]) == {
        "own_weight",
        "unit_results_weight",
        "plan_weight",
        "unit_results_if_any_not_completed",
    }
    assert {
        "general_max",
        "task_max",
        "criteria",
        "products_weight",
        "plan_weight",
        "products_scope",
        "excellent_quota",
        "apply_conditions",
    } <= set(raw["unit"])
    assert (rules.unit.general_max, rules.unit.task_max, sum(c.max_points for c in rules.unit.criteria)) == (30, 70, 30)
    # Where the numbers come from is written beside them.
    for words in ("Decree 335/2025/ND-CP", "leader", "unit", "0.25", "20%"):
        assert words in rules.source or words.lower() in rules.source.lower(), words
    assert available_rulesets() == ["decree_335", "regulation_366"]


def broken(path: str, value: Any) -> dict[str, Any]:
    """The decree's rule set with one value replaced (path "unit.plan_weight"), or removed (value ...)."""
    data = copy.deepcopy(DECREE)
    *parents, key = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is ...:
        del target[key]
    elif key.isdigit():
        target[int(key)] = value
    else:
        target[key] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("quality_weight", 0.5),  # quantity + quality + progress = 1.1667
        ("progress_weight", -0.3333333333333334),
        ("error_deduction", 1.25),  # more than a product's points
        ("delay_deduction", "0.25"),  # a number written as text
        ("excellent_min", 70),  # thresholds must rise
        ("completed_min", -5),
        ("excellent_quota", 1.2),
        ("excellent_quota", True),  # a boolean is not a share
        ("general_max", 40),  # 40 + 70 != 100
        ("criteria.0.max_points", 12),  # the criteria sum to 32, not 30
        ("criteria.1.code", "politics"),  # two criteria with one code
        ("criteria.2", {"code": "manner"}),  # a criterion without its maximum
        ("completed_max_late_share", 1.5),
        ("commendation_after_excellent_years", 0),
        ("leader.own_weight", 0.6),  # leader weights sum to 1.1
        ("leader.unit_results_if_any_not_completed", 2),
        ("leader.plan_weight", float("nan")),
        ("leader.bonus", 0.1),  # an unknown key, one level down
        ("unit.plan_weight", 0.6),  # products + plan = 1.1
        ("unit.general_max", 20),  # unit maxima sum to 90
        ("unit.criteria.0.max_points", 0),  # a criterion worth nothing
        ("unit.criteria", []),
        ("unit.products_scope", "city"),  # neither "subtree" nor "unit"
        ("unit.excellent_quota", -0.2),
        ("unit.apply_conditions", "no"),
        ("unit.weights", {}),  # an unknown key, one level down
        ("unit", [1, 2]),
        ("bonus", 1),  # an unknown key at the top
    ],
)
def test_a_rule_set_with_broken_numbers_is_refused(path: str, value: Any) -> None:
    with pytest.raises(InvalidRuleSet):
        RuleSet.from_dict(broken(path, value))


def test_sections_left_out_take_the_defaults() -> None:
    data = broken("unit", ...)
    del data["leader"]
    rules = RuleSet.from_dict(data)
    assert rules.unit == DEFAULT_RULES.unit and rules.leader == DEFAULT_RULES.leader


def test_a_units_task_points_weigh_its_products_and_planned_work() -> None:
    # Products as a person's: coefficients 1 and 3, the second with a major error and a delay -> 61.25 of 70,
    # a share of 0.875. Planned work 0.8: 70 * (0.5 * 0.875 + 0.5 * 0.8) = 58.625 -> 58.63 after rounding.
    products = task_result([DONE, TaskOutcome(3, True, True, major_errors=1, delays=1)])
    result = unit_task_result(products, plan_completion=0.8)
    assert (result.products, result.plan) == (pytest.approx(0.875), 0.8)
    assert result.points == pytest.approx(58.625) and str(round_total(result.points)) == "58.63"
    # Nothing measured for planned work: the products carry the whole weight.
    assert unit_task_result(products, plan_completion=None).points == pytest.approx(61.25)
    # No products in the period: planned work alone, 70 * 0.6 = 42.
    assert unit_task_result(task_result([]), plan_completion=0.6).points == pytest.approx(42)
    # Nothing at all: no points, so no level.
    assert unit_task_result(task_result([]), plan_completion=None).points is None
    # Planned work beyond the plan counts as done, not more: 70 * (0.5 + 0.5 * 1) = 70.
    assert unit_task_result(task_result([DONE]), plan_completion=1.3).points == pytest.approx(70)


def test_unit_weights_come_from_the_rule_set() -> None:
    data = broken("unit.products_weight", 0.25)
    data["unit"]["plan_weight"] = 0.75
    rules = RuleSet.from_dict(data)
    # 70 * (0.25 * 1 + 0.75 * 0.6) = 49.
    assert unit_task_result(task_result([DONE]), plan_completion=0.6, rules=rules).points == pytest.approx(49)


def test_a_leader_without_measured_planned_work() -> None:
    # Own 70 points (share 1), one subordinate not completed (0.5), no planned work measured:
    # (0.5 * 1 + 0.25 * 0.5) / 0.75 = 0.8333 -> 58.33.
    own = task_result([DONE])
    points = leader_task_result(own, subordinate_levels=[Level.GOOD, Level.NOT_COMPLETED], plan_completion=None)
    assert points == pytest.approx(70 * 0.625 / 0.75)
    # With no subordinates at all, the unit's results count in full: 70 * (0.5 + 0.25 + 0.25 * 0.4) = 59.5.
    assert leader_task_result(own, subordinate_levels=[], plan_completion=0.4) == pytest.approx(59.5)


def test_regulation_366_task_conditions_are_for_people_not_collectives() -> None:
    r366 = load_ruleset("regulation_366")
    late = [TaskOutcome(completed=True, meets_quality=True, delays=1)] * 3 + [DONE] * 7
    assert classify_unit(95, late, rules=r366) == (Level.EXCELLENT, ())
    applied = RuleSet.from_dict({**r366.to_dict(), "unit": {**r366.to_dict()["unit"], "apply_conditions": True}})
    level, reasons = classify_unit(95, late, rules=applied)
    assert level is Level.NOT_COMPLETED and "completed_too_many_late" in reasons  # 30% late > 20%
    assert classify_unit(95, [DONE], disciplined=True, rules=r366) == (Level.NOT_COMPLETED, ())


def test_the_unit_quota_share_is_its_own() -> None:
    # Seven units of one kind: 3 excellent (98, 96.5, 93), 4 good. With 20%: k <= 0.2 * (7 - k) -> 1.
    units = [(1, 98, 68), (2, 96.5, 66.5), (3, 93, 63), (4, 82.5, 52.5), (5, 82.5, 52.5), (6, 79, 49), (7, 75.5, 45.5)]
    kept = [d.person_id for d in apply_quota(units, share=0.2) if d.level is Level.EXCELLENT]
    assert kept == [1]
    # With a 50% share: k <= 0.5 * (7 - k) -> k = 2.
    kept = [d.person_id for d in apply_quota(units, share=0.5) if d.level is Level.EXCELLENT]
    assert kept == [1, 2]


@pytest.mark.parametrize(
    ("total", "shown"),
    [(58.62499999999999, "58.63"), (89.99499999999999, "90.00"), (89.994, "89.99"), (61.24999999999999, "61.25")],
)
def test_float_noise_does_not_decide_the_rounding(total: float, shown: str) -> None:
    assert str(round_total(total)) == shown

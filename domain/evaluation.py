"""Evaluation of civil servants and of units (agencies) under Decree 335/2025/ND-CP, with rule sets as data.

People: 100 points = general criteria (at most 30) + task results (at most 70). Task results weigh
the quantity, quality and progress of the products assigned in the period by their conversion
coefficients: 25% of a product's quality points off per major error not excused, 25% of its
progress points off per delay. Levels: excellent >= 90, good >= 70, completed >= 50. Excellent may
not exceed 20% of those rated good in the same unit and group of similar tasks (domain.quota).
A second rule set (Regulation 366-QD/TW) adds conditions on the levels. The rule sets themselves, and
the checks that make one hold together, are in domain.rulesets.

Where the numbers come from (each is a key of config/rulesets/*.json, whose "source" text repeats
this): the 30/70 split, the three measures, the 25% deductions, the thresholds and the 20% quota
are the decree's. The split of the 30 general points over the criteria, and the two sections
below, are Pulse's configurable defaults, which an agency replaces with its own:

- ``leader``: a leader's task results also include the results of the unit led (the decree asks
  that a leader be judged on the unit's results too, without fixing a formula). Pulse's default:
  own products 0.5, the unit's operating results 0.25 (counted 100% when every subordinate is
  rated completed or better, 50% when any is not) and the unit's completion of planned work 0.25.
- ``unit``: units are evaluated "on their own 100-point scale the same way": general criteria
  of the unit (at most 30, split over the unit's own criteria) + task results (at most 70). A
  unit's task results weigh its products (the tasks of the unit, or of its whole subtree,
  scored exactly as a person's) 0.5 and its completion of planned work (its rolled-up indicator
  score for the period) 0.5. The same thresholds classify it; the excellent quota applies to the
  units of one kind under one parent. Regulation 366's task conditions are written for people
  and are not applied to units unless ``apply_conditions`` says so.

A part that cannot be measured (no products, no planned work) is left out and the other parts
carry its weight; with nothing measured there are no points and no level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.rulesets import DEFAULT_RULES, LEVEL_ORDER, Criterion, Level, RuleSet


@dataclass(frozen=True)
class TaskOutcome:
    """How one assigned product/work ended."""

    coefficient: float = 1.0
    completed: bool = False
    meets_quality: bool = False
    major_errors: int = 0
    delays: int = 0
    excused: bool = False
    exceeded: bool = False


@dataclass(frozen=True)
class TaskLine:
    """One task's share of the score, for the explanation shown to people."""

    coefficient: float
    quantity: float
    quality: float
    progress: float
    error_deduction: float
    delay_deduction: float


@dataclass(frozen=True)
class TaskResult:
    quantity: float
    quality: float
    progress: float
    points: float | None
    lines: tuple[TaskLine, ...] = ()


def _line(outcome: TaskOutcome, rules: RuleSet) -> TaskLine:
    errors = 0 if outcome.excused else outcome.major_errors
    delays = 0 if outcome.excused else outcome.delays
    error_cut = min(1.0, rules.error_deduction * errors)
    delay_cut = min(1.0, rules.delay_deduction * delays)
    quality = (1.0 - error_cut) if outcome.completed and outcome.meets_quality else 0.0
    progress = (1.0 - delay_cut) if outcome.completed else 0.0
    return TaskLine(outcome.coefficient, 1.0 if outcome.completed else 0.0, quality, progress, error_cut, delay_cut)


def task_result(outcomes: Sequence[TaskOutcome], rules: RuleSet = DEFAULT_RULES) -> TaskResult:
    """Quantity, quality and progress (percent) and points out of the task maximum (None if nothing assigned)."""
    lines = tuple(_line(o, rules) for o in outcomes)
    total_weight = sum(line.coefficient for line in lines)
    if total_weight <= 0:
        return TaskResult(0.0, 0.0, 0.0, None, lines)
    quantity = 100 * sum(line.coefficient * line.quantity for line in lines) / total_weight
    quality = 100 * sum(line.coefficient * line.quality for line in lines) / total_weight
    progress = 100 * sum(line.coefficient * line.progress for line in lines) / total_weight
    share = (rules.quantity_weight * quantity + rules.quality_weight * quality + rules.progress_weight * progress) / 100
    return TaskResult(quantity, quality, progress, rules.task_max * share, lines)


def round_total(total: float) -> Decimal:
    """Totals are compared after rounding to 2 decimals, half up.

    Binary floating point leaves noise far below a hundredth (70 * 0.8375 is 58.62499999999999):
    it is cleared at 9 decimals first, so that a total the rule text puts at 58.625 rounds to 58.63.
    """
    return Decimal(repr(round(total, 9))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def classify(total: float, *, disciplined: bool = False, rules: RuleSet = DEFAULT_RULES) -> Level:
    """The level that a total earns."""
    if disciplined:
        return Level.NOT_COMPLETED
    rounded = round_total(total)
    if rounded >= Decimal(str(rules.excellent_min)):
        return Level.EXCELLENT
    if rounded >= Decimal(str(rules.good_min)):
        return Level.GOOD
    if rounded >= Decimal(str(rules.completed_min)):
        return Level.COMPLETED
    return Level.NOT_COMPLETED


def _condition_failures(level: Level, outcomes: Sequence[TaskOutcome], rules: RuleSet) -> list[str]:
    assigned = [o for o in outcomes if o.coefficient > 0]
    late = [o for o in assigned if not o.completed or (o.delays > 0 and not o.excused)]
    failures = []
    if level is Level.EXCELLENT:
        if rules.excellent_requires_all_on_time and late:
            failures.append("excellent_needs_all_on_time")
        if rules.excellent_min_exceeded_share is not None and assigned:
            exceeded = sum(1 for o in assigned if o.exceeded) / len(assigned)
            if exceeded + 1e-9 < rules.excellent_min_exceeded_share:
                failures.append("excellent_needs_exceeded_share")
    elif level is Level.GOOD:
        if rules.good_requires_all_on_time and late:
            failures.append("good_needs_all_on_time")
    elif (
        level is Level.COMPLETED
        and rules.completed_max_late_share is not None
        and assigned
        and len(late) / len(assigned) > rules.completed_max_late_share + 1e-9
    ):
        failures.append("completed_too_many_late")
    return failures


def classify_with_conditions(
    total: float, outcomes: Sequence[TaskOutcome], *, disciplined: bool = False, rules: RuleSet = DEFAULT_RULES
) -> tuple[Level, tuple[str, ...]]:
    """The level after the rule set's conditions, lowered one step at a time, and why it was lowered."""
    level = classify(total, disciplined=disciplined, rules=rules)
    reasons: list[str] = []
    while level is not Level.NOT_COMPLETED:
        failures = _condition_failures(level, outcomes, rules)
        if not failures:
            break
        reasons += failures
        level = LEVEL_ORDER[LEVEL_ORDER.index(level) + 1]
    return level, tuple(reasons)


def _weighted(parts: Sequence[tuple[float, float | None]]) -> float | None:
    """Weighted mean of the measured shares; unmeasured parts (None) leave their weight to the others."""
    measured = [(weight, share) for weight, share in parts if share is not None]
    total_weight = sum(weight for weight, _share in measured)
    if not measured or total_weight <= 0:
        return None
    return sum(weight * share for weight, share in measured) / total_weight


def _clip(share: float | None) -> float | None:
    return None if share is None else max(0.0, min(1.0, share))


def leader_task_result(
    own: TaskResult,
    *,
    subordinate_levels: Sequence[Level],
    plan_completion: float | None,
    rules: RuleSet = DEFAULT_RULES,
) -> float | None:
    """A leader's task points: own results, the unit's operating results and its planned work, weighted.

    Unit results count 100% when every subordinate is rated completed or better, else the rule
    set's share (50% by default). No own products: no points. No planned work measured
    (plan_completion None): its weight goes to the other two parts.
    """
    if own.points is None:
        return None
    weights = rules.leader
    all_completed = all(level is not Level.NOT_COMPLETED for level in subordinate_levels)
    unit_results = 1.0 if all_completed else weights.unit_results_if_any_not_completed
    share = _weighted(
        [
            (weights.own_weight, own.points / rules.task_max),
            (weights.unit_results_weight, unit_results),
            (weights.plan_weight, _clip(plan_completion)),
        ]
    )
    return None if share is None else rules.task_max * share


@dataclass(frozen=True)
class UnitTaskResult:
    """A unit's task points and the parts they come from (shares between 0 and 1, None = not measured)."""

    products: float | None
    plan: float | None
    points: float | None


def unit_task_result(
    products: TaskResult, *, plan_completion: float | None, rules: RuleSet = DEFAULT_RULES
) -> UnitTaskResult:
    """A unit's task points out of the unit maximum: its products, scored as a person's, and its
    completion of planned work (0..1), weighted by the rule set's unit section."""
    unit = rules.unit
    products_share = None if products.points is None else products.points / rules.task_max
    plan = _clip(plan_completion)
    share = _weighted([(unit.products_weight, products_share), (unit.plan_weight, plan)])
    return UnitTaskResult(products_share, plan, None if share is None else unit.task_max * share)


def classify_unit(
    total: float, outcomes: Sequence[TaskOutcome], *, disciplined: bool = False, rules: RuleSet = DEFAULT_RULES
) -> tuple[Level, tuple[str, ...]]:
    """A unit's level: the same thresholds as people; the task conditions only when the rule set applies them to units."""
    if rules.unit.apply_conditions:
        return classify_with_conditions(total, outcomes, disciplined=disciplined, rules=rules)
    return classify(total, disciplined=disciplined, rules=rules), ()


def general_criteria_points(scores: Mapping[str, float], criteria: Sequence[Criterion]) -> float:
    """Sum of the criteria's points, each clamped to [0, its maximum]."""
    return sum(max(0.0, min(c.max_points, float(scores.get(c.code, 0.0)))) for c in criteria)


def total_points(general: float, task_points: float | None) -> float | None:
    return None if task_points is None else general + task_points


# A week to self-assess once the evaluations are open: the notice and the page both name the date.
SELF_ASSESSMENT_DAYS = 7


def self_assessment_deadline(opened: date) -> date:
    """The last day for the self-assessment of evaluations opened on ``opened``."""
    return opened + timedelta(days=SELF_ASSESSMENT_DAYS)

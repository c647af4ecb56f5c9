"""Evaluation of civil servants and of units (agencies) under Decree 335/2025/ND-CP, with rule sets as data.

People: 100 points = general criteria (at most 30) + task results (at most 70). Task results weigh
the quantity, quality and progress of the products assigned in the period by their conversion
coefficients: 25% of a product's quality points off per major error not excused, 25% of its
progress points off per delay. Levels: excellent >= 90, good >= 70, completed >= 50. Excellent may
not exceed 20% of those rated good in the same unit and group of similar tasks (apply_quota).
A second rule set (Regulation 366-QD/TW) adds conditions on the levels.

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

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


LEVEL_ORDER = (Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)
PRODUCT_SCOPES = ("subtree", "unit")  # a unit's products: those of its whole subtree, or its own only


class InvalidRuleSet(ValueError):
    """A rule set whose numbers do not hold together."""


@dataclass(frozen=True)
class Criterion:
    code: str
    max_points: float


PERSON_CRITERIA = (
    Criterion("politics", 10),
    Criterion("ethics", 5),
    Criterion("manner", 5),
    Criterion("discipline", 10),
)
UNIT_CRITERIA = (Criterion("unit_direction", 10), Criterion("unit_organisation", 10), Criterion("unit_reform", 10))


@dataclass(frozen=True)
class LeaderWeights:
    """How a leader's task points weigh their own products, the unit's results and its planned work."""

    own_weight: float = 0.5
    unit_results_weight: float = 0.25
    plan_weight: float = 0.25
    unit_results_if_any_not_completed: float = 0.5


@dataclass(frozen=True)
class UnitRules:
    """How a unit (agency) is scored on its own 100-point scale."""

    general_max: float = 30.0
    task_max: float = 70.0
    criteria: tuple[Criterion, ...] = UNIT_CRITERIA
    products_weight: float = 0.5
    plan_weight: float = 0.5
    products_scope: str = "subtree"
    excellent_quota: float = 0.20
    apply_conditions: bool = False


# --- validation helpers ---------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_numbers(where: str, obj: Any, *, skip: tuple[str, ...] = ()) -> None:
    """Every float field holds a finite number (not a string, a boolean, NaN or infinity)."""
    for f in fields(obj):
        if f.name in skip or f.type not in ("float", "float | None", "int"):
            continue
        value = getattr(obj, f.name)
        if value is None and f.type == "float | None":
            continue
        if not _is_number(value) or (f.type == "int" and value != int(value)):
            raise InvalidRuleSet(f"{where}{f.name} must be a number, not {value!r}")
    for f in fields(obj):
        if f.type == "bool" and not isinstance(getattr(obj, f.name), bool):
            raise InvalidRuleSet(f"{where}{f.name} must be true or false")


def _share(where: str, name: str, value: float) -> None:
    if not 0 <= value <= 1:
        raise InvalidRuleSet(f"{where}{name} is a share between 0 and 1, not {value:g}")


def _sums_to(where: str, what: str, values: Sequence[float], total: float) -> None:
    if abs(sum(values) - total) > 1e-6:
        raise InvalidRuleSet(f"{where}{what} must sum to {total:g}, not {sum(values):g}")


def _check_criteria(where: str, criteria: Sequence[Criterion], general_max: float) -> None:
    codes = [c.code for c in criteria]
    if not criteria or any(not isinstance(code, str) or not code.strip() for code in codes):
        raise InvalidRuleSet(f"{where}criteria need at least one criterion, each with a code")
    if len(set(codes)) != len(codes):
        raise InvalidRuleSet(f"{where}criteria codes must be unique")
    for c in criteria:
        if not _is_number(c.max_points) or c.max_points <= 0:
            raise InvalidRuleSet(f"{where}criterion {c.code}: max_points must be a positive number")
    _sums_to(where, "the criteria's maxima", [c.max_points for c in criteria], general_max)


def _criteria_from(where: str, raw: Any) -> tuple[Criterion, ...]:
    if not isinstance(raw, list):
        raise InvalidRuleSet(f"{where}criteria must be a list of {{code, max_points}}")
    out = []
    for item in raw:
        if not isinstance(item, Mapping) or set(item) != {"code", "max_points"}:
            raise InvalidRuleSet(f"{where}each criterion has exactly a code and max_points")
        if not _is_number(item["max_points"]):
            raise InvalidRuleSet(f"{where}criterion {item['code']}: max_points must be a number")
        out.append(Criterion(item["code"], float(item["max_points"])))
    return tuple(out)


def _section(cls: type, where: str, data: Any, nested: Mapping[str, Any] | None = None) -> Any:
    """Build a section dataclass from a mapping, refusing unknown keys."""
    if not isinstance(data, Mapping):
        raise InvalidRuleSet(f"{where.rstrip('.: ')} must be an object")
    known = {f.name for f in fields(cls)}
    if unknown := set(data) - known:
        raise InvalidRuleSet(f"unknown rule set keys: {', '.join(where + k for k in sorted(unknown))}")
    values = dict(data)
    for key, build in (nested or {}).items():
        if key in values:
            values[key] = build(values[key])
    return cls(**values)


@dataclass(frozen=True)
class RuleSet:
    """Weights, thresholds, quota and conditions of one evaluation regime (people, leaders, units)."""

    name: str = "decree_335"
    title: str = "Nghị định 335/2025/NĐ-CP"
    general_max: float = 30.0
    task_max: float = 70.0
    quantity_weight: float = 1 / 3
    quality_weight: float = 1 / 3
    progress_weight: float = 1 / 3
    error_deduction: float = 0.25
    delay_deduction: float = 0.25
    excellent_min: float = 90.0
    good_min: float = 70.0
    completed_min: float = 50.0
    excellent_quota: float = 0.20
    criteria: tuple[Criterion, ...] = PERSON_CRITERIA
    leader: LeaderWeights = field(default_factory=LeaderWeights)
    unit: UnitRules = field(default_factory=UnitRules)
    # Regulation 366-style conditions (None or False = not applied).
    excellent_requires_all_on_time: bool = False
    excellent_min_exceeded_share: float | None = None
    good_requires_all_on_time: bool = False
    completed_max_late_share: float | None = None
    commendation_after_excellent_years: int = 2
    source: str = ""

    def validate(self) -> RuleSet:
        """Raise InvalidRuleSet when a number is missing, out of range or contradicts another."""
        if (
            not isinstance(self.name, str)
            or not self.name
            or not isinstance(self.title, str)
            or not isinstance(self.source, str)
        ):
            raise InvalidRuleSet("name, title and source are text")
        where = f"{self.name}: "
        _check_numbers(where, self)
        _check_numbers(f"{where}leader.", self.leader)
        _check_numbers(f"{where}unit.", self.unit)
        for name in (
            "quantity_weight",
            "quality_weight",
            "progress_weight",
            "error_deduction",
            "delay_deduction",
            "excellent_quota",
        ):
            _share(where, name, getattr(self, name))
        _sums_to(
            where,
            "quantity, quality and progress weights",
            [self.quantity_weight, self.quality_weight, self.progress_weight],
            1,
        )
        if self.general_max < 0 or self.task_max <= 0:
            raise InvalidRuleSet(f"{where}general_max and task_max must be positive")
        _sums_to(where, "general and task maxima", [self.general_max, self.task_max], 100)
        if not 0 <= self.completed_min < self.good_min < self.excellent_min <= 100:
            raise InvalidRuleSet(f"{where}thresholds must rise: 0 <= completed < good < excellent <= 100")
        _check_criteria(where, self.criteria, self.general_max)
        for name in ("excellent_min_exceeded_share", "completed_max_late_share"):
            if getattr(self, name) is not None:
                _share(where, name, getattr(self, name))
        if self.commendation_after_excellent_years < 1:
            raise InvalidRuleSet(f"{where}commendation_after_excellent_years must be at least 1")
        leader = self.leader
        for name in ("own_weight", "unit_results_weight", "plan_weight", "unit_results_if_any_not_completed"):
            _share(f"{where}leader.", name, getattr(leader, name))
        _sums_to(f"{where}leader.", "weights", [leader.own_weight, leader.unit_results_weight, leader.plan_weight], 1)
        unit = self.unit
        if unit.general_max < 0 or unit.task_max <= 0:
            raise InvalidRuleSet(f"{where}unit.general_max and unit.task_max must be positive")
        _sums_to(f"{where}unit.", "general and task maxima", [unit.general_max, unit.task_max], 100)
        _check_criteria(f"{where}unit.", unit.criteria, unit.general_max)
        for name in ("products_weight", "plan_weight", "excellent_quota"):
            _share(f"{where}unit.", name, getattr(unit, name))
        _sums_to(f"{where}unit.", "products and plan weights", [unit.products_weight, unit.plan_weight], 1)
        if unit.products_scope not in PRODUCT_SCOPES:
            raise InvalidRuleSet(f"{where}unit.products_scope is one of {', '.join(PRODUCT_SCOPES)}")
        return self

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """A validated rule set from its JSON form; unknown keys, at any level, are refused."""
        where = f"{data.get('name', '?')}: " if isinstance(data, Mapping) else ""
        rules = _section(
            cls,
            "",
            data,
            {
                "criteria": lambda raw: _criteria_from(where, raw),
                "leader": lambda raw: _section(LeaderWeights, "leader.", raw),
                "unit": lambda raw: _section(
                    UnitRules, "unit.", raw, {"criteria": lambda c: _criteria_from(f"{where}unit.", c)}
                ),
            },
        )
        return rules.validate()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (from_dict(to_dict()) gives the same rule set)."""

        def plain(obj: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for f in fields(obj):
                value = getattr(obj, f.name)
                if f.name == "criteria":
                    value = [{"code": c.code, "max_points": c.max_points} for c in value]
                elif isinstance(value, LeaderWeights | UnitRules):
                    value = plain(value)
                out[f.name] = value
            return out

        return plain(self)


DEFAULT_RULES = RuleSet().validate()


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


@dataclass(frozen=True)
class QuotaDecision:
    person_id: int
    level: Level
    moved_down: bool = False
    tied_at_cut: bool = False


def excellent_allowance(n_excellent: int, n_good: int, quota: float) -> int:
    """Largest k with k <= quota * (good + excellent - k): those moved down count as good."""
    k = int((quota * (n_good + n_excellent)) / (1 + quota) + 1e-9)
    return max(0, min(k, n_excellent))


def apply_quota(
    candidates: Sequence[tuple[int, float, float]],
    rules: RuleSet = DEFAULT_RULES,
    *,
    levels: Mapping[int, Level] | None = None,
    share: float | None = None,
) -> list[QuotaDecision]:
    """Final levels of one group: excellent capped at the quota's share of good.

    candidates are (id, total, task points) of one unit's position group (people) or of the units
    of one kind under one parent (then share is the rule set's unit quota). Best totals keep
    excellent, then higher task points; those still tied at the cut all move to good and are
    flagged for the council. levels overrides the level a total earns (conditions, discipline).
    """
    level_of = {pid: (levels or {}).get(pid) or classify(total, rules=rules) for pid, total, _ in candidates}
    excellent = [c for c in candidates if level_of[c[0]] is Level.EXCELLENT]
    n_good = sum(1 for c in candidates if level_of[c[0]] is Level.GOOD)
    allowed = excellent_allowance(len(excellent), n_good, rules.excellent_quota if share is None else share)

    def rank_key(c: tuple[int, float, float]) -> tuple[Decimal, Decimal]:
        return round_total(c[1]), round_total(c[2])

    ranked = sorted(excellent, key=rank_key, reverse=True)
    keep: set[int] = {c[0] for c in ranked}
    tied: set[int] = set()
    if allowed < len(ranked):
        cut_key = rank_key(ranked[allowed])  # the best candidate that does not fit
        keep = {c[0] for c in ranked[:allowed] if rank_key(c) != cut_key}
        if allowed > 0 and rank_key(ranked[allowed - 1]) == cut_key:
            tied = {c[0] for c in ranked if rank_key(c) == cut_key}
    decisions = []
    for pid, _total, _points in candidates:
        level = level_of[pid]
        if level is Level.EXCELLENT and pid not in keep:
            decisions.append(QuotaDecision(pid, Level.GOOD, moved_down=True, tied_at_cut=pid in tied))
        else:
            decisions.append(QuotaDecision(pid, level))
    return decisions


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

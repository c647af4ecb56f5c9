"""Evaluation of civil servants under Decree 335/2025/ND-CP, with rule sets as data.

100 points = general criteria (at most 30) + task results (at most 70). Task results weigh the
quantity, quality and progress of the products assigned in the period by their conversion
coefficients. A second rule set (Regulation 366-QD/TW) adds conditions on the levels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


LEVEL_ORDER = (Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)


class InvalidRuleSet(ValueError):
    """A rule set whose numbers do not hold together."""


@dataclass(frozen=True)
class Criterion:
    code: str
    max_points: float


@dataclass(frozen=True)
class RuleSet:
    """Weights, thresholds, quota and conditions of one evaluation regime."""

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
    leader_own_weight: float = 0.5
    leader_unit_results_weight: float = 0.25
    leader_plan_weight: float = 0.25
    leader_unit_results_if_any_not_completed: float = 0.5
    criteria: tuple[Criterion, ...] = (
        Criterion("politics", 10), Criterion("ethics", 5), Criterion("manner", 5), Criterion("discipline", 10),
    )
    # Regulation 366-style conditions (None or False = not applied).
    excellent_requires_all_on_time: bool = False
    excellent_min_exceeded_share: float | None = None
    good_requires_all_on_time: bool = False
    completed_max_late_share: float | None = None
    commendation_after_excellent_years: int = 2
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> RuleSet:
        """Raise InvalidRuleSet when weights or thresholds contradict each other."""
        weights = self.quantity_weight + self.quality_weight + self.progress_weight
        if abs(weights - 1) > 1e-6:
            raise InvalidRuleSet(f"{self.name}: quantity, quality and progress weights must sum to 1, not {weights:g}")
        if abs(self.general_max + self.task_max - 100) > 1e-6:
            raise InvalidRuleSet(f"{self.name}: general and task maxima must sum to 100")
        if not 0 <= self.completed_min < self.good_min < self.excellent_min <= 100:
            raise InvalidRuleSet(f"{self.name}: thresholds must rise: completed < good < excellent")
        if abs(sum(c.max_points for c in self.criteria) - self.general_max) > 1e-6:
            raise InvalidRuleSet(f"{self.name}: the criteria's maxima must sum to {self.general_max:g}")
        leader = self.leader_own_weight + self.leader_unit_results_weight + self.leader_plan_weight
        if abs(leader - 1) > 1e-6:
            raise InvalidRuleSet(f"{self.name}: leader weights must sum to 1")
        if not 0 <= self.excellent_quota <= 1:
            raise InvalidRuleSet(f"{self.name}: the excellent quota is a share between 0 and 1")
        return self

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        known = {f for f in cls.__dataclass_fields__ if f not in {"criteria", "extra"}}
        unknown = set(data) - known - {"criteria"}
        if unknown:
            raise InvalidRuleSet(f"unknown rule set keys: {', '.join(sorted(unknown))}")
        values = {k: v for k, v in data.items() if k in known}
        if "criteria" in data:
            values["criteria"] = tuple(Criterion(c["code"], float(c["max_points"])) for c in data["criteria"])
        return cls(**values).validate()

    def to_dict(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in self.__dataclass_fields__ if f not in {"criteria", "extra"}}
        out["criteria"] = [{"code": c.code, "max_points": c.max_points} for c in self.criteria]
        return out


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
    """Totals are compared after rounding to 2 decimals, half up."""
    return Decimal(str(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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
    elif level is Level.COMPLETED and rules.completed_max_late_share is not None and assigned:
        if len(late) / len(assigned) > rules.completed_max_late_share + 1e-9:
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
    candidates: Sequence[tuple[int, float, float]], rules: RuleSet = DEFAULT_RULES, *, levels: Mapping[int, Level] | None = None
) -> list[QuotaDecision]:
    """Final levels of one unit's position group: excellent capped at the quota's share of good.

    candidates are (person id, total, task points). Best totals keep excellent, then higher task
    points; those still tied at the cut all move to good and are flagged for the council.
    """
    level_of = {pid: (levels or {}).get(pid) or classify(total, rules=rules) for pid, total, _ in candidates}
    excellent = [c for c in candidates if level_of[c[0]] is Level.EXCELLENT]
    n_good = sum(1 for c in candidates if level_of[c[0]] is Level.GOOD)
    allowed = excellent_allowance(len(excellent), n_good, rules.excellent_quota)
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


def leader_task_result(own: TaskResult, *, subordinate_levels: Sequence[Level], plan_completion: float,
                       rules: RuleSet = DEFAULT_RULES) -> float | None:
    """A leader's task points: own results, the unit's operating results and its planned work, weighted."""
    if own.points is None:
        return None
    all_completed = all(level is not Level.NOT_COMPLETED for level in subordinate_levels)
    unit_results = 1.0 if all_completed else rules.leader_unit_results_if_any_not_completed
    plan = max(0.0, min(1.0, plan_completion))
    share = (rules.leader_own_weight * own.points / rules.task_max
             + rules.leader_unit_results_weight * unit_results
             + rules.leader_plan_weight * plan)
    return rules.task_max * share


def general_criteria_points(scores: Mapping[str, float], criteria: Sequence[Criterion]) -> float:
    """Sum of the criteria's points, each clamped to [0, its maximum]."""
    return sum(max(0.0, min(c.max_points, float(scores.get(c.code, 0.0)))) for c in criteria)


def total_points(general: float, task_points: float | None) -> float | None:
    return None if task_points is None else general + task_points

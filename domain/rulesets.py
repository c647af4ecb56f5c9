"""Evaluation rule sets as data: levels, general criteria, task weights, thresholds, the excellent quota,
the leader and unit sections, and the checks that make a rule set hold together.

Each unit names its rule set (config/rulesets/*.json: Decree 335/2025/ND-CP, Regulation 366-QD/TW, or an
agency's own); domain.evaluation scores with it and domain.quota applies its quota.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
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
    # Off by default (the decree counts each group on its own): a position group too small for the
    # quota to allow any excellent (1 member at 20 %) is counted together with the next group up.
    pool_small_groups: bool = False
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

"""Scoring of an evaluation: task points from the period's products (and, for a unit, its planned work;
for a leader, the unit's results), general points, total, level and conditions, with the explanation
stored beside them. Called inside the write transaction of the evaluation commands.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.rulesets import load_ruleset
from data_access.errors import NotFound
from data_access.models import Evaluation, OrgUnit, UnitRollup
from data_access.models import Period as PeriodRow
from data_access.queries.evaluations import TaskLine, person_tasks, unit_tasks
from domain.evaluation import (
    TaskResult,
    classify_unit,
    classify_with_conditions,
    general_criteria_points,
    leader_task_result,
    round_total,
    task_result,
    total_points,
    unit_task_result,
)
from domain.periods import parse_period
from domain.rulesets import Criterion, Level, RuleSet


def rules_for(name: str) -> RuleSet:
    return load_ruleset(name)


def general_criteria(rules: RuleSet, *, unit: bool = False) -> tuple[Criterion, ...]:
    """The general criteria of a rule set (code, maximum points): a person's, or with unit=True a unit's."""
    return tuple(rules.unit.criteria if unit else rules.criteria)


def criteria_of(evaluation: Evaluation) -> tuple[Criterion, ...]:
    return general_criteria(rules_for(evaluation.ruleset), unit=evaluation.person_id is None)


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def explanation(lines: list[TaskLine], result: TaskResult) -> list[dict[str, Any]]:
    """Each product with its coefficient and the deductions the rules took from it."""
    out = []
    for line, scored in zip(lines, result.lines, strict=True):
        deductions: list[dict[str, Any]] = []
        if not line.completed:
            deductions.append({"code": "not_completed"})
        else:
            if not line.meets_quality:
                deductions.append({"code": "quality_not_met"})
            if scored.error_deduction:
                deductions.append({"code": "major_errors", "count": line.major_errors, "share": scored.error_deduction})
            if scored.delay_deduction:
                deductions.append({"code": "delays", "count": line.delays, "share": scored.delay_deduction})
            if line.excused and (line.major_errors or line.delays):
                deductions.append({"code": "excused"})
        out.append({**line.as_json(), "deductions": deductions})
    return out


def recompute(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> None:
    """Task points from the period's tasks (and, for a unit, its planned work), total and level;
    the explanation is stored with them."""
    rules = rules_for(evaluation.ruleset)
    period = parse_period(_period_code(session, evaluation.period_id))
    is_unit = evaluation.person_id is None
    if evaluation.person_id is not None:
        lines = person_tasks(session, person_id=evaluation.person_id, start=period.start, end=period.end)
    else:
        own_only = unit.id if rules.unit.products_scope == "unit" else None
        lines = unit_tasks(session, unit_path=unit.path, start=period.start, end=period.end, unit_id=own_only)
    outcomes = [line.as_outcome() for line in lines]
    result = task_result(outcomes, rules)
    details["task_result"] = {
        "points": _num(result.points),
        "quantity": _num(result.quantity),
        "quality": _num(result.quality),
        "progress": _num(result.progress),
    }
    details["explanation"] = explanation(lines, result)
    details.pop("leader", None)
    points = result.points
    if is_unit:
        scored = unit_task_result(
            result, plan_completion=plan_completion(session, unit.id, evaluation.period_id), rules=rules
        )
        points = scored.points
        details["unit_result"] = {
            "products": _num(scored.products),
            "plan": _num(scored.plan),
            "points": _num(points),
            "products_weight": rules.unit.products_weight,
            "plan_weight": rules.unit.plan_weight,
            "scope": rules.unit.products_scope,
            "task_max": rules.unit.task_max,
        }
    elif details.get("leader_context"):
        context = details["leader_context"]
        points = leader_task_result(
            result,
            subordinate_levels=[Level(v) for v in context["subordinate_levels"]],
            plan_completion=context["plan_completion"],
            rules=rules,
        )
        details["leader"] = {
            "own_points": _num(result.points),
            "weighted_points": _num(points),
            "plan_completion": context["plan_completion"],
            "subordinates": len(context["subordinate_levels"]),
            "subordinates_not_completed": sum(1 for v in context["subordinate_levels"] if v == Level.NOT_COMPLETED),
            "weights": {
                "own": rules.leader.own_weight,
                "unit_results": rules.leader.unit_results_weight,
                "plan": rules.leader.plan_weight,
                "if_any_not_completed": rules.leader.unit_results_if_any_not_completed,
            },
        }
    evaluation.task_points = None if points is None else _points(points)
    general = details.get("general") or {}
    criteria = rules.unit.criteria if is_unit else rules.criteria
    evaluation.general_points = _points(general_criteria_points(general, criteria)) if general else None
    evaluation.total = _total(evaluation.general_points, evaluation.task_points)
    if evaluation.total is None:
        evaluation.level, details["conditions"] = None, []
    else:
        classify_as = classify_unit if is_unit else classify_with_conditions
        level, reasons = classify_as(evaluation.total, outcomes, disciplined=evaluation.disciplined, rules=rules)
        evaluation.level, details["conditions"] = level.value, list(reasons)


def _points(value: float) -> float:
    """Points are kept to 2 decimals, rounded half up as the rules compare them."""
    return float(round_total(value))


def _total(general: float | None, task: float | None) -> float | None:
    """No products in the period means no total: the person is not classified for it."""
    total = total_points(general or 0.0, task)
    return None if total is None else _points(min(100.0, total))


def _period_code(session: Session, period_id: int) -> str:

    row = session.get(PeriodRow, period_id)
    if row is None:  # a foreign key holds it; only a row deleted meanwhile gets here
        raise NotFound("period", period_id)
    return row.code


def plan_completion(session: Session, unit_id: int, period_id: int) -> float | None:
    """The unit's completion of its planned work: its rolled-up indicator score for the period
    (None when nothing is measured: the rules then leave that part out)."""
    score = session.execute(
        select(UnitRollup.score).where(UnitRollup.unit_id == unit_id, UnitRollup.period_id == period_id)
    ).scalar_one_or_none()
    return None if score is None else round(float(score), 4)

"""Write commands of the evaluation flow: open, self-assess, review, approve (with the quota),
lock, unlock, appeal. Each validates, authorises (refusals audited), writes in one transaction
with an audit entry, and refuses a stale version with Conflict.

Flow for a person: draft -> self_assessed (the person) -> reviewed (a manager or leader over the
person's unit, each change with a reason) -> approved (the unit head; the quota is applied per
unit and position group at that moment) -> locked (the approver closes the period; no more
appeals). An approved evaluation no longer changes except for the appeal note; an administrator
may unlock it back to "reviewed" with a reason (audited), which is the only way back.

Flow for a unit (agency), on its own 100-point scale: the unit's head, or the manager or leader
scoped to it, self-assesses the unit's general criteria; the level above (a manager or leader
whose scope covers the parent) reviews with a reason for each change; the parent's head approves
it together with the parent's own people, the quota applied among the units of one kind under
that parent; the head may appeal. The root of the tree has no level above in Pulse.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import now
from config.rulesets import load_ruleset
from data_access import audit
from data_access.commands import common
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid, NotFound
from data_access.models import Evaluation, OrgUnit, Person, Position, UnitRollup
from data_access.queries.evaluations import (
    TaskLine,
    load_details,
    may_approve,
    may_review,
    may_review_unit,
    period_row,
    person_tasks,
    responsible_units,
    unit_group,
    unit_tasks,
)
from data_access.viewer import Viewer
from domain.evaluation import (
    Criterion,
    Level,
    RuleSet,
    TaskOutcome,
    TaskResult,
    apply_quota,
    classify_unit,
    classify_with_conditions,
    excellent_allowance,
    general_criteria_points,
    leader_task_result,
    round_total,
    task_result,
    total_points,
    unit_task_result,
)
from domain.kinds import EvaluationStatus, Role
from domain.periods import parse_period

OPEN = (EvaluationStatus.DRAFT, EvaluationStatus.SELF_ASSESSED, EvaluationStatus.REVIEWED)
DONE = (EvaluationStatus.APPROVED, EvaluationStatus.LOCKED)
MAX_NOTE = 2000
AUDITED = (
    "status",
    "general_points",
    "task_points",
    "total",
    "level",
    "final_level",
    "disciplined",
    "appeal_note",
    "version",
)


@dataclass(frozen=True)
class QuotaMove:
    evaluation_id: int
    name: str
    group: str
    from_level: str
    to_level: str
    quota: dict[str, Any]
    flagged: bool


@dataclass(frozen=True)
class ApprovalResult:
    approved: int
    moves: list[QuotaMove]


# --- rules ----------------------------------------------------------------------------------


def rules_for(name: str) -> RuleSet:
    return load_ruleset(name)


def general_criteria(rules: RuleSet, *, unit: bool = False) -> tuple[Criterion, ...]:
    """The general criteria of a rule set (code, maximum points): a person's, or with unit=True a unit's."""
    return tuple(rules.unit.criteria if unit else rules.criteria)


def _criteria_of(evaluation: Evaluation) -> tuple[Criterion, ...]:
    return general_criteria(rules_for(evaluation.ruleset), unit=evaluation.person_id is None)


def _outcome(line: TaskLine) -> TaskOutcome:
    return TaskOutcome(
        coefficient=line.coefficient,
        completed=line.completed,
        meets_quality=line.meets_quality,
        major_errors=line.major_errors,
        delays=line.delays,
        excused=line.excused,
        exceeded=line.exceeded,
    )


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


# --- helpers --------------------------------------------------------------------------------


def _dump(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)


def _refuse(store: Store, viewer: Viewer, action: str, entity_id: object, detail: str) -> Forbidden:
    """Audit a refusal in its own transaction (the caller's is rolled back) and return the error."""
    return common.refuse(store, viewer, action=action, entity="evaluation", entity_id=entity_id, detail=detail)


def _conflict(session: Session, evaluation_id: int) -> Conflict:
    return common.conflict(session, "evaluation", evaluation_id)


def _load(session: Session, evaluation_id: int) -> tuple[Evaluation, OrgUnit]:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise NotFound("evaluation", evaluation_id)
    unit = session.get(OrgUnit, evaluation.unit_id)
    assert unit is not None
    return evaluation, unit


def _check_version(session: Session, evaluation: Evaluation, version: int | None) -> None:
    """As common.check_version: an omitted version (None) is a conflict, not a pass."""
    if version is None or version != evaluation.version:
        raise _conflict(session, evaluation.id)


def _flush(session: Session, evaluation_id: int) -> None:
    """Flush; a concurrent commit that got there first becomes a Conflict (named once rolled back)."""
    common.flush_or_conflict(session, "evaluation", evaluation_id)


def _trail(details: dict[str, Any], viewer: Viewer, action: str, note: str | None = None) -> None:
    details.setdefault("trail", []).append(
        {"action": action, "by": viewer.username, "at": now().isoformat(), "note": note}
    )


def _recompute(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> None:
    """Task points from the period's tasks (and, for a unit, its planned work), total and level;
    the explanation is stored with them."""
    rules = rules_for(evaluation.ruleset)
    period = parse_period(_period_code(session, evaluation.period_id))
    is_unit = evaluation.person_id is None
    if not is_unit:
        lines = person_tasks(session, person_id=evaluation.person_id, start=period.start, end=period.end)  # type: ignore[arg-type]
    else:
        own_only = unit.id if rules.unit.products_scope == "unit" else None
        lines = unit_tasks(session, unit_path=unit.path, start=period.start, end=period.end, unit_id=own_only)
    outcomes = [_outcome(line) for line in lines]
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
            result, plan_completion=_plan_completion(session, unit.id, evaluation.period_id), rules=rules
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
    from data_access.models import Period as PeriodRow

    row = session.get(PeriodRow, period_id)
    assert row is not None
    return row.code


def _text(value: Any) -> str:
    """Free text from a form (or a forged request): always a stripped string."""
    return value.strip() if isinstance(value, str) else ""


def _validate_scores(scores: dict[str, Any], criteria_list: tuple[Criterion, ...]) -> dict[str, float]:
    if not isinstance(scores, dict):
        raise Invalid({"scores": "required_number"})
    criteria = {c.code: c for c in criteria_list}
    problems: dict[str, str] = {}
    clean: dict[str, float] = {}
    for code, criterion in criteria.items():
        raw = scores.get(code)
        try:
            if isinstance(raw, bool):
                raise TypeError(code)
            value = float(raw)
        except (TypeError, ValueError):
            problems[code] = "required_number"
            continue
        if not 0 <= value <= criterion.max_points:
            problems[code] = "out_of_range"
        clean[code] = round(value, 2)
    if unknown := set(scores) - set(criteria):
        problems[sorted(unknown)[0]] = "unknown_criterion"
    if problems:
        raise Invalid(problems)
    return clean


# --- commands -------------------------------------------------------------------------------


def open_evaluations(store: Store, *, viewer: Viewer, period_code: str, unit_id: int) -> int:
    """Create the draft evaluations of a period for everyone in a unit's subtree and for each unit.

    General points start at each criterion's maximum (the usual case), for the person to lower
    in the self-assessment; task points come from the tasks. Returns how many were created.
    """
    with store.read() as session:
        unit = session.get(OrgUnit, unit_id)
        allowed = (
            unit is not None
            and viewer.role in (Role.ADMIN, Role.LEADER, Role.MANAGER)
            and viewer.covers_path(unit.path)
        )
    if unit is None:
        raise NotFound("unit", unit_id)
    if not allowed:
        raise _refuse(store, viewer, "evaluation.open", None, f"open {period_code} for unit {unit_id}")
    with store.write() as session:
        period = period_row(session, period_code)
        units = (
            session.execute(
                select(OrgUnit)
                .where(OrgUnit.path.startswith(unit.path, autoescape=True), OrgUnit.active.is_(True))
                .order_by(OrgUnit.path)
            )
            .scalars()
            .all()
        )
        by_id = {u.id: u for u in units}
        people = (
            session.execute(
                select(Person).where(Person.unit_id.in_(by_id), Person.active.is_(True)).order_by(Person.id)
            )
            .scalars()
            .all()
        )
        existing_people = set(
            session.execute(
                select(Evaluation.person_id).where(Evaluation.period_id == period.id, Evaluation.person_id.is_not(None))
            ).scalars()
        )
        existing_units = set(
            session.execute(
                select(Evaluation.unit_id).where(Evaluation.period_id == period.id, Evaluation.person_id.is_(None))
            ).scalars()
        )
        created = 0
        targets: list[tuple[int | None, OrgUnit]] = [
            (p.id, by_id[p.unit_id]) for p in people if p.id not in existing_people
        ]
        targets += [(None, u) for u in units if u.id not in existing_units]
        for person_id, owner in targets:
            criteria = general_criteria(rules_for(owner.ruleset), unit=person_id is None)
            details: dict[str, Any] = {"general": {c.code: c.max_points for c in criteria}, "review": []}
            evaluation = Evaluation(
                person_id=person_id,
                unit_id=owner.id,
                period_id=period.id,
                ruleset=owner.ruleset,
                status=EvaluationStatus.DRAFT.value,
                disciplined=False,
            )
            _recompute(session, evaluation, owner, details)
            _trail(details, viewer, "opened")
            evaluation.details_json = _dump(details)
            session.add(evaluation)
            created += 1
        audit.record(
            session,
            user_id=viewer.user_id,
            action="evaluation.open",
            entity="evaluation_period",
            entity_id=f"{period_code}:{unit_id}",
            after={"created": created},
        )
    return created


def _edit(store: Store, *, viewer: Viewer, evaluation_id: int, action: str, check, change) -> None:  # type: ignore[no-untyped-def]
    """Shared frame: load, authorise (refusal audited), check the version, change, audit, flush."""
    with store.read() as session:
        evaluation, unit = _load(session, evaluation_id)
        refusal = check(session, evaluation, unit)
    if refusal:
        if refusal == "not_found":
            raise NotFound("evaluation", evaluation_id)
        raise _refuse(store, viewer, action, evaluation_id, refusal)
    try:
        with store.write() as session:
            evaluation, unit = _load(session, evaluation_id)
            before = audit.snapshot(evaluation, AUDITED)
            details = load_details(evaluation.details_json)
            # No flush half-way: the change's own reads must not write the evaluation twice (two version
            # steps) nor meet a concurrent writer anywhere but in the one checked flush below.
            with session.no_autoflush:
                note = change(session, evaluation, unit, details)
                _trail(details, viewer, action.split(".")[-1], note)
                evaluation.details_json = _dump(details)
            _flush(session, evaluation_id)
            audit.record(
                session,
                user_id=viewer.user_id,
                action=action,
                entity="evaluation",
                entity_id=evaluation_id,
                before=before,
                after=audit.snapshot(evaluation, AUDITED),
                detail=note,
            )
    except Conflict as problem:
        raise common.named(store, problem) from problem


def _hidden(viewer: Viewer, evaluation: Evaluation, unit: OrgUnit) -> bool:
    """What the viewer may not even learn exists (as the reads hide it): outside the scope, or,
    for staff and screens, anyone's evaluation but their own."""
    own = evaluation.person_id is not None and evaluation.person_id == viewer.person_id
    if viewer.role in (Role.STAFF, Role.SCREEN):
        return not own
    return not viewer.covers_path(unit.path)


def _answers_for(session: Session, viewer: Viewer, evaluation: Evaluation) -> bool:
    """The person themselves, or, for a unit, its head or the manager or leader scoped to it."""
    if evaluation.person_id is None:
        return evaluation.unit_id in responsible_units(session, viewer=viewer)
    return evaluation.person_id == viewer.person_id


def self_assess(
    store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, scores: dict[str, Any], note: str = ""
) -> None:
    """The person scores the general criteria of their own evaluation; a unit's head those of the unit."""

    def check(session: Session, evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if _hidden(viewer, evaluation, unit):
            return "not_found"
        if not _answers_for(session, viewer, evaluation):
            return "only the person (or the unit's head) self-assesses"
        if EvaluationStatus(evaluation.status) not in (EvaluationStatus.DRAFT, EvaluationStatus.SELF_ASSESSED):
            return f"cannot self-assess a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        clean = _validate_scores(scores, _criteria_of(evaluation))
        if len(_text(note)) > MAX_NOTE:
            raise Invalid({"note": "too_long"})
        details["self"] = clean
        details["self_note"] = _text(note)
        details["general"] = dict(clean)
        details["review"] = []
        evaluation.status = EvaluationStatus.SELF_ASSESSED.value
        _recompute(session, evaluation, unit, details)
        return None

    _edit(
        store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.self_assess", check=check, change=change
    )


def review(
    store: Store,
    *,
    viewer: Viewer,
    evaluation_id: int,
    version: int | None,
    scores: dict[str, Any],
    reasons: dict[str, str],
    disciplined: bool | None = None,
    discipline_reason: str = "",
) -> None:
    """A manager or leader over the person's unit reviews (for a unit: over its parent, the level
    above): every changed score needs a reason."""

    def check(session: Session, evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if _hidden(viewer, evaluation, unit):
            return "not_found"
        if evaluation.person_id is None:
            if not may_review_unit(viewer, unit):
                return "only a manager or leader of the level above reviews a unit"
        elif not may_review(viewer, unit.path):
            return "only a manager or leader over the unit reviews"
        if _answers_for(session, viewer, evaluation):
            return "nobody reviews their own evaluation"
        if EvaluationStatus(evaluation.status) not in OPEN:
            return f"cannot review a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        clean = _validate_scores(scores, _criteria_of(evaluation))
        given = reasons if isinstance(reasons, dict) else {}
        current = {k: float(v) for k, v in (details.get("general") or {}).items()}
        changes = []
        problems: dict[str, str] = {}
        for code, value in clean.items():
            if current.get(code) != value:
                reason = _text(given.get(code))
                if not reason:
                    problems[code] = "reason_required"
                elif len(reason) > MAX_NOTE:
                    problems[code] = "too_long"
                changes.append(
                    {
                        "criterion": code,
                        "from": current.get(code),
                        "to": value,
                        "reason": reason,
                        "by": viewer.username,
                        "at": now().isoformat(),
                    }
                )
        if disciplined is not None and bool(disciplined) != evaluation.disciplined:
            if not _text(discipline_reason):
                problems["disciplined"] = "reason_required"
            changes.append(
                {
                    "criterion": "disciplined",
                    "from": evaluation.disciplined,
                    "to": bool(disciplined),
                    "reason": _text(discipline_reason),
                    "by": viewer.username,
                    "at": now().isoformat(),
                }
            )
            evaluation.disciplined = bool(disciplined)
        if problems:
            raise Invalid(problems)
        details["general"] = clean
        details.setdefault("review", []).extend(changes)
        evaluation.status = EvaluationStatus.REVIEWED.value
        _recompute(session, evaluation, unit, details)
        return f"{len(changes)} change(s)"

    _edit(store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.review", check=check, change=change)


def review_remaining(store: Store, *, viewer: Viewer, unit_id: int, period_code: str) -> int:
    """Accept every not-yet-reviewed evaluation of a unit as proposed (no change); returns the count."""
    with store.read() as session:
        unit = session.get(OrgUnit, unit_id)
    if unit is None or not viewer.covers_path(unit.path):
        raise NotFound("unit", unit_id)
    if not may_approve(viewer, unit):
        raise _refuse(store, viewer, "evaluation.review_remaining", None, f"unit {unit_id} {period_code}")
    with store.write() as session:
        period = period_row(session, period_code)
        rows = _not_own(session, viewer, _members(session, unit, period.id))
        count = 0
        for evaluation, _group, _name in rows:
            if evaluation.status not in (EvaluationStatus.DRAFT.value, EvaluationStatus.SELF_ASSESSED.value):
                continue
            before = audit.snapshot(evaluation, AUDITED)
            details = load_details(evaluation.details_json)
            evaluation.status = EvaluationStatus.REVIEWED.value
            _recompute(session, evaluation, session.get(OrgUnit, evaluation.unit_id), details)  # type: ignore[arg-type]
            _trail(details, viewer, "review", "accepted as proposed")
            evaluation.details_json = _dump(details)
            audit.record(
                session,
                user_id=viewer.user_id,
                action="evaluation.review",
                entity="evaluation",
                entity_id=evaluation.id,
                before=before,
                after=audit.snapshot(evaluation, AUDITED),
                detail="accepted as proposed",
            )
            count += 1
        _flush(session, unit_id)
    return count


def _not_own(
    session: Session, viewer: Viewer, rows: list[tuple[Evaluation, str, str]]
) -> list[tuple[Evaluation, str, str]]:
    """Leave out what the viewer answers for (their own evaluation, a unit they head): the level above decides it."""
    headed = responsible_units(session, viewer=viewer)
    return [
        r
        for r in rows
        if not (r[0].unit_id in headed if r[0].person_id is None else r[0].person_id == viewer.person_id)
    ]


def _members(session: Session, unit: OrgUnit, period_id: int) -> list[tuple[Evaluation, str, str]]:
    """What a unit head approves: the unit's own people, and the unit evaluations of its direct children
    (grouped by kind: the units of one kind under one parent share a quota)."""
    people = session.execute(
        select(Evaluation, Position.task_group, Person.full_name)
        .join(Person, Person.id == Evaluation.person_id)
        .outerjoin(Position, Position.id == Person.position_id)
        .where(Evaluation.period_id == period_id, Evaluation.unit_id == unit.id)
        .order_by(Evaluation.id)
    ).all()
    children = session.execute(
        select(Evaluation, OrgUnit.kind, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == Evaluation.unit_id)
        .where(Evaluation.period_id == period_id, Evaluation.person_id.is_(None), OrgUnit.parent_id == unit.id)
        .order_by(Evaluation.id)
    ).all()
    return [(e, group or "", name) for e, group, name in people] + [
        (e, unit_group(kind), name) for e, kind, name in children
    ]


def approve_unit(store: Store, *, viewer: Viewer, unit_id: int, period_code: str) -> ApprovalResult:
    """The unit head approves the unit's reviewed evaluations and those of its child units; the quota
    is applied per position group, and among the child units per kind.

    Everyone the head approves must be reviewed first (Invalid lists how many are waiting). The
    head's own evaluation (and that of a unit the head answers for) is left for the level above.
    Leaders' task points are weighed by their unit's results before the quota.
    """
    with store.read() as session:
        unit = session.get(OrgUnit, unit_id)
    if unit is None or not viewer.covers_path(unit.path):
        raise NotFound("unit", unit_id)
    if not may_approve(viewer, unit):
        raise _refuse(store, viewer, "evaluation.approve", None, f"unit {unit_id} {period_code}")
    with store.write() as session:
        period = period_row(session, period_code)
        rows = _not_own(session, viewer, _members(session, unit, period.id))
        pending = [
            r for r in rows if r[0].status in (EvaluationStatus.DRAFT.value, EvaluationStatus.SELF_ASSESSED.value)
        ]
        if pending:
            raise Invalid({"evaluations": "not_reviewed"}, count=len(pending))
        targets = [r for r in rows if r[0].status == EvaluationStatus.REVIEWED.value]
        if not targets:
            raise Invalid({"evaluations": "nothing_to_approve"})
        moves = _approve(session, viewer, unit, targets, [r for r in rows if r[0].status in (s.value for s in DONE)])
        _flush(session, unit_id)
        audit.record(
            session,
            user_id=viewer.user_id,
            action="evaluation.approve_unit",
            entity="evaluation_period",
            entity_id=f"{period_code}:{unit_id}",
            after={"approved": len(targets), "moved": len(moves)},
        )
    return ApprovalResult(approved=len(targets), moves=moves)


def _approve(
    session: Session,
    viewer: Viewer,
    unit: OrgUnit,
    targets: list[tuple[Evaluation, str, str]],
    already: list[tuple[Evaluation, str, str]],
) -> list[QuotaMove]:
    stamp = now()
    befores = {e.id: audit.snapshot(e, AUDITED) for e, _g, _n in targets}
    details_of = {e.id: load_details(e.details_json) for e, _g, _n in targets}
    _weigh_leaders(session, unit, targets, already, details_of)
    target_ids = set(details_of)
    groups: dict[str, list[tuple[Evaluation, str, str]]] = defaultdict(list)
    for row in targets + already:
        groups[row[1]].append(row)
    moves: list[QuotaMove] = []
    for evaluation, _g, _n in targets:
        evaluation.final_level = evaluation.level
    rules = rules_for(unit.ruleset)  # the approving unit's rules: its people's quota, and its child units'
    for group, members in sorted(groups.items()):
        units = group.startswith(unit_group(""))
        share = rules.unit.excellent_quota if units else rules.excellent_quota
        scored = [(e, g, n) for e, g, n in members if e.total is not None]
        levels = {e.id: Level(e.level if e.id in target_ids else (e.final_level or e.level)) for e, _g, _n in scored}
        decisions = apply_quota(
            [(e.id, float(e.total), float(e.task_points or 0.0)) for e, _g, _n in scored],
            rules,
            levels=levels,
            share=share,
        )
        n_excellent = sum(1 for level in levels.values() if level is Level.EXCELLENT)
        n_good = sum(1 for level in levels.values() if level is Level.GOOD)
        kept = n_excellent - sum(1 for d in decisions if d.moved_down)
        quota = {
            "group": group,
            "n_excellent": n_excellent,
            "n_good": n_good,
            "share": share,
            "units": units,
            "allowance": excellent_allowance(n_excellent, n_good, share),
            "allowed": kept,
        }
        by_id = {e.id: (e, n) for e, _g, n in scored}
        for decision in decisions:
            evaluation, name = by_id[decision.person_id]
            if evaluation.id not in target_ids:
                continue  # approved earlier: its final level stands
            evaluation.final_level = decision.level.value
            details_of[evaluation.id]["quota"] = {
                **quota,
                "moved": decision.moved_down,
                "flagged": decision.tied_at_cut,
            }
            if decision.moved_down:
                moves.append(
                    QuotaMove(
                        evaluation.id,
                        name,
                        group,
                        evaluation.level or "",
                        decision.level.value,
                        quota,
                        decision.tied_at_cut,
                    )
                )
    for evaluation, _g, _n in targets:
        details = details_of[evaluation.id]
        evaluation.status = EvaluationStatus.APPROVED.value
        evaluation.approved_by_id = viewer.user_id
        evaluation.approved_at = stamp
        moved = (details.get("quota") or {}).get("moved")
        note = f"quota: {evaluation.level} -> {evaluation.final_level}" if moved else None
        _trail(details, viewer, "approve", note)
        evaluation.details_json = _dump(details)
        audit.record(
            session,
            user_id=viewer.user_id,
            action="evaluation.approve",
            entity="evaluation",
            entity_id=evaluation.id,
            before=befores[evaluation.id],
            after=audit.snapshot(evaluation, AUDITED),
            detail=note,
        )
    return moves


def _weigh_leaders(
    session: Session,
    unit: OrgUnit,
    targets: list[tuple[Evaluation, str, str]],
    already: list[tuple[Evaluation, str, str]],
    details_of: dict[int, dict[str, Any]],
) -> None:
    """A leader's task points also weigh the unit's results: how its people were rated and its planned work."""
    leaders = {
        pid
        for (pid,) in session.execute(
            select(Person.id)
            .join(Position, Position.id == Person.position_id)
            .where(Person.id.in_([e.person_id for e, _g, _n in targets if e.person_id]), Position.is_leader.is_(True))
        ).all()
    }
    if not leaders:
        return
    for evaluation, _g, _n in targets:
        if evaluation.person_id not in leaders:
            continue
        subordinates = [
            (e.final_level or e.level)
            for e, _g2, _n2 in targets + already
            if e.person_id is not None and e.person_id != evaluation.person_id and (e.final_level or e.level)
        ]
        details = details_of[evaluation.id]
        details["leader_context"] = {
            "subordinate_levels": subordinates,
            "plan_completion": _plan_completion(session, evaluation.unit_id, evaluation.period_id),
        }
        _recompute(session, evaluation, session.get(OrgUnit, evaluation.unit_id), details)  # type: ignore[arg-type]


def _plan_completion(session: Session, unit_id: int, period_id: int) -> float | None:
    """The unit's completion of its planned work: its rolled-up indicator score for the period
    (None when nothing is measured: the rules then leave that part out)."""
    score = session.execute(
        select(UnitRollup.score).where(UnitRollup.unit_id == unit_id, UnitRollup.period_id == period_id)
    ).scalar_one_or_none()
    return None if score is None else round(float(score), 4)


def lock_unit(store: Store, *, viewer: Viewer, unit_id: int, period_code: str) -> int:
    """Close the unit's approved evaluations of the period: no more appeals or changes."""
    with store.read() as session:
        unit = session.get(OrgUnit, unit_id)
    if unit is None or not viewer.covers_path(unit.path):
        raise NotFound("unit", unit_id)
    if not may_approve(viewer, unit):
        raise _refuse(store, viewer, "evaluation.lock", None, f"unit {unit_id} {period_code}")
    with store.write() as session:
        period = period_row(session, period_code)
        count = 0
        for evaluation, _g, _n in _members(session, unit, period.id):
            if evaluation.status != EvaluationStatus.APPROVED.value:
                continue
            before = audit.snapshot(evaluation, AUDITED)
            details = load_details(evaluation.details_json)
            evaluation.status = EvaluationStatus.LOCKED.value
            _trail(details, viewer, "lock")
            evaluation.details_json = _dump(details)
            audit.record(
                session,
                user_id=viewer.user_id,
                action="evaluation.lock",
                entity="evaluation",
                entity_id=evaluation.id,
                before=before,
                after=audit.snapshot(evaluation, AUDITED),
            )
            count += 1
        _flush(session, unit_id)
    return count


def appeal(store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, note: str) -> None:
    """The person (for a unit, its head) records an appeal note against an approved, not yet locked, evaluation."""

    def check(session: Session, evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if _hidden(viewer, evaluation, unit):
            return "not_found"
        if not _answers_for(session, viewer, evaluation):
            return "only the person (or the unit's head) appeals"
        if evaluation.status != EvaluationStatus.APPROVED.value:
            return f"cannot appeal a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        text = _text(note)
        if not text:
            raise Invalid({"appeal_note": "required"})
        if len(text) > MAX_NOTE:
            raise Invalid({"appeal_note": "too_long"})
        evaluation.appeal_note = text
        return None

    _edit(store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.appeal", check=check, change=change)


def unlock(store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, reason: str) -> None:
    """An administrator reopens an approved or locked evaluation for review, with a reason."""

    def check(session: Session, evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if _hidden(viewer, evaluation, unit):
            return "not_found"
        if not viewer.is_admin:
            return "only an administrator unlocks"
        if EvaluationStatus(evaluation.status) not in DONE:
            return f"cannot unlock a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        text = _text(reason)
        if not text:
            raise Invalid({"reason": "required"})
        evaluation.status = EvaluationStatus.REVIEWED.value
        evaluation.final_level = None
        evaluation.approved_by_id = None
        evaluation.approved_at = None
        details.pop("quota", None)
        details.pop("leader_context", None)
        _recompute(session, evaluation, unit, details)
        return text[:MAX_NOTE]

    _edit(store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.unlock", check=check, change=change)

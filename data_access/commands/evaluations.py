"""Write commands of the evaluation flow: open, self-assess, review, approve (with the quota),
lock, unlock, appeal. Each validates, authorises (refusals audited), writes in one transaction
with an audit entry, and refuses a stale version with Conflict.

Flow: draft -> self_assessed (the person) -> reviewed (a manager or leader over the person's
unit, each change with a reason) -> approved (the unit head; the quota is applied per unit and
position group at that moment) -> locked (the approver closes the period; no more appeals).
An approved evaluation no longer changes except for the person's appeal note; an administrator
may unlock it back to "reviewed" with a reason (audited), which is the only way back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from config.clock import now
from data_access import audit
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid, NotFound
from data_access.models import AuditEntry, Evaluation, OrgUnit, Person, Position, User
from data_access.queries.evaluations import (
    UNIT_GROUP,
    TaskLine,
    load_details,
    may_approve,
    may_review,
    period_row,
    person_tasks,
    unit_tasks,
)
from data_access.viewer import Viewer
from domain import evaluation as rules_engine
from domain.kinds import EvaluationStatus, Role
from domain.periods import parse_period
from config.rulesets import load_ruleset

OPEN = (EvaluationStatus.DRAFT, EvaluationStatus.SELF_ASSESSED, EvaluationStatus.REVIEWED)
DONE = (EvaluationStatus.APPROVED, EvaluationStatus.LOCKED)
MAX_NOTE = 2000
AUDITED = ("status", "general_points", "task_points", "total", "level", "final_level", "disciplined", "appeal_note", "version")


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    max_points: float


# Decree 335's general criteria (30 points); a rule set may list its own under "general_criteria".
DEFAULT_CRITERIA = (
    Criterion("politics", "Political ideology", 6),
    Criterion("ethics", "Ethics and lifestyle", 6),
    Criterion("style", "Work style and manners", 6),
    Criterion("discipline", "Sense of organisation and discipline", 6),
    Criterion("learning", "Learning, innovation and initiative", 6),
)


@dataclass(frozen=True)
class QuotaMove:
    evaluation_id: int
    name: str
    group: str
    from_level: str
    to_level: str
    reason: str
    flagged: bool


@dataclass(frozen=True)
class ApprovalResult:
    approved: int
    moves: list[QuotaMove]


# --- rules ----------------------------------------------------------------------------------


def rules_for(name: str) -> Any:
    return load_ruleset(name)


def _rule(rules: Any, key: str, default: Any = None) -> Any:
    if isinstance(rules, dict):
        return rules.get(key, default)
    return getattr(rules, key, default)


def general_criteria(rules: Any) -> tuple[Criterion, ...]:
    """The general criteria of a rule set (code, label, maximum points)."""
    listed = _rule(rules, "general_criteria")
    if not listed:
        return DEFAULT_CRITERIA
    out = []
    for item in listed:
        if isinstance(item, dict):
            out.append(Criterion(str(item["code"]), str(item.get("label", item["code"])), float(item.get("max_points", item.get("max", 0)))))
        else:
            out.append(Criterion(str(item.code), str(getattr(item, "label", item.code)), float(getattr(item, "max_points", 0))))
    return tuple(out)


def _outcome(line: TaskLine) -> Any:
    fields = {
        "coefficient": line.coefficient, "completed": line.completed, "meets_quality": line.meets_quality,
        "major_errors": line.major_errors, "delays": line.delays, "excused": line.excused,
    }
    try:
        return rules_engine.TaskOutcome(**fields, exceeded=line.exceeded)
    except TypeError:
        return rules_engine.TaskOutcome(**fields)


def _score(lines: list[TaskLine], rules: Any) -> dict[str, Any]:
    """Task results of a list of products: the four figures and the per-product explanation."""
    result = rules_engine.task_result([_outcome(line) for line in lines], rules) if lines else None
    if result is None:
        return {"points": None, "quantity": None, "quality": None, "progress": None}
    return {name: _num(getattr(result, name, None)) for name in ("points", "quantity", "quality", "progress")}


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def _level(total: float | None, *, disciplined: bool, rules: Any) -> str | None:
    if total is None:
        return None
    level = rules_engine.classify(total, disciplined=disciplined, rules=rules)
    return str(getattr(level, "value", level))


def explanation(lines: list[TaskLine], rules: Any) -> list[dict[str, Any]]:
    """Each product with its coefficient and the deductions the rules take from it."""
    quality_cut = float(_rule(rules, "major_error_deduction", 0.25) or 0.25)
    delay_cut = float(_rule(rules, "delay_deduction", 0.25) or 0.25)
    out = []
    for line in lines:
        deductions = []
        if not line.completed:
            deductions.append({"code": "not_completed"})
        else:
            if not line.meets_quality:
                deductions.append({"code": "quality_not_met"})
            if line.major_errors and not line.excused:
                deductions.append({"code": "major_errors", "count": line.major_errors, "share": min(1.0, line.major_errors * quality_cut)})
            if line.delays and not line.excused:
                deductions.append({"code": "delays", "count": line.delays, "share": min(1.0, line.delays * delay_cut)})
        out.append({**line.as_json(), "deductions": deductions})
    return out


# --- helpers --------------------------------------------------------------------------------


def _dump(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)


def _refuse(store: Store, viewer: Viewer, action: str, entity_id: object, detail: str) -> Forbidden:
    """Audit a refusal in its own transaction (the caller's is rolled back) and return the error."""
    with store.write() as session:
        audit.record(session, user_id=viewer.user_id, action=action, entity="evaluation", entity_id=entity_id,
                     outcome="denied", detail=detail)
    return Forbidden(detail)


def _conflict(session: Session, evaluation_id: int) -> Conflict:
    last = session.execute(
        select(User.username, AuditEntry.at)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.entity == "evaluation", AuditEntry.entity_id == str(evaluation_id), AuditEntry.outcome == "ok")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    return Conflict("evaluation", evaluation_id, changed_by=last[0] if last else None, changed_at=last[1] if last else None)


def _load(session: Session, evaluation_id: int) -> tuple[Evaluation, OrgUnit]:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise NotFound("evaluation", evaluation_id)
    unit = session.get(OrgUnit, evaluation.unit_id)
    assert unit is not None
    return evaluation, unit


def _check_version(session: Session, evaluation: Evaluation, version: int | None) -> None:
    if version is not None and int(version) != evaluation.version:
        raise _conflict(session, evaluation.id)


def _flush(session: Session, evaluation_id: int) -> None:
    try:
        session.flush()
    except StaleDataError as error:
        raise _conflict(session, evaluation_id) from error


def _trail(details: dict[str, Any], viewer: Viewer, action: str, note: str | None = None) -> None:
    details.setdefault("trail", []).append({"action": action, "by": viewer.username, "at": now().isoformat(), "note": note})


def _recompute(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> None:
    """Task points from the period's tasks, total and level; the explanation is stored with them."""
    rules = rules_for(evaluation.ruleset)
    period = parse_period(_period_code(session, evaluation.period_id))
    if evaluation.person_id is not None:
        lines = person_tasks(session, person_id=evaluation.person_id, start=period.start, end=period.end)
    else:
        lines = unit_tasks(session, unit_path=unit.path, start=period.start, end=period.end)
    result = _score(lines, rules)
    details["task_result"] = result
    details["explanation"] = explanation(lines, rules)
    evaluation.task_points = None if result["points"] is None else round(result["points"], 2)
    general = details.get("general") or {}
    evaluation.general_points = round(sum(float(v) for v in general.values()), 2) if general else None
    evaluation.total = _total(evaluation.general_points, evaluation.task_points)
    evaluation.level = _level(evaluation.total, disciplined=evaluation.disciplined, rules=rules)


def _total(general: float | None, task: float | None) -> float | None:
    if general is None and task is None:
        return None
    return round(min(100.0, (general or 0.0) + (task or 0.0)), 2)


def _period_code(session: Session, period_id: int) -> str:
    from data_access.models import Period as PeriodRow

    row = session.get(PeriodRow, period_id)
    assert row is not None
    return row.code


def _validate_scores(scores: dict[str, Any], rules: Any) -> dict[str, float]:
    criteria = {c.code: c for c in general_criteria(rules)}
    problems: dict[str, str] = {}
    clean: dict[str, float] = {}
    for code, criterion in criteria.items():
        raw = scores.get(code)
        try:
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
        allowed = unit is not None and viewer.role in (Role.ADMIN, Role.LEADER, Role.MANAGER) and viewer.covers_path(unit.path)
    if unit is None:
        raise NotFound("unit", unit_id)
    if not allowed:
        raise _refuse(store, viewer, "evaluation.open", None, f"open {period_code} for unit {unit_id}")
    with store.write() as session:
        period = period_row(session, period_code)
        units = session.execute(
            select(OrgUnit).where(OrgUnit.path.startswith(unit.path, autoescape=True), OrgUnit.active.is_(True)).order_by(OrgUnit.path)
        ).scalars().all()
        by_id = {u.id: u for u in units}
        people = session.execute(
            select(Person).where(Person.unit_id.in_(by_id), Person.active.is_(True)).order_by(Person.id)
        ).scalars().all()
        existing_people = set(session.execute(
            select(Evaluation.person_id).where(Evaluation.period_id == period.id, Evaluation.person_id.is_not(None))
        ).scalars())
        existing_units = set(session.execute(
            select(Evaluation.unit_id).where(Evaluation.period_id == period.id, Evaluation.person_id.is_(None))
        ).scalars())
        created = 0
        targets: list[tuple[int | None, OrgUnit]] = [(p.id, by_id[p.unit_id]) for p in people if p.id not in existing_people]
        targets += [(None, u) for u in units if u.id not in existing_units]
        for person_id, owner in targets:
            rules = rules_for(owner.ruleset)
            details: dict[str, Any] = {"general": {c.code: c.max_points for c in general_criteria(rules)}, "review": []}
            evaluation = Evaluation(person_id=person_id, unit_id=owner.id, period_id=period.id, ruleset=owner.ruleset,
                                    status=EvaluationStatus.DRAFT.value, disciplined=False)
            _recompute(session, evaluation, owner, details)
            _trail(details, viewer, "opened")
            evaluation.details_json = _dump(details)
            session.add(evaluation)
            created += 1
        audit.record(session, user_id=viewer.user_id, action="evaluation.open", entity="evaluation_period",
                     entity_id=f"{period_code}:{unit_id}", after={"created": created})
    return created


def _edit(store: Store, *, viewer: Viewer, evaluation_id: int, action: str, check, change) -> None:  # type: ignore[no-untyped-def]
    """Shared frame: load, authorise (refusal audited), check the version, change, audit, flush."""
    with store.read() as session:
        evaluation, unit = _load(session, evaluation_id)
        refusal = check(evaluation, unit)
    if refusal:
        if refusal == "not_found":
            raise NotFound("evaluation", evaluation_id)
        raise _refuse(store, viewer, action, evaluation_id, refusal)
    with store.write() as session:
        evaluation, unit = _load(session, evaluation_id)
        before = audit.snapshot(evaluation, AUDITED)
        details = load_details(evaluation.details_json)
        note = change(session, evaluation, unit, details)
        _trail(details, viewer, action.split(".")[-1], note)
        evaluation.details_json = _dump(details)
        _flush(session, evaluation_id)
        audit.record(session, user_id=viewer.user_id, action=action, entity="evaluation", entity_id=evaluation_id,
                     before=before, after=audit.snapshot(evaluation, AUDITED), detail=note)


def _visible(viewer: Viewer, unit: OrgUnit) -> bool:
    return viewer.covers_path(unit.path)


def self_assess(store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, scores: dict[str, Any],
                note: str = "") -> None:
    """The person scores the general criteria of their own evaluation."""

    def check(evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if not _visible(viewer, unit) and evaluation.person_id != viewer.person_id:
            return "not_found"
        if evaluation.person_id is None or evaluation.person_id != viewer.person_id:
            return "only the person self-assesses"
        if EvaluationStatus(evaluation.status) not in (EvaluationStatus.DRAFT, EvaluationStatus.SELF_ASSESSED):
            return f"cannot self-assess a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        clean = _validate_scores(scores, rules_for(evaluation.ruleset))
        if len(note or "") > MAX_NOTE:
            raise Invalid({"note": "too_long"})
        details["self"] = clean
        details["self_note"] = (note or "").strip()
        details["general"] = dict(clean)
        details["review"] = []
        evaluation.status = EvaluationStatus.SELF_ASSESSED.value
        _recompute(session, evaluation, unit, details)
        return None

    _edit(store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.self_assess", check=check, change=change)


def review(store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, scores: dict[str, Any],
           reasons: dict[str, str], disciplined: bool | None = None, discipline_reason: str = "") -> None:
    """A manager or leader over the person's unit reviews: every changed score needs a reason."""

    def check(evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if not _visible(viewer, unit) or viewer.role is Role.STAFF and evaluation.person_id != viewer.person_id:
            return "not_found"
        if not may_review(viewer, unit.path):
            return "only a manager or leader over the unit reviews"
        if evaluation.person_id is not None and evaluation.person_id == viewer.person_id:
            return "nobody reviews their own evaluation"
        if EvaluationStatus(evaluation.status) not in OPEN:
            return f"cannot review a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        clean = _validate_scores(scores, rules_for(evaluation.ruleset))
        current = {k: float(v) for k, v in (details.get("general") or {}).items()}
        changes = []
        problems: dict[str, str] = {}
        for code, value in clean.items():
            if current.get(code) != value:
                reason = (reasons.get(code) or "").strip()
                if not reason:
                    problems[code] = "reason_required"
                elif len(reason) > MAX_NOTE:
                    problems[code] = "too_long"
                changes.append({"criterion": code, "from": current.get(code), "to": value, "reason": reason,
                                "by": viewer.username, "at": now().isoformat()})
        if disciplined is not None and bool(disciplined) != evaluation.disciplined:
            if not discipline_reason.strip():
                problems["disciplined"] = "reason_required"
            changes.append({"criterion": "disciplined", "from": evaluation.disciplined, "to": bool(disciplined),
                            "reason": discipline_reason.strip(), "by": viewer.username, "at": now().isoformat()})
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
        rows = _members(session, unit, period.id)
        count = 0
        for evaluation, _group, _name in rows:
            if evaluation.status not in (EvaluationStatus.DRAFT.value, EvaluationStatus.SELF_ASSESSED.value):
                continue
            if evaluation.person_id is not None and evaluation.person_id == viewer.person_id:
                continue
            before = audit.snapshot(evaluation, AUDITED)
            details = load_details(evaluation.details_json)
            evaluation.status = EvaluationStatus.REVIEWED.value
            _recompute(session, evaluation, session.get(OrgUnit, evaluation.unit_id), details)  # type: ignore[arg-type]
            _trail(details, viewer, "review", "accepted as proposed")
            evaluation.details_json = _dump(details)
            audit.record(session, user_id=viewer.user_id, action="evaluation.review", entity="evaluation",
                         entity_id=evaluation.id, before=before, after=audit.snapshot(evaluation, AUDITED),
                         detail="accepted as proposed")
            count += 1
        _flush(session, unit_id)
    return count


def _members(session: Session, unit: OrgUnit, period_id: int) -> list[tuple[Evaluation, str, str]]:
    """What a unit head approves: the unit's own people, and the unit evaluations of its direct children."""
    people = session.execute(
        select(Evaluation, Position.task_group, Person.full_name)
        .join(Person, Person.id == Evaluation.person_id)
        .outerjoin(Position, Position.id == Person.position_id)
        .where(Evaluation.period_id == period_id, Evaluation.unit_id == unit.id)
        .order_by(Evaluation.id)
    ).all()
    children = session.execute(
        select(Evaluation, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == Evaluation.unit_id)
        .where(Evaluation.period_id == period_id, Evaluation.person_id.is_(None), OrgUnit.parent_id == unit.id)
        .order_by(Evaluation.id)
    ).all()
    return [(e, group or "", name) for e, group, name in people] + [(e, UNIT_GROUP, name) for e, name in children]


def approve_unit(store: Store, *, viewer: Viewer, unit_id: int, period_code: str) -> ApprovalResult:
    """The unit head approves the unit's reviewed evaluations; the quota is applied per position group.

    Everyone the head approves must be reviewed first (Invalid lists how many are waiting). The
    head's own evaluation is left for the level above. Leaders' task points are weighed by their
    unit's results before the quota.
    """
    with store.read() as session:
        unit = session.get(OrgUnit, unit_id)
    if unit is None or not viewer.covers_path(unit.path):
        raise NotFound("unit", unit_id)
    if not may_approve(viewer, unit):
        raise _refuse(store, viewer, "evaluation.approve", None, f"unit {unit_id} {period_code}")
    with store.write() as session:
        period = period_row(session, period_code)
        rows = [r for r in _members(session, unit, period.id)
                if not (r[0].person_id is not None and r[0].person_id == viewer.person_id)]
        pending = [r for r in rows if r[0].status in (EvaluationStatus.DRAFT.value, EvaluationStatus.SELF_ASSESSED.value)]
        if pending:
            raise Invalid({"evaluations": "not_reviewed"}, count=len(pending))
        targets = [r for r in rows if r[0].status == EvaluationStatus.REVIEWED.value]
        if not targets:
            raise Invalid({"evaluations": "nothing_to_approve"})
        moves = _approve(session, viewer, unit, targets, [r for r in rows if r[0].status in (s.value for s in DONE)])
        _flush(session, unit_id)
        audit.record(session, user_id=viewer.user_id, action="evaluation.approve_unit", entity="evaluation_period",
                     entity_id=f"{period_code}:{unit_id}", after={"approved": len(targets), "moved": len(moves)})
    return ApprovalResult(approved=len(targets), moves=moves)


def _approve(session: Session, viewer: Viewer, unit: OrgUnit, targets: list[tuple[Evaluation, str, str]],
             already: list[tuple[Evaluation, str, str]]) -> list[QuotaMove]:
    stamp = now()
    befores = {e.id: audit.snapshot(e, AUDITED) for e, _g, _n in targets}
    details_of = {e.id: load_details(e.details_json) for e, _g, _n in targets}
    _weigh_leaders(session, unit, targets, details_of)
    groups: dict[str, list[tuple[Evaluation, str, str]]] = defaultdict(list)
    for row in targets + already:
        groups[row[1]].append(row)
    moves: list[QuotaMove] = []
    rules = rules_for(unit.ruleset)
    for group, members in sorted(groups.items()):
        decided = quota_decisions([(e.id, e.total, e.level if e in [t[0] for t in targets] else e.final_level) for e, _g, _n in members], rules)
        names = {e.id: n for e, _g, n in members}
        for evaluation, _g, _n in members:
            if evaluation.id not in details_of:
                continue
            decision = decided.get(evaluation.id, {})
            final = decision.get("level", evaluation.level)
            details = details_of[evaluation.id]
            details["quota"] = {"group": group, **{k: v for k, v in decision.items() if k != "level"}}
            evaluation.final_level = final
            if decision.get("moved"):
                moves.append(QuotaMove(evaluation.id, names[evaluation.id], group, evaluation.level or "", final or "",
                                       decision.get("reason", ""), bool(decision.get("flagged"))))
    for evaluation, _g, _n in targets:
        details = details_of[evaluation.id]
        evaluation.status = EvaluationStatus.APPROVED.value
        evaluation.approved_by_id = viewer.user_id
        evaluation.approved_at = stamp
        _trail(details, viewer, "approve", (details.get("quota") or {}).get("reason"))
        evaluation.details_json = _dump(details)
        audit.record(session, user_id=viewer.user_id, action="evaluation.approve", entity="evaluation",
                     entity_id=evaluation.id, before=befores[evaluation.id], after=audit.snapshot(evaluation, AUDITED),
                     detail=(details.get("quota") or {}).get("reason"))
    return moves


def quota_decisions(candidates: list[tuple[int, float | None, str | None]], rules: Any) -> dict[int, dict[str, Any]]:
    """Apply the rule set's quota to one unit and position group: {id: {level, moved, reason, flagged, ...}}."""
    return rules_engine_quota(candidates, rules)


def rules_engine_quota(candidates: list[tuple[int, float | None, str | None]], rules: Any) -> dict[int, dict[str, Any]]:
    raise NotImplementedError  # replaced once domain.evaluation.apply_quota's shape is known


def _weigh_leaders(session: Session, unit: OrgUnit, targets: list[tuple[Evaluation, str, str]],
                   details_of: dict[int, dict[str, Any]]) -> None:
    """Leaders' task points also weigh how their unit did (see domain.evaluation)."""
    return None


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
            audit.record(session, user_id=viewer.user_id, action="evaluation.lock", entity="evaluation",
                         entity_id=evaluation.id, before=before, after=audit.snapshot(evaluation, AUDITED))
            count += 1
        _flush(session, unit_id)
    return count


def appeal(store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, note: str) -> None:
    """The person records an appeal note against an approved (not yet locked) evaluation."""

    def check(evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if evaluation.person_id is None or evaluation.person_id != viewer.person_id:
            return "not_found" if not _visible(viewer, unit) else "only the person appeals"
        if evaluation.status != EvaluationStatus.APPROVED.value:
            return f"cannot appeal a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        text = (note or "").strip()
        if not text:
            raise Invalid({"appeal_note": "required"})
        if len(text) > MAX_NOTE:
            raise Invalid({"appeal_note": "too_long"})
        evaluation.appeal_note = text
        return None

    _edit(store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.appeal", check=check, change=change)


def unlock(store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, reason: str) -> None:
    """An administrator reopens an approved or locked evaluation for review, with a reason."""

    def check(evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if not _visible(viewer, unit):
            return "not_found"
        if not viewer.is_admin:
            return "only an administrator unlocks"
        if EvaluationStatus(evaluation.status) not in DONE:
            return f"cannot unlock a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        text = (reason or "").strip()
        if not text:
            raise Invalid({"reason": "required"})
        evaluation.status = EvaluationStatus.REVIEWED.value
        evaluation.final_level = None
        evaluation.approved_by_id = None
        evaluation.approved_at = None
        details.pop("quota", None)
        return text[:MAX_NOTE]

    _edit(store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.unlock", check=check, change=change)

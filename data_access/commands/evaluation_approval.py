"""Approval of a unit's evaluations by its head: accept the rest as proposed, approve with the excellent
quota (per position group, and among the child units per kind), lock the period. Each command runs in
the one frame of the evaluation commands (load, authorise, write, audit in one transaction).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import now
from data_access import audit
from data_access.commands import common
from data_access.commands.evaluation_notices import detail_of, tell
from data_access.commands.evaluation_scoring import plan_completion, recompute, rules_for
from data_access.commands.evaluations import AUDITED, DONE, MAX_NOTE, add_trail, dump_details, unit_command, unit_of
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import Evaluation, OrgUnit, Period, Person, Position
from data_access.queries.evaluations import load_details, period_row, responsible_units, unit_group
from data_access.queries.placements import position_during
from data_access.viewer import Viewer
from domain.access import may_approve
from domain.kinds import EvaluationStatus
from domain.quota import apply_quota, check_council_choice, council_seats, excellent_allowance, pooled_groups
from domain.rulesets import Level, RuleSet


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
    awaiting: list[QuotaMove] = field(default_factory=list)  # tied at the cut: the council decides


def review_remaining(store: Store, *, viewer: Viewer, unit_id: int, period_code: str) -> int:
    """Accept every not-yet-reviewed evaluation of a unit as proposed (no change); returns the count."""
    with unit_command(store, viewer, action="evaluation.review_remaining") as session:
        unit = _approvable_unit(session, viewer, unit_id, period_code)
        period = period_row(session, period_code)
        rows = _not_own(session, viewer, _members(session, unit, period.id))
        count = 0
        for evaluation, _group, _name in rows:
            if evaluation.status not in (EvaluationStatus.DRAFT.value, EvaluationStatus.SELF_ASSESSED.value):
                continue
            before = audit.snapshot(evaluation, AUDITED)
            details = load_details(evaluation.details_json)
            evaluation.status = EvaluationStatus.REVIEWED.value
            recompute(session, evaluation, unit_of(session, evaluation), details)
            add_trail(details, viewer, "review", "accepted as proposed")
            evaluation.details_json = dump_details(details)
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
        _flush_unit(session, unit_id, period_code)
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
        .join(Period, Period.id == Evaluation.period_id)
        # The quota groups people by the position they held in the period, not the one they hold now.
        .outerjoin(Position, Position.id == position_during(Person.id, Period.start_date, Period.end_date))
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
    with unit_command(store, viewer, action="evaluation.approve") as session:
        unit = _approvable_unit(session, viewer, unit_id, period_code)
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
        moves, awaiting = _approve(
            session, viewer, unit, targets, [r for r in rows if r[0].status in (s.value for s in DONE)], period_code
        )
        _flush_unit(session, unit_id, period_code)
        audit.record(
            session,
            user_id=viewer.user_id,
            action="evaluation.approve_unit",
            entity="evaluation_period",
            entity_id=f"{period_code}:{unit_id}",
            after={"approved": len(targets), "moved": len(moves)},
        )
    return ApprovalResult(approved=len(targets), moves=moves, awaiting=awaiting)


def _approve(
    session: Session,
    viewer: Viewer,
    unit: OrgUnit,
    targets: list[tuple[Evaluation, str, str]],
    already: list[tuple[Evaluation, str, str]],
    period_code: str,
) -> tuple[list[QuotaMove], list[QuotaMove]]:
    stamp = now()
    befores = {e.id: audit.snapshot(e, AUDITED) for e, _g, _n in targets}
    details_of = {e.id: load_details(e.details_json) for e, _g, _n in targets}
    _weigh_leaders(session, unit, targets, already, details_of)
    target_ids = set(details_of)
    rules = rules_for(unit.ruleset)  # the approving unit's rules: its people's quota, and its child units'
    groups = _quota_groups(targets, already, rules)
    moves: list[QuotaMove] = []
    awaiting: list[QuotaMove] = []
    for evaluation, _g, _n in targets:
        evaluation.final_level = evaluation.level
    for group, members in sorted(groups.items()):
        units = group.startswith(unit_group(""))
        share = rules.unit.excellent_quota if units else rules.excellent_quota
        scored: list[tuple[Evaluation, float, Level, str]] = []
        for e, _g, n in members:
            level = e.level if e.id in target_ids else (e.final_level or e.level)
            if e.total is None or level is None:  # not scored yet (recompute sets both): outside the quota
                continue
            scored.append((e, e.total, Level(level), n))
        levels = {e.id: level for e, _t, level, _n in scored}
        decisions = apply_quota(
            [(e.id, total, float(e.task_points or 0.0)) for e, total, _l, _n in scored],
            rules,
            levels=levels,
            share=share,
        )
        n_excellent = sum(1 for level in levels.values() if level is Level.EXCELLENT)
        n_good = sum(1 for level in levels.values() if level is Level.GOOD)
        allowance = excellent_allowance(n_excellent, n_good, share)
        tied = [d.person_id for d in decisions if d.tied_at_cut]
        quota = {
            "group": group,
            "groups": sorted({g for _e, g, _n in members}),  # more than one when small groups are pooled
            "members": len(scored),
            "n_excellent": n_excellent,
            "n_good": n_good,
            "share": share,
            "units": units,
            "allowance": allowance,
            "allowed": sum(1 for d in decisions if d.level is Level.EXCELLENT and not d.tied_at_cut),
            "tied": tied,
            "seats": council_seats(decisions, allowance) if tied else 0,
        }
        by_id = {e.id: (e, n) for e, _t, _l, n in scored}
        for decision in decisions:
            evaluation, name = by_id[decision.person_id]
            if evaluation.id not in target_ids:
                continue  # approved earlier: its final level stands
            # Tied at the cut: no final level until the council decides (shown "awaiting the council").
            evaluation.final_level = None if decision.tied_at_cut else decision.level.value
            details_of[evaluation.id]["quota"] = {
                **quota,
                "moved": decision.moved_down,
                "flagged": decision.tied_at_cut,
                "awaiting": decision.tied_at_cut,
            }
            if decision.moved_down or decision.tied_at_cut:
                (awaiting if decision.tied_at_cut else moves).append(
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
    notices: dict[str, list[tuple[Evaluation, str]]] = defaultdict(list)
    for evaluation, _g, _n in targets:
        details = details_of[evaluation.id]
        evaluation.status = EvaluationStatus.APPROVED.value
        evaluation.approved_by_id = viewer.user_id
        evaluation.approved_at = stamp
        quota_of = details.get("quota") or {}
        note = f"quota: {evaluation.level} -> {evaluation.final_level}" if quota_of.get("moved") else None
        if quota_of.get("awaiting"):
            note = "quota: tie at the cut, awaiting the council"
        add_trail(details, viewer, "approve", note)
        evaluation.details_json = dump_details(details)
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
        kind = "eval_quota" if quota_of.get("moved") else "eval_approved"
        notices[kind].append(
            (
                evaluation,
                detail_of(
                    evaluation,
                    period_code,
                    level=evaluation.level,
                    final=evaluation.final_level,
                    awaiting=bool(quota_of.get("awaiting")),
                ),
            )
        )
    for kind, pending in notices.items():
        tell(session, kind=kind, actor_user_id=viewer.user_id, notices=pending)
    return moves, awaiting


def _quota_groups(
    targets: list[tuple[Evaluation, str, str]], already: list[tuple[Evaluation, str, str]], rules: RuleSet
) -> dict[str, list[tuple[Evaluation, str, str]]]:
    """The rows of each quota group: a position group (people), or the units of one kind. With the rule
    set's pool_small_groups, a people's group too small to keep any excellent is counted with the
    next group up (domain.quota.pooled_groups)."""
    groups: dict[str, list[tuple[Evaluation, str, str]]] = defaultdict(list)
    for row in targets + already:
        groups[row[1]].append(row)
    if not rules.pool_small_groups:
        return groups
    target_ids = {e.id for e, _g, _n in targets}
    counts: dict[str, tuple[int, int]] = {}
    for group, members in groups.items():
        if group.startswith(unit_group("")):
            continue
        levels = [e.level if e.id in target_ids else (e.final_level or e.level) for e, _g, _n in members]
        counts[group] = (levels.count(Level.EXCELLENT.value), levels.count(Level.GOOD.value))
    pool_of = pooled_groups(counts, rules.excellent_quota)
    pooled: dict[str, list[tuple[Evaluation, str, str]]] = defaultdict(list)
    for group, members in groups.items():
        pooled[pool_of.get(group, group)].extend(members)
    return pooled


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
            "plan_completion": plan_completion(session, evaluation.unit_id, evaluation.period_id),
        }
        recompute(session, evaluation, unit_of(session, evaluation), details)


def lock_unit(store: Store, *, viewer: Viewer, unit_id: int, period_code: str) -> int:
    """Close the unit's approved evaluations of the period: no more appeals or changes."""
    with unit_command(store, viewer, action="evaluation.lock") as session:
        unit = _approvable_unit(session, viewer, unit_id, period_code)
        period = period_row(session, period_code)
        members = _members(session, unit, period.id)
        if any(
            (load_details(e.details_json).get("quota") or {}).get("awaiting")
            for e, _g, _n in members
            if e.status == EvaluationStatus.APPROVED.value
        ):
            raise Invalid({"council": "awaiting_council"})  # a tie still waits: locking would freeze it undecided
        count = 0
        for evaluation, _g, _n in members:
            if evaluation.status != EvaluationStatus.APPROVED.value:
                continue
            before = audit.snapshot(evaluation, AUDITED)
            details = load_details(evaluation.details_json)
            evaluation.status = EvaluationStatus.LOCKED.value
            add_trail(details, viewer, "lock")
            evaluation.details_json = dump_details(details)
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
        _flush_unit(session, unit_id, period_code)
    return count


def _approvable_unit(session: Session, viewer: Viewer, unit_id: int, period_code: str) -> OrgUnit:
    """The unit whose head the viewer is: NotFound outside the scope, Refused for anyone but its head."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not viewer.covers_path(unit.path):
        raise NotFound("unit", unit_id)
    if not may_approve(viewer, unit_id=unit.id, unit_path=unit.path):
        raise common.Refused(f"unit {unit_id} {period_code}")
    return unit


def _flush_unit(session: Session, unit_id: int, period_code: str) -> None:
    """Flush many evaluations at once; one changed meanwhile becomes a Conflict on the unit's period."""
    common.flush_or_conflict(session, "evaluation_period", f"{period_code}:{unit_id}")


def resolve_tie(
    store: Store, *, viewer: Viewer, unit_id: int, period_code: str, group: str, keep: list[int], reason: str
) -> int:
    """The unit head (for the council) decides who among those tied at the quota's cut keeps excellent:
    at most the seats the quota leaves, with a reason; the others move to good. Every tied person hears
    of the decision. Returns how many were decided."""
    with unit_command(store, viewer, action="evaluation.council") as session:
        unit = _approvable_unit(session, viewer, unit_id, period_code)
        period = period_row(session, period_code)
        awaiting = [
            (e, load_details(e.details_json))
            for e, _g, _n in _not_own(session, viewer, _members(session, unit, period.id))
            if e.status == EvaluationStatus.APPROVED.value
        ]
        awaiting = [(e, d) for e, d in awaiting if (d.get("quota") or {}).get("awaiting")]
        awaiting = [(e, d) for e, d in awaiting if d["quota"].get("group") == group]
        if not awaiting:
            raise Invalid({"council": "nothing_awaiting"})
        text = reason.strip() if isinstance(reason, str) else ""
        if not text:
            raise Invalid({"reason": "required"})
        if len(text) > MAX_NOTE:
            raise Invalid({"reason": "too_long"})
        chosen = [i for i in keep if isinstance(i, int) and not isinstance(i, bool)] if isinstance(keep, list) else []
        seats = int(awaiting[0][1]["quota"].get("seats", 0))
        problem = check_council_choice([e.id for e, _d in awaiting], chosen, seats)
        if problem:
            raise Invalid({"council": problem}, seats=seats)
        decided: list[tuple[Evaluation, str]] = []
        for evaluation, details in awaiting:
            before = audit.snapshot(evaluation, AUDITED)
            kept = evaluation.id in chosen
            evaluation.final_level = Level.EXCELLENT.value if kept else Level.GOOD.value
            details["quota"] = {**details["quota"], "awaiting": False, "moved": not kept}
            details["council"] = {"kept": kept, "reason": text, "by": viewer.username, "at": now().isoformat()}
            add_trail(details, viewer, "council", text)
            evaluation.details_json = dump_details(details)
            audit.record(
                session,
                user_id=viewer.user_id,
                action="evaluation.council",
                entity="evaluation",
                entity_id=evaluation.id,
                before=before,
                after=audit.snapshot(evaluation, AUDITED),
                detail=text[:MAX_NOTE],
            )
            decided.append((evaluation, detail_of(evaluation, period_code, final=evaluation.final_level, reason=text)))
        _flush_unit(session, unit_id, period_code)
        tell(session, kind="eval_council", actor_user_id=viewer.user_id, notices=decided)
    return len(decided)

"""Write commands on a unit's plan: objectives and key results, the approval cycle, change requests of
approved numbers, and the copy of a plan into the next year.

Each command is one transaction that loads what it changes (locked), authorises the viewer inside it
(domain.plan_cycle: refusals become audited Forbidden errors once rolled back), checks the version the
page saw, validates (bad input: Invalid and nothing written), changes and audits with before and after.
The rollup hooks recompute the dashboards in the same transaction: publishing a plan's indicators on
approval is what makes them count.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from config.clock import now
from data_access import audit
from data_access.commands.admin_common import versioned_change
from data_access.commands.common import Refused, check_version, flush_or_conflict, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import (
    ChangeRequest,
    Indicator,
    IndicatorRevision,
    Measurement,
    Milestone,
    Objective,
    OrgUnit,
    Person,
    Plan,
    Position,
    PositionKpiTemplate,
    Task,
    TrajectoryPoint,
)
from data_access.models import Period as PeriodRow
from data_access.viewer import Viewer
from domain.alignment import alignment_loop_problems
from domain.kinds import ChangeStatus, PlanStatus
from domain.periods import Period, PeriodKind
from domain.plan_cycle import (
    CHANGEABLE_NUMBERS,
    EditMode,
    PlanAction,
    edit_mode,
    may_act,
    may_author,
    may_decide,
    may_delete,
    next_status,
    numbers_changed,
    parent_unit_id,
    reason_problems,
)
from domain.plan_items import IndicatorDraft, ObjectiveDraft, clean, indicator_problems, objective_problems
from domain.plans import Numbers, number_problems, owner_problems, rescaled, trajectory_problems
from domain.position_kpis import (
    POSITION_OBJECTIVE_TITLE,
    TemplateFacts,
    personal_kpi,
    position_objective,
    templates_to_give,
)

PLAN_AUDITED = ("unit_id", "period_id", "status", "return_reason", "copied_from_id")
OBJECTIVE_AUDITED = (
    "unit_id",
    "period_id",
    "title",
    "source_kind",
    "source_ref",
    "parent_objective_id",
    "weight",
    "owner_person_id",
    "published",
)
INDICATOR_AUDITED = (
    "unit_id",
    "period_id",
    "objective_id",
    "code",
    "name",
    "unit_of_measure",
    "direction",
    "baseline",
    "target",
    "band_low",
    "band_high",
    "milestones_total",
    "min_value",
    "max_value",
    "weight",
    "accumulation",
    "frequency",
    "owner_person_id",
    "evidence_required",
    "data_source",
    "published",
)
REQUEST_AUDITED = ("indicator_id", "status", "reason", "proposed_json", "decision_note")

T = TypeVar("T")
Item = TypeVar("Item", Objective, Indicator, Plan)
Context = TypeVar("Context")


@dataclass(frozen=True)
class Saved:
    """What a command leaves behind, for the page to carry on: the row's id and its new version."""

    id: int
    version: int


# --- loading and authorising -------------------------------------------------------------------


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _get(session: Session, model: type[T], entity: str, row_id: object) -> T:
    row = session.get(model, row_id, with_for_update=True) if _is_id(row_id) else None
    if row is None:
        raise NotFound(entity, row_id)
    return row


def _unit(session: Session, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("unit", unit_id)
    return unit


def _year_period(session: Session, code: object) -> PeriodRow:
    period = (
        session.execute(
            select(PeriodRow).where(PeriodRow.code == code, PeriodRow.kind == PeriodKind.YEAR.value)
        ).scalar_one_or_none()
        if isinstance(code, str)
        else None
    )
    if period is None:
        raise NotFound("period", code)
    return period


def _plan_for(session: Session, unit_id: int, period_id: int, *, create: bool) -> Plan | None:
    """The plan of a unit and year (locked), made as a draft when asked and missing."""
    plan = session.execute(
        select(Plan).where(Plan.unit_id == unit_id, Plan.period_id == period_id).with_for_update()
    ).scalar_one_or_none()
    if plan is None and create:
        plan = Plan(unit_id=unit_id, period_id=period_id, status=PlanStatus.DRAFT.value)
        session.add(plan)
        session.flush()
    return plan


def _require_author(viewer: Viewer, unit: OrgUnit) -> None:
    if not may_author(viewer, unit.path):
        raise Refused(f"{viewer.role.value} may not write the plan of unit {unit.id}")


def _writable(plan: Plan | None, *, published: bool) -> EditMode:
    """How an item of this plan may change; a submitted plan is frozen until decided."""
    mode = edit_mode(PlanStatus(plan.status) if plan else PlanStatus.DRAFT, published=published)
    if mode is EditMode.LOCKED:
        raise Invalid({"plan": "plan_locked"})
    return mode


def _reopen(session: Session, viewer: Viewer, plan: Plan) -> None:
    """Adding to an approved plan amends it: back to draft until approved again (what was approved
    stays published meanwhile); a returned plan being corrected stays returned until resubmitted."""
    if plan.status != PlanStatus.APPROVED.value:
        return
    before = audit.snapshot(plan, PLAN_AUDITED)
    plan.status = PlanStatus.DRAFT.value
    session.flush()
    audit.record(
        session,
        user_id=viewer.user_id,
        action="plan.amend",
        entity="plan",
        entity_id=plan.id,
        before=before,
        after=audit.snapshot(plan, PLAN_AUDITED),
    )


def _owner_problems(session: Session, owner_id: int | None, unit: OrgUnit) -> dict[str, str]:
    if owner_id is None:
        return {}
    owner_path = (
        session.execute(
            select(OrgUnit.path).join(Person, Person.unit_id == OrgUnit.id).where(Person.id == owner_id)
        ).scalar_one_or_none()
        if _is_id(owner_id)
        else None
    )
    if owner_path is None:
        return {"owner": "owner_outside_unit"}
    return owner_problems(owner_path, unit.path)


def _parent_problems(session: Session, parent_id: int | None, unit: OrgUnit, period_id: int) -> dict[str, str]:
    """An objective aligns to an approved objective of the level above, same year."""
    if parent_id is None:
        return {}
    above = parent_unit_id(unit.path)
    parent = session.get(Objective, parent_id) if _is_id(parent_id) else None
    if parent is None or parent.unit_id != above or parent.period_id != period_id or not parent.published:
        return {"parent_objective_id": "parent_not_in_approved_plan"}
    return {}


def _chain_above(session: Session, parent_id: int | None) -> dict[int, int | None]:
    """What each objective from ``parent_id`` upwards serves, read link by link (a plan's cascade is a
    few levels deep; the walk stops at the top or where it meets an objective again)."""
    chain: dict[int, int | None] = {}
    node = parent_id if _is_id(parent_id) else None
    while node is not None and node not in chain:
        above = session.execute(select(Objective.parent_objective_id).where(Objective.id == node)).first()
        chain[node] = above[0] if above else None
        node = chain[node]
    return chain


def _alignment_problems(
    session: Session, objective_id: int | None, parent_id: int | None, unit: OrgUnit, period_id: int
) -> dict[str, str]:
    """A loop (itself, or an objective that already serves it) is named first: it says more than "not
    in the approved plan above", which such a choice usually is too."""
    loop = alignment_loop_problems(objective_id, parent_id, _chain_above(session, parent_id))
    return loop or _parent_problems(session, parent_id, unit, period_id)


def _period_of(row: PeriodRow) -> Period:
    return Period(PeriodKind(row.kind), row.year, row.number)


def _audit(
    session: Session, viewer: Viewer, action: str, entity: str, row_id: int, before: Any = None, after: Any = None
) -> None:
    audit.record(
        session, user_id=viewer.user_id, action=action, entity=entity, entity_id=row_id, before=before, after=after
    )


def _run(store: Store, viewer: Viewer, action: str, entity: str, entity_id: object, work: Callable[[Session], T]) -> T:
    with (
        refusals_and_conflicts(store, viewer, action=action, entity=entity, entity_id=entity_id),
        store.write() as session,
    ):
        return work(session)


def _versioned(
    store: Store,
    viewer: Viewer,
    model: type[Item],
    action: str,
    row_id: object,
    version: int | None,
    authorise: Callable[[Session, Item], Context],
    change: Callable[[Session, Item, Context], None],
    *,
    audited: tuple[str, ...] | Callable[[Session, Item], dict[str, Any]],
) -> Saved:
    """A change of one versioned plan row in the shared frame (admin_common.versioned_change); the entity
    is the action's first word ("objective.edit": objective)."""
    return versioned_change(
        store,
        viewer,
        model=model,
        row_id=row_id,
        seen=version,
        action=action,
        entity=action.split(".")[0],
        audited=audited,
        authorise=authorise,
        change=change,
        result=lambda row: Saved(row.id, row.version),
    )


# --- objectives --------------------------------------------------------------------------------


def add_objective(store: Store, *, viewer: Viewer, unit_id: int, period_code: str, draft: ObjectiveDraft) -> Saved:
    """A new objective in the unit's plan for the year (the plan is made as a draft if there is none)."""

    def work(session: Session) -> Saved:
        unit = session.get(OrgUnit, unit_id) if _is_id(unit_id) else None
        if unit is None:
            raise NotFound("unit", unit_id)
        _require_author(viewer, unit)
        period = _year_period(session, period_code)
        plan = _plan_for(session, unit.id, period.id, create=True)
        _writable(plan, published=False)
        problems = objective_problems(draft)
        problems.update(_owner_problems(session, draft.owner_person_id, unit))
        problems.update(_alignment_problems(session, None, draft.parent_objective_id, unit, period.id))
        if problems:
            raise Invalid(problems)
        assert plan is not None
        _reopen(session, viewer, plan)
        objective = Objective(
            unit_id=unit.id,
            period_id=period.id,
            title=clean(draft.title),
            source_kind=draft.source_kind,
            source_ref=clean(draft.source_ref) or None,
            parent_objective_id=draft.parent_objective_id,
            weight=float(draft.weight),
            owner_person_id=draft.owner_person_id,
            published=False,
        )
        session.add(objective)
        session.flush()
        _audit(session, viewer, "objective.create", "objective", objective.id, after=_snap(objective))
        return Saved(objective.id, objective.version)

    return _run(store, viewer, "objective.create", "objective", None, work)


def _snap(row: Objective | Indicator) -> dict[str, Any]:
    return audit.snapshot(row, OBJECTIVE_AUDITED if isinstance(row, Objective) else INDICATOR_AUDITED)


def edit_objective(
    store: Store, *, viewer: Viewer, objective_id: int, version: int | None, draft: ObjectiveDraft
) -> Saved:
    """Change an objective's title, source, owner and alignment; its weight too while it is a draft
    (an approved objective's weight is what the scores use: it stays)."""

    def authorise(session: Session, objective: Objective) -> tuple[OrgUnit, EditMode]:
        unit = _unit(session, objective.unit_id)
        _require_author(viewer, unit)
        plan = _plan_for(session, unit.id, objective.period_id, create=False)
        return unit, _writable(plan, published=objective.published)

    def change(session: Session, objective: Objective, at: tuple[OrgUnit, EditMode]) -> None:
        unit, mode = at
        problems = objective_problems(draft)
        problems.update(_owner_problems(session, draft.owner_person_id, unit))
        problems.update(
            _alignment_problems(session, objective.id, draft.parent_objective_id, unit, objective.period_id)
        )
        if mode is EditMode.CHANGE_REQUEST and float(draft.weight) != objective.weight:
            problems["weight"] = "approved_weight_fixed"
        if problems:
            raise Invalid(problems)
        objective.title = clean(draft.title)
        objective.source_kind = draft.source_kind
        objective.source_ref = clean(draft.source_ref) or None
        objective.parent_objective_id = draft.parent_objective_id
        objective.weight = float(draft.weight)
        objective.owner_person_id = draft.owner_person_id

    return _versioned(
        store, viewer, Objective, "objective.edit", objective_id, version, authorise, change, audited=OBJECTIVE_AUDITED
    )


def delete_objective(store: Store, *, viewer: Viewer, objective_id: int, version: int | None) -> None:
    """Delete a draft objective with its draft key results; approved ones stay (evaluations used them)."""

    def work(session: Session) -> None:
        objective = _get(session, Objective, "objective", objective_id)
        unit = _unit(session, objective.unit_id)
        _require_author(viewer, unit)
        plan = _plan_for(session, unit.id, objective.period_id, create=False)
        check_version(session, "objective", objective.id, current=objective.version, seen=version)
        indicators = list(session.execute(select(Indicator).where(Indicator.objective_id == objective.id)).scalars())
        status = PlanStatus(plan.status) if plan else PlanStatus.DRAFT
        if not may_delete(status, published=objective.published) or any(i.published for i in indicators):
            raise Invalid({"objective": "approved_not_deletable"})
        aligned = session.execute(
            select(func.count()).select_from(Objective).where(Objective.parent_objective_id == objective.id)
        ).scalar_one()
        tasks = session.execute(
            select(func.count()).select_from(Task).where(Task.objective_id == objective.id)
        ).scalar_one()
        if aligned or tasks:
            raise Invalid({"objective": "in_use_not_deletable"})
        before = _snap(objective)
        for indicator in indicators:
            _delete_indicator_row(session, viewer, indicator)
        session.delete(objective)
        session.flush()
        _audit(session, viewer, "objective.delete", "objective", objective_id, before=before)

    _run(store, viewer, "objective.delete", "objective", objective_id, work)


# --- key results and KPIs ----------------------------------------------------------------------


def _indicator_checks(session: Session, draft: IndicatorDraft, unit: OrgUnit, period: PeriodRow) -> dict[str, str]:
    problems = indicator_problems(draft)
    problems.update(_owner_problems(session, draft.owner_person_id, unit))
    if "target" not in problems:
        problems.update(trajectory_problems(list(draft.trajectory), _period_of(period), target=draft.target))
    return problems


def _apply(indicator: Indicator, draft: IndicatorDraft, *, numbers: bool) -> None:
    indicator.name = clean(draft.name)
    indicator.unit_of_measure = clean(draft.unit_of_measure)
    indicator.accumulation = draft.accumulation
    indicator.frequency = draft.frequency
    indicator.owner_person_id = draft.owner_person_id
    indicator.evidence_required = bool(draft.evidence_required)
    indicator.data_source = draft.data_source
    if numbers:
        indicator.direction = draft.direction
        indicator.milestones_total = draft.milestones_total
        indicator.min_value = draft.min_value
        indicator.max_value = draft.max_value
        for name in CHANGEABLE_NUMBERS:
            setattr(indicator, name, getattr(draft, name))


def _replace_trajectory(session: Session, indicator_id: int, points: list[tuple[date, float]]) -> None:
    session.execute(delete(TrajectoryPoint).where(TrajectoryPoint.indicator_id == indicator_id))
    session.add_all(TrajectoryPoint(indicator_id=indicator_id, at=at, value=value) for at, value in points)


def _trajectory(session: Session, indicator_id: int) -> list[tuple[date, float]]:
    rows = session.execute(
        select(TrajectoryPoint.at, TrajectoryPoint.value)
        .where(TrajectoryPoint.indicator_id == indicator_id)
        .order_by(TrajectoryPoint.at)
    ).all()
    return [(r.at, r.value) for r in rows]


def add_indicator(store: Store, *, viewer: Viewer, objective_id: int, draft: IndicatorDraft) -> Saved:
    """A new key result under an objective of the viewer's plan, with its trajectory (a draft until approved)."""

    def work(session: Session) -> Saved:
        objective = _get(session, Objective, "objective", objective_id)
        unit = _unit(session, objective.unit_id)
        _require_author(viewer, unit)
        plan = _plan_for(session, unit.id, objective.period_id, create=True)
        _writable(plan, published=False)
        period = session.get(PeriodRow, objective.period_id)
        assert period is not None and plan is not None
        problems = _indicator_checks(session, draft, unit, period)
        if problems:
            raise Invalid(problems)
        _reopen(session, viewer, plan)
        indicator = Indicator(
            unit_id=unit.id,
            period_id=objective.period_id,
            objective_id=objective.id,
            code=f"KR-{uuid.uuid4().hex[:10].upper()}",
            published=False,
        )
        _apply(indicator, draft, numbers=True)
        session.add(indicator)
        session.flush()
        _replace_trajectory(session, indicator.id, list(draft.trajectory))
        session.flush()
        after = {**_snap(indicator), "trajectory": list(draft.trajectory)}
        _audit(session, viewer, "indicator.create", "indicator", indicator.id, after=after)
        return Saved(indicator.id, indicator.version)

    return _run(store, viewer, "indicator.create", "indicator", None, work)


def edit_indicator(
    store: Store, *, viewer: Viewer, indicator_id: int, version: int | None, draft: IndicatorDraft
) -> Saved:
    """Change a key result. A draft one changes directly (its trajectory rescaled to a new target when
    none is given); an approved one's numbers only change through a change request."""

    def authorise(session: Session, indicator: Indicator) -> tuple[OrgUnit, EditMode]:
        unit = _unit(session, indicator.unit_id)
        _require_author(viewer, unit)
        plan = _plan_for(session, unit.id, indicator.period_id, create=False)
        return unit, _writable(plan, published=indicator.published)

    def change(session: Session, indicator: Indicator, at: tuple[OrgUnit, EditMode]) -> None:
        unit, mode = at
        period = session.get(PeriodRow, indicator.period_id)
        assert period is not None
        old_points = _trajectory(session, indicator.id)
        wanted = draft
        points = list(wanted.trajectory)
        if not points and old_points and indicator.target is not None and wanted.target is not None:
            # The shape stays, scaled to the new numbers ("as last year" within the year).
            points = rescaled(
                old_points,
                old_start=indicator.baseline or 0.0,
                old_target=indicator.target,
                new_start=wanted.baseline or 0.0,
                new_target=wanted.target,
            )
            wanted = _with_trajectory(wanted, points)
        problems = _indicator_checks(session, wanted, unit, period)
        numbers = mode is EditMode.DIRECT
        if not numbers and (_numbers_of(indicator) != _numbers_of(wanted) or indicator.direction != wanted.direction):
            problems.setdefault("target", "change_request_needed")
        if problems:
            raise Invalid(problems)
        _apply(indicator, wanted, numbers=numbers)
        if numbers:
            _replace_trajectory(session, indicator.id, points)

    def audited(session: Session, indicator: Indicator) -> dict[str, Any]:
        return {**_snap(indicator), "trajectory": _trajectory(session, indicator.id)}

    return _versioned(
        store, viewer, Indicator, "indicator.edit", indicator_id, version, authorise, change, audited=audited
    )


def _with_trajectory(draft: IndicatorDraft, points: list[tuple[date, float]]) -> IndicatorDraft:
    from dataclasses import replace

    return replace(draft, trajectory=tuple(points))


def _numbers_of(row: Indicator | IndicatorDraft) -> dict[str, float | None]:
    return {name: getattr(row, name) for name in CHANGEABLE_NUMBERS}


def _delete_indicator_row(session: Session, viewer: Viewer, indicator: Indicator) -> None:
    """Delete a key result nothing refers to yet (values and tasks keep theirs: those are history)."""
    for model, column in ((Measurement, Measurement.indicator_id), (Task, Task.indicator_id)):
        used = session.execute(select(func.count()).select_from(model).where(column == indicator.id)).scalar_one()
        if used:
            raise Invalid({"indicator": "in_use_not_deletable"})
    before, indicator_id = _snap(indicator), indicator.id
    session.delete(indicator)
    session.flush()
    _audit(session, viewer, "indicator.delete", "indicator", indicator_id, before=before)


def delete_indicator(store: Store, *, viewer: Viewer, indicator_id: int, version: int | None) -> None:
    """Delete a draft key result (never an approved one: values and evaluations refer to it)."""

    def work(session: Session) -> None:
        indicator = _get(session, Indicator, "indicator", indicator_id)
        unit = _unit(session, indicator.unit_id)
        _require_author(viewer, unit)
        plan = _plan_for(session, unit.id, indicator.period_id, create=False)
        check_version(session, "indicator", indicator.id, current=indicator.version, seen=version)
        status = PlanStatus(plan.status) if plan else PlanStatus.DRAFT
        if not may_delete(status, published=indicator.published):
            raise Invalid({"indicator": "approved_not_deletable"})
        _delete_indicator_row(session, viewer, indicator)

    _run(store, viewer, "indicator.delete", "indicator", indicator_id, work)


# --- the cycle ---------------------------------------------------------------------------------


def _move(
    store: Store,
    viewer: Viewer,
    plan_id: int,
    version: int | None,
    action: PlanAction,
    also: Callable[[Session, Plan, OrgUnit], None],
) -> Saved:
    def authorise(session: Session, plan: Plan) -> OrgUnit:
        unit = _unit(session, plan.unit_id)
        if not may_act(viewer, action, unit_id=unit.id, unit_path=unit.path):
            raise Refused(f"{viewer.role.value} {viewer.username} may not {action.value} the plan of unit {unit.id}")
        return unit

    def change(session: Session, plan: Plan, unit: OrgUnit) -> None:
        target = next_status(PlanStatus(plan.status), action)
        if target is None:
            raise Invalid({"plan": f"cannot_{action.value}"})
        plan.status = target.value
        also(session, plan, unit)

    return _versioned(
        store, viewer, Plan, f"plan.{action.value}", plan_id, version, authorise, change, audited=PLAN_AUDITED
    )


def submit_plan(store: Store, *, viewer: Viewer, plan_id: int, version: int | None) -> Saved:
    """The unit's head sends the plan up for approval (it must hold at least one objective)."""

    def also(session: Session, plan: Plan, unit: OrgUnit) -> None:
        count = session.execute(
            select(func.count())
            .select_from(Objective)
            .where(Objective.unit_id == plan.unit_id, Objective.period_id == plan.period_id)
        ).scalar_one()
        if not count:
            raise Invalid({"plan": "plan_empty"})
        plan.submitted_by_id = viewer.user_id
        plan.submitted_at = now()
        plan.return_reason = None

    return _move(store, viewer, plan_id, version, PlanAction.SUBMIT, also)


def approve_plan(store: Store, *, viewer: Viewer, plan_id: int, version: int | None) -> Saved:
    """The level above approves: the plan's objectives and key results are published (the rollups then
    count them) and each newly published key result gets its first revision (its numbers as of now)."""

    def also(session: Session, plan: Plan, unit: OrgUnit) -> None:
        at = now()
        plan.decided_by_id, plan.decided_at = viewer.user_id, at
        for objective in session.execute(
            select(Objective).where(Objective.unit_id == plan.unit_id, Objective.period_id == plan.period_id)
        ).scalars():
            objective.published = True
        for indicator in session.execute(
            select(Indicator).where(
                Indicator.unit_id == plan.unit_id,
                Indicator.period_id == plan.period_id,
                Indicator.published.is_(False),
            )
        ).scalars():
            indicator.published = True
            session.add(_revision(indicator, at, viewer.user_id))

    return _move(store, viewer, plan_id, version, PlanAction.APPROVE, also)


def return_plan(store: Store, *, viewer: Viewer, plan_id: int, version: int | None, reason: str) -> Saved:
    """The level above sends the plan back with a reason (shown to its authors)."""
    problems = reason_problems(reason)

    def also(session: Session, plan: Plan, unit: OrgUnit) -> None:
        if problems:
            raise Invalid(problems)
        plan.decided_by_id, plan.decided_at = viewer.user_id, now()
        plan.return_reason = reason.strip()

    return _move(store, viewer, plan_id, version, PlanAction.RETURN, also)


def _revision(
    indicator: Indicator, at: datetime, user_id: int | None, request_id: int | None = None
) -> IndicatorRevision:
    return IndicatorRevision(
        indicator_id=indicator.id,
        effective_at=at,
        baseline=indicator.baseline,
        target=indicator.target,
        band_low=indicator.band_low,
        band_high=indicator.band_high,
        weight=indicator.weight,
        recorded_by_id=user_id,
        change_request_id=request_id,
    )


# --- change requests ---------------------------------------------------------------------------


def request_change(
    store: Store,
    *,
    viewer: Viewer,
    indicator_id: int,
    version: int | None,
    proposed: dict[str, float | None],
    reason: str,
) -> Saved:
    """Ask the level above to change an approved key result's target, baseline, band or weight."""

    def work(session: Session) -> Saved:
        indicator = _get(session, Indicator, "indicator", indicator_id)
        unit = _unit(session, indicator.unit_id)
        _require_author(viewer, unit)
        check_version(session, "indicator", indicator.id, current=indicator.version, seen=version)
        problems = reason_problems(reason)
        if not indicator.published:
            problems["indicator"] = "not_approved_edit_directly"
        before = _numbers_of(indicator)
        changed = numbers_changed(before, proposed)
        if not changed:
            problems.setdefault("target", "nothing_changed")
        merged = {**before, **changed}
        numbers = Numbers(
            direction=_direction(indicator),
            baseline=merged["baseline"],
            target=merged["target"],
            band_low=merged["band_low"],
            band_high=merged["band_high"],
            min_value=indicator.min_value,
            max_value=indicator.max_value,
            milestones_total=indicator.milestones_total,
        )
        problems.update({k: v for k, v in number_problems(numbers).items() if k not in problems})
        if (merged["weight"] or 0) < 0:
            problems["weight"] = "weight_negative"
        pending = session.execute(
            select(func.count())
            .select_from(ChangeRequest)
            .where(ChangeRequest.indicator_id == indicator.id, ChangeRequest.status == ChangeStatus.PENDING.value)
        ).scalar_one()
        if pending:
            problems["indicator"] = "change_pending"
        if problems:
            raise Invalid(problems)
        request = ChangeRequest(
            indicator_id=indicator.id,
            requested_by_id=viewer.user_id,
            requested_at=now(),
            reason=reason.strip(),
            before_json=json.dumps(before),
            proposed_json=json.dumps(changed),
            status=ChangeStatus.PENDING.value,
        )
        session.add(request)
        session.flush()
        _audit(session, viewer, "change.request", "change_request", request.id, after=_request_snap(request))
        return Saved(request.id, request.version)

    return _run(store, viewer, "change.request", "change_request", None, work)


def _direction(indicator: Indicator) -> Any:
    from domain.indicators import Direction

    return Direction(indicator.direction)


def _request_snap(request: ChangeRequest) -> dict[str, Any]:
    return audit.snapshot(request, REQUEST_AUDITED)


def decide_change(
    store: Store, *, viewer: Viewer, request_id: int, version: int | None, approve: bool, note: str = ""
) -> Saved:
    """The level above approves (the indicator takes the new numbers from now on, a revision keeps
    the old ones dated) or rejects (a note saying why is required) a pending change request."""
    action = "change.approve" if approve else "change.reject"

    def work(session: Session) -> Saved:
        request = _get(session, ChangeRequest, "change_request", request_id)
        indicator = _get(session, Indicator, "indicator", request.indicator_id)
        unit = _unit(session, indicator.unit_id)
        if not may_decide(viewer, unit.path):
            raise Refused(f"{viewer.username} may not decide changes of unit {unit.id}")
        check_version(session, "change_request", request.id, current=request.version, seen=version)
        if request.status != ChangeStatus.PENDING.value:
            raise Invalid({"request": "already_decided"})
        if not approve and (problems := reason_problems(note)):
            raise Invalid(problems)
        before = _request_snap(request)
        at = now()
        request.status = (ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED).value
        request.decided_by_id, request.decided_at = viewer.user_id, at
        request.decision_note = note.strip() or None
        if approve:
            if _numbers_of(indicator) != json.loads(request.before_json):
                raise Invalid({"request": "numbers_changed_since"})
            _first_revision(session, indicator)
            indicator_before = _snap(indicator)
            old_start, old_target = indicator.baseline or 0.0, indicator.target
            for name, value in json.loads(request.proposed_json).items():
                setattr(indicator, name, value)
            points = _trajectory(session, indicator.id)
            if points and old_target is not None and indicator.target is not None:
                # The planned path keeps its shape and now leads to the new numbers.
                moved = rescaled(
                    points,
                    old_start=old_start,
                    old_target=old_target,
                    new_start=indicator.baseline or 0.0,
                    new_target=indicator.target,
                )
                _replace_trajectory(session, indicator.id, moved)
            session.flush()
            session.add(_revision(indicator, at, viewer.user_id, request.id))
            _audit(session, viewer, "indicator.change", "indicator", indicator.id, indicator_before, _snap(indicator))
        flush_or_conflict(session, "change_request", request.id)
        _audit(session, viewer, action, "change_request", request.id, before, _request_snap(request))
        return Saved(request.id, request.version)

    return _run(store, viewer, action, "change_request", request_id, work)


def _first_revision(session: Session, indicator: Indicator) -> None:
    """An indicator approved before revisions were kept (or seeded) gets one for its numbers so far,
    dated when its plan was approved (or its year began), so "target as of" reads them back."""
    known = session.execute(
        select(func.count()).select_from(IndicatorRevision).where(IndicatorRevision.indicator_id == indicator.id)
    ).scalar_one()
    if known:
        return
    plan = _plan_for(session, indicator.unit_id, indicator.period_id, create=False)
    period = session.get(PeriodRow, indicator.period_id)
    assert period is not None
    since = plan.decided_at if plan and plan.decided_at else datetime.combine(period.start_date, datetime.min.time())
    session.add(_revision(indicator, since, plan.decided_by_id if plan else None))
    session.flush()


# --- next year ---------------------------------------------------------------------------------


def copy_plan(store: Store, *, viewer: Viewer, unit_id: int, from_period: str, to_period: str) -> Saved:
    """This year's plan as next year's draft: objectives, key results with their numbers and owners,
    trajectories moved a year on, and the unfinished milestones carried over (marked as such)."""

    def work(session: Session) -> Saved:
        unit = session.get(OrgUnit, unit_id) if _is_id(unit_id) else None
        if unit is None:
            raise NotFound("unit", unit_id)
        _require_author(viewer, unit)
        source_period = _year_period(session, from_period)
        target_period = _year_period(session, to_period)
        years = target_period.year - source_period.year
        if years <= 0:
            raise Invalid({"period": "copy_forward_only"})
        source = _plan_for(session, unit.id, source_period.id, create=False)
        if source is None:
            raise Invalid({"period": "nothing_to_copy"})
        existing = session.execute(
            select(func.count())
            .select_from(Objective)
            .where(Objective.unit_id == unit.id, Objective.period_id == target_period.id)
        ).scalar_one()
        if existing:
            raise Invalid({"period": "plan_exists"})
        plan = _plan_for(session, unit.id, target_period.id, create=True)
        assert plan is not None
        plan.copied_from_id = source.id
        plan.status = PlanStatus.DRAFT.value
        copied = 0
        for objective in session.execute(
            select(Objective)
            .where(Objective.unit_id == unit.id, Objective.period_id == source_period.id)
            .order_by(Objective.id)
        ).scalars():
            # Alignment is to last year's objectives above: it is chosen again from next year's approved plan.
            twin = Objective(
                unit_id=unit.id,
                period_id=target_period.id,
                title=objective.title,
                source_kind=objective.source_kind,
                source_ref=objective.source_ref,
                weight=objective.weight,
                owner_person_id=objective.owner_person_id,
                published=False,
            )
            session.add(twin)
            session.flush()
            copied += 1
            for indicator in session.execute(
                select(Indicator).where(Indicator.objective_id == objective.id).order_by(Indicator.id)
            ).scalars():
                _copy_indicator(session, indicator, twin, target_period, years)
        if not copied:
            raise Invalid({"period": "nothing_to_copy"})
        session.flush()
        _audit(
            session, viewer, "plan.copy", "plan", plan.id, {"from_plan": source.id}, audit.snapshot(plan, PLAN_AUDITED)
        )
        return Saved(plan.id, plan.version)

    return _run(store, viewer, "plan.copy", "plan", None, work)


def _copy_indicator(
    session: Session, indicator: Indicator, objective: Objective, period: PeriodRow, years: int
) -> None:
    twin = Indicator(
        unit_id=indicator.unit_id,
        period_id=period.id,
        objective_id=objective.id,
        code=indicator.code,
        published=False,
        **{name: getattr(indicator, name) for name in INDICATOR_AUDITED if name not in _NOT_COPIED},
    )
    session.add(twin)
    session.flush()
    points = _trajectory(session, indicator.id)
    if points and indicator.target is not None:
        start = indicator.baseline or 0.0
        points = rescaled(
            points,
            old_start=start,
            old_target=indicator.target,
            new_start=start,
            new_target=indicator.target,
            years_later=years,
        )
    session.add_all(TrajectoryPoint(indicator_id=twin.id, at=at, value=value) for at, value in points)
    for milestone in session.execute(
        select(Milestone).where(Milestone.indicator_id == indicator.id, Milestone.done_on.is_(None))
    ).scalars():
        session.add(
            Milestone(
                indicator_id=twin.id,
                title=milestone.title,
                due_on=_years_later(milestone.due_on, years),
                owner_person_id=milestone.owner_person_id,
                position=milestone.position,
                carried_from_id=milestone.id,
            )
        )


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year that has none
        return day.replace(year=day.year + years, day=28)


_NOT_COPIED = frozenset({"unit_id", "period_id", "objective_id", "code", "published"})


# --- a job position's KPIs ----------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """What giving a person their position's KPIs did: the objective they hang under and the new KPIs."""

    objective_id: int
    indicator_ids: list[int]
    already: int  # templates the person had got this year already


def give_position_kpis(
    store: Store,
    *,
    viewer: Viewer,
    unit_id: int,
    person_id: int,
    period_code: str,
    objective_id: int | None = None,
) -> Given:
    """The person's position KPI templates as their personal KPIs: draft key results of their unit's
    plan for the year, owned by them, under the objective the manager chose in that plan or under
    "Nhiệm vụ theo vị trí việc làm" (made once). Giving again adds only templates not given yet."""

    def work(session: Session) -> Given:
        unit = _unit(session, unit_id) if _is_id(unit_id) else None
        if unit is None:
            raise NotFound("unit", unit_id)
        _require_author(viewer, unit)
        person = session.get(Person, person_id) if _is_id(person_id) else None
        if person is None:
            raise NotFound("person", person_id)
        if person.unit_id != unit.id:  # a division's people get theirs in the division's plan
            raise Invalid({"person": "person_not_in_unit"})
        period = _year_period(session, period_code)
        position = session.get(Position, person.position_id) if person.position_id else None
        if position is None or not person.active:
            raise Invalid({"person": "no_position"})
        plan = _plan_for(session, unit.id, period.id, create=True)
        _writable(plan, published=False)
        assert plan is not None
        objective = _position_objective(session, viewer, unit, period, objective_id)
        templates = [
            TemplateFacts(
                id=t.id,
                code=t.code,
                name=t.name,
                direction=t.direction,
                unit_of_measure=t.unit_of_measure,
                baseline=t.baseline,
                target=t.target,
                weight=t.weight,
                frequency=t.frequency,
                active=t.active,
            )
            for t in session.execute(
                select(PositionKpiTemplate)
                .where(PositionKpiTemplate.position_id == position.id)
                .order_by(PositionKpiTemplate.code)
            ).scalars()
        ]
        given: set[int] = {
            template_id
            for template_id in session.execute(
                select(Indicator.template_id).where(
                    Indicator.owner_person_id == person.id,
                    Indicator.period_id == period.id,
                    Indicator.template_id.is_not(None),
                )
            ).scalars()
            if template_id is not None
        }
        made: list[int] = []
        for template in templates_to_give(templates, given):
            draft = personal_kpi(template, owner_person_id=person.id)
            problems = _indicator_checks(session, draft, unit, period)
            if problems:  # a template edited into nonsense is refused whole: nothing half-given
                raise Invalid(problems, template=template.code)
            if not made:
                _reopen(session, viewer, plan)
            indicator = Indicator(
                unit_id=unit.id,
                period_id=period.id,
                objective_id=objective.id,
                code=f"KR-{uuid.uuid4().hex[:10].upper()}",
                template_id=template.id,
                published=False,
            )
            _apply(indicator, draft, numbers=True)
            session.add(indicator)
            session.flush()
            after = {**_snap(indicator), "template_id": template.id}
            _audit(session, viewer, "indicator.from_template", "indicator", indicator.id, after=after)
            made.append(indicator.id)
        return Given(objective.id, made, len([t for t in templates if t.id in given]))

    return _run(store, viewer, "indicator.from_template", "person", person_id, work)


def _position_objective(
    session: Session, viewer: Viewer, unit: OrgUnit, period: PeriodRow, objective_id: int | None
) -> Objective:
    """The objective the manager chose (in this unit's plan for the year), or the one kept for position
    KPIs, made the first time."""
    if objective_id is not None:
        chosen = session.get(Objective, objective_id) if _is_id(objective_id) else None
        if chosen is None or chosen.unit_id != unit.id or chosen.period_id != period.id:
            raise Invalid({"objective": "objective_not_in_plan"})
        return chosen
    kept = session.execute(
        select(Objective)
        .where(
            Objective.unit_id == unit.id, Objective.period_id == period.id, Objective.title == POSITION_OBJECTIVE_TITLE
        )
        .order_by(Objective.id)
        .limit(1)
    ).scalar_one_or_none()
    if kept is not None:
        return kept
    draft = position_objective()
    objective = Objective(
        unit_id=unit.id,
        period_id=period.id,
        title=draft.title,
        source_kind=draft.source_kind,
        weight=draft.weight,
        published=False,
    )
    session.add(objective)
    session.flush()
    _audit(session, viewer, "objective.create", "objective", objective.id, after=_snap(objective))
    return objective

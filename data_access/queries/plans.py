"""Reads of a unit's plan: its objectives and key results, what the viewer may do with it, what it can
align to, the change requests waiting for the viewer, and an indicator's numbers as of any date."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.errors import Forbidden, NotFound
from data_access.models import (
    ChangeRequest,
    Indicator,
    IndicatorRevision,
    Objective,
    OrgUnit,
    Person,
    Plan,
    Position,
    TrajectoryPoint,
    User,
)
from data_access.models import Period as PeriodRow
from data_access.viewer import Viewer
from domain.kinds import ChangeStatus, PlanStatus
from domain.periods import PeriodKind
from domain.plan_cycle import PlanAction, may_act, may_author, may_decide, may_see_plan, parent_unit_id
from domain.plans import normalised_weights, weights_sum_to_100


@dataclass(frozen=True)
class KeyResult:
    id: int
    version: int
    name: str
    unit_of_measure: str
    direction: str
    baseline: float | None
    target: float | None
    band_low: float | None
    band_high: float | None
    min_value: float | None
    max_value: float | None
    weight: float
    normalised_weight: float
    accumulation: str
    frequency: str
    owner_person_id: int | None
    owner: str | None
    evidence_required: bool
    data_source: str
    published: bool
    trajectory: list[tuple[date, float]]


@dataclass(frozen=True)
class PlanObjective:
    id: int
    version: int
    title: str
    source_kind: str
    source_ref: str | None
    weight: float
    owner_person_id: int | None
    owner: str | None
    parent_objective_id: int | None
    parent_title: str | None
    published: bool
    key_results: list[KeyResult]
    weights_normalised: bool  # the key results' weights do not sum to 100: the rollups scale them


@dataclass(frozen=True)
class PlanView:
    unit_id: int
    unit_name: str
    period_code: str
    plan_id: int | None
    plan_version: int | None
    status: str  # draft when there is no plan yet
    return_reason: str | None
    copied_from_id: int | None
    objectives: list[PlanObjective]
    may_author: bool
    may_submit: bool
    may_decide: bool
    next_period_code: str | None  # where a copy would go, when that year exists


@dataclass(frozen=True)
class Choice:
    value: int
    label: str


@dataclass(frozen=True)
class PendingChange:
    id: int
    version: int
    indicator_id: int
    indicator: str
    unit: str
    requested_by: str | None
    requested_at: datetime
    reason: str
    before: dict[str, float | None]
    proposed: dict[str, float | None]


@dataclass(frozen=True)
class TargetRevision:
    effective_at: datetime
    baseline: float | None
    target: float | None
    weight: float
    change_request_id: int | None = field(default=None)


def plan_view(session: Session, *, viewer: Viewer, unit_id: int, period_code: str) -> PlanView:
    """The plan of a unit and year as the viewer may see it (Forbidden outside; NotFound for unknown ids)."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("unit", unit_id)
    period = session.execute(
        select(PeriodRow).where(PeriodRow.code == period_code, PeriodRow.kind == PeriodKind.YEAR.value)
    ).scalar_one_or_none()
    if period is None:
        raise NotFound("period", period_code)
    plan = session.execute(
        select(Plan).where(Plan.unit_id == unit.id, Plan.period_id == period.id)
    ).scalar_one_or_none()
    status = PlanStatus(plan.status) if plan else PlanStatus.DRAFT
    if not may_see_plan(viewer, unit.path, status) and not (
        status is not PlanStatus.APPROVED and may_see_plan(viewer, unit.path, PlanStatus.APPROVED)
    ):
        raise Forbidden("plan outside the viewer's scope", unit_id=unit_id)
    # A viewer who only sees approved plans sees only the published items of an amended one.
    only_published = not may_see_plan(viewer, unit.path, status)
    objectives = _objectives(session, unit.id, period.id, only_published=only_published)
    next_code = str(period.year + 1)
    has_next = session.execute(select(PeriodRow.id).where(PeriodRow.code == next_code)).scalar_one_or_none()
    return PlanView(
        unit_id=unit.id,
        unit_name=unit.name,
        period_code=period.code,
        plan_id=plan.id if plan else None,
        plan_version=plan.version if plan else None,
        status=status.value,
        return_reason=plan.return_reason if plan else None,
        copied_from_id=plan.copied_from_id if plan else None,
        objectives=objectives,
        may_author=may_author(viewer, unit.path),
        may_submit=plan is not None and may_act(viewer, PlanAction.SUBMIT, unit_id=unit.id, unit_path=unit.path),
        may_decide=plan is not None and may_decide(viewer, unit.path),
        next_period_code=next_code if has_next is not None else None,
    )


def _objectives(session: Session, unit_id: int, period_id: int, *, only_published: bool) -> list[PlanObjective]:
    query = select(Objective).where(Objective.unit_id == unit_id, Objective.period_id == period_id)
    if only_published:
        query = query.where(Objective.published.is_(True))
    objectives = list(session.execute(query.order_by(Objective.id)).scalars())
    ids = [o.id for o in objectives]
    indicator_query = select(Indicator).where(Indicator.objective_id.in_(ids))
    if only_published:
        indicator_query = indicator_query.where(Indicator.published.is_(True))
    indicators = list(session.execute(indicator_query.order_by(Indicator.id)).scalars())
    points: dict[int, list[tuple[date, float]]] = {}
    for row in session.execute(
        select(TrajectoryPoint.indicator_id, TrajectoryPoint.at, TrajectoryPoint.value)
        .where(TrajectoryPoint.indicator_id.in_([i.id for i in indicators]))
        .order_by(TrajectoryPoint.at)
    ):
        points.setdefault(row.indicator_id, []).append((row.at, row.value))
    people = {o.owner_person_id for o in objectives} | {i.owner_person_id for i in indicators}
    names = dict(
        session.execute(select(Person.id, Person.full_name).where(Person.id.in_([p for p in people if p]))).all()
    )
    parents = dict(
        session.execute(
            select(Objective.id, Objective.title).where(
                Objective.id.in_([o.parent_objective_id for o in objectives if o.parent_objective_id])
            )
        ).all()
    )
    out = []
    for objective in objectives:
        mine = [i for i in indicators if i.objective_id == objective.id]
        weights = [i.weight for i in mine]
        scaled = normalised_weights(weights)
        out.append(
            PlanObjective(
                id=objective.id,
                version=objective.version,
                title=objective.title,
                source_kind=objective.source_kind,
                source_ref=objective.source_ref,
                weight=objective.weight,
                owner_person_id=objective.owner_person_id,
                owner=names.get(objective.owner_person_id) if objective.owner_person_id else None,
                parent_objective_id=objective.parent_objective_id,
                parent_title=parents.get(objective.parent_objective_id) if objective.parent_objective_id else None,
                published=objective.published,
                key_results=[
                    KeyResult(
                        id=i.id,
                        version=i.version,
                        name=i.name,
                        unit_of_measure=i.unit_of_measure,
                        direction=i.direction,
                        baseline=i.baseline,
                        target=i.target,
                        band_low=i.band_low,
                        band_high=i.band_high,
                        min_value=i.min_value,
                        max_value=i.max_value,
                        weight=i.weight,
                        normalised_weight=share,
                        accumulation=i.accumulation,
                        frequency=i.frequency,
                        owner_person_id=i.owner_person_id,
                        owner=names.get(i.owner_person_id) if i.owner_person_id else None,
                        evidence_required=i.evidence_required,
                        data_source=i.data_source,
                        published=i.published,
                        trajectory=points.get(i.id, []),
                    )
                    for i, share in zip(mine, scaled, strict=True)
                ],
                weights_normalised=bool(weights) and not weights_sum_to_100(weights),
            )
        )
    return out


def parent_choices(session: Session, *, viewer: Viewer, unit_id: int, period_code: str) -> list[Choice]:
    """The approved objectives of the level above, same year: what this unit's objectives align to."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not may_author(viewer, unit.path):
        return []
    above = parent_unit_id(unit.path)
    if above is None:
        return []
    rows = session.execute(
        select(Objective.id, Objective.title, Objective.source_ref)
        .join(PeriodRow, PeriodRow.id == Objective.period_id)
        .where(Objective.unit_id == above, PeriodRow.code == period_code, Objective.published.is_(True))
        .order_by(Objective.id)
    ).all()
    return [Choice(r.id, f"{r.title} ({r.source_ref})" if r.source_ref else r.title) for r in rows]


def owner_choices(session: Session, *, viewer: Viewer, unit_id: int) -> list[Choice]:
    """The active people of the unit and its divisions: who may own an objective or a key result."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not may_author(viewer, unit.path):
        return []
    rows = session.execute(
        select(Person.id, Person.full_name, OrgUnit.depth)
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .where(OrgUnit.path.startswith(unit.path, autoescape=True), Person.active.is_(True))
        .order_by(OrgUnit.depth, Person.full_name)
        .limit(500)
    ).all()
    return [Choice(r.id, r.full_name) for r in rows]


def position_holders(session: Session, *, viewer: Viewer, unit_id: int) -> list[Choice]:
    """The active people of this very unit who hold a job position: whom the plan's author may give
    their position's KPIs to (people of a division get theirs in the division's plan)."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not may_author(viewer, unit.path):
        return []
    rows = session.execute(
        select(Person.id, Person.full_name, Position.name)
        .join(Position, Position.id == Person.position_id)
        .where(Person.unit_id == unit.id, Person.active.is_(True))
        .order_by(Person.full_name)
        .limit(500)
    ).all()
    return [Choice(r.id, f"{r.full_name} · {r.name}") for r in rows]


def pending_changes(session: Session, *, viewer: Viewer) -> list[PendingChange]:
    """Change requests the viewer may decide: pending, on units strictly below a leader's scope."""
    rows = session.execute(
        select(ChangeRequest, Indicator.name, OrgUnit.name, OrgUnit.path, User.username)
        .join(Indicator, Indicator.id == ChangeRequest.indicator_id)
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .outerjoin(User, User.id == ChangeRequest.requested_by_id)
        .where(
            ChangeRequest.status == ChangeStatus.PENDING.value,
            OrgUnit.path.startswith(viewer.scope_path, autoescape=True),
        )
        .order_by(ChangeRequest.requested_at)
        .limit(200)
    ).all()
    return [
        PendingChange(
            id=request.id,
            version=request.version,
            indicator_id=request.indicator_id,
            indicator=indicator,
            unit=unit,
            requested_by=requester,
            requested_at=request.requested_at,
            reason=request.reason,
            before=json.loads(request.before_json),
            proposed=json.loads(request.proposed_json),
        )
        for request, indicator, unit, path, requester in rows
        if may_decide(viewer, path)
    ]


def target_history(session: Session, *, viewer: Viewer, indicator_id: int) -> list[TargetRevision]:
    """Every version of an indicator's numbers, oldest first, each from the moment it took effect."""
    row = session.execute(
        select(Indicator.id, OrgUnit.path)
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .where(Indicator.id == indicator_id)
    ).one_or_none()
    if row is None:
        raise NotFound("indicator", indicator_id)
    if not viewer.covers_path(row.path):
        raise Forbidden("indicator outside the viewer's scope", indicator_id=indicator_id)
    revisions = session.execute(
        select(IndicatorRevision)
        .where(IndicatorRevision.indicator_id == indicator_id)
        .order_by(IndicatorRevision.effective_at, IndicatorRevision.id)
    ).scalars()
    return [TargetRevision(r.effective_at, r.baseline, r.target, r.weight, r.change_request_id) for r in revisions]


def target_as_of(session: Session, *, indicator_id: int, at: datetime) -> float | None:
    """The target the indicator had at that moment: its latest revision by then, or (no revision kept,
    or a moment before the first) the indicator's current target when there is no revision at all."""
    revision = session.execute(
        select(IndicatorRevision.target)
        .where(IndicatorRevision.indicator_id == indicator_id, IndicatorRevision.effective_at <= at)
        .order_by(IndicatorRevision.effective_at.desc(), IndicatorRevision.id.desc())
        .limit(1)
    ).first()
    if revision is not None:
        return revision[0]
    any_revision = session.execute(
        select(IndicatorRevision.id).where(IndicatorRevision.indicator_id == indicator_id).limit(1)
    ).first()
    if any_revision is not None:
        return None  # the indicator had no approved target yet
    return session.execute(select(Indicator.target).where(Indicator.id == indicator_id)).scalar_one_or_none()


@dataclass(frozen=True)
class LastYear:
    """Last year's key result of the same name in the same unit: its numbers and trajectory."""

    baseline: float | None
    target: float | None
    points: list[tuple[date, float]]


def last_year(session: Session, *, viewer: Viewer, unit_id: int, year: int, name: str) -> LastYear | None:
    """The same unit's key result of that name the year before (for the "as last year" helper)."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not may_author(viewer, unit.path) or not name.strip():
        return None
    row = session.execute(
        select(Indicator.id, Indicator.baseline, Indicator.target)
        .join(PeriodRow, PeriodRow.id == Indicator.period_id)
        .where(Indicator.unit_id == unit_id, PeriodRow.code == str(year - 1), Indicator.name == name.strip())
        .order_by(Indicator.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    points = session.execute(
        select(TrajectoryPoint.at, TrajectoryPoint.value)
        .where(TrajectoryPoint.indicator_id == row.id)
        .order_by(TrajectoryPoint.at)
    ).all()
    return LastYear(row.baseline, row.target, [(p.at, p.value) for p in points])

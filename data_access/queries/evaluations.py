"""Reads for the evaluation flow (Decree 335/2025/ND-CP, Regulation 366-QD/TW).

Every function takes the session and the viewer keyword-only and returns dataclasses. Staff see
only their own evaluation; managers and leaders see the people of their scope; meeting screens
see none. Out-of-scope ids raise NotFound (the row's existence is not disclosed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from data_access.errors import Forbidden, NotFound
from data_access.models import AuditEntry, Evaluation, OrgUnit, Person, Position, Task, User
from data_access.models import Period as PeriodRow
from data_access.queries.placements import position_during
from data_access.viewer import Viewer, in_scope
from domain.access import EVALUATOR_ROLES, evaluation_rights, may_approve, may_see_evaluations
from domain.evaluation import TaskOutcome
from domain.kinds import EvaluationStatus, Role, TaskStatus

UNIT_GROUP = "unit"  # unit evaluations' groups are "unit:<kind>": units of one kind under one parent


def unit_group(kind: str) -> str:
    """The quota and ranking group of a unit evaluation: units are compared with units of their kind."""
    return f"{UNIT_GROUP}:{kind}"


@dataclass(frozen=True)
class TaskLine:
    """One product/work counted in an evaluation, as the explanation shows it."""

    task_id: int
    title: str
    due_date: date
    coefficient: float
    completed: bool
    meets_quality: bool
    major_errors: int
    delays: int
    excused: bool
    exceeded: bool

    def as_outcome(self) -> TaskOutcome:
        """How the rules see this product (the one mapping from a task to the scoring)."""
        return TaskOutcome(
            coefficient=self.coefficient,
            completed=self.completed,
            meets_quality=self.meets_quality,
            major_errors=self.major_errors,
            delays=self.delays,
            excused=self.excused,
            exceeded=self.exceeded,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "title": self.title,
            "due_date": self.due_date.isoformat(),
            "coefficient": self.coefficient,
            "completed": self.completed,
            "meets_quality": self.meets_quality,
            "major_errors": self.major_errors,
            "delays": self.delays,
            "excused": self.excused,
            "exceeded": self.exceeded,
        }


@dataclass(frozen=True)
class EvaluationRow:
    """One line of the classification list."""

    id: int
    person_id: int | None
    person_name: str
    civil_servant_code: str | None
    unit_id: int
    unit_name: str
    unit_kind: str
    position_name: str
    task_group: str
    period_code: str
    ruleset: str
    general_points: float | None
    task_points: float | None
    total: float | None
    level: str | None
    final_level: str | None
    status: str
    moved: bool
    quota: dict[str, Any]
    flagged: bool
    disciplined: bool
    version: int
    council: dict[str, Any] | None = None  # the council's decision on a tie at the cut, if any


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    username: str | None
    action: str
    detail: str | None


@dataclass(frozen=True)
class EvaluationDetail:
    """One evaluation with its explanation, the self-assessment, the review and the trail."""

    row: EvaluationRow
    details: dict[str, Any]
    appeal_note: str | None
    approved_by: str | None
    approved_at: datetime | None
    trail: list[TrailEntry] = field(default_factory=list)
    can_self_assess: bool = False
    can_review: bool = False
    can_approve: bool = False
    can_appeal: bool = False
    can_unlock: bool = False
    can_send_back: bool = False
    can_answer_appeal: bool = False


def load_details(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def period_row(session: Session, code: str) -> PeriodRow:
    """The stored period with this code (NotFound otherwise)."""
    row = session.execute(select(PeriodRow).where(PeriodRow.code == code)).scalar_one_or_none()
    if row is None:
        raise NotFound("period", code)
    return row


def person_tasks(session: Session, *, person_id: int, start: date, end: date) -> list[TaskLine]:
    """The person's products in the period: assigned to them, due inside it, not cancelled."""
    rows = session.execute(
        select(Task)
        .where(
            Task.assignee_person_id == person_id,
            Task.due_date >= start,
            Task.due_date <= end,
            Task.status != TaskStatus.CANCELLED.value,
        )
        .order_by(Task.due_date, Task.id)
    ).scalars()
    return [task_line(task) for task in rows]


def unit_tasks(
    session: Session, *, unit_path: str, start: date, end: date, unit_id: int | None = None
) -> list[TaskLine]:
    """A unit's products in the period: work assigned to the unit or anyone in its subtree, or,
    with ``unit_id`` (the rule set's products_scope "unit"), to the unit and its own people only."""
    where_unit = (
        Task.assignee_unit_id == unit_id if unit_id is not None else OrgUnit.path.startswith(unit_path, autoescape=True)
    )
    rows = session.execute(
        select(Task)
        .join(OrgUnit, OrgUnit.id == Task.assignee_unit_id)
        .where(
            where_unit,
            Task.due_date >= start,
            Task.due_date <= end,
            Task.status != TaskStatus.CANCELLED.value,
        )
        .order_by(Task.due_date, Task.id)
    ).scalars()
    return [task_line(task) for task in rows]


def task_line(task: Task) -> TaskLine:
    """A task row as the scoring reads it."""
    return TaskLine(
        task_id=task.id,
        title=task.title,
        due_date=task.due_date,
        coefficient=float(task.coefficient),
        completed=task.status == TaskStatus.DONE.value,
        meets_quality=bool(task.quality_accepted),
        major_errors=int(task.major_errors or 0),
        delays=int(task.delays or 0),
        excused=bool(task.excused),
        exceeded=bool(task.exceeded),
    )


def _base_query() -> Select:
    return (
        select(Evaluation, Person, OrgUnit, Position, PeriodRow.code)
        .join(OrgUnit, OrgUnit.id == Evaluation.unit_id)
        .join(PeriodRow, PeriodRow.id == Evaluation.period_id)
        .outerjoin(Person, Person.id == Evaluation.person_id)
        # The position held in the evaluation's period: someone moved since keeps that period's group.
        .outerjoin(Position, Position.id == position_during(Person.id, PeriodRow.start_date, PeriodRow.end_date))
    )


def _scoped(query: Select, viewer: Viewer) -> Select:
    if not may_see_evaluations(viewer):
        raise Forbidden("evaluations are not shown on meeting screens")
    query = query.where(in_scope(viewer, OrgUnit.path))
    if viewer.role is Role.STAFF:
        query = query.where(Evaluation.person_id == viewer.person_id, Evaluation.person_id.is_not(None))
    return query


def _row(
    evaluation: Evaluation, person: Person | None, unit: OrgUnit, position: Position | None, code: str
) -> EvaluationRow:
    details = load_details(evaluation.details_json)
    quota = details.get("quota") or {}
    return EvaluationRow(
        id=evaluation.id,
        person_id=evaluation.person_id,
        person_name=person.full_name if person else unit.name,
        civil_servant_code=person.civil_servant_code if person else None,
        unit_id=unit.id,
        unit_name=unit.name,
        unit_kind=unit.kind,
        position_name=position.name if position else "",
        task_group=position.task_group if position else ("" if person else unit_group(unit.kind)),
        period_code=code,
        ruleset=evaluation.ruleset,
        general_points=evaluation.general_points,
        task_points=evaluation.task_points,
        total=evaluation.total,
        level=evaluation.level,
        final_level=evaluation.final_level,
        status=evaluation.status,
        moved=bool(quota.get("moved")),
        quota=quota,
        flagged=bool(quota.get("flagged")),
        disciplined=bool(evaluation.disciplined),
        version=evaluation.version,
        council=details.get("council") or None,
    )


def list_evaluations(
    session: Session, *, viewer: Viewer, period_code: str, unit_id: int | None = None, people: bool = True
) -> list[EvaluationRow]:
    """The classification list of a period: people (or units) in the viewer's scope, by unit and name."""
    query = _scoped(_base_query(), viewer).where(PeriodRow.code == period_code)
    query = query.where(Evaluation.person_id.is_not(None) if people else Evaluation.person_id.is_(None))
    if unit_id is not None:
        unit = session.get(OrgUnit, unit_id)
        if unit is None or not viewer.covers_path(unit.path):
            raise NotFound("unit", unit_id)
        query = query.where(OrgUnit.path.startswith(unit.path, autoescape=True))
    query = query.order_by(OrgUnit.path, Position.task_group, Person.full_name, Evaluation.id)
    return [_row(*found) for found in session.execute(query).all()]


def get_evaluation(session: Session, *, viewer: Viewer, evaluation_id: int) -> EvaluationDetail:
    """One evaluation with what the viewer may do with it."""
    found = session.execute(_scoped(_base_query(), viewer).where(Evaluation.id == evaluation_id)).one_or_none()
    if found is None:
        raise NotFound("evaluation", evaluation_id)
    evaluation, person, unit, position, code = found
    row = _row(evaluation, person, unit, position, code)
    approver = session.get(User, evaluation.approved_by_id) if evaluation.approved_by_id else None
    rights = evaluation_rights(
        viewer,
        status=EvaluationStatus(evaluation.status),
        person_id=evaluation.person_id,
        unit_id=unit.id,
        unit_path=unit.path,
        responsible=responsible_units(session, viewer=viewer) if evaluation.person_id is None else (),
        has_appeal=bool(evaluation.appeal_note),
    )
    return EvaluationDetail(
        row=row,
        details=load_details(evaluation.details_json),
        appeal_note=evaluation.appeal_note,
        approved_by=approver.username if approver else None,
        approved_at=evaluation.approved_at,
        trail=trail(session, evaluation_id=evaluation.id),
        can_self_assess=rights.self_assess,
        can_review=rights.review,
        can_approve=rights.approve,
        can_appeal=rights.appeal,
        can_unlock=rights.unlock,
        can_send_back=rights.send_back,
        can_answer_appeal=rights.answer_appeal,
    )


def trail(session: Session, *, evaluation_id: int) -> list[TrailEntry]:
    """The audit entries of one evaluation, oldest first (refusals left out)."""
    rows = session.execute(
        select(AuditEntry.at, User.username, AuditEntry.action, AuditEntry.detail)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(
            and_(
                AuditEntry.entity == "evaluation",
                AuditEntry.entity_id == str(evaluation_id),
                AuditEntry.outcome == "ok",
            )
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return [TrailEntry(at=at, username=username, action=action, detail=detail) for at, username, action, detail in rows]


def responsible_units(session: Session, *, viewer: Viewer) -> set[int]:
    """Units whose own evaluation the viewer fills in: the unit a manager or leader is scoped to,
    and the unit whose head (leader position) the viewer is. Staff and screens answer for none."""
    if viewer.role not in EVALUATOR_ROLES:
        return set()
    units = {viewer.scope_unit_id}
    if viewer.person_id is not None:
        units |= set(
            session.execute(
                select(Position.unit_id)
                .join(Person, Person.position_id == Position.id)
                .where(Person.id == viewer.person_id, Person.active.is_(True), Position.is_leader.is_(True))
            ).scalars()
        )
    return units


def units_for_picker(session: Session, *, viewer: Viewer) -> list[tuple[int, str, int]]:
    """(id, name, depth) of the active units in the viewer's scope, tree order."""
    if not may_see_evaluations(viewer):
        raise Forbidden("evaluations are not shown on meeting screens")
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.depth)
        .where(in_scope(viewer, OrgUnit.path), OrgUnit.active.is_(True))
        .order_by(OrgUnit.path)
    ).all()
    return [(row.id, row.name, row.depth) for row in rows]


@dataclass(frozen=True)
class TiedEntry:
    """One person (or unit) tied at the quota's cut, waiting for the council."""

    evaluation_id: int
    name: str
    total: float | None
    task_points: float | None


@dataclass(frozen=True)
class Tie:
    """A quota group whose cut falls among equals: ``seats`` of ``entries`` may keep excellent."""

    group: str
    seats: int
    quota: dict[str, Any]
    entries: list[TiedEntry]


def awaiting_ties(session: Session, *, viewer: Viewer, period_code: str, unit_id: int) -> list[Tie]:
    """The ties at the cut that the viewer, as the unit's head, decides for the council: among the unit's
    people, and among its child units. Empty for anyone else."""
    unit = session.get(OrgUnit, unit_id)
    if (
        unit is None
        or not viewer.covers_path(unit.path)
        or not may_approve(viewer, unit_id=unit.id, unit_path=unit.path)
    ):
        return []
    children = set(session.execute(select(OrgUnit.id).where(OrgUnit.parent_id == unit.id)).scalars())
    rows = [
        r
        for r in list_evaluations(session, viewer=viewer, period_code=period_code, unit_id=unit_id)
        if r.unit_id == unit_id and r.person_id != viewer.person_id
    ] + [
        r
        for r in list_evaluations(session, viewer=viewer, period_code=period_code, unit_id=unit_id, people=False)
        if r.unit_id in children
    ]
    groups: dict[str, list[EvaluationRow]] = {}
    for r in rows:
        if r.status == EvaluationStatus.APPROVED.value and r.quota.get("awaiting"):
            groups.setdefault(str(r.quota.get("group", "")), []).append(r)
    return [
        Tie(
            group=group,
            seats=int(members[0].quota.get("seats", 0)),
            quota=members[0].quota,
            entries=[TiedEntry(r.id, r.person_name, r.total, r.task_points) for r in members],
        )
        for group, members in sorted(groups.items())
    ]


def period_in_progress(session: Session, *, viewer: Viewer) -> str | None:
    """The period to open the evaluations page on: the latest one with an evaluation the viewer can see
    that is still open (draft, self-assessed, reviewed), else the latest one approved but not locked.
    None when there is none (the page then shows the navbar's period)."""
    open_values = [s.value for s in (EvaluationStatus.DRAFT, EvaluationStatus.SELF_ASSESSED, EvaluationStatus.REVIEWED)]
    for statuses in (open_values, [EvaluationStatus.APPROVED.value]):
        query = _scoped(
            select(PeriodRow.code)
            .select_from(Evaluation)
            .join(OrgUnit, OrgUnit.id == Evaluation.unit_id)
            .join(PeriodRow, PeriodRow.id == Evaluation.period_id),
            viewer,
        )
        found = session.execute(
            query.where(Evaluation.status.in_(statuses))
            .order_by(PeriodRow.end_date.desc(), PeriodRow.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if found is not None:
            return str(found)
    return None

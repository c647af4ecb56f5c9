"""What the indicator page shows beside the numbers: the owner's analysis for the period, the tasks already
linked to the indicator (so a second follow-up of the same problem is seen before it is made), and an
action plan's milestones. All in the viewer's scope: an indicator outside it is NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from data_access.errors import NotFound
from data_access.models import Indicator, IndicatorAnalysis, Milestone, OrgUnit, Period, Person, Task, User
from data_access.queries.scope import period_id
from data_access.viewer import Viewer
from domain.access import may_enter
from domain.periods import parse_period

LINKED_TASKS_LIMIT = 50


@dataclass(frozen=True)
class Analysis:
    indicator_id: int
    period: str  # the period the analysis is about
    what_happened: str
    why: str
    next_steps: str
    author: str | None
    updated_at: datetime | None
    version: int | None  # None: nobody wrote one yet
    may_write: bool  # the viewer answers for the indicator (owner, or a writer over its unit)


@dataclass(frozen=True)
class LinkedTask:
    task_id: int
    title: str
    status: str
    due_date: date
    assignee: str
    created_at: datetime | None


@dataclass(frozen=True)
class MilestoneRow:
    milestone_id: int
    title: str
    due_on: date
    done_on: date | None
    owner: str | None
    carried: bool
    version: int


@dataclass(frozen=True)
class MilestonePlan:
    is_action_plan: bool  # direction "milestones": only then may milestones be added
    may_plan: bool  # leaders, managers and administrators over the unit add and edit milestones
    may_report: bool  # and the owner too marks them done
    year: int
    milestones: tuple[MilestoneRow, ...]


def _indicator_in_scope(session: Session, viewer: Viewer, indicator_id: int) -> tuple[Indicator, OrgUnit]:
    indicator = session.get(Indicator, indicator_id)
    unit = session.get(OrgUnit, indicator.unit_id) if indicator else None
    if indicator is None or unit is None or not viewer.covers_path(unit.path):
        raise NotFound("indicator", indicator_id)
    return indicator, unit


def _analysis_period(session: Session, indicator: Indicator, period: str) -> tuple[int, str]:
    """The chosen period when it lies in the indicator's year, else the indicator's year itself."""
    year = session.get(Period, indicator.period_id)
    if year is None:
        raise NotFound("period", indicator.period_id)
    chosen = parse_period(period)
    code = chosen.code if chosen.year == year.year else str(year.year)
    return period_id(session, code), code


def indicator_analysis(session: Session, *, viewer: Viewer, indicator_id: int, period: str) -> Analysis:
    """The analysis of the indicator for the period (empty, with version None, when none was written)."""
    indicator, unit = _indicator_in_scope(session, viewer, indicator_id)
    pid, code = _analysis_period(session, indicator, period)
    row = session.execute(
        select(IndicatorAnalysis, User.username)
        .outerjoin(User, User.id == IndicatorAnalysis.author_user_id)
        .where(IndicatorAnalysis.indicator_id == indicator_id, IndicatorAnalysis.period_id == pid)
    ).one_or_none()
    may_write = may_enter(viewer, owner_person_id=indicator.owner_person_id, unit_path=unit.path)
    if row is None:
        return Analysis(indicator_id, code, "", "", "", None, None, None, may_write)
    analysis, author = row
    return Analysis(
        indicator_id,
        code,
        analysis.what_happened,
        analysis.why,
        analysis.next_steps,
        author,
        analysis.updated_at,
        analysis.version,
        may_write,
    )


def linked_tasks(session: Session, *, viewer: Viewer, indicator_id: int) -> list[LinkedTask]:
    """The tasks linked to the indicator that the viewer's scope covers, newest first."""
    _indicator_in_scope(session, viewer, indicator_id)
    assignee_unit, person = aliased(OrgUnit), aliased(Person)
    rows = session.execute(
        select(Task.id, Task.title, Task.status, Task.due_date, assignee_unit.name, person.full_name, Task.created_at)
        .join(assignee_unit, assignee_unit.id == Task.assignee_unit_id)
        .outerjoin(person, person.id == Task.assignee_person_id)
        .where(
            Task.indicator_id == indicator_id,
            assignee_unit.path.startswith(viewer.scope_path, autoescape=True),
        )
        .order_by(Task.id.desc())
        .limit(LINKED_TASKS_LIMIT)
    ).all()
    return [LinkedTask(r[0], r[1], r[2], r[3], r[5] or r[4], r[6]) for r in rows]


def milestone_plan(session: Session, *, viewer: Viewer, indicator_id: int) -> MilestonePlan:
    """An action plan's milestones in their order, with what the viewer may do to them."""
    indicator, unit = _indicator_in_scope(session, viewer, indicator_id)
    year = session.get(Period, indicator.period_id)
    owner = aliased(Person)
    rows = session.execute(
        select(
            Milestone.id,
            Milestone.title,
            Milestone.due_on,
            Milestone.done_on,
            owner.full_name,
            Milestone.carried_from_id,
            Milestone.version,
        )
        .outerjoin(owner, owner.id == Milestone.owner_person_id)
        .where(Milestone.indicator_id == indicator_id)
        .order_by(Milestone.position, Milestone.due_on, Milestone.id)
    ).all()
    may_report = may_enter(viewer, owner_person_id=indicator.owner_person_id, unit_path=unit.path)
    return MilestonePlan(
        is_action_plan=indicator.direction == "milestones",
        may_plan=viewer.can_write and viewer.covers_path(unit.path),
        may_report=may_report,
        year=year.year if year else 0,
        milestones=tuple(MilestoneRow(r[0], r[1], r[2], r[3], r[4], r[5] is not None, r[6]) for r in rows),
    )

"""Reads for reports: what a unit's periodic report prints (from the rollups and indexed lookups, never
a whole-table scan), the viewer's own report jobs, and a finished file for its download."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from config.clock import now
from config.clock import today as clock_today
from data_access.errors import NotFound
from data_access.models import (
    Indicator,
    IndicatorAnalysis,
    IndicatorRollup,
    Objective,
    OrgUnit,
    Period,
    Person,
    ReportJob,
    Task,
)
from data_access.queries.lagging import lagging_indicators
from data_access.queries.publication import in_force_sql
from data_access.queries.scope import period_id, under_path, unit_in_scope
from data_access.queries.units import UnitFigures, score_trend, unit_figures
from data_access.viewer import Viewer
from domain.kinds import OPEN_TASK_STATUSES
from domain.periods import parse_period
from domain.publication import Visibility, sees
from domain.reports import nfc, weighted_mean

MAX_TASK_LINES = 30
MAX_FOLLOW_UPS = 5


@dataclass(frozen=True)
class KeyResult:
    name: str
    owner: str
    unit_of_measure: str
    current_value: float | None
    target: float | None
    progress: float | None
    expected: float | None
    status: str


@dataclass(frozen=True)
class ObjectiveBlock:
    title: str  # "" for the standing indicators outside any objective
    owner: str
    key_results: list[KeyResult]


@dataclass(frozen=True)
class FollowUp:
    title: str
    assignee: str
    due_date: date
    status: str


@dataclass(frozen=True)
class LaggingLine:
    indicator: str
    unit: str
    owner: str
    status: str
    progress: float | None
    expected: float | None
    follow_ups: list[FollowUp]


@dataclass(frozen=True)
class Commentary:
    """The owner's analysis of one of the unit's indicators: what happened, why, what will be done."""

    indicator: str
    owner: str
    period_code: str  # the period it was written for (the report's, or a month or quarter inside it)
    what_happened: str
    why: str
    next_steps: str


@dataclass(frozen=True)
class TaskLine:
    title: str
    assignee: str
    due_date: date
    status: str
    late: bool  # done after its first due date, or open past it


@dataclass(frozen=True)
class UnitReport:
    unit_id: int
    unit_name: str
    unit_kind: str
    period_code: str
    figures: UnitFigures
    expected: float | None  # where the score should be by now: the weighted expected progress
    objectives: list[ObjectiveBlock]
    lagging: list[LaggingLine]
    late_tasks: list[TaskLine]
    trend: list[tuple[str, float | None]]
    data_as_of: datetime
    analyses: list[Commentary] = field(default_factory=list)


def unit_report(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> UnitReport:
    """Everything a unit's periodic report prints, read with the viewer's scope."""
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    code = parse_period(period).code
    pid = period_id(session, code)
    figures = unit_figures(session, viewer=viewer, unit_id=unit_id, period=code)
    objectives, expected = _objectives(session, viewer, unit, pid)
    trend = score_trend(session, viewer=viewer, unit_id=unit_id, period=code)
    return UnitReport(
        unit_id=unit.id,
        unit_name=nfc(unit.name),
        unit_kind=unit.kind,
        period_code=code,
        figures=figures,
        expected=expected,
        objectives=objectives,
        lagging=_lagging(session, viewer, unit_id, code),
        late_tasks=_late_tasks(session, unit.path, code),
        trend=[(str(p), None if s != s else float(s)) for p, s in trend.itertuples(index=False)],
        data_as_of=now(),
        analyses=_analyses(session, unit_id, code, pid),
    )


def _objectives(session: Session, viewer: Viewer, unit: OrgUnit, pid: int) -> tuple[list[ObjectiveBlock], float | None]:
    """The unit's objectives with the key results published to the viewer; the expected score counts
    every key result (a score does not depend on what is shown, as the rollups)."""
    indicator_owner = aliased(Person)
    objective_owner = aliased(Person)
    rows = session.execute(
        select(
            Objective.id,
            Objective.title,
            objective_owner.full_name,
            Indicator.name,
            indicator_owner.full_name,
            Indicator.unit_of_measure,
            IndicatorRollup.current_value,
            Indicator.target,
            IndicatorRollup.progress,
            IndicatorRollup.expected,
            IndicatorRollup.status,
            IndicatorRollup.weight,
            in_force_sql(clock_today()),
        )
        .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
        .outerjoin(Objective, Objective.id == Indicator.objective_id)
        .outerjoin(objective_owner, objective_owner.id == Objective.owner_person_id)
        .outerjoin(indicator_owner, indicator_owner.id == Indicator.owner_person_id)
        .where(IndicatorRollup.unit_id == unit.id)  # the rollups' (unit, period) index
        .order_by(Objective.weight.desc(), Objective.id, Indicator.weight.desc(), Indicator.id)
    ).all()
    blocks: dict[int | None, ObjectiveBlock] = {}
    for oid, title, o_owner, name, owner, uom, current, target, progress, expected, status, _w, level in rows:
        if not sees(viewer, unit_path=unit.path, level=Visibility(level)):
            continue
        block = blocks.setdefault(oid, ObjectiveBlock(nfc(title), nfc(o_owner), []))
        block.key_results.append(
            KeyResult(nfc(name), nfc(owner), nfc(uom), current, target, progress, expected, status)
        )
    expected_score = weighted_mean((r[9], r[11]) for r in rows)
    return list(blocks.values()), expected_score


def _analyses(session: Session, unit_id: int, code: str, pid: int) -> list[Commentary]:
    """The owners' analyses of the unit's indicators written for the report's period or a period inside it:
    for each indicator the latest (by the end of the period it speaks of; on a tie, the report's own)."""
    chosen = parse_period(code)
    owner = aliased(Person)
    rows = session.execute(
        select(
            Indicator.id,
            Indicator.name,
            owner.full_name,
            Period.code,
            IndicatorAnalysis.what_happened,
            IndicatorAnalysis.why,
            IndicatorAnalysis.next_steps,
        )
        .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
        .join(IndicatorAnalysis, IndicatorAnalysis.indicator_id == Indicator.id)
        .join(Period, Period.id == IndicatorAnalysis.period_id)
        .outerjoin(owner, owner.id == Indicator.owner_person_id)
        .where(
            IndicatorRollup.unit_id == unit_id,  # the rollups' (unit, period) index, as the objectives above
            Period.start_date >= chosen.start,
            Period.end_date <= chosen.end,
        )
        .order_by(Indicator.weight.desc(), Indicator.id, Period.end_date.desc(), Period.start_date)
    ).all()
    seen: set[int] = set()
    out: list[Commentary] = []
    for indicator_id, name, who, period_code, what, why, steps in rows:
        if indicator_id in seen:
            continue
        seen.add(indicator_id)
        out.append(Commentary(nfc(name), nfc(who), period_code, nfc(what), nfc(why), nfc(steps)))
    return out


def _lagging(session: Session, viewer: Viewer, unit_id: int, period: str) -> list[LaggingLine]:
    frame = lagging_indicators(session, viewer=viewer, period=period, unit_id=unit_id, limit=20)
    ids = [int(i) for i in frame["indicator_id"]] if not frame.empty else []
    follow_ups: dict[int, list[FollowUp]] = {}
    if ids:
        person = aliased(Person)
        for indicator_id, title, who, unit_name, due, status in session.execute(
            select(Task.indicator_id, Task.title, person.full_name, OrgUnit.name, Task.due_date, Task.status)
            .join(OrgUnit, OrgUnit.id == Task.assignee_unit_id)
            .outerjoin(person, person.id == Task.assignee_person_id)
            .where(Task.indicator_id.in_(ids), Task.status != "cancelled")
            .order_by(Task.due_date, Task.id)
        ):
            if indicator_id is None:  # never: the query asks for these indicators (the check types the key)
                continue
            lines = follow_ups.setdefault(indicator_id, [])
            if len(lines) < MAX_FOLLOW_UPS:
                lines.append(FollowUp(nfc(title), nfc(who or unit_name), due, status))
    return [
        LaggingLine(
            nfc(r.indicator),
            nfc(r.unit),
            nfc(r.owner if isinstance(r.owner, str) else ""),
            r.status,
            _number(r.progress),
            _number(r.expected),
            follow_ups.get(int(r.indicator_id), []),
        )
        for r in frame.itertuples()
    ]


def _late_tasks(session: Session, path: str, period: str) -> list[TaskLine]:
    """Tasks of the unit's subtree due in the period that are overdue or were done late, latest due first."""
    chosen = parse_period(period)
    today = min(chosen.end, clock_today())
    person = aliased(Person)
    open_values = [s.value for s in OPEN_TASK_STATUSES]
    # The subtree's units first (the path index), then their tasks through (assignee unit, due date):
    # joined on the path instead, the planner walked every task.
    unit_ids = list(session.execute(select(OrgUnit.id).where(under_path(path))).scalars())
    rows = session.execute(
        select(Task.title, person.full_name, OrgUnit.name, Task.due_date, Task.status, Task.delays, Task.completed_on)
        .join(OrgUnit, OrgUnit.id == Task.assignee_unit_id)
        .outerjoin(person, person.id == Task.assignee_person_id)
        .where(
            Task.assignee_unit_id.in_(unit_ids),
            Task.due_date >= chosen.start,
            Task.due_date <= chosen.end,
            ((Task.status.in_(open_values)) & (Task.due_date < today)) | ((Task.status == "done") & (Task.delays > 0)),
        )
        .order_by(Task.due_date.desc(), Task.id)
        .limit(MAX_TASK_LINES)
    ).all()
    return [
        TaskLine(nfc(t), nfc(who or unit_name), due, status, True) for t, who, unit_name, due, status, _d, _c in rows
    ]


def _number(value: object) -> float | None:
    if value is None or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


# --- the viewer's report jobs -----------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    id: int
    unit_id: int
    unit_name: str
    period_code: str
    format: str
    language: str
    status: str
    progress: int
    error: str | None
    filename: str | None
    created_at: datetime
    finished_at: datetime | None


def my_reports(session: Session, *, viewer: Viewer, limit: int = 20) -> list[ReportRow]:
    """The viewer's own report requests, newest first (without their files)."""
    rows = session.execute(
        select(
            ReportJob.id,
            ReportJob.unit_id,
            OrgUnit.name,
            ReportJob.period_code,
            ReportJob.format,
            ReportJob.language,
            ReportJob.status,
            ReportJob.progress,
            ReportJob.error,
            ReportJob.filename,
            ReportJob.created_at,
            ReportJob.finished_at,
        )
        .join(OrgUnit, OrgUnit.id == ReportJob.unit_id)
        .where(ReportJob.user_id == viewer.user_id)
        .order_by(ReportJob.id.desc())
        .limit(limit)
    ).all()
    return [ReportRow(*row) for row in rows]  # type: ignore[call-arg]  # (a 12-column row)


@dataclass(frozen=True)
class ReportFile:
    filename: str
    format: str
    content: bytes


def report_file(session: Session, *, viewer: Viewer, job_id: int) -> ReportFile:
    """A finished report for its download: the viewer's own, of a unit still in the viewer's scope.

    Anything else is NotFound (another person's report, or one whose unit left the viewer's scope), so that
    ids cannot be probed."""
    row = session.execute(
        select(
            ReportJob.user_id, ReportJob.status, ReportJob.filename, ReportJob.format, ReportJob.content, OrgUnit.path
        )
        .join(OrgUnit, OrgUnit.id == ReportJob.unit_id)
        .where(ReportJob.id == job_id)
    ).one_or_none()
    if row is None:
        raise NotFound("report", job_id)
    user_id, status, filename, fmt, content, path = row
    if user_id != viewer.user_id or not viewer.covers_path(path) or status != "done" or content is None:
        raise NotFound("report", job_id)
    return ReportFile(filename or f"report.{fmt}", fmt, content)


# --- what the request form offers --------------------------------------------------------------

PICKER_DEPTH = 2  # the scope's unit and two levels below it: a city's departments, wards and their divisions
MAX_PICKER_UNITS = 1000


def report_units(session: Session, *, viewer: Viewer) -> list[tuple[int, str, int]]:
    """(id, name, depth below the scope) of the open units a viewer may ask a report of, tree order."""
    scope_depth = viewer.scope_path.strip("/").count("/")
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.depth)
        .where(
            under_path(viewer.scope_path),
            OrgUnit.active.is_(True),
            OrgUnit.depth <= scope_depth + PICKER_DEPTH,
        )
        .order_by(OrgUnit.path)
        .limit(MAX_PICKER_UNITS)
    ).all()
    return [(uid, nfc(name), depth - scope_depth) for uid, name, depth in rows]


def report_periods(session: Session, *, today: date) -> list[tuple[str, str]]:
    """(code, kind) of the periods begun by today, this year's and last year's, latest first."""
    rows = session.execute(
        select(Period.code, Period.kind)
        .where(Period.year >= today.year - 1, Period.start_date <= today)
        .order_by(Period.start_date.desc(), Period.end_date.desc())
    ).all()
    return [(code, kind) for code, kind in rows]

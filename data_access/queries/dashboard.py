"""Dashboard reads: everything comes from the rollup tables, scoped to the viewer.

Each function takes the session and the viewer (keyword-only) and returns plain dataclasses or
DataFrames; an id outside the viewer's scope raises Forbidden, an unknown one NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from data_access.errors import Forbidden, NotFound
from data_access.models import (
    DataVersion,
    Indicator,
    IndicatorRollup,
    Measurement,
    Objective,
    OrgUnit,
    Period,
    Person,
    Position,
    Task,
    TrajectoryPoint,
    UnitRollup,
    User,
)
from data_access.viewer import Viewer, in_scope
from domain.kinds import OPEN_TASK_STATUSES
from domain.periods import parse_period

LAGGING = ("off_track", "at_risk")


@dataclass(frozen=True)
class UnitFigures:
    unit_id: int
    name: str
    kind: str
    score: float | None
    n_indicators: int
    n_done: int
    n_on_track: int
    n_at_risk: int
    n_off_track: int
    n_no_data: int
    tasks_open: int
    tasks_overdue: int
    tasks_done_on_time: int
    tasks_done_late: int


@dataclass(frozen=True)
class Overview:
    root: UnitFigures
    trend: pd.DataFrame  # period code, score
    best: pd.DataFrame  # unit_id, name, kind, score
    worst: pd.DataFrame
    lagging: pd.DataFrame  # top ten lagging indicators
    tree: pd.DataFrame  # unit_id, parent_id, name, kind, score
    data_version: int


def period_id(session: Session, code: str) -> int:
    """The id of a period code (NotFound when the store does not hold it)."""
    found = session.execute(select(Period.id).where(Period.code == parse_period(code).code)).scalar_one_or_none()
    if found is None:
        raise NotFound("period", code)
    return found


def data_version(session: Session) -> int:
    return session.execute(select(DataVersion.version).where(DataVersion.name == "global")).scalar_one_or_none() or 0


def unit_in_scope(session: Session, *, viewer: Viewer, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("unit", unit_id)
    if not viewer.covers_path(unit.path):
        raise Forbidden("unit outside the viewer's scope", unit_id=unit_id)
    return unit


def _figures_query(pid: int):  # type: ignore[no-untyped-def]
    return (
        select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, UnitRollup)
        .join(UnitRollup, and_(UnitRollup.unit_id == OrgUnit.id, UnitRollup.period_id == pid))
    )


def _figures(row) -> UnitFigures:  # type: ignore[no-untyped-def]
    r = row.UnitRollup
    return UnitFigures(row.id, row.name, row.kind, r.score, r.n_indicators, r.n_done, r.n_on_track, r.n_at_risk,
                       r.n_off_track, r.n_no_data, r.tasks_open, r.tasks_overdue, r.tasks_done_on_time, r.tasks_done_late)


def unit_figures(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> UnitFigures:
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    row = session.execute(_figures_query(period_id(session, period)).where(OrgUnit.id == unit_id)).one_or_none()
    if row is None:
        raise NotFound("rollup", unit_id)
    return _figures(row)


def children_figures(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> list[UnitFigures]:
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    rows = session.execute(_figures_query(period_id(session, period)).where(OrgUnit.parent_id == unit_id)
                           .order_by(OrgUnit.kind, OrgUnit.name)).all()
    return [_figures(r) for r in rows]


def score_trend(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """The unit's score at the end of each month of the period's year up to the period's end."""
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    chosen = parse_period(period)
    rows = session.execute(
        select(Period.code, UnitRollup.score)
        .join(UnitRollup, UnitRollup.period_id == Period.id)
        .where(UnitRollup.unit_id == unit_id, Period.kind == "month", Period.year == chosen.year,
               Period.end_date <= chosen.end)
        .order_by(Period.start_date)
    ).all()
    return pd.DataFrame(rows, columns=["period", "score"])


def lagging_indicators(session: Session, *, viewer: Viewer, period: str, limit: int | None = None,
                       unit_id: int | None = None) -> pd.DataFrame:
    """At-risk and off-track indicators in scope, the most important gaps first (weight x shortfall)."""
    pid = period_id(session, period)
    owner = aliased(Person)
    gap = IndicatorRollup.weight * (IndicatorRollup.expected - func.coalesce(IndicatorRollup.progress, 0))
    query = (
        select(Indicator.id.label("indicator_id"), Indicator.name.label("indicator"), Indicator.unit_of_measure,
               OrgUnit.id.label("unit_id"), OrgUnit.name.label("unit"), OrgUnit.kind.label("unit_kind"),
               Objective.source_kind, Objective.source_ref, owner.id.label("owner_id"), owner.full_name.label("owner"),
               IndicatorRollup.status, IndicatorRollup.progress, IndicatorRollup.expected, IndicatorRollup.current_value,
               Indicator.target, IndicatorRollup.forecast_miss_by, IndicatorRollup.weight, gap.label("gap"))
        .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .outerjoin(Objective, Objective.id == Indicator.objective_id)
        .outerjoin(owner, owner.id == Indicator.owner_person_id)
        .where(IndicatorRollup.status.in_(LAGGING), in_scope(viewer, OrgUnit.path))
        .order_by(gap.desc(), Indicator.id)
    )
    if unit_id is not None:
        unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
        query = query.where(OrgUnit.path.startswith(unit.path, autoescape=True))
    if limit:
        query = query.limit(limit)
    return pd.DataFrame(session.execute(query).mappings().all(),
                        columns=["indicator_id", "indicator", "unit_of_measure", "unit_id", "unit", "unit_kind", "source_kind",
                                 "source_ref", "owner_id", "owner", "status", "progress", "expected", "current_value",
                                 "target", "forecast_miss_by", "weight", "gap"])


def org_tree(session: Session, *, viewer: Viewer, period: str, max_depth: int = 2) -> pd.DataFrame:
    """Units of the viewer's subtree down to max_depth levels below the scope, with their scores."""
    pid = period_id(session, period)
    root = unit_in_scope(session, viewer=viewer, unit_id=viewer.scope_unit_id)
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.name, OrgUnit.kind, UnitRollup.score)
        .outerjoin(UnitRollup, and_(UnitRollup.unit_id == OrgUnit.id, UnitRollup.period_id == pid))
        .where(in_scope(viewer, OrgUnit.path), OrgUnit.depth <= root.depth + max_depth)
        .order_by(OrgUnit.depth, OrgUnit.id)
    ).all()
    frame = pd.DataFrame(rows, columns=["unit_id", "parent_id", "name", "kind", "score"])
    frame.loc[frame["unit_id"] == root.id, "parent_id"] = None
    return frame


def overview(session: Session, *, viewer: Viewer, period: str) -> Overview:
    """Everything the overview page shows, for the viewer's scope and a period."""
    root_id = viewer.scope_unit_id
    root = unit_figures(session, viewer=viewer, unit_id=root_id, period=period)
    children = [c for c in children_figures(session, viewer=viewer, unit_id=root_id, period=period) if c.score is not None]
    ranked = pd.DataFrame([(c.unit_id, c.name, c.kind, c.score) for c in children], columns=["unit_id", "name", "kind", "score"])
    ranked = ranked.sort_values(["score", "name"], ascending=[False, True])
    return Overview(
        root=root,
        trend=score_trend(session, viewer=viewer, unit_id=root_id, period=period),
        best=ranked.head(min(5, (len(ranked) + 1) // 2)),
        worst=ranked.tail(min(5, len(ranked) // 2)).iloc[::-1],
        lagging=lagging_indicators(session, viewer=viewer, period=period, limit=10),
        tree=org_tree(session, viewer=viewer, period=period),
        data_version=data_version(session),
    )


def ancestors(session: Session, *, viewer: Viewer, unit_id: int) -> list[tuple[int, str]]:
    """(id, name) from the top of the viewer's scope down to the unit."""
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    ids = [int(part) for part in unit.path.strip("/").split("/")]
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all())
    scope_depth = viewer.scope_path.strip("/").count("/")
    return [(i, names[i]) for i in ids[scope_depth:]]


def unit_indicators(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """The unit's own objectives and indicators with progress, status and forecast."""
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    pid = period_id(session, period)
    rows = session.execute(
        select(Objective.id.label("objective_id"), Objective.title.label("objective"), Objective.source_kind,
               Objective.source_ref, Indicator.id.label("indicator_id"), Indicator.name.label("indicator"),
               Indicator.unit_of_measure, Indicator.target, IndicatorRollup.current_value, IndicatorRollup.progress,
               IndicatorRollup.status, IndicatorRollup.forecast_value, IndicatorRollup.forecast_miss_by, IndicatorRollup.on_course)
        .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
        .outerjoin(Objective, Objective.id == Indicator.objective_id)
        .where(Indicator.unit_id == unit_id)
        .order_by(Objective.weight.desc(), Objective.id, Indicator.weight.desc(), Indicator.id)
    ).mappings().all()
    return pd.DataFrame(rows, columns=["objective_id", "objective", "source_kind", "source_ref", "indicator_id", "indicator",
                                       "unit_of_measure", "target", "current_value", "progress", "status", "forecast_value",
                                       "forecast_miss_by", "on_course"])


def unit_people(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """People of the unit and of the units directly below it, with their position and tasks due in the period.

    Deeper levels are one click away, which keeps a city's page from listing every civil servant.
    """
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    chosen = parse_period(period)
    done_on_time = func.sum(case((and_(Task.status == "done", Task.delays == 0), 1), else_=0))
    due = func.count(Task.id)
    rows = session.execute(
        select(Person.id.label("person_id"), Person.full_name.label("name"), Position.name.label("position"),
               OrgUnit.name.label("unit"), due.label("tasks"), done_on_time.label("on_time"))
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .outerjoin(Position, Position.id == Person.position_id)
        .outerjoin(Task, and_(Task.assignee_person_id == Person.id, Task.due_date >= chosen.start,
                              Task.due_date <= chosen.end, Task.status != "cancelled"))
        .where(OrgUnit.path.startswith(unit.path, autoescape=True), OrgUnit.depth <= unit.depth + 1,
               Person.active.is_(True))
        .group_by(Person.id, Person.full_name, Position.name, OrgUnit.name)
        .order_by(OrgUnit.name, Position.name, Person.full_name)
    ).mappings().all()
    frame = pd.DataFrame(rows, columns=["person_id", "name", "position", "unit", "tasks", "on_time"])
    frame["on_time_share"] = (frame["on_time"] / frame["tasks"].where(frame["tasks"] > 0)).astype(float)
    return frame


@dataclass(frozen=True)
class IndicatorDetail:
    indicator_id: int
    name: str
    unit_id: int
    unit: str
    unit_of_measure: str
    direction: str
    baseline: float | None
    target: float | None
    owner_id: int | None
    owner: str | None
    status: str
    progress: float | None
    expected: float | None
    forecast_value: float | None
    forecast_miss_by: float | None
    on_course: bool | None
    year: int
    measurements: pd.DataFrame  # measured_on, value, status, entered_by, entered_at, comment
    trajectory: pd.DataFrame  # at, value


def indicator_detail(session: Session, *, viewer: Viewer, indicator_id: int, period: str) -> IndicatorDetail:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("indicator", indicator_id)
    unit = unit_in_scope(session, viewer=viewer, unit_id=indicator.unit_id)
    year = session.get(Period, indicator.period_id)
    chosen = parse_period(period)
    pid = period_id(session, chosen.code if chosen.year == year.year else str(year.year))
    rollup = session.get(IndicatorRollup, (indicator_id, pid))
    owner = session.get(Person, indicator.owner_person_id) if indicator.owner_person_id else None
    history = session.execute(
        select(Measurement.measured_on, Measurement.value, Measurement.status, User.username.label("entered_by"),
               Measurement.entered_at, Measurement.comment)
        .outerjoin(User, User.id == Measurement.entered_by_id)
        .where(Measurement.indicator_id == indicator_id).order_by(Measurement.measured_on, Measurement.id)
    ).mappings().all()
    trajectory = session.execute(select(TrajectoryPoint.at, TrajectoryPoint.value)
                                 .where(TrajectoryPoint.indicator_id == indicator_id).order_by(TrajectoryPoint.at)).all()
    return IndicatorDetail(
        indicator.id, indicator.name, unit.id, unit.name, indicator.unit_of_measure, indicator.direction, indicator.baseline,
        indicator.target, owner.id if owner else None, owner.full_name if owner else None,
        rollup.status if rollup else "no_data", rollup.progress if rollup else None, rollup.expected if rollup else None,
        rollup.forecast_value if rollup else None, rollup.forecast_miss_by if rollup else None,
        rollup.on_course if rollup else None, year.year,
        pd.DataFrame(history, columns=["measured_on", "value", "status", "entered_by", "entered_at", "comment"]),
        pd.DataFrame(trajectory, columns=["at", "value"]),
    )


@dataclass(frozen=True)
class PersonDetail:
    person_id: int
    name: str
    unit_id: int
    unit: str
    position: str | None
    task_group: str | None
    tasks: pd.DataFrame  # id, title, due_date, status, delays, major_errors, coefficient, state (open/late/done)
    indicators: pd.DataFrame


def person_detail(session: Session, *, viewer: Viewer, person_id: int, period: str, today: date) -> PersonDetail:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person", person_id)
    unit = unit_in_scope(session, viewer=viewer, unit_id=person.unit_id)
    position = session.get(Position, person.position_id) if person.position_id else None
    chosen = parse_period(period)
    tasks = pd.DataFrame(session.execute(
        select(Task.id, Task.title, Task.due_date, Task.status, Task.delays, Task.major_errors, Task.coefficient,
               Task.quality_accepted, Task.excused, Task.exceeded, Task.completed_on)
        .where(Task.assignee_person_id == person_id, Task.due_date >= chosen.start, Task.due_date <= chosen.end)
        .order_by(Task.due_date)
    ).mappings().all(), columns=["id", "title", "due_date", "status", "delays", "major_errors", "coefficient",
                                 "quality_accepted", "excused", "exceeded", "completed_on"])
    open_values = {s.value for s in OPEN_TASK_STATUSES}

    def state(row: pd.Series) -> str:
        if row["status"] in open_values:
            return "late" if row["due_date"] < today else "open"
        return "done" if row["status"] == "done" else row["status"]

    tasks["state"] = tasks.apply(state, axis=1) if len(tasks) else pd.Series(dtype=str)
    pid = period_id(session, chosen.code)
    indicators = pd.DataFrame(session.execute(
        select(Indicator.id.label("indicator_id"), Indicator.name.label("indicator"), IndicatorRollup.progress,
               IndicatorRollup.status)
        .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
        .where(Indicator.owner_person_id == person_id)
    ).mappings().all(), columns=["indicator_id", "indicator", "progress", "status"])
    return PersonDetail(person.id, person.full_name, unit.id, unit.name, position.name if position else None,
                        position.task_group if position else None, tasks, indicators)


@dataclass(frozen=True)
class RankedUnit:
    rank: int
    unit_id: int
    name: str
    kind: str
    score: float | None
    previous: float | None
    lifted_by: str | None
    dragged_by: str | None


def unit_rankings(session: Session, *, viewer: Viewer, period: str) -> dict[str, list[RankedUnit]]:
    """Departments, wards and party boards in scope, each ranked against its own kind, with the change
    since the previous period and the indicator that lifted or dragged each most."""
    chosen = parse_period(period)
    pid = period_id(session, chosen.code)
    previous_ids = session.execute(select(Period.id).where(Period.code == chosen.previous().code)).scalar_one_or_none()
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, OrgUnit.path, UnitRollup.score)
        .join(UnitRollup, and_(UnitRollup.unit_id == OrgUnit.id, UnitRollup.period_id == pid))
        .where(in_scope(viewer, OrgUnit.path), OrgUnit.kind.in_(("department", "ward", "party_board")))
    ).all()
    previous = dict(session.execute(select(UnitRollup.unit_id, UnitRollup.score).where(UnitRollup.period_id == previous_ids))
                    .all()) if previous_ids else {}
    contributions = session.execute(
        select(OrgUnit.path, Indicator.name, IndicatorRollup.progress, IndicatorRollup.weight)
        .join(Indicator, Indicator.id == IndicatorRollup.indicator_id)
        .join(OrgUnit, OrgUnit.id == IndicatorRollup.unit_id)
        .where(IndicatorRollup.period_id == pid, IndicatorRollup.progress.is_not(None), in_scope(viewer, OrgUnit.path))
    ).all()
    by_top: dict[str, list[tuple[str, float, float]]] = {}
    tops = {r.path: r for r in rows}
    for path, name, progress, weight in contributions:
        top = next((p for p in tops if path.startswith(p)), None)
        if top is not None:
            by_top.setdefault(top, []).append((name, min(progress, 1.0), weight))
    ranked: dict[str, list[RankedUnit]] = {}
    for kind in ("department", "ward", "party_board"):
        same = sorted((r for r in rows if r.kind == kind), key=lambda r: (r.score is None, -(r.score or 0), r.name))
        out = []
        for rank, row in enumerate(same, start=1):
            items = by_top.get(row.path, [])
            effects = [(name, weight * (p - (row.score or 0))) for name, p, weight in items]
            lifted = max(effects, key=lambda e: e[1], default=None)
            dragged = min(effects, key=lambda e: e[1], default=None)
            out.append(RankedUnit(rank, row.id, row.name, row.kind, row.score, previous.get(row.id),
                                  lifted[0] if lifted and lifted[1] > 0 else None,
                                  dragged[0] if dragged and dragged[1] < 0 else None))
        if out:
            ranked[kind] = out
    return ranked


def people_rankings(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """People of a unit and of the units directly below it, with the task outcomes of the period, for ranking
    within position groups (a city ranks the heads of its units; a ward its divisions' staff)."""
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    chosen = parse_period(period)
    rows = session.execute(
        select(Person.id.label("person_id"), Person.full_name.label("name"), Position.task_group, Position.name.label("position"),
               Task.coefficient, Task.status, Task.quality_accepted, Task.major_errors, Task.delays, Task.excused)
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .outerjoin(Position, Position.id == Person.position_id)
        .join(Task, and_(Task.assignee_person_id == Person.id, Task.due_date >= chosen.start, Task.due_date <= chosen.end,
                         Task.status != "cancelled"))
        .where(OrgUnit.path.startswith(unit.path, autoescape=True), OrgUnit.depth <= unit.depth + 1)
    ).mappings().all()
    return pd.DataFrame(rows, columns=["person_id", "name", "task_group", "position", "coefficient", "status",
                                       "quality_accepted", "major_errors", "delays", "excused"])

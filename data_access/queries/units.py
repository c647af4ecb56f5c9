"""Dashboard reads of units: a unit's figures and its children's, the score trend, the org tree, the
overview, the breadcrumbs, a unit's indicators and people. Everything comes from the rollup tables,
scoped to the viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Row, Select, and_, case, func, select
from sqlalchemy.orm import Session

from config.clock import today as clock_today
from data_access.errors import NotFound
from data_access.models import (
    Indicator,
    IndicatorRollup,
    Objective,
    OrgUnit,
    Period,
    Person,
    Position,
    Task,
    UnitRollup,
)
from data_access.queries.lagging import lagging_indicators
from data_access.queries.placements import placed_in
from data_access.queries.publication import in_force_sql
from data_access.queries.scope import data_version, existed_in, period_id, rows_frame, unit_and_children, unit_in_scope
from data_access.viewer import Viewer, in_scope
from domain.periods import parse_period
from domain.publication import Visibility, sees
from domain.rankings import best_and_weakest


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
    children: list[UnitFigures]  # the scope's direct children that have a score: compared within their kind


_FIGURE_COLUMNS = (
    UnitRollup.score,
    UnitRollup.n_indicators,
    UnitRollup.n_done,
    UnitRollup.n_on_track,
    UnitRollup.n_at_risk,
    UnitRollup.n_off_track,
    UnitRollup.n_no_data,
    UnitRollup.tasks_open,
    UnitRollup.tasks_overdue,
    UnitRollup.tasks_done_on_time,
    UnitRollup.tasks_done_late,
)


def _figures_query(pid: int) -> Select[*tuple[Any, ...]]:
    # Plain columns, not ORM entities: a city has ~150 children and entity loading was a third of the call.
    return select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, *_FIGURE_COLUMNS).join(
        UnitRollup, and_(UnitRollup.unit_id == OrgUnit.id, UnitRollup.period_id == pid)
    )


def _figures(row: Row[*tuple[Any, ...]]) -> UnitFigures:
    return UnitFigures(*row)


def unit_figures(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> UnitFigures:
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    row = session.execute(_figures_query(period_id(session, period)).where(OrgUnit.id == unit_id)).one_or_none()
    if row is None:
        raise NotFound("rollup", unit_id)
    return _figures(row)


def children_figures(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> list[UnitFigures]:
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    rows = session.execute(
        _figures_query(period_id(session, period))
        .where(OrgUnit.parent_id == unit_id, existed_in(period))
        .order_by(OrgUnit.kind, OrgUnit.name)
    ).all()
    return [_figures(r) for r in rows]


def score_trend(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """The unit's score at the end of each month of the period's year up to the period's end."""
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    chosen = parse_period(period)
    rows = session.execute(
        select(Period.code, UnitRollup.score)
        .join(UnitRollup, UnitRollup.period_id == Period.id)
        .where(
            UnitRollup.unit_id == unit_id,
            Period.kind == "month",
            Period.year == chosen.year,
            Period.end_date <= chosen.end,
        )
        .order_by(Period.start_date)
    ).all()
    return pd.DataFrame(rows, columns=["period", "score"])


def org_tree(session: Session, *, viewer: Viewer, period: str, max_depth: int = 2) -> pd.DataFrame:
    """Units of the viewer's subtree down to max_depth levels below the scope, with their scores."""
    pid = period_id(session, period)
    root = unit_in_scope(session, viewer=viewer, unit_id=viewer.scope_unit_id)
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.name, OrgUnit.kind, UnitRollup.score)
        .outerjoin(UnitRollup, and_(UnitRollup.unit_id == OrgUnit.id, UnitRollup.period_id == pid))
        .where(in_scope(viewer, OrgUnit.path), OrgUnit.depth <= root.depth + max_depth, existed_in(period))
        .order_by(OrgUnit.depth, OrgUnit.id)
    ).all()
    frame = rows_frame(rows, ["unit_id", "parent_id", "name", "kind", "score"])
    frame["parent_id"] = frame["parent_id"].astype(object).where(frame["unit_id"] != root.id, None)
    return frame


def overview(session: Session, *, viewer: Viewer, period: str) -> Overview:
    """Everything the overview page shows, for the viewer's scope and a period."""
    root_id = viewer.scope_unit_id
    root = unit_figures(session, viewer=viewer, unit_id=root_id, period=period)
    children = [
        c for c in children_figures(session, viewer=viewer, unit_id=root_id, period=period) if c.score is not None
    ]
    best, weakest = best_and_weakest(children, score=lambda c: c.score, name=lambda c: c.name)
    columns = ["unit_id", "name", "kind", "score"]
    return Overview(
        root=root,
        trend=score_trend(session, viewer=viewer, unit_id=root_id, period=period),
        best=pd.DataFrame([(c.unit_id, c.name, c.kind, c.score) for c in best], columns=columns),
        worst=pd.DataFrame([(c.unit_id, c.name, c.kind, c.score) for c in weakest], columns=columns),
        lagging=lagging_indicators(session, viewer=viewer, period=period, limit=10),
        tree=org_tree(session, viewer=viewer, period=period),
        data_version=data_version(session),
        children=children,
    )


def ancestors(session: Session, *, viewer: Viewer, unit_id: int) -> list[tuple[int, str]]:
    """(id, name) from the top of the viewer's scope down to the unit."""
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    ids = [int(part) for part in unit.path.strip("/").split("/")]
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all())
    scope_depth = viewer.scope_path.strip("/").count("/")
    return [(i, names[i]) for i in ids[scope_depth:]]


def unit_indicators(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """The unit's own objectives and indicators with baseline, progress, what was expected by now, status
    and forecast; only the indicators published to the viewer (all of them inside the unit)."""
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    pid = period_id(session, period)
    rows = (
        session.execute(
            select(
                in_force_sql(clock_today()).label("level"),
                Objective.id.label("objective_id"),
                Objective.title.label("objective"),
                Objective.source_kind,
                Objective.source_ref,
                Indicator.id.label("indicator_id"),
                Indicator.name.label("indicator"),
                Indicator.unit_of_measure,
                Indicator.baseline,
                Indicator.target,
                IndicatorRollup.current_value,
                IndicatorRollup.progress,
                IndicatorRollup.expected,
                IndicatorRollup.status,
                IndicatorRollup.forecast_value,
                IndicatorRollup.forecast_miss_by,
                IndicatorRollup.on_course,
            )
            .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
            .outerjoin(Objective, Objective.id == Indicator.objective_id)
            # The rollup's copy of the unit id has an index with the period; the planners otherwise walk the period.
            .where(IndicatorRollup.unit_id == unit_id)
            .order_by(Objective.weight.desc(), Objective.id, Indicator.weight.desc(), Indicator.id)
        )
        .mappings()
        .all()
    )
    return pd.DataFrame(
        [r for r in rows if sees(viewer, unit_path=unit.path, level=Visibility(r["level"]))],
        columns=[
            "objective_id",
            "objective",
            "source_kind",
            "source_ref",
            "indicator_id",
            "indicator",
            "unit_of_measure",
            "baseline",
            "target",
            "current_value",
            "progress",
            "expected",
            "status",
            "forecast_value",
            "forecast_miss_by",
            "on_course",
        ],
    )


def unit_people(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """People of the unit and of the units directly below it in the period, with their position and tasks
    due in it.

    Who worked where comes from the placements that overlap the period, so a past period lists the
    people as they were placed then (after a merge, last year's ward still shows its staff); people
    without any placement on record count where they work now. Deeper levels are one click away,
    which keeps a city's page from listing every civil servant.
    """
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    chosen = parse_period(period)
    done_on_time = func.sum(case((and_(Task.status == "done", Task.delays == 0), 1), else_=0))
    due = func.count(Task.id)
    placed = placed_in(chosen.start, chosen.end, unit_and_children(unit.id))
    rows = (
        session.execute(
            select(
                Person.id.label("person_id"),
                Person.full_name.label("name"),
                Position.name.label("position"),
                OrgUnit.name.label("unit"),
                due.label("tasks"),
                done_on_time.label("on_time"),
            )
            # Where each person was in the period (placed_in): a past period lists who worked here then.
            .join(placed, placed.c.person_id == Person.id)
            .join(OrgUnit, OrgUnit.id == placed.c.unit_id)
            .outerjoin(Position, Position.id == placed.c.position_id)
            .outerjoin(
                Task,
                and_(
                    Task.assignee_person_id == Person.id,
                    Task.due_date >= chosen.start,
                    Task.due_date <= chosen.end,
                    Task.status != "cancelled",
                ),
            )
            .where(unit_and_children(unit.id))
            .group_by(Person.id, Person.full_name, Position.name, OrgUnit.name)
            .order_by(OrgUnit.name, Position.name, Person.full_name)
        )
        .mappings()
        .all()
    )
    frame = pd.DataFrame(rows, columns=["person_id", "name", "position", "unit", "tasks", "on_time"])
    frame["on_time_share"] = (frame["on_time"] / frame["tasks"].where(frame["tasks"] > 0)).astype(float)
    return frame

"""People: one civil servant's tasks, indicators and task points, and the people of a unit with their task
points for the rankings (scored under each unit's own rule set by queries.task_points).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from data_access.errors import Forbidden, NotFound
from data_access.models import Indicator, IndicatorRollup, OrgUnit, Person, Position, Task
from data_access.queries.placements import placed_in
from data_access.queries.publication import published_to
from data_access.queries.scope import period_id, unit_and_children, unit_in_scope
from data_access.queries.task_points import person_task_points, task_points
from data_access.viewer import Viewer
from domain.access import may_see_people_rankings, may_see_persons_work
from domain.evaluation import TaskResult
from domain.kinds import TaskStatus
from domain.periods import parse_period
from domain.tasks import period_state


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
    task_points: TaskResult | None  # under the rule set of the person's unit; None when not the viewer's to see
    limited: bool = False  # a colleague's page: name, position and unit only


def person_detail(session: Session, *, viewer: Viewer, person_id: int, period: str, today: date) -> PersonDetail:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person", person_id)
    unit = unit_in_scope(session, viewer=viewer, unit_id=person.unit_id)
    position = session.get(Position, person.position_id) if person.position_id else None
    if not may_see_persons_work(viewer, person.id):
        # A colleague's tasks, errors and points stay with the person and those over them.
        return PersonDetail(
            person.id,
            person.full_name,
            unit.id,
            unit.name,
            position.name if position else None,
            position.task_group if position else None,
            pd.DataFrame(columns=["id", "title", "due_date", "status", "state"]),
            pd.DataFrame(columns=["indicator_id", "indicator", "status"]),
            None,
            limited=True,
        )
    chosen = parse_period(period)
    tasks = pd.DataFrame(
        session.execute(
            select(
                Task.id,
                Task.title,
                Task.due_date,
                Task.status,
                Task.delays,
                Task.major_errors,
                Task.coefficient,
                Task.quality_accepted,
                Task.excused,
                Task.exceeded,
                Task.completed_on,
            )
            .where(Task.assignee_person_id == person_id, Task.due_date >= chosen.start, Task.due_date <= chosen.end)
            .order_by(Task.due_date)
        )
        .mappings()
        .all(),
        columns=[
            "id",
            "title",
            "due_date",
            "status",
            "delays",
            "major_errors",
            "coefficient",
            "quality_accepted",
            "excused",
            "exceeded",
            "completed_on",
        ],
    )
    tasks["state"] = [
        period_state(TaskStatus(s), d, today) for s, d in zip(tasks["status"], tasks["due_date"], strict=True)
    ]
    pid = period_id(session, chosen.code)
    indicators = pd.DataFrame(
        session.execute(
            select(
                Indicator.id.label("indicator_id"),
                Indicator.name.label("indicator"),
                Indicator.unit_of_measure,
                Indicator.baseline,
                Indicator.target,
                IndicatorRollup.current_value,
                IndicatorRollup.progress,
                IndicatorRollup.expected,
                IndicatorRollup.status,
            )
            .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
            .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
            # Named through the owner's indicator ids, so that SQLite starts from them, not from the whole period.
            .where(IndicatorRollup.indicator_id.in_(select(Indicator.id).where(Indicator.owner_person_id == person_id)))
            .where(published_to(viewer, today))  # the publication ladder: only what is published to the viewer
        )
        .mappings()
        .all(),
        columns=[
            "indicator_id",
            "indicator",
            "unit_of_measure",
            "baseline",
            "target",
            "current_value",
            "progress",
            "expected",
            "status",
        ],
    )
    return PersonDetail(
        person.id,
        person.full_name,
        unit.id,
        unit.name,
        position.name if position else None,
        position.task_group if position else None,
        tasks,
        indicators,
        person_task_points(session, person_id=person.id, start=chosen.start, end=chosen.end),
    )


def people_rankings(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """People of a unit and of the units directly below it who had tasks due in the period, with their task
    points under their unit's rule set, for ranking within position groups (a city ranks the heads of its
    units; a ward its divisions' staff)."""
    if not may_see_people_rankings(viewer):
        raise Forbidden("people's task points are for managers and leaders")
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    chosen = parse_period(period)
    # Where each person was in the period: someone moved since still ranks in the old unit and group.
    placed = placed_in(chosen.start, chosen.end, unit_and_children(unit.id))
    people = session.execute(
        select(Person.id, Person.full_name, Position.task_group, Position.name)
        .join(placed, placed.c.person_id == Person.id)
        .join(OrgUnit, OrgUnit.id == placed.c.unit_id)
        .outerjoin(Position, Position.id == placed.c.position_id)
        .where(unit_and_children(unit.id))
    ).all()
    points = task_points(session, person_ids=[p.id for p in people], start=chosen.start, end=chosen.end)
    return pd.DataFrame(
        [(p.id, p.full_name, p.task_group, p.name, points[p.id].points) for p in people if p.id in points],
        columns=["person_id", "name", "task_group", "position", "points"],
    )

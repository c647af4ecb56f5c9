"""One indicator in detail: its values, trajectory, forecast and rollups for the period, in the viewer's scope."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.clock import today as clock_today
from data_access.errors import NotFound
from data_access.models import Indicator, IndicatorRollup, Measurement, Period, Person, TrajectoryPoint, User
from data_access.queries.scope import period_id, unit_in_scope
from data_access.viewer import Viewer
from domain.periods import parse_period
from domain.publication import Visibility, effective, sees


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
    level = effective(
        Visibility(indicator.visibility),
        since=indicator.visibility_from,
        before=Visibility(indicator.visibility_before),
        today=clock_today(),
    )
    if not sees(viewer, unit_path=unit.path, level=level):
        # Kept from this viewer: as if it did not exist (its name alone could say too much).
        raise NotFound("indicator", indicator_id)
    year = session.get(Period, indicator.period_id)
    if year is None:  # a foreign key holds it; only a row deleted meanwhile gets here
        raise NotFound("period", indicator.period_id)
    chosen = parse_period(period)
    pid = period_id(session, chosen.code if chosen.year == year.year else str(year.year))
    rollup = session.get(IndicatorRollup, (indicator_id, pid))
    owner = session.get(Person, indicator.owner_person_id) if indicator.owner_person_id else None
    history = (
        session.execute(
            select(
                Measurement.measured_on,
                Measurement.value,
                Measurement.status,
                func.coalesce(Person.full_name, User.username).label("entered_by"),  # the person, not the login
                Measurement.entered_at,
                Measurement.comment,
            )
            .outerjoin(User, User.id == Measurement.entered_by_id)
            .outerjoin(Person, Person.id == User.person_id)
            .where(Measurement.indicator_id == indicator_id)
            .order_by(Measurement.measured_on, Measurement.id)
        )
        .mappings()
        .all()
    )
    trajectory = session.execute(
        select(TrajectoryPoint.at, TrajectoryPoint.value)
        .where(TrajectoryPoint.indicator_id == indicator_id)
        .order_by(TrajectoryPoint.at)
    ).all()
    return IndicatorDetail(
        indicator.id,
        indicator.name,
        unit.id,
        unit.name,
        indicator.unit_of_measure,
        indicator.direction,
        indicator.baseline,
        indicator.target,
        owner.id if owner else None,
        owner.full_name if owner else None,
        rollup.status if rollup else "no_data",
        rollup.progress if rollup else None,
        rollup.expected if rollup else None,
        rollup.forecast_value if rollup else None,
        rollup.forecast_miss_by if rollup else None,
        rollup.on_course if rollup else None,
        year.year,
        pd.DataFrame(history, columns=["measured_on", "value", "status", "entered_by", "entered_at", "comment"]),
        pd.DataFrame(trajectory, columns=["at", "value"]),
    )

"""The same indicator (same code, same year) in the units below an indicator's unit: a ward's online-procedures
rate broken down by its divisions, a city's by ward. Read for the indicator page."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from data_access.errors import NotFound
from data_access.models import Indicator, IndicatorRollup, OrgUnit, Period
from data_access.queries.scope import period_id, rows_frame, unit_in_scope
from data_access.viewer import Viewer, in_scope
from domain.periods import parse_period

BREAKDOWN_COLUMNS = ["indicator_id", "unit_id", "unit", "current_value", "target", "progress", "status"]


def indicator_breakdown(session: Session, *, viewer: Viewer, indicator_id: int, period: str) -> pd.DataFrame:
    """The indicators of the units below with this indicator's code and year, in the viewer's scope, with
    their rollup of the period (by unit name). Empty when the indicator exists in no unit below."""
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("indicator", indicator_id)
    unit = unit_in_scope(session, viewer=viewer, unit_id=indicator.unit_id)
    year = session.get(Period, indicator.period_id)
    if year is None:
        raise NotFound("period", indicator.period_id)
    chosen = parse_period(period)
    pid = period_id(session, chosen.code if chosen.year == year.year else str(year.year))
    rows = session.execute(
        select(
            Indicator.id,
            OrgUnit.id,
            OrgUnit.name,
            IndicatorRollup.current_value,
            Indicator.target,
            IndicatorRollup.progress,
            IndicatorRollup.status,
        )
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .outerjoin(
            IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid)
        )
        .where(
            Indicator.code == indicator.code,
            Indicator.period_id == indicator.period_id,
            Indicator.id != indicator.id,
            OrgUnit.path.startswith(unit.path, autoescape=True),
            in_scope(viewer, OrgUnit.path),
        )
        .order_by(OrgUnit.name, Indicator.id)
    ).all()
    return rows_frame(rows, BREAKDOWN_COLUMNS)

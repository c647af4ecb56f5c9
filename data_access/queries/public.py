"""The public page's one read: the indicators published to the public, per unit, with their value, target,
monthly trend and the date of their latest value. Anonymous: no viewer, so nothing here may name a
person: only units, indicators and numbers leave this module (the public tests scan for people's data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.errors import NotFound
from data_access.models import Indicator, IndicatorRollup, OrgUnit, Period
from data_access.queries.publication import in_force_sql
from data_access.queries.scope import period_id
from domain.kinds import UnitKind
from domain.publication import Visibility, mean_of, public_order
from domain.text import fold


@dataclass(frozen=True)
class PublicIndicator:
    code: str
    name: str
    unit_of_measure: str
    direction: str
    target: float | None
    band_low: float | None
    band_high: float | None
    value: float | None
    status: str
    data_as_of: date | None  # the date of the latest value counted
    trend: tuple[tuple[str, float | None], ...]  # (month code, value at its end), oldest first


@dataclass(frozen=True)
class PublicUnit:
    unit_id: int
    code: str
    name: str
    kind: str
    search_key: str  # the name without accents, lower case: what the search box matches
    indicators: tuple[PublicIndicator, ...]


@dataclass(frozen=True)
class CityFigure:
    """One indicator across the units that publish it: their plain mean, how many, the latest value's date."""

    code: str
    name: str
    unit_of_measure: str
    n_units: int
    value: float | None
    target: float | None
    band_low: float | None
    band_high: float | None
    data_as_of: date | None
    trend: tuple[tuple[str, float | None], ...]


def city_figures(units: list[PublicUnit]) -> list[CityFigure]:
    """The city's figures: each published indicator (by code) as the mean over the units publishing it,
    citizen-facing ones first."""
    by_code: dict[str, list[PublicIndicator]] = {}
    for unit in units:
        for indicator in unit.indicators:
            by_code.setdefault(indicator.code, []).append(indicator)
    figures = []
    for code, found in by_code.items():
        months = sorted({month for i in found for month, _ in i.trend})
        figures.append(
            CityFigure(
                code,
                found[0].name,
                found[0].unit_of_measure,
                len(found),
                mean_of(i.value for i in found),
                mean_of(i.target for i in found),
                found[0].band_low,
                found[0].band_high,
                max((i.data_as_of for i in found if i.data_as_of), default=None),
                tuple((m, mean_of(v for i in found for month, v in i.trend if month == m)) for m in months),
            )
        )
    return sorted(figures, key=lambda f: public_order(f.code, f.name))


def public_units(session: Session, *, today: date) -> list[PublicUnit]:
    """Every unit with indicators published to the public this year: the city first, then by name."""
    year = str(today.year)
    try:
        pid = period_id(session, year)
    except NotFound:  # a store without this year's period has nothing published in it
        return []
    rows = session.execute(
        select(
            Indicator.id,
            Indicator.code,
            Indicator.name,
            Indicator.unit_of_measure,
            Indicator.direction,
            Indicator.target,
            Indicator.band_low,
            Indicator.band_high,
            IndicatorRollup.current_value,
            IndicatorRollup.status,
            IndicatorRollup.latest_on,
            OrgUnit.id,
            OrgUnit.code,
            OrgUnit.name,
            OrgUnit.kind,
        )
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .outerjoin(IndicatorRollup, (IndicatorRollup.indicator_id == Indicator.id) & (IndicatorRollup.period_id == pid))
        .where(
            in_force_sql(today) == Visibility.PUBLIC.value,
            Indicator.visibility
            == Visibility.PUBLIC.value,  # the index's column: the rung in force is public or about to be
            Indicator.published.is_(True),
            Indicator.period_id == pid,
        )
    ).all()
    trends = _trends(session, [r[0] for r in rows], year=int(year), today=today)
    units: dict[int, tuple[tuple[str, str, str], list[PublicIndicator]]] = {}
    for row in sorted(rows, key=lambda r: public_order(r[1], r[2])):
        (iid, code, name, uom, direction, target, low, high, value, status, latest, uid, ucode, uname, kind) = row
        entry = units.setdefault(uid, ((ucode, uname, kind), []))
        # Months after the latest value only repeat it: the trend stops where the data does.
        trend = tuple(p for p in trends.get(iid, ()) if latest is None or p[0] <= latest.strftime("%Y-%m"))
        entry[1].append(
            PublicIndicator(code, name, uom, direction, target, low, high, value, status or "no_data", latest, trend)
        )
    found = [
        PublicUnit(uid, ucode, uname, kind, fold(uname), tuple(indicators))
        for uid, ((ucode, uname, kind), indicators) in units.items()
    ]
    return sorted(found, key=lambda u: (u.kind != UnitKind.CITY.value, u.search_key))


def _trends(
    session: Session, ids: list[int], *, year: int, today: date
) -> dict[int, tuple[tuple[str, float | None], ...]]:
    """Each indicator's value at the end of each month of the year so far (its monthly rollups)."""
    if not ids:
        return {}
    found: dict[int, list[tuple[str, float | None]]] = {}
    for iid, code, value in session.execute(
        select(IndicatorRollup.indicator_id, Period.code, IndicatorRollup.current_value)
        .join(Period, Period.id == IndicatorRollup.period_id)
        .where(
            IndicatorRollup.indicator_id.in_(ids),
            Period.kind == "month",
            Period.year == year,
            Period.start_date <= today,
        )
        .order_by(IndicatorRollup.indicator_id, Period.start_date)
    ):
        found.setdefault(iid, []).append((code, value))
    return {iid: tuple(points) for iid, points in found.items()}


def city_name(session: Session) -> str:
    """The name of the root of the org tree (the city or province)."""
    return (
        session.execute(select(OrgUnit.name).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id).limit(1)).scalar()
        or ""
    )

"""Reads of KPI value entry: the indicators a viewer may report on, an indicator's value history,
and the values waiting for the viewer's approval. Scoped to the viewer like every read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Select, and_, case, false, func, select, true
from sqlalchemy.orm import Session, aliased

from data_access.errors import NotFound
from data_access.models import Indicator, IndicatorRollup, Measurement, OrgUnit, Period, Person, User
from data_access.viewer import Viewer
from domain.access import may_enter, may_review_value
from domain.kinds import WRITER_ROLES, MeasurementStatus

MAX_INDICATORS = 500
MAX_PENDING = 500


@dataclass(frozen=True)
class EntryIndicator:
    """An indicator the viewer may enter values for, with what it accepts."""

    id: int
    code: str
    name: str
    unit_id: int
    unit: str
    unit_of_measure: str
    direction: str
    min_value: float | None
    max_value: float | None
    milestones_total: int | None
    target: float | None
    accumulation: str
    year: int
    requires_approval: bool
    owned: bool
    latest_value: float | None
    latest_on: date | None


def entry_indicators(
    session: Session, *, viewer: Viewer, year: int, indicator_id: int | None = None
) -> list[EntryIndicator]:
    """Indicators of a year the viewer may report on: their own first, then (for leaders and managers)
    those of their scope unit and the units directly below it. With ``indicator_id``, only that one."""
    if viewer.is_screen:
        return []
    scope_depth = viewer.scope_path.strip("/").count("/")
    # false(), not False: an administrator without a person record owns nothing, and `False | clause` fails.
    owned = Indicator.owner_person_id == viewer.person_id if viewer.person_id is not None else false()
    mine = owned | (Indicator.reporter_person_id == viewer.person_id) if viewer.person_id is not None else false()
    nearby = and_(OrgUnit.path.startswith(viewer.scope_path, autoescape=True), OrgUnit.depth <= scope_depth + 1)
    allowed = (mine | nearby) if viewer.role in WRITER_ROLES else mine
    year_period = select(Period.id).where(Period.code == str(year)).scalar_subquery()
    rows = session.execute(
        select(
            Indicator,
            OrgUnit.name,
            OrgUnit.path,
            OrgUnit.requires_approval,
            Period.year,
            IndicatorRollup.latest_value,
            IndicatorRollup.latest_on,
        )
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .join(Period, Period.id == Indicator.period_id)
        .outerjoin(
            IndicatorRollup,
            and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == year_period),
        )
        .where(
            Period.year == year,
            Indicator.published.is_(True),  # values are reported against the approved plan only
            OrgUnit.path.startswith(viewer.scope_path, autoescape=True),
            allowed,
            Indicator.id == indicator_id if indicator_id is not None else true(),
        )
        # Owned first, then delegated to the viewer, then those of the units the viewer manages.
        .order_by(case((owned, 0), (mine, 1), else_=2), OrgUnit.path, Indicator.code)
        .limit(MAX_INDICATORS)
    ).all()
    return [
        EntryIndicator(
            i.id,
            i.code,
            i.name,
            i.unit_id,
            unit_name,
            i.unit_of_measure,
            i.direction,
            i.min_value,
            i.max_value,
            i.milestones_total,
            i.target,
            i.accumulation,
            y,
            bool(approval),
            viewer.person_id is not None and i.owner_person_id == viewer.person_id,
            latest,
            latest_on,
        )
        for i, unit_name, path, approval, y, latest, latest_on in rows
        if may_enter(viewer, owner_person_id=i.owner_person_id, unit_path=path, reporter_person_id=i.reporter_person_id)
    ]


@dataclass(frozen=True)
class UnitIndicatorOwners:
    """Why a viewer has nothing to enter: how many indicators their unit has this year, and who owns them."""

    unit: str
    indicator_count: int
    owners: list[str]


def unit_indicator_owners(session: Session, *, viewer: Viewer, year: int) -> UnitIndicatorOwners | None:
    """The indicators of the viewer's own unit for a year and the names of their owners (and delegated
    reporters), for the "who enters these" explanation. None for a viewer without a unit to speak of."""
    if viewer.is_screen:
        return None
    unit = session.get(OrgUnit, viewer.scope_unit_id)
    if unit is None:
        return None
    rows = session.execute(
        select(Indicator.owner_person_id, Indicator.reporter_person_id)
        .join(Period, Period.id == Indicator.period_id)
        .where(Indicator.unit_id == unit.id, Period.year == year)
    ).all()
    person_ids = {pid for row in rows for pid in row if pid is not None}
    names = (
        session.execute(select(Person.full_name).where(Person.id.in_(person_ids)).order_by(Person.full_name))
        .scalars()
        .all()
        if person_ids
        else []
    )
    return UnitIndicatorOwners(unit.name, len(rows), list(names))


@dataclass(frozen=True)
class ValueRow:
    id: int
    indicator_id: int
    indicator: str
    unit: str
    value: float
    measured_on: date
    status: str
    entered_by: str | None
    entered_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    reject_reason: str | None
    comment: str | None
    evidence_url: str | None
    version: int
    # The approval queue's context: who entered it (the person's name), the target, the value before it.
    entered_by_name: str | None = None
    target: float | None = None
    unit_of_measure: str = ""
    previous_value: float | None = None
    previous_on: date | None = None


def _value_query() -> Select[Measurement, str, str, str, str | None, str | None]:
    enterer = aliased(User)
    reviewer = aliased(User)
    enterer_person = aliased(Person)
    reviewer_person = aliased(Person)
    # People, not login names: the account's name only for an account without a person (an administrator).
    return (
        select(
            Measurement,
            Indicator.name,
            OrgUnit.name,
            OrgUnit.path,
            func.coalesce(enterer_person.full_name, enterer.username),
            func.coalesce(reviewer_person.full_name, reviewer.username),
        )
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .outerjoin(enterer, enterer.id == Measurement.entered_by_id)
        .outerjoin(enterer_person, enterer_person.id == enterer.person_id)
        .outerjoin(reviewer, reviewer.id == Measurement.reviewed_by_id)
        .outerjoin(reviewer_person, reviewer_person.id == reviewer.person_id)
    )


def _row(m: Measurement, indicator: str, unit: str, entered_by: str | None, reviewed_by: str | None) -> ValueRow:
    return ValueRow(
        m.id,
        m.indicator_id,
        indicator,
        unit,
        m.value,
        m.measured_on,
        m.status,
        entered_by,
        m.entered_at,
        reviewed_by,
        m.reviewed_at,
        m.reject_reason,
        m.comment,
        m.evidence_url,
        m.version,
    )


def value_history(session: Session, *, viewer: Viewer, indicator_id: int) -> list[ValueRow]:
    """Every value of an indicator in the viewer's scope, newest first, rejected ones included."""
    indicator = session.get(Indicator, indicator_id)
    unit = session.get(OrgUnit, indicator.unit_id) if indicator else None
    if indicator is None or unit is None or not viewer.covers_path(unit.path):
        raise NotFound("indicator", indicator_id)
    rows = session.execute(
        _value_query()
        .where(Measurement.indicator_id == indicator_id)
        .order_by(Measurement.measured_on.desc(), Measurement.id.desc())
    ).all()
    return [_row(m, name, unit_name, entered, reviewed) for m, name, unit_name, _path, entered, reviewed in rows]


def pending_approvals(session: Session, *, viewer: Viewer) -> list[ValueRow]:
    """Submitted values the viewer may approve or reject (in scope, entered by someone else), oldest first."""
    if viewer.role not in WRITER_ROLES:
        return []
    rows = session.execute(
        _value_query()
        .where(
            Measurement.status == MeasurementStatus.SUBMITTED.value,
            OrgUnit.requires_approval.is_(True),
            OrgUnit.path.startswith(viewer.scope_path, autoescape=True),
        )
        .order_by(Measurement.entered_at, Measurement.id)
        .limit(MAX_PENDING)
    ).all()
    waiting = [
        _row(m, name, unit_name, entered, reviewed)
        for m, name, unit_name, path, entered, reviewed in rows
        if may_review_value(viewer, unit_path=path, entered_by_id=m.entered_by_id)
    ]
    return _with_context(session, waiting)


def _with_context(session: Session, waiting: list[ValueRow]) -> list[ValueRow]:
    """Add to each waiting value the name of the person who entered it, the indicator's target and unit of
    measure, and the latest approved value before it: what a reviewer compares it with."""
    if not waiting:
        return waiting
    indicator_ids = {v.indicator_id for v in waiting}
    value_ids = [v.id for v in waiting]
    names = dict(
        session.execute(
            select(Measurement.id, Person.full_name)
            .join(User, User.id == Measurement.entered_by_id)
            .join(Person, Person.id == User.person_id)
            .where(Measurement.id.in_(value_ids))
        ).all()
    )
    targets = {
        i: (target, uom)
        for i, target, uom in session.execute(
            select(Indicator.id, Indicator.target, Indicator.unit_of_measure).where(Indicator.id.in_(indicator_ids))
        ).all()
    }
    approved: dict[int, list[tuple[date, int, float]]] = {}
    for indicator_id, measured_on, value_id, value in session.execute(
        select(Measurement.indicator_id, Measurement.measured_on, Measurement.id, Measurement.value)
        .where(
            Measurement.indicator_id.in_(indicator_ids),
            Measurement.status == MeasurementStatus.APPROVED.value,
        )
        .order_by(Measurement.measured_on, Measurement.id)
    ).all():
        approved.setdefault(indicator_id, []).append((measured_on, value_id, value))
    out = []
    for v in waiting:
        before = [a for a in approved.get(v.indicator_id, []) if (a[0], a[1]) < (v.measured_on, v.id)]
        target, uom = targets.get(v.indicator_id, (None, ""))
        out.append(
            replace(
                v,
                entered_by_name=names.get(v.id),
                target=target,
                unit_of_measure=uom,
                previous_value=before[-1][2] if before else None,
                previous_on=before[-1][0] if before else None,
            )
        )
    return out

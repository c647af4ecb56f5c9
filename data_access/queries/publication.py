"""Reads of the publication ladder: the SQL that keeps an indicator list to what is published to the
viewer, and an indicator's place on the ladder for its page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.orm import Session

from data_access.models import Indicator, OrgUnit, PublicationRequest
from data_access.viewer import Viewer
from domain.access import path_ids
from domain.publication import (
    PublicationStatus,
    Visibility,
    at_least,
    effective,
    may_approve_public,
    may_set,
)


def in_force_sql(today: date) -> ColumnElement[str]:
    """SQL: the indicator's rung today (``visibility`` from its date on, ``visibility_before`` until then)."""
    return case(
        (or_(Indicator.visibility_from.is_(None), Indicator.visibility_from <= today), Indicator.visibility),
        else_=Indicator.visibility_before,
    )


def published_to(viewer: Viewer, today: date) -> ColumnElement[bool]:
    """SQL (Indicator and its OrgUnit joined): the indicator is published to the viewer, as
    domain.publication.sees says; the scope condition stays the caller's."""
    level = in_force_sql(today)
    return or_(
        OrgUnit.id.in_(path_ids(viewer.scope_path)),  # inside the unit: everything
        level.in_([v.value for v in at_least(Visibility.CITY)]),
        and_(OrgUnit.parent_id == viewer.scope_unit_id, level.in_([v.value for v in at_least(Visibility.PARENT)])),
    )


def hidden_candidates(today: date) -> ColumnElement[bool]:
    """SQL: the only indicators that can be kept from anyone in whose scope they lie (below CITY now or
    until a later date); both halves have an index, so counting what is hidden never walks a city."""
    return or_(
        Indicator.visibility.in_([Visibility.UNIT.value, Visibility.PARENT.value]),
        Indicator.visibility_from > today,
    )


@dataclass(frozen=True)
class LadderState:
    """An indicator's place on the ladder as its page shows it, and what the viewer may do there."""

    indicator_id: int
    version: int
    in_force: Visibility
    scheduled: Visibility
    scheduled_from: date | None
    request_id: int | None  # a request to publish to the public waiting for the level above
    request_version: int | None
    request_from: date | None
    may_set: bool
    may_approve: bool


def ladder_state(session: Session, *, viewer: Viewer, indicator_id: int, today: date) -> LadderState | None:
    """The ladder of one indicator in the viewer's scope (None outside it or when unknown)."""
    row = session.execute(
        select(Indicator, OrgUnit.path, OrgUnit.id)
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .where(Indicator.id == indicator_id)
    ).one_or_none()
    if row is None or not viewer.covers_path(row[1]):
        return None
    indicator, path, unit_id = row
    request = session.execute(
        select(PublicationRequest)
        .where(
            PublicationRequest.indicator_id == indicator_id,
            PublicationRequest.status == PublicationStatus.PENDING.value,
        )
        .order_by(PublicationRequest.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    scheduled = Visibility(indicator.visibility)
    in_force = effective(
        scheduled, since=indicator.visibility_from, before=Visibility(indicator.visibility_before), today=today
    )
    return LadderState(
        indicator_id=indicator.id,
        version=indicator.version,
        in_force=in_force,
        scheduled=scheduled,
        scheduled_from=indicator.visibility_from if scheduled != in_force else None,
        request_id=request.id if request else None,
        request_version=request.version if request else None,
        request_from=request.effective_from if request else None,
        may_set=may_set(viewer, unit_id=unit_id, unit_path=path),
        may_approve=request is not None and may_approve_public(viewer, unit_path=path),
    )

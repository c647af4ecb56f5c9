"""Writes of the publication ladder: the unit head raises or lowers an indicator's visibility, asks to
publish it to the public, and the level above approves or refuses that request.

Each write is one transaction: load, authorise against role and scope (domain.publication), check the
version the user saw, change, audit. Changing the indicator row marks it dirty, so the data version is
bumped at commit and every cache and open screen (the public page included) moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config.clock import now
from config.clock import today as clock_today
from data_access import audit
from data_access.commands.common import Refused, check_version, flush_or_conflict, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import Indicator, OrgUnit, PublicationRequest
from data_access.viewer import Viewer
from domain.publication import (
    Move,
    PublicationStatus,
    Visibility,
    decide,
    effective,
    may_approve_public,
    may_set,
)

AUDITED = ("visibility", "visibility_from", "visibility_before")


@dataclass(frozen=True)
class PublicationState:
    """What the screen needs after a write: the indicator's new version and what happened."""

    indicator_id: int
    version: int
    move: Move
    request_id: int | None = None


def _level(value: str | None, field: str) -> Visibility:
    try:
        return Visibility(value or "")
    except ValueError:
        raise Invalid({field: "unknown_choice"}) from None


def in_force(indicator: Indicator, today: date) -> Visibility:
    """The indicator's rung today."""
    return effective(
        Visibility(indicator.visibility),
        since=indicator.visibility_from,
        before=Visibility(indicator.visibility_before),
        today=today,
    )


def _withdraw_pending(session: Session, indicator_id: int, viewer: Viewer) -> None:
    """A lowering (or a new request) ends the requests still waiting for the level above."""
    session.execute(
        update(PublicationRequest)
        .where(
            PublicationRequest.indicator_id == indicator_id,
            PublicationRequest.status == PublicationStatus.PENDING.value,
        )
        .values(
            status=PublicationStatus.WITHDRAWN.value,
            decided_by_id=viewer.user_id,
            decided_at=now(),
            version=PublicationRequest.version + 1,
        )
    )


def _raise(indicator: Indicator, wanted: Visibility, effective_from: date, today: date) -> None:
    """From ``effective_from`` on, ``wanted``; until then the rung in force now."""
    indicator.visibility_before = in_force(indicator, today).value
    indicator.visibility = wanted.value
    indicator.visibility_from = effective_from if effective_from > today else None


def _lower(indicator: Indicator, wanted: Visibility) -> None:
    indicator.visibility = wanted.value
    indicator.visibility_before = wanted.value
    indicator.visibility_from = None


def _unit(session: Session, viewer: Viewer, indicator_id: int) -> tuple[Indicator, OrgUnit]:
    """The indicator (locked for the change) and its unit; NotFound outside the viewer's scope."""
    indicator = session.execute(select(Indicator).where(Indicator.id == indicator_id).with_for_update()).scalar()
    if indicator is None:
        raise NotFound("indicator", indicator_id)
    unit = session.get(OrgUnit, indicator.unit_id)
    if unit is None or not viewer.covers_path(unit.path):
        raise NotFound("indicator", indicator_id)
    return indicator, unit


def set_visibility(
    store: Store,
    viewer: Viewer,
    *,
    indicator_id: int,
    wanted: str | None,
    effective_from: date | None,
    version: int | None,
) -> PublicationState:
    """The unit head moves the indicator on the ladder: lower at once, raise from a date, or ask the
    level above to publish it to the public."""
    level = _level(wanted, "visibility")
    today = clock_today()
    action = "indicator.visibility"
    with (
        refusals_and_conflicts(store, viewer, action=action, entity="indicator", entity_id=indicator_id),
        store.write() as session,
    ):
        indicator, unit = _unit(session, viewer, indicator_id)
        if not may_set(viewer, unit_id=unit.id, unit_path=unit.path):
            raise Refused(f"{action} on indicator {indicator_id}: not the unit's head")
        check_version(session, "indicator", indicator_id, current=indicator.version, seen=version)
        decision = decide(
            current=in_force(indicator, today),
            scheduled=Visibility(indicator.visibility),
            wanted=level,
            effective_from=effective_from or today,
            today=today,
            approved=indicator.published,
        )
        if decision.problem:
            raise Invalid(
                {"effective_from" if decision.problem == "effective_in_past" else "visibility": decision.problem}
            )
        before = audit.snapshot(indicator, AUDITED)
        request_id = None
        if decision.move is Move.LOWER:
            _withdraw_pending(session, indicator_id, viewer)
            _lower(indicator, level)
        elif decision.move is Move.RAISE:
            _raise(indicator, level, effective_from or today, today)
        elif decision.move is Move.REQUEST:
            _withdraw_pending(session, indicator_id, viewer)
            request = PublicationRequest(
                indicator_id=indicator_id,
                effective_from=effective_from or today,
                status=PublicationStatus.PENDING.value,
                requested_by_id=viewer.user_id,
                requested_at=now(),
            )
            session.add(request)
            session.flush()
            request_id = request.id
        flush_or_conflict(session, "indicator", indicator_id)
        audit.record(
            session,
            user_id=viewer.user_id,
            action=f"{action}.{decision.move.value}",
            entity="indicator",
            entity_id=indicator_id,
            before=before,
            after=audit.snapshot(indicator, AUDITED) | {"wanted": level.value, "request_id": request_id},
        )
        return PublicationState(indicator.id, indicator.version, decision.move, request_id)


def decide_request(
    store: Store, viewer: Viewer, *, request_id: int, approve: bool, version: int | None
) -> PublicationState:
    """The head of the level above approves (the indicator is public from the requested date, or today
    when that has passed) or refuses a request to publish to the public."""
    action = "publication." + ("approve" if approve else "refuse")
    with (
        refusals_and_conflicts(store, viewer, action=action, entity="publication_request", entity_id=request_id),
        store.write() as session,
    ):
        request = session.get(PublicationRequest, request_id)
        if request is None:
            raise NotFound("publication_request", request_id)
        indicator, unit = _unit(session, viewer, request.indicator_id)
        if not may_approve_public(viewer, unit_path=unit.path):
            raise Refused(f"{action} on request {request_id}: not the head of the level above")
        check_version(session, "publication_request", request_id, current=request.version, seen=version)
        if request.status != PublicationStatus.PENDING.value:
            raise Invalid({"status": "not_allowed_now"}, status=request.status)
        before = audit.snapshot(indicator, AUDITED)
        today = clock_today()
        request.status = (PublicationStatus.APPROVED if approve else PublicationStatus.REFUSED).value
        request.decided_by_id = viewer.user_id
        request.decided_at = now()
        if approve:
            _raise(indicator, Visibility.PUBLIC, max(request.effective_from, today), today)
        flush_or_conflict(session, "publication_request", request_id)
        audit.record(
            session,
            user_id=viewer.user_id,
            action=action,
            entity="indicator",
            entity_id=indicator.id,
            before=before,
            after=audit.snapshot(indicator, AUDITED) | {"request_id": request_id},
        )
        return PublicationState(indicator.id, indicator.version, Move.RAISE if approve else Move.SAME, request_id)

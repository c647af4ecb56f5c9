"""Write commands on indicator values: enter, approve, reject with a reason.

An indicator's owner (or a leader, manager or administrator over its unit) enters values. Where the
unit requires approval the value waits as "submitted" and counts only once a leader or manager over
the unit (not the person who entered it) approves it; elsewhere it counts at once. Values are never
overwritten: a rejected value stays in the history with its reason and a corrected one is entered anew.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import now
from config.clock import today as clock_today
from data_access import audit
from data_access.commands.common import Refused, check_version, flush_or_conflict, refusals_and_conflicts
from data_access.commands.evidence import accept_files
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.evidence_store import EvidenceStore
from data_access.models import Indicator, Measurement, OrgUnit, Period
from data_access.notifications import notify
from data_access.viewer import Viewer
from domain.access import may_enter, may_review_value
from domain.evidence import Upload
from domain.indicators import Direction
from domain.kinds import MeasurementStatus
from domain.measurements import ReportingWindow, ValueRules, comment_problems, parse_number, value_problems
from domain.tasks import reason_problems, safe_url

AUDITED = ("indicator_id", "value", "measured_on", "status", "reviewed_by_id", "reject_reason", "version")


@dataclass(frozen=True)
class ValueState:
    measurement_id: int
    status: str
    version: int


@dataclass(frozen=True)
class ValueDraft:
    """One value to record, as typed or read from a spreadsheet row."""

    indicator_id: int
    value: Any
    measured_on: date | None
    comment: str = ""
    evidence_url: str | None = None


def reporting_window(session: Session, measured_on: date) -> ReportingWindow | None:
    """The month of a date: its end, grace days, and whether it (or its quarter, or its year) is locked."""
    month = session.execute(
        select(Period).where(Period.code == f"{measured_on.year}-{measured_on.month:02d}")
    ).scalar_one_or_none()
    if month is None:
        return None
    quarter = f"{measured_on.year}-Q{(measured_on.month - 1) // 3 + 1}"
    enclosing_locked = any(
        session.execute(select(Period.locked).where(Period.code.in_((str(measured_on.year), quarter)))).scalars()
    )
    return ReportingWindow(
        month_end=month.end_date, grace_days=month.grace_days, locked=bool(month.locked or enclosing_locked)
    )


def value_rules(session: Session, indicator: Indicator) -> ValueRules:
    period = session.get(Period, indicator.period_id)  # from the session's identity map after the first row
    if period is None:  # a foreign key holds it; only a row deleted meanwhile gets here
        raise NotFound("period", indicator.period_id)
    return ValueRules(
        direction=Direction(indicator.direction),
        year=period.year,
        min_value=indicator.min_value,
        max_value=indicator.max_value,
        milestones_total=indicator.milestones_total,
    )


def draft_problems(
    session: Session,
    viewer: Viewer,
    draft: ValueDraft,
    *,
    today: date,
    windows: dict[tuple[int, int], ReportingWindow | None] | None = None,
) -> tuple[dict[str, str], float | None]:
    """Problems of one value (field -> code) and the parsed number; `windows` caches months across many rows."""
    indicator = session.get(Indicator, draft.indicator_id)
    if indicator is None:
        return {"indicator": "unknown_choice"}, None
    unit = session.get(OrgUnit, indicator.unit_id)
    if unit is None:
        raise NotFound("unit", indicator.unit_id)
    if not may_enter(
        viewer,
        owner_person_id=indicator.owner_person_id,
        unit_path=unit.path,
        reporter_person_id=indicator.reporter_person_id,
    ):
        return {"indicator": "not_yours"}, None
    if not indicator.published:  # a draft plan's key result takes values once its plan is approved
        return {"indicator": "unknown_choice"}, None
    number = parse_number(draft.value, decimal_comma=viewer.language != "en")
    window = None
    if draft.measured_on is not None:
        key = (draft.measured_on.year, draft.measured_on.month)
        if windows is not None and key in windows:
            window = windows[key]
        else:
            window = reporting_window(session, draft.measured_on)
            if windows is not None:
                windows[key] = window
    problems = value_problems(value_rules(session, indicator), number, draft.measured_on, today=today, window=window)
    problems.update(comment_problems(draft.comment or ""))
    if draft.evidence_url and not safe_url(draft.evidence_url):
        problems["evidence_url"] = "bad_url"
    return problems, number


def prefetch(session: Session, indicator_ids: Iterable[int | None]) -> None:
    """Load these indicators with their units and periods in three queries, so that checking many rows
    reads them from the session instead of one query per row."""
    ids = sorted({i for i in indicator_ids if isinstance(i, int)})
    if not ids:
        return
    indicators = session.execute(select(Indicator).where(Indicator.id.in_(ids))).scalars().all()
    session.execute(select(OrgUnit).where(OrgUnit.id.in_({i.unit_id for i in indicators}))).scalars().all()
    session.execute(select(Period).where(Period.id.in_({i.period_id for i in indicators}))).scalars().all()


def add_values(session: Session, viewer: Viewer, checked: Sequence[tuple[ValueDraft, float]]) -> list[Measurement]:
    """Insert checked values in the caller's transaction (one flush for all of them), each with its audit entry."""
    measurements = []
    for draft, number in checked:
        indicator = session.get(Indicator, draft.indicator_id)
        if indicator is None:  # checked by draft_problems; only a row deleted meanwhile gets here
            raise NotFound("indicator", draft.indicator_id)
        unit = session.get(OrgUnit, indicator.unit_id)
        if unit is None:
            raise NotFound("unit", indicator.unit_id)
        status = MeasurementStatus.SUBMITTED if unit.requires_approval else MeasurementStatus.APPROVED
        measurements.append(
            Measurement(
                indicator_id=indicator.id,
                value=number,
                measured_on=draft.measured_on,
                status=status.value,
                entered_by_id=viewer.user_id,
                entered_at=now(),
                comment=(draft.comment or "").strip() or None,
                evidence_url=draft.evidence_url or None,
            )
        )
    session.add_all(measurements)
    session.flush()
    for measurement in measurements:
        audit.record(
            session,
            user_id=viewer.user_id,
            action="measurement.enter",
            entity="measurement",
            entity_id=measurement.id,
            after=audit.snapshot(measurement, AUDITED),
        )
    return measurements


def add_value(session: Session, viewer: Viewer, draft: ValueDraft, number: float) -> Measurement:
    """Insert one checked value in the caller's transaction, with its audit entry."""
    return add_values(session, viewer, [(draft, number)])[0]


def enter_value(
    store: Store,
    *,
    viewer: Viewer,
    indicator_id: int,
    value: Any,
    measured_on: date | None,
    comment: str = "",
    evidence_url: str | None = None,
    attachments: Sequence[Upload] = (),
    files: EvidenceStore | None = None,
) -> ValueState:
    """Record one value (submitted for approval where the unit requires it), with photos or PDFs as evidence
    (checked before anything is written). Invalid lists what to fix."""
    draft = ValueDraft(indicator_id, value, measured_on, comment or "", evidence_url or None)
    evidence = accept_files(files, attachments)
    with (
        refusals_and_conflicts(store, viewer, action="measurement.enter", entity="indicator", entity_id=indicator_id),
        evidence.kept_only_if_committed(),
        store.write() as session,
    ):
        problems, number = draft_problems(session, viewer, draft, today=clock_today())
        if problems.get("indicator") == "not_yours":
            raise Refused(f"enter a value of indicator {indicator_id}")
        if problems or number is None:  # no number is always among the problems ("required_number")
            raise Invalid(problems)
        measurement = add_value(session, viewer, draft, number)
        evidence.save(session, viewer, measurement_id=measurement.id)
        return ValueState(measurement.id, measurement.status, measurement.version)


def approve(store: Store, *, viewer: Viewer, measurement_id: int, version: int | None) -> ValueState:
    """A leader or manager over the unit approves a submitted value: from now on it counts."""

    return _review(store, viewer, measurement_id, version, MeasurementStatus.APPROVED, _clear_reason)


def reject(store: Store, *, viewer: Viewer, measurement_id: int, version: int | None, reason: str) -> ValueState:
    """A leader or manager over the unit rejects a submitted value with a reason; whoever entered it hears why."""
    problems = reason_problems(reason or "")
    if problems:
        raise Invalid(problems)

    def change(session: Session, measurement: Measurement) -> None:
        measurement.reject_reason = reason.strip()
        notify(
            session,
            user_ids=[measurement.entered_by_id] if measurement.entered_by_id else [],
            kind="value_rejected",
            indicator_id=measurement.indicator_id,
            actor_user_id=viewer.user_id,
            detail=reason.strip(),
        )

    return _review(store, viewer, measurement_id, version, MeasurementStatus.REJECTED, change)


def _review(
    store: Store,
    viewer: Viewer,
    measurement_id: int,
    version: int | None,
    outcome: MeasurementStatus,
    change: Callable[[Session, Measurement], None],
) -> ValueState:
    action = f"measurement.{'approve' if outcome is MeasurementStatus.APPROVED else 'reject'}"
    with (
        refusals_and_conflicts(store, viewer, action=action, entity="measurement", entity_id=measurement_id),
        store.write() as session,
    ):
        return _review_one(session, viewer, measurement_id, version, outcome, change, action)


def approve_many(store: Store, *, viewer: Viewer, seen: Sequence[tuple[int, int | None]]) -> list[ValueState]:
    """Approve several submitted values at once (value id, version seen): each authorised and audited on its
    own, all in one transaction, so a refused or changed value leaves every other one waiting as it was."""
    if not seen:
        raise Invalid({"values": "required"})
    # The refusal names the value it stopped at; the batch itself has no single id.
    with (
        refusals_and_conflicts(store, viewer, action="measurement.approve", entity="measurement", entity_id="batch"),
        store.write() as session,
    ):
        return [
            _review_one(
                session,
                viewer,
                measurement_id,
                version,
                MeasurementStatus.APPROVED,
                _clear_reason,
                "measurement.approve",
            )
            for measurement_id, version in dict(seen).items()  # a value listed twice is approved once
        ]


def _clear_reason(session: Session, measurement: Measurement) -> None:
    measurement.reject_reason = None


def _review_one(
    session: Session,
    viewer: Viewer,
    measurement_id: int,
    version: int | None,
    outcome: MeasurementStatus,
    change: Callable[[Session, Measurement], None],
    action: str,
) -> ValueState:
    """Review one value inside the caller's transaction: scope, four eyes and version checked here."""
    measurement = session.get(Measurement, measurement_id)
    if measurement is None:
        raise NotFound("measurement", measurement_id)
    indicator = session.get(Indicator, measurement.indicator_id)
    unit = session.get(OrgUnit, indicator.unit_id) if indicator else None
    if unit is None:  # foreign keys hold both; only rows deleted meanwhile get here
        raise NotFound("measurement", measurement_id)
    if not viewer.covers_path(unit.path):
        raise NotFound("measurement", measurement_id)
    if not may_review_value(viewer, unit_path=unit.path, entered_by_id=measurement.entered_by_id):
        raise Refused(f"{action} {measurement_id}: not a reviewer of this unit, or entered it")
    check_version(session, "measurement", measurement_id, current=measurement.version, seen=version)
    if measurement.status != MeasurementStatus.SUBMITTED.value:
        raise Invalid({"status": "not_allowed_now"}, status=measurement.status)
    before = audit.snapshot(measurement, AUDITED)
    with session.no_autoflush:  # one UPDATE (one version step) even when the change also adds a notice
        change(session, measurement)
        measurement.status = outcome.value
        measurement.reviewed_by_id = viewer.user_id
        measurement.reviewed_at = now()
    flush_or_conflict(session, "measurement", measurement_id)
    audit.record(
        session,
        user_id=viewer.user_id,
        action=action,
        entity="measurement",
        entity_id=measurement_id,
        before=before,
        after=audit.snapshot(measurement, AUDITED),
        detail=measurement.reject_reason,
    )
    return ValueState(measurement.id, measurement.status, measurement.version)

"""What `flask sync status` and /admin/sync show: per unit, its records synced, pending, rejected and kept
out, by each record's latest outcome, and the last successful send; day by day, the batches sent and what
the receiver answered; the records to fix; the latest batches with their signer.

Every function takes the units to report on (`unit_ids`, the administrator's subtree), or None for all (the
operator at the command line)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from data_access.models import OrgUnit, Person, SyncBatch, SyncRecord
from data_access.queries.admin import require_admin
from data_access.viewer import Viewer, in_scope

TO_FIX = ("rejected", "kept_out")
PROBLEMS_SHOWN = 200  # the newest; the page says when there are more
BATCHES_SHOWN = 20


@dataclass(frozen=True)
class UnitSyncStatus:
    unit_code: str
    unit_name: str
    synced: int
    pending: int
    rejected: int
    kept_out: int
    last_success: datetime | None


@dataclass(frozen=True)
class SyncDay:
    """One day's sends: batches sent that day and how the receiver answered their records."""

    day: date
    batches: int
    accepted: int
    rejected: int


@dataclass(frozen=True)
class RecordToFix:
    unit_name: str
    record_key: str  # "unit:<code>" | "profile:<citizen id>"
    outcome: str  # rejected | kept_out
    reason: str | None
    kind: str  # unit | person
    record_id: int | None  # the person or unit to open, when it is still there
    name: str


@dataclass(frozen=True)
class BatchLine:
    batch_id: int
    batch_key: str
    unit_name: str
    kind: str
    status: str
    signer: str | None
    cert_fingerprint: str | None
    signed_at: datetime | None
    sent_at: datetime | None
    records: int
    accepted: int
    rejected: int


Units = Collection[int] | Select[int] | None
AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])


def units_of(viewer: Viewer) -> Select[int]:
    """The administrator's subtree, as a subquery of unit ids (refuses anyone who may not administer)."""
    require_admin(viewer)
    return select(OrgUnit.id).where(in_scope(viewer, OrgUnit.path))


def _in_scope(query: AnySelect, unit_ids: Units) -> AnySelect:
    if unit_ids is None:
        return query
    return query.where(SyncBatch.unit_id.in_(unit_ids if isinstance(unit_ids, Select) else list(unit_ids)))


def _latest_records(unit_ids: Units) -> Select[int]:
    """The id of each record's latest row per unit (a later batch's answer replaces an earlier one)."""
    query = select(func.max(SyncRecord.id)).join(SyncBatch, SyncBatch.id == SyncRecord.batch_id)
    return _in_scope(query, unit_ids).group_by(SyncBatch.unit_id, SyncRecord.record_key)


def sync_status(session: Session, unit_ids: Units = None) -> list[UnitSyncStatus]:
    """One line per unit that has batches, in unit code order."""
    rows = session.execute(
        select(OrgUnit.code, OrgUnit.name, SyncRecord.outcome, func.count())
        .join(SyncBatch, SyncBatch.unit_id == OrgUnit.id)
        .join(SyncRecord, SyncRecord.batch_id == SyncBatch.id)
        .where(SyncRecord.id.in_(_latest_records(unit_ids)))
        .group_by(OrgUnit.code, OrgUnit.name, SyncRecord.outcome)
    ).all()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, str] = {}
    for code, name, outcome, count in rows:
        names[code] = name
        counts[code][outcome] += count
    success: dict[str, datetime | None] = dict(
        session.execute(
            _in_scope(
                select(OrgUnit.code, func.max(SyncBatch.sent_at))
                .join(SyncBatch, SyncBatch.unit_id == OrgUnit.id)
                .where(SyncBatch.status.in_(("accepted", "partly_rejected"))),
                unit_ids,
            ).group_by(OrgUnit.code)
        ).all()
    )
    return [
        UnitSyncStatus(
            code,
            names[code],
            counts[code]["accepted"],
            counts[code]["pending"],
            counts[code]["rejected"],
            counts[code]["kept_out"],
            success.get(code),
        )
        for code in sorted(counts)
    ]


def sync_days(session: Session, unit_ids: Units, *, since: date) -> list[SyncDay]:
    """The days since `since` on which batches were sent, newest first."""
    rows = session.execute(
        _in_scope(
            select(SyncBatch.id, SyncBatch.sent_at, SyncRecord.outcome, func.count())
            .join(SyncRecord, SyncRecord.batch_id == SyncBatch.id)
            .where(SyncBatch.sent_at.is_not(None), SyncBatch.sent_at >= datetime.combine(since, datetime.min.time())),
            unit_ids,
        ).group_by(SyncBatch.id, SyncBatch.sent_at, SyncRecord.outcome)
    ).all()
    batches: dict[date, set[int]] = defaultdict(set)
    answers: dict[date, Counter[str]] = defaultdict(Counter)
    for batch_id, sent_at, outcome, count in rows:
        if sent_at is None:  # excluded by the query; the column is nullable
            continue
        day = sent_at.date()
        batches[day].add(batch_id)
        answers[day][outcome] += count
    return [
        SyncDay(day, len(batches[day]), answers[day]["accepted"], answers[day]["rejected"])
        for day in sorted(batches, reverse=True)
    ]


def records_to_fix(session: Session, unit_ids: Units) -> tuple[list[RecordToFix], int]:
    """Records whose latest outcome is rejected or kept out (newest first, at most PROBLEMS_SHOWN), and how many."""
    latest = SyncRecord.id.in_(_latest_records(unit_ids))
    total = session.execute(
        select(func.count()).select_from(SyncRecord).where(latest, SyncRecord.outcome.in_(TO_FIX))
    ).scalar_one()
    rows = session.execute(
        select(OrgUnit.name, SyncRecord.record_key, SyncRecord.outcome, SyncRecord.reason)
        .join(SyncBatch, SyncBatch.id == SyncRecord.batch_id)
        .join(OrgUnit, OrgUnit.id == SyncBatch.unit_id)
        .where(latest, SyncRecord.outcome.in_(TO_FIX))
        .order_by(SyncRecord.id.desc())
        .limit(PROBLEMS_SHOWN)
    ).all()
    citizen_ids = {key.split(":", 1)[1] for _u, key, _o, _r in rows if key.startswith("profile:")}
    unit_codes = {key.split(":", 1)[1] for _u, key, _o, _r in rows if key.startswith("unit:")}
    people = {
        cid: (pid, name)
        for pid, cid, name in session.execute(
            select(Person.id, Person.citizen_id, Person.full_name).where(Person.citizen_id.in_(citizen_ids))
        )
    }
    units = {
        code: (uid, name)
        for uid, code, name in session.execute(
            select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(OrgUnit.code.in_(unit_codes))
        )
    }
    found: list[RecordToFix] = []
    for unit_name, key, outcome, reason in rows:
        shape, value = key.split(":", 1)
        kind = "person" if shape == "profile" else "unit"
        record_id, name = (people if kind == "person" else units).get(value, (None, value))
        found.append(RecordToFix(unit_name, key, outcome, reason, kind, record_id, name))
    return found, total


def recent_batches(session: Session, unit_ids: Units) -> list[BatchLine]:
    """The latest batches, newest first, with their records counted by answer."""
    batches = session.execute(
        _in_scope(
            select(SyncBatch, OrgUnit.name).join(OrgUnit, OrgUnit.id == SyncBatch.unit_id),
            unit_ids,
        )
        .order_by(SyncBatch.id.desc())
        .limit(BATCHES_SHOWN)
    ).all()
    ids = [batch.id for batch, _name in batches]
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for batch_id, outcome, count in session.execute(
        select(SyncRecord.batch_id, SyncRecord.outcome, func.count())
        .where(SyncRecord.batch_id.in_(ids))
        .group_by(SyncRecord.batch_id, SyncRecord.outcome)
    ):
        counts[batch_id][outcome] += count
    return [
        BatchLine(
            batch.id,
            batch.batch_key,
            name,
            batch.kind,
            batch.status,
            batch.signer,
            batch.cert_fingerprint,
            batch.signed_at,
            batch.sent_at,
            sum(counts[batch.id][o] for o in ("pending", "accepted", "rejected")),
            counts[batch.id]["accepted"],
            counts[batch.id]["rejected"],
        )
        for batch, name in batches
    ]

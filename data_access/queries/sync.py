"""What `flask sync status` (and later /admin/sync) shows: per unit, its records synced, pending, rejected
and kept out, by each record's latest outcome, and the last successful send."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import OrgUnit, SyncBatch, SyncRecord


@dataclass(frozen=True)
class UnitSyncStatus:
    unit_code: str
    unit_name: str
    synced: int
    pending: int
    rejected: int
    kept_out: int
    last_success: datetime | None


def sync_status(session: Session) -> list[UnitSyncStatus]:
    """One line per unit that has batches, in unit code order."""
    rows = session.execute(
        select(OrgUnit.code, OrgUnit.name, SyncRecord.record_key, SyncRecord.outcome)
        .join(SyncBatch, SyncBatch.unit_id == OrgUnit.id)
        .join(SyncRecord, SyncRecord.batch_id == SyncBatch.id)
        .order_by(SyncBatch.id, SyncRecord.id)
    ).all()
    latest: dict[str, dict[str, str]] = {}
    names: dict[str, str] = {}
    for code, name, key, outcome in rows:
        names[code] = name
        latest.setdefault(code, {})[key] = outcome  # later batches overwrite earlier ones
    success = dict(
        session.execute(
            select(OrgUnit.code, SyncBatch.sent_at)
            .join(SyncBatch, SyncBatch.unit_id == OrgUnit.id)
            .where(SyncBatch.status.in_(("accepted", "partly_rejected")))
            .order_by(SyncBatch.sent_at)
        ).all()
    )
    lines = []
    for code in sorted(latest):
        counts = Counter(latest[code].values())
        lines.append(
            UnitSyncStatus(
                code,
                names[code],
                counts["accepted"],
                counts["pending"],
                counts["rejected"],
                counts["kept_out"],
                success.get(code),
            )
        )
    return lines

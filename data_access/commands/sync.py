"""Sync batches for the national cadre database: build one for a unit's subtree, sign it with an
officer's certificate, send it, and keep the receiver's answer record by record.

`actor` is the administrator doing it, or None for the server's operator at the command line. An
administrator syncs only units of their own subtree (the rule of people administration).
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import now, today
from data_access import audit
from data_access.commands.common import Refused, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import OrgUnit, SyncBatch, SyncRecord
from data_access.queries.api import org_unit_records, profile_page
from data_access.record_facts import load_facts
from data_access.viewer import Viewer
from domain.admin_access import may_manage_people
from domain.records import RecordFacts, validate_profiles, validate_units
from domain.sync_batches import blocking_reasons, changed, dry_run_problem, record_key
from domain.sync_canonical import canonical_json, digest

AUDITED = ("batch_key", "unit_id", "kind", "sha256", "status", "signer", "cert_fingerprint", "signed_at", "sent_at")
ALL_PROFILES = 10**7  # one page holds a city's people (a few tens of thousands)


@dataclass(frozen=True)
class BuiltBatch:
    batch_id: int
    batch_key: str
    included: list[str]  # record keys in the batch
    kept_out: dict[str, str]  # record key -> why it stays out


class _no_context:
    """No refusal handling: the operator at the command line is never refused."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        return None


def _context(store: Store, actor: Viewer | None, action: str, entity_id: object) -> Any:
    if actor is None:
        return _no_context()
    return refusals_and_conflicts(store, actor, action=action, entity="sync_batch", entity_id=entity_id)


def _authorise(actor: Viewer | None, unit: OrgUnit, what: str) -> None:
    if actor is not None and not may_manage_people(actor.role.value, actor.scope_path, unit.path, actor.scope_kind):
        raise Refused(f"{what} for unit {unit.code}")


def _last_accepted(session: Session, unit_id: int) -> dict[str, str]:
    """Record key -> hash of its content when the receiver last accepted it in a full batch of the unit."""
    rows = session.execute(
        select(SyncRecord.record_key, SyncRecord.record_sha256)
        .join(SyncBatch, SyncBatch.id == SyncRecord.batch_id)
        .where(SyncBatch.unit_id == unit_id, SyncBatch.kind == "full", SyncRecord.outcome == "accepted")
        .order_by(SyncBatch.id)
    ).all()
    return dict(rows)  # later batches overwrite earlier ones


def _records(session: Session, unit: OrgUnit) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """(shape, key, record as JSON values, why it stays out or None) of every unit and profile of the subtree."""
    units = [
        json.loads(canonical_json(r))
        for r in org_unit_records(session, scope_path=unit.path, as_of=today(), with_closed=True)
    ]
    page = profile_page(session, scope_path=unit.path, page=1, per_page=ALL_PROFILES, full_citizen_ids=True)
    profiles = [json.loads(canonical_json(r)) for r in page.records]
    stored = load_facts(session)
    # People facts stay empty: the store's citizen ids are unique, a record only ever meets itself.
    facts = RecordFacts(units=stored.units, divisions=stored.divisions)
    unit_reasons = blocking_reasons(validate_units(units, facts, today=today()))
    profile_reasons = blocking_reasons(validate_profiles(profiles, facts, today=today()))
    found = [("org_unit", r, unit_reasons.get(i)) for i, r in enumerate(units)]
    found += [("profile", r, profile_reasons.get(i)) for i, r in enumerate(profiles)]
    # A person the interchange shape cannot carry (no full date of birth) is kept out, by civil-servant code.
    found += [
        ("profile", {"citizen_id": f"?{x['civil_servant_code'] or index}"}, "date_of_birth: missing (sufficient)")
        for index, x in enumerate(page.incomplete)
    ]
    return [(shape, record_key(shape, record), record, reason) for shape, record, reason in found]


def build_batch(
    store: Store, *, actor: Viewer | None, unit_code: str, kind: str = "full", chosen: list[str] | None = None
) -> BuiltBatch:
    """A draft batch of the subtree's records changed since the last accepted full batch (all, the first
    time); a dry run carries only the 1 to 10 `chosen` record keys. Invalid when a dry run's choice is wrong."""
    if kind not in ("full", "dry_run"):
        raise Invalid({"kind": "unknown_choice"})
    if kind == "dry_run":
        problem = dry_run_problem(chosen or [])
        if problem:
            raise Invalid({"records": problem})
    with _context(store, actor, "sync.build", None), store.write() as session:
        unit = session.execute(select(OrgUnit).where(OrgUnit.code == unit_code.strip())).scalar_one_or_none()
        if unit is None or not unit.active:
            raise Invalid({"unit": "unknown_choice"})
        _authorise(actor, unit, "build a sync batch")
        records = _records(session, unit)
        if kind == "dry_run":
            wanted = set(chosen or [])
            records = [r for r in records if r[1] in wanted]
            if {r[1] for r in records} != wanted:
                raise Invalid({"records": "unknown_choice"})
            last: dict[str, str] = {}
        else:
            last = _last_accepted(session, unit.id)
        batch_key = secrets.token_hex(16)
        moment = now()
        included: list[tuple[str, str, dict[str, Any]]] = []
        kept_out: dict[str, str] = {}
        for shape, key, record, reason in records:
            if reason is not None:
                kept_out[key] = reason
            elif changed(key, digest(canonical_json(record)), last):
                included.append((shape, key, record))
        content = canonical_json(
            {
                "batch_id": batch_key,
                "kind": kind,
                "unit_code": unit.code,
                "created_at": moment.isoformat() + "Z",
                "records": [{"key": key, "shape": shape, "record": record} for shape, key, record in included],
            }
        )
        batch = SyncBatch(
            batch_key=batch_key,
            unit_id=unit.id,
            created_by_id=actor.user_id if actor else None,
            created_at=moment,
            kind=kind,
            content=content.decode("utf-8"),
            sha256=digest(content),
            status="draft",
            attempts=0,
        )
        session.add(batch)
        session.flush()
        for _shape, key, record in included:
            session.add(
                SyncRecord(
                    batch_id=batch.id, record_key=key, record_sha256=digest(canonical_json(record)), outcome="pending"
                )
            )
        for _shape, key, record, reason in records:
            if reason is not None:
                session.add(
                    SyncRecord(
                        batch_id=batch.id,
                        record_key=key,
                        outcome="kept_out",
                        reason=reason,
                        record_sha256=digest(canonical_json(record)),
                    )
                )
        session.flush()
        audit.record(
            session,
            user_id=actor.user_id if actor else None,
            action="sync.build",
            entity="sync_batch",
            entity_id=batch.id,
            after={**audit.snapshot(batch, AUDITED), "included": len(included), "kept_out": len(kept_out)},
            detail=None if actor else "command line",
        )
        return BuiltBatch(batch.id, batch_key, [key for _s, key, _r in included], kept_out)


def _batch(session: Session, batch_id: int, *, lock: bool = False) -> tuple[SyncBatch, OrgUnit]:
    query = select(SyncBatch, OrgUnit).join(OrgUnit, OrgUnit.id == SyncBatch.unit_id).where(SyncBatch.id == batch_id)
    # Locked for a change: two officers signing the same draft, or two sends answering it, go one after the other.
    row = session.execute(query.with_for_update(of=SyncBatch) if lock else query).one_or_none()
    if row is None:
        raise NotFound("sync_batch", batch_id)
    return row[0], row[1]


def sign_batch(
    store: Store, *, actor: Viewer | None, batch_id: int, pkcs12_data: bytes, password: bytes | None
) -> None:
    """The officer approves the draft batch with their certificate: signer, fingerprint and time are kept."""
    # Imported here: the app starts (and builds batches) where `cryptography` is not installed yet.
    from data_access.sync_signing import sign

    with _context(store, actor, "sync.sign", batch_id), store.write() as session:
        batch, unit = _batch(session, batch_id, lock=True)
        _authorise(actor, unit, f"sign sync batch {batch_id}")
        if batch.status != "draft":
            raise Invalid({"batch": "not_draft"})
        before = audit.snapshot(batch, AUDITED)
        signed = sign(batch.content.encode("utf-8"), pkcs12_data, password)
        batch.signature, batch.signer, batch.cert_fingerprint = signed.signature, signed.signer, signed.fingerprint
        batch.signed_at, batch.status = now(), "signed"
        session.flush()
        audit.record(
            session,
            user_id=actor.user_id if actor else None,
            action="sync.sign",
            entity="sync_batch",
            entity_id=batch.id,
            before=before,
            after=audit.snapshot(batch, AUDITED),
            detail=None if actor else "command line",
        )


# (status, answer) of one POST; raises OSError when nothing came back (network down, timeout).
Post = Callable[[str, bytes, dict[str, str]], tuple[int, dict[str, Any]]]


def http_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST over HTTP(S) with the standard library; the receiver always answers JSON."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # nosec B310 (configured URL)
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


RETRIED = (429, 500, 502, 503, 504)


def send_batch(
    store: Store,
    *,
    actor: Viewer | None,
    batch_id: int,
    url: str,
    post: Post = http_post,
    attempts: int = 5,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """POST the signed batch (idempotency key: its batch id) with retries and exponential backoff, then keep
    the answer record by record. Returns the batch's new status."""
    with _context(store, actor, "sync.send", batch_id), store.read() as session:
        batch, unit = _batch(session, batch_id)
        _authorise(actor, unit, f"send sync batch {batch_id}")
        if batch.signature is None:
            raise Invalid({"batch": "not_signed"})
        body = json.dumps({"content": batch.content, "signature": batch.signature}).encode("utf-8")
        headers = {"Content-Type": "application/json", "Idempotency-Key": batch.batch_key}
    status, tries = 0, 0
    answer: dict[str, Any] = {}
    for tries in range(1, attempts + 1):  # noqa: B007 (tries is kept)
        try:
            status, answer = post(url, body, headers)
        except OSError:
            status, answer = 0, {}
        if status and status not in RETRIED:
            break
        if tries < attempts:
            sleep(backoff * 2 ** (tries - 1))
    if not status or status in RETRIED:
        with store.write() as session:
            batch, _unit = _batch(session, batch_id, lock=True)
            batch.attempts += tries
            return batch.status  # unchanged: nothing came back
    return _keep_answer(store, actor, batch_id, status, answer, tries)


def _keep_answer(
    store: Store, actor: Viewer | None, batch_id: int, status: int, answer: dict[str, Any], tries: int
) -> str:
    with _context(store, actor, "sync.send", batch_id), store.write() as session:
        batch, unit = _batch(session, batch_id, lock=True)
        _authorise(actor, unit, f"send sync batch {batch_id}")  # again: in the transaction that writes
        before = audit.snapshot(batch, AUDITED)
        records = {
            r.record_key: r
            for r in session.execute(
                select(SyncRecord).where(SyncRecord.batch_id == batch_id, SyncRecord.outcome != "kept_out")
            ).scalars()
        }
        if status == 200:
            for item in answer.get("records", []):
                record = records.get(str(item.get("key")))
                if record is not None:
                    record.outcome = "accepted" if item.get("outcome") == "accepted" else "rejected"
                    record.reason = item.get("reason")
        else:  # the whole batch refused (signature, replay, reused id): every record with the reason
            for record in records.values():
                record.outcome, record.reason = "rejected", str(answer.get("error", status))
        outcomes = {r.outcome for r in records.values()}
        batch.status = (
            "rejected"
            if outcomes == {"rejected"}
            else "partly_rejected"
            if "rejected" in outcomes or "pending" in outcomes
            else "accepted"
        )
        batch.sent_at, batch.attempts = now(), batch.attempts + tries
        session.flush()
        audit.record(
            session,
            user_id=actor.user_id if actor else None,
            action="sync.send",
            entity="sync_batch",
            entity_id=batch_id,
            before=before,
            after=audit.snapshot(batch, AUDITED),
            detail=None if actor else "command line",
        )
        return batch.status


def moment_of(content: str) -> datetime:
    """When a batch was built, read back from its content."""
    return datetime.fromisoformat(json.loads(content)["created_at"].rstrip("Z"))

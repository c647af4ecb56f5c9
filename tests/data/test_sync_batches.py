"""Signed sync batches of Phường Hoàn Kiếm for the national cadre database, sent to the reference receiver:
a dry run of 10 records is verified and accepted, a resend changes nothing, a batch changed after signing
and one signed with an expired certificate are refused, records failing "correct" or "sufficient" stay out,
and the next full batch carries only what changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask  # noqa: E402
from sqlalchemy import select, update  # noqa: E402

from config.clock import today  # noqa: E402
from data_access.commands.sync import Post, build_batch, send_batch, sign_batch  # noqa: E402
from data_access.db import Store  # noqa: E402
from data_access.errors import Forbidden, Invalid  # noqa: E402
from data_access.models import AuditEntry, OrgUnit, Person, SyncBatch, SyncRecord, UnitSuccession  # noqa: E402
from data_access.queries.sync import sync_status  # noqa: E402
from data_access.sync_signing import TrustAnchor, fingerprint  # noqa: E402
from domain.sync_canonical import canonical_json  # noqa: E402
from server.sync_receiver import make_receiver  # noqa: E402
from tests.support.cert_authority import PASSWORD, CertAuthority  # noqa: E402
from tests.support.viewers import demo_viewers  # noqa: E402

HOAN_KIEM = "W00070"
TU_LIEM = "W00592"
URL = "https://receiver.test/batches"


@pytest.fixture(scope="module")
def ca() -> CertAuthority:
    return CertAuthority()


@pytest.fixture
def receiver(ca: CertAuthority) -> Flask:
    return make_receiver(TrustAnchor.from_pem(ca.pem, ca.crl_pem()))


def post_to(app: Flask) -> Post:
    client = app.test_client()

    def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        answer = client.post("/batches", data=body, headers=headers)
        return answer.status_code, answer.get_json()

    return post


def outcomes(store: Store, batch_id: int) -> dict[str, tuple[str, str | None]]:
    with store.read() as session:
        rows = session.execute(select(SyncRecord).where(SyncRecord.batch_id == batch_id)).scalars()
        return {r.record_key: (r.outcome, r.reason) for r in rows}


def status(store: Store, batch_id: int) -> SyncBatch:
    with store.read() as session:
        batch = session.get(SyncBatch, batch_id)
        assert batch is not None
        session.expunge(batch)
        return batch


def dry_run_of_ten(store: Store) -> int:
    full = build_batch(store, actor=None, unit_code=HOAN_KIEM)
    assert len(full.included) >= 10
    return build_batch(store, actor=None, unit_code=HOAN_KIEM, kind="dry_run", chosen=full.included[:10]).batch_id


def test_a_signed_dry_run_of_ten_is_accepted_and_a_resend_changes_nothing(
    demo_store: Store, ca: CertAuthority, receiver: Flask
) -> None:
    batch_id = dry_run_of_ten(demo_store)
    p12, certificate = ca.issue("Nguyễn Thị Lan")
    sign_batch(demo_store, actor=None, batch_id=batch_id, pkcs12_data=p12, password=PASSWORD)
    signed = status(demo_store, batch_id)
    assert (signed.status, signed.signer) == ("signed", "Nguyễn Thị Lan")
    assert signed.cert_fingerprint == fingerprint(certificate)
    assert send_batch(demo_store, actor=None, batch_id=batch_id, url=URL, post=post_to(receiver)) == "accepted"
    first = outcomes(demo_store, batch_id)
    assert len(first) == 10 and {outcome for outcome, _ in first.values()} == {"accepted"}
    held = receiver.config["SYNC_STATE"]
    assert held.writes == 10

    # The same batch again (a retry after a lost answer): the same answer, nothing written twice.
    assert send_batch(demo_store, actor=None, batch_id=batch_id, url=URL, post=post_to(receiver)) == "accepted"
    assert outcomes(demo_store, batch_id) == first
    assert held.writes == 10 and len(held.answers) == 1


def test_a_batch_changed_after_signing_is_refused(demo_store: Store, ca: CertAuthority, receiver: Flask) -> None:
    batch_id = dry_run_of_ten(demo_store)
    p12, _ = ca.issue("Nguyễn Thị Lan")
    sign_batch(demo_store, actor=None, batch_id=batch_id, pkcs12_data=p12, password=PASSWORD)
    with demo_store.write() as session:
        batch = session.get(SyncBatch, batch_id)
        assert batch is not None
        batch.content = batch.content.replace('"full_name":"', '"full_name":"X', 1)
    assert send_batch(demo_store, actor=None, batch_id=batch_id, url=URL, post=post_to(receiver)) == "rejected"
    assert set(outcomes(demo_store, batch_id).values()) == {("rejected", "tampered")}
    assert receiver.config["SYNC_STATE"].writes == 0


def test_a_batch_signed_with_an_expired_certificate_is_refused(
    demo_store: Store, ca: CertAuthority, receiver: Flask
) -> None:
    batch_id = dry_run_of_ten(demo_store)
    p12, _ = ca.issue("Cán bộ cũ", valid_from=datetime.now(UTC) - timedelta(days=400), days=365)
    sign_batch(demo_store, actor=None, batch_id=batch_id, pkcs12_data=p12, password=PASSWORD)
    assert send_batch(demo_store, actor=None, batch_id=batch_id, url=URL, post=post_to(receiver)) == "rejected"
    assert set(outcomes(demo_store, batch_id).values()) == {("rejected", "expired")}


def test_a_dry_run_takes_one_to_ten_records(demo_store: Store) -> None:
    with pytest.raises(Invalid):
        build_batch(demo_store, actor=None, unit_code=HOAN_KIEM, kind="dry_run", chosen=[])
    full = build_batch(demo_store, actor=None, unit_code=HOAN_KIEM)
    with pytest.raises(Invalid):
        build_batch(demo_store, actor=None, unit_code=HOAN_KIEM, kind="dry_run", chosen=full.included[:11])


def test_a_record_failing_correct_stays_out_with_its_reason(demo_store: Store) -> None:
    with demo_store.write() as session:
        person = session.execute(
            select(Person).where(Person.citizen_id.is_not(None), Person.birth_date.is_not(None)).limit(1)
        ).scalar_one()
        # A citizen id whose century-and-gender digit cannot match the date of birth.
        bad = person.citizen_id[:3] + "9" + person.citizen_id[4:]
        session.execute(update(Person).where(Person.id == person.id).values(citizen_id=bad))
    built = build_batch(demo_store, actor=None, unit_code=_root(demo_store))
    key = f"profile:{bad}"
    assert key not in built.included and "citizen_id" in built.kept_out[key]
    batch = json.loads(status(demo_store, built.batch_id).content)
    assert key not in {item["key"] for item in batch["records"]}


def _root(store: Store) -> str:
    with store.read() as session:
        return session.execute(select(OrgUnit.code).where(OrgUnit.depth == 0)).scalars().first() or HOAN_KIEM


def test_the_next_full_batch_carries_only_what_changed(demo_store: Store, ca: CertAuthority, receiver: Flask) -> None:
    p12, _ = ca.issue("Nguyễn Thị Lan")
    first = build_batch(demo_store, actor=None, unit_code=HOAN_KIEM)
    sign_batch(demo_store, actor=None, batch_id=first.batch_id, pkcs12_data=p12, password=PASSWORD)
    assert send_batch(demo_store, actor=None, batch_id=first.batch_id, url=URL, post=post_to(receiver)) == "accepted"
    moved = first.included[-1]
    assert moved.startswith("profile:")
    with demo_store.write() as session:
        session.execute(
            update(Person).where(Person.citizen_id == moved.removeprefix("profile:")).values(phone="0912345678")
        )
    second = build_batch(demo_store, actor=None, unit_code=HOAN_KIEM)
    assert second.included == [moved]


def test_a_send_retries_with_backoff_when_the_receiver_is_unreachable(
    demo_store: Store, ca: CertAuthority, receiver: Flask
) -> None:
    batch_id = dry_run_of_ten(demo_store)
    p12, _ = ca.issue("Nguyễn Thị Lan")
    sign_batch(demo_store, actor=None, batch_id=batch_id, pkcs12_data=p12, password=PASSWORD)
    deliver, waits, calls = post_to(receiver), [], []

    def flaky(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        calls.append(url)
        if len(calls) == 1:
            raise ConnectionError("network down")
        if len(calls) == 2:
            return 503, {}
        return deliver(url, body, headers)

    assert send_batch(demo_store, actor=None, batch_id=batch_id, url=URL, post=flaky, sleep=waits.append) == "accepted"
    assert waits == [1.0, 2.0] and status(demo_store, batch_id).attempts == 3


def test_a_ward_administrator_cannot_sync_another_ward(demo_store: Store) -> None:
    """Phường Hoàn Kiếm's unit administrator builds its batch but not Từ Liêm's; the refusal is audited."""
    ward_admin = demo_viewers(demo_store)["unit_admin"]
    assert build_batch(demo_store, actor=ward_admin, unit_code=HOAN_KIEM).included
    with pytest.raises(Forbidden):
        build_batch(demo_store, actor=ward_admin, unit_code=TU_LIEM)
    with demo_store.read() as session:
        denied = session.execute(
            select(AuditEntry).where(AuditEntry.action == "sync.build", AuditEntry.outcome == "denied")
        ).scalars()
        assert [entry.user_id for entry in denied] == [ward_admin.user_id]
        assert session.execute(select(SyncBatch.unit_id)).scalars().all() == [ward_admin.scope_unit_id]


def test_the_status_counts_records_per_unit(demo_store: Store, ca: CertAuthority, receiver: Flask) -> None:
    batch_id = dry_run_of_ten(demo_store)
    p12, _ = ca.issue("Nguyễn Thị Lan")
    sign_batch(demo_store, actor=None, batch_id=batch_id, pkcs12_data=p12, password=PASSWORD)
    send_batch(demo_store, actor=None, batch_id=batch_id, url=URL, post=post_to(receiver))
    with demo_store.read() as session:
        (line,) = sync_status(session)
    # The full batch built first is still pending except for the 10 the dry run sent.
    assert (line.unit_code, line.synced, line.rejected) == (HOAN_KIEM, 10, 0)
    assert line.pending > 0 and line.last_success is not None


def test_the_receiver_refuses_a_batch_outside_its_replay_window(demo_store: Store, ca: CertAuthority) -> None:
    late = make_receiver(TrustAnchor.from_pem(ca.pem), clock=lambda: datetime.now(UTC) + timedelta(hours=1))
    batch_id = dry_run_of_ten(demo_store)
    p12, _ = ca.issue("Nguyễn Thị Lan")
    sign_batch(demo_store, actor=None, batch_id=batch_id, pkcs12_data=p12, password=PASSWORD)
    assert send_batch(demo_store, actor=None, batch_id=batch_id, url=URL, post=post_to(late)) == "rejected"
    assert set(outcomes(demo_store, batch_id).values()) == {("rejected", "outside_replay_window")}


def test_the_receiver_refuses_another_content_under_a_batch_id_it_answered(
    demo_store: Store, ca: CertAuthority, receiver: Flask
) -> None:
    """Replay protection: a batch id is answered once; a different signed content reusing it is refused."""
    p12, _ = ca.issue("Nguyễn Thị Lan")
    first, second = dry_run_of_ten(demo_store), dry_run_of_ten(demo_store)
    for batch_id in (first, second):
        sign_batch(demo_store, actor=None, batch_id=batch_id, pkcs12_data=p12, password=PASSWORD)
    assert send_batch(demo_store, actor=None, batch_id=first, url=URL, post=post_to(receiver)) == "accepted"
    reused = status(demo_store, first).batch_key
    with demo_store.write() as session:
        batch = session.get(SyncBatch, second)
        assert batch is not None
        content = json.loads(batch.content)
        content["batch_id"], content["records"] = reused, content["records"][:5]  # other content, same id
        batch.content, batch.status, batch.signature = canonical_json(content).decode(), "draft", None
    sign_batch(demo_store, actor=None, batch_id=second, pkcs12_data=p12, password=PASSWORD)

    def as_reused(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        return post_to(receiver)(url, body, {**headers, "Idempotency-Key": reused})

    assert send_batch(demo_store, actor=None, batch_id=second, url=URL, post=as_reused) == "rejected"
    assert set(outcomes(demo_store, second).values()) == {("rejected", "batch_id_reused")}
    assert receiver.config["SYNC_STATE"].writes == 10


def test_a_merged_unit_goes_out_closed_with_its_successor(
    demo_store: Store, ca: CertAuthority, receiver: Flask
) -> None:
    """After a merge of two divisions of the ward, the next full batch carries the closed one with its
    closing date and its successor's code (not silently dropped)."""
    p12, _ = ca.issue("Nguyễn Thị Lan")
    first = build_batch(demo_store, actor=None, unit_code=HOAN_KIEM)
    sign_batch(demo_store, actor=None, batch_id=first.batch_id, pkcs12_data=p12, password=PASSWORD)
    assert send_batch(demo_store, actor=None, batch_id=first.batch_id, url=URL, post=post_to(receiver)) == "accepted"
    yesterday = today() - timedelta(days=1)
    with demo_store.write() as session:
        ward = session.execute(select(OrgUnit).where(OrgUnit.code == HOAN_KIEM)).scalar_one()
        closed, kept = session.execute(
            select(OrgUnit)
            .where(OrgUnit.parent_id == ward.id, OrgUnit.active.is_(True))
            .order_by(OrgUnit.code)
            .limit(2)
        ).scalars()
        closed.valid_to, closed.active = yesterday, False
        session.add(
            UnitSuccession(predecessor_id=closed.id, successor_id=kept.id, change_kind="merge", effective_on=yesterday)
        )
        closed_code, kept_code = closed.code, kept.code
    second = build_batch(demo_store, actor=None, unit_code=HOAN_KIEM)
    assert f"unit:{closed_code}" in second.included
    sent = {item["key"]: item["record"] for item in json.loads(status(demo_store, second.batch_id).content)["records"]}
    assert sent[f"unit:{closed_code}"]["valid_to"] == yesterday.isoformat()
    assert sent[f"unit:{closed_code}"]["successor_codes"] == [kept_code]

"""The reference receiver of sync batches: the contract the national cadre database is sent, implemented
small enough to read, for the tests and for agencies to try their batches against.

POST /batches, JSON {"content": canonical JSON text, "signature": detached JWS}, header Idempotency-Key =
the batch id inside the content. It verifies the signature and the signer's certificate path (to the
configured CA, with its CRL), refuses a batch built outside the replay window, answers a batch id seen
before with the same answer (a different content under that id is refused), and answers record by record:
accepted (a record already accepted with the same content is accepted again without a change) or rejected
with a reason. The state is in memory: a reference, not a national database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, jsonify, request

from data_access.sync_signing import SignatureRefused, TrustAnchor, verify

REPLAY_WINDOW = timedelta(minutes=15)
SHAPES = {"org_unit": ("code", "name", "kind"), "profile": ("citizen_id", "full_name", "date_of_birth", "unit_code")}


@dataclass
class ReceiverState:
    """What the receiver holds: the answer per batch id and the accepted content hash per record key."""

    answers: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # batch id -> (sha, answer)
    records: dict[str, str] = field(default_factory=dict)  # record key -> sha256 of the accepted record
    writes: int = 0  # records written (a resend that changes nothing leaves it alone)


def _record_problem(item: dict[str, Any]) -> str | None:
    shape, record = item.get("shape"), item.get("record")
    if shape not in SHAPES or not isinstance(record, dict):
        return "unknown_shape"
    missing = [name for name in SHAPES[shape] if not record.get(name)]
    if missing:
        return "missing: " + ", ".join(missing)
    if shape == "profile" and not (str(record["citizen_id"]).isdigit() and len(str(record["citizen_id"])) == 12):
        return "citizen_id: not 12 digits"
    return None


def make_receiver(
    anchor: TrustAnchor,
    *,
    window: timedelta = REPLAY_WINDOW,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    state: ReceiverState | None = None,
) -> Flask:
    """The receiver's WSGI app; `state` is exposed as app.config["SYNC_STATE"]."""
    app = Flask("pulse_sync_receiver")
    held = state or ReceiverState()
    app.config["SYNC_STATE"] = held

    def refuse(status: int, reason: str) -> Any:
        return jsonify({"error": reason}), status

    @app.post("/batches")
    def receive() -> Any:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("content"), str) or "signature" not in body:
            return refuse(400, "malformed")
        content_text: str = body["content"]
        content = content_text.encode("utf-8")
        moment = clock()
        try:
            verify(content, str(body["signature"]), anchor, moment=moment)
        except SignatureRefused as refused:
            return refuse(403, refused.reason)
        try:
            batch = json.loads(content)
            built = datetime.fromisoformat(str(batch["created_at"]).rstrip("Z")).replace(tzinfo=UTC)
        except (ValueError, KeyError, TypeError, AttributeError):
            return refuse(400, "malformed")  # signed, but not a batch
        batch_id = str(batch.get("batch_id"))
        if request.headers.get("Idempotency-Key") != batch_id:
            return refuse(400, "idempotency_key_mismatch")
        sha = hashlib.sha256(content).hexdigest()
        if batch_id in held.answers:
            seen_sha, answer = held.answers[batch_id]
            return (jsonify(answer), 200) if seen_sha == sha else refuse(409, "batch_id_reused")
        if abs(moment - built) > window:
            return refuse(409, "outside_replay_window")
        answers: list[dict[str, Any]] = []
        for item in batch.get("records", []):
            problem = _record_problem(item)
            key = str(item.get("key"))
            if problem:
                answers.append({"key": key, "outcome": "rejected", "reason": problem})
                continue
            record_sha = hashlib.sha256(json.dumps(item["record"], sort_keys=True).encode()).hexdigest()
            if held.records.get(key) != record_sha:
                held.records[key] = record_sha
                held.writes += 1
            answers.append({"key": key, "outcome": "accepted", "reason": None})
        answer = {"batch_id": batch_id, "records": answers}
        held.answers[batch_id] = (sha, answer)
        return jsonify(answer), 200

    return app

"""The audit log's hash chain: how an entry's hash is made and how a chain is proved.

Each entry stores the hash of the entry before it (``prev_hash``; the first one points at
``GENESIS``) and its own ``hash``: SHA-256 over the previous hash and the entry's content in a
canonical form. Editing any stored field breaks that entry's own hash; deleting, inserting or
reordering entries breaks the next entry's link. (Cutting entries off the end leaves a shorter
but valid chain: that is what the tail hash printed by ``audit verify`` and kept next to each
backup is for.) Pure functions: no SQL here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainEntry:
    """The hashed content of one audit entry, as stored (the id orders the chain, it is not hashed)."""

    id: int
    at: datetime
    user_id: int | None
    action: str
    entity: str
    entity_id: str | None
    outcome: str
    before_json: str | None
    after_json: str | None
    detail: str | None


@dataclass(frozen=True)
class StoredLink:
    """An entry as read back for verification: its content and the two hashes stored with it."""

    entry: ChainEntry
    prev_hash: str | None
    hash: str | None


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold: which entry, and why ("content" or "link")."""

    entry_id: int
    reason: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of walking a chain: how many entries held, the last good hash, the first break."""

    checked: int
    tail_hash: str
    first_break: Break | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def entry_hash(prev_hash: str, entry: ChainEntry) -> str:
    """SHA-256 (hex) of the previous hash and the entry's content in canonical JSON."""
    # The id is left out: it only orders the chain, and the links already pin that order.
    content = [
        prev_hash,
        entry.at.isoformat(),
        entry.user_id,
        entry.action,
        entry.entity,
        entry.entity_id,
        entry.outcome,
        entry.before_json,
        entry.after_json,
        entry.detail,
    ]
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def verify(links: Iterable[StoredLink]) -> Verdict:
    """Walk entries in id order; stop at the first whose link or own hash does not hold."""
    previous = GENESIS
    checked = 0
    for link in links:
        if link.prev_hash != previous:
            return Verdict(checked=checked, tail_hash=previous, first_break=Break(link.entry.id, "link"))
        if link.hash != entry_hash(previous, link.entry):
            return Verdict(checked=checked, tail_hash=previous, first_break=Break(link.entry.id, "content"))
        previous = link.hash
        checked += 1
    return Verdict(checked=checked, tail_hash=previous, first_break=None)

"""The canonical JSON of a sync batch: the exact bytes an officer signs and the receiver verifies.

Sorted keys, no spaces, UTF-8 (not \\u escapes), every string in Unicode NFC, dates as ISO 8601: two
programs that hold the same records produce the same bytes, so a signature made here checks out there.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import date, datetime
from typing import Any


def _normal(value: Any) -> Any:
    """The value with NFC strings and ISO dates, recursively (keys too: a key in NFD would sort apart)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {unicodedata.normalize("NFC", str(key)): _normal(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 1.0 and 1 are the same number to a receiver in another language
    return value


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of `value`."""
    return json.dumps(_normal(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(content: bytes) -> str:
    """The SHA-256 of the content, in hex: what the batch row stores and the receiver compares."""
    return hashlib.sha256(content).hexdigest()

"""Where evidence files are kept: a small interface (put, get, delete by key) and the folder store that
implements it under data/evidence/, outside the web root. An S3-compatible store would implement the same
three methods with a bucket; nothing else in Pulse knows where the bytes live.

Keys are the SHA-256 of the content (a suffix for the thumbnail), so the same photo sent twice is kept
once, a key names exactly one content, and a key can never be a path: it is checked to be 64 hex digits.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

KEY = re.compile(r"^[0-9a-f]{64}(\.thumb)?$")


def content_key(content: bytes) -> str:
    """The key of some content: its SHA-256 in hex."""
    return hashlib.sha256(content).hexdigest()


class EvidenceStore(Protocol):
    """Bytes by key. `put` answers whether the key is new (so that a failed transaction removes only what
    it added); `get` raises KeyError for an unknown key."""

    def put(self, key: str, content: bytes) -> bool: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class FolderStore:
    """Files in a folder, two levels of fan-out ("ab/abcdef...") so that no folder holds a million names."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY.match(key):
            raise KeyError(key)
        return self.root / key[:2] / key

    def put(self, key: str, content: bytes) -> bool:
        path = self._path(key)
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return True

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

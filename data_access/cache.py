"""A cache of query results keyed by (query, viewer scope, period, data version).

However many screens are open, one query runs per scope and data version: results are kept per
process (memory) or shared by every process (Redis, when REDIS_URL is set), and concurrent
misses for one key wait for the first caller instead of querying again (single flight). While Redis
is unreachable each process falls back to its own memory, so pages keep working.
Keys always carry the viewer's role and scope, so two scopes never share a result.

Values in Redis are tagged JSON (data_access.cache_codec), never pickles: a value read back equals the
one computed, with the same types, and nobody who can write to Redis can run code here. A value the
codec does not know stays in process memory. Redis keys also carry a namespace derived from the
database, so two Pulse databases sharing one Redis never read each other's results (their data
versions start at the same numbers).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from redis import Redis, RedisError
from sqlalchemy.engine import make_url

from data_access import cache_codec
from data_access.viewer import Viewer

log = logging.getLogger("pulse.cache")
REDIS_ERRORS: tuple[type[BaseException], ...] = (OSError, RedisError)

T = TypeVar("T")
MAX_MEMORY_ENTRIES = 512
TTL_SECONDS = 600
PREFIX = "pulse:cache:"


def cache_key(name: str, viewer: Viewer, period: str, version: int, *extra: object) -> str:
    """The key of one query result for one scope at one data version."""
    parts = [name, viewer.cache_key, period, str(version), *(str(e) for e in extra)]
    return PREFIX + ":".join(parts)


def database_namespace(url: str) -> str:
    """A short stable name for one database: its backend, host, port and name (or SQLite file)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
        from pathlib import Path

        database = str(Path(database).resolve())
    identity = "|".join(str(p or "") for p in (parsed.get_backend_name(), parsed.host, parsed.port, database))
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


class ScopedCache:
    """Memory or Redis backed; `get_or_compute` runs `compute` at most once per key at a time."""

    def __init__(self, redis: Redis | None = None, *, namespace: str = "") -> None:
        self.redis = redis
        self.namespace = namespace
        self._memory: OrderedDict[str, Any] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.computations = 0  # how many times a query really ran (for tests and benchmarks)

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        if self.redis is not None:
            try:
                return self._via_redis(self.redis, self.redis_key(key), compute)
            except REDIS_ERRORS as error:  # Redis down: this process serves from its own memory meanwhile
                log.warning("shared cache unreachable, using process memory: %s", error.__class__.__name__)
        return self._via_memory(key, compute)

    def _via_memory(self, key: str, compute: Callable[[], T]) -> T:
        found, value = self._memory_get(key)
        if found:
            return value
        with self._lock_for(key):
            found, value = self._memory_get(key)
            if found:
                return value
            value = compute()
            self.computations += 1
            self._memory_put(key, value)
            return value

    def redis_key(self, key: str) -> str:
        """Where a key lives in Redis: inside this database's namespace."""
        if not self.namespace:
            return key
        return PREFIX + self.namespace + ":" + key.removeprefix(PREFIX)

    def _via_redis(self, client: Redis, key: str, compute: Callable[[], T]) -> T:
        found, value = self._redis_get(client, key)
        if found:
            return value
        with self._lock_for(key):
            return self._redis_single_flight(client, key, compute)

    def _redis_single_flight(self, client: Redis, key: str, compute: Callable[[], T]) -> T:
        lock_key = key + ":lock"
        deadline = time.monotonic() + 10
        while not client.set(lock_key, "1", nx=True, ex=30):
            found, value = self._redis_get(client, key)
            if found:
                return value
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        try:
            found, value = self._redis_get(client, key)
            if found:
                return value
            value = compute()
            self.computations += 1
            try:
                encoded = cache_codec.encode(value)
            except TypeError as error:  # a result type the codec does not know: this process keeps it
                log.warning("not shared through Redis: %s", error)
                self._memory_put(key, value)
                return value
            client.set(key, encoded, ex=TTL_SECONDS)
            return value
        finally:
            client.delete(lock_key)

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            if len(self._locks) > MAX_MEMORY_ENTRIES * 2:
                self._locks.clear()
            return self._locks.setdefault(key, threading.Lock())

    def _redis_get(self, client: Redis, key: str) -> tuple[bool, Any]:
        raw = client.get(key)
        if raw is None:
            return self._memory_get(key)  # a value only this process could keep (see above)
        try:
            return True, cache_codec.decode(raw)
        except (ValueError, TypeError, KeyError) as error:  # unreadable (an older format, tampering): recompute
            log.warning("unreadable shared cache entry: %s", error.__class__.__name__)
            return False, None

    def _memory_get(self, key: str) -> tuple[bool, Any]:
        with self._guard:
            if key in self._memory:
                self._memory.move_to_end(key)
                return True, self._memory[key]
        return False, None

    def _memory_put(self, key: str, value: Any) -> None:
        with self._guard:
            self._memory[key] = value
            while len(self._memory) > MAX_MEMORY_ENTRIES:
                self._memory.popitem(last=False)

"""A cache of query results keyed by (query, viewer scope, period, data version).

However many screens are open, one query runs per scope and data version: results are kept per
process (memory) or shared by every process (Redis, when REDIS_URL is set), and concurrent
misses for one key wait for the first caller instead of querying again (single flight). While Redis
is unreachable each process falls back to its own memory, so pages keep working.
Keys always carry the viewer's role and scope, so two scopes never share a result.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from redis import RedisError

from data_access.viewer import Viewer

log = logging.getLogger("pulse.cache")
REDIS_ERRORS: tuple[type[BaseException], ...] = (OSError, RedisError)

T = TypeVar("T")
MAX_MEMORY_ENTRIES = 512
TTL_SECONDS = 600


def cache_key(name: str, viewer: Viewer, period: str, version: int, *extra: object) -> str:
    """The key of one query result for one scope at one data version."""
    parts = [name, viewer.cache_key, period, str(version), *(str(e) for e in extra)]
    return "pulse:cache:" + ":".join(parts)


class ScopedCache:
    """Memory or Redis backed; `get_or_compute` runs `compute` at most once per key at a time."""

    def __init__(self, redis: Any | None = None) -> None:
        self.redis = redis
        self._memory: OrderedDict[str, Any] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.computations = 0  # how many times a query really ran (for tests and benchmarks)

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        if self.redis is not None:
            try:
                return self._via_redis(key, compute)
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

    def _via_redis(self, key: str, compute: Callable[[], T]) -> T:
        found, value = self._redis_get(key)
        if found:
            return value
        with self._lock_for(key):
            return self._redis_single_flight(key, compute)

    def _redis_single_flight(self, key: str, compute: Callable[[], T]) -> T:
        lock_key = key + ":lock"
        deadline = time.monotonic() + 10
        while not self.redis.set(lock_key, "1", nx=True, ex=30):
            found, value = self._redis_get(key)
            if found:
                return value
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        try:
            found, value = self._redis_get(key)
            if found:
                return value
            value = compute()
            self.computations += 1
            self.redis.set(key, pickle.dumps(value), ex=TTL_SECONDS)
            return value
        finally:
            self.redis.delete(lock_key)

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            if len(self._locks) > MAX_MEMORY_ENTRIES * 2:
                self._locks.clear()
            return self._locks.setdefault(key, threading.Lock())

    def _redis_get(self, key: str) -> tuple[bool, Any]:
        raw = self.redis.get(key)
        # Only this app writes these keys, and Redis is reachable by the app alone (bound to a private
        # address): whoever can write there already controls the app's data.
        return (True, pickle.loads(raw)) if raw is not None else (False, None)  # noqa: S301 # nosec B301

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

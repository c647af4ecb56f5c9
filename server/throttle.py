"""Per-account login throttling: too many failures for one user name within the window -> 429.

Keyed by the account, not the address, so rotating addresses does not help an attacker and one
address cannot lock others out. Redis when REDIS_URL is set (shared by every process), else the
login_failures table; while Redis is unreachable the table takes over, so logins keep working and
stay throttled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol, TypeVar

import redis

from config.clock import now
from data_access import accounts
from data_access.db import Store

log = logging.getLogger("pulse.throttle")
T = TypeVar("T")


class Throttle(Protocol):
    def blocked(self, username: str) -> bool: ...
    def failed(self, username: str) -> None: ...
    def succeeded(self, username: str) -> None: ...


class DatabaseThrottle:
    """Failures kept in the database (works with no Redis)."""

    def __init__(self, store: Store, *, max_failures: int, window_seconds: int) -> None:
        self.store, self.max_failures, self.window = store, max_failures, timedelta(seconds=window_seconds)

    def blocked(self, username: str) -> bool:
        with self.store.read() as session:
            return accounts.recent_failures(session, username=username, since=now() - self.window) >= self.max_failures

    def failed(self, username: str) -> None:
        with self.store.write() as session:
            accounts.record_failure(session, username=username, now=now())

    def succeeded(self, username: str) -> None:
        with self.store.write() as session:
            accounts.clear_failures(session, username=username)


class RedisThrottle:
    """Failures counted in Redis with an expiring key per account; the database when Redis is down."""

    def __init__(
        self,
        client,
        *,
        max_failures: int,
        window_seconds: int,  # type: ignore[no-untyped-def]
        fallback: Throttle | None = None,
    ) -> None:
        self.client, self.max_failures, self.window = client, max_failures, window_seconds
        self.fallback = fallback

    def _key(self, username: str) -> str:
        return f"pulse:login-failures:{username}"

    def _or_fallback(self, action: Callable[[], T], fallback: Callable[[Throttle], T]) -> T:
        try:
            return action()
        except (OSError, redis.RedisError) as error:
            if self.fallback is None:
                raise
            log.warning("login throttle falls back to the database: %s", error.__class__.__name__)
            return fallback(self.fallback)

    def blocked(self, username: str) -> bool:
        return self._or_fallback(
            lambda: int(self.client.get(self._key(username)) or 0) >= self.max_failures,
            lambda other: other.blocked(username),
        )

    def failed(self, username: str) -> None:
        def count() -> None:
            key = self._key(username)
            pipe = self.client.pipeline()
            pipe.incr(key)
            pipe.expire(key, self.window, nx=True)
            pipe.execute()

        self._or_fallback(count, lambda other: other.failed(username))

    def succeeded(self, username: str) -> None:
        self._or_fallback(lambda: self.client.delete(self._key(username)), lambda other: other.succeeded(username))

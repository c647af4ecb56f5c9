"""Login throttling: every password check (the login form, the current password on /account) is
counted *before* the password is verified, and refused when a count is over its limit.

Two counts per window (5 minutes by default):
- the account from one address: `max_failures` (5). A stranger guessing from one place locks only
  himself out of that account; its owner, from anywhere else, still signs in.
- the account from every address together: `account_max_failures` (4 x 5 = 20), so that rotating
  addresses buys a guesser at most 20 guesses per window, not 5 per address.

The trade-off: locking a named account for everyone now takes 20 failures from at least 4
addresses rather than 5 from one, and a distributed guesser gets 20 tries per window instead of 5
(argon2id and the password policy make 20 guesses in 5 minutes a small risk). Colleagues behind
one office address share that address's count for their own accounts only. Behind a reverse proxy
the address must be the client's (a proxy that sets X-Forwarded-For and Werkzeug's ProxyFix), or
every client shares the proxy's address and the per-address count adds nothing.

An attempt is counted first and judged on the count it produced (an atomic increment), so a
parallel burst gets no more checks than the limit. A right password takes its attempt back from
the account's count and clears the address's count. Redis when REDIS_URL is set (shared by every
process), else the login_counters table; while Redis is unreachable the table takes over, so logins
keep working and stay throttled.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol, TypeVar

import redis

from config.clock import now
from data_access import accounts
from data_access.db import Store

log = logging.getLogger("pulse.throttle")
T = TypeVar("T")
ACCOUNT_FACTOR = 4  # the account's limit over all addresses, in multiples of the per-address limit


class Throttle(Protocol):
    max_failures: int
    account_max_failures: int

    def attempt(self, username: str, address: str) -> bool: ...
    def succeeded(self, username: str, address: str) -> None: ...


def _keys(username: str, address: str) -> tuple[str, str]:
    """(account from this address, account from anywhere); names are at most 80 characters, addresses 64."""
    return f"from:{address[:64]}:{username}", f"account:{username}"


class _CountingThrottle(ABC):
    """The rule, over a store of counters that increment atomically."""

    def __init__(self, *, max_failures: int, window_seconds: int, account_max_failures: int | None = None) -> None:
        self.max_failures, self.window_seconds = max_failures, window_seconds
        self.account_max_failures = account_max_failures or ACCOUNT_FACTOR * max_failures

    def attempt(self, username: str, address: str) -> bool:
        """Count one password check now; False means refuse it without checking the password."""
        pair, account = _keys(username, address)
        if self._add(pair) > self.max_failures:
            return False  # this address is over its limit: its attempts do not use up the account's
        return self._add(account) <= self.account_max_failures

    def succeeded(self, username: str, address: str) -> None:
        """The password was right: this address starts afresh, and the account gets its attempt back."""
        pair, account = _keys(username, address)
        self._forget(pair)
        self._take_back(account)

    @abstractmethod
    def _add(self, key: str) -> int:
        """Implemented by each store of counters (database, Redis)."""

    @abstractmethod
    def _take_back(self, key: str) -> None:
        """Implemented by each store of counters (database, Redis)."""

    @abstractmethod
    def _forget(self, key: str) -> None:
        """Implemented by each store of counters (database, Redis)."""


class DatabaseThrottle(_CountingThrottle):
    """Counters in the database (works with no Redis): one upsert per count."""

    def __init__(self, store: Store, *, max_failures: int, window_seconds: int, **limits: int) -> None:
        super().__init__(max_failures=max_failures, window_seconds=window_seconds, **limits)
        self.store = store

    def _add(self, key: str) -> int:
        with self.store.write() as session:
            return accounts.count_attempt(session, key=key, now=now(), window=timedelta(seconds=self.window_seconds))

    def _take_back(self, key: str) -> None:
        with self.store.write() as session:
            accounts.take_back_attempt(session, key=key)

    def _forget(self, key: str) -> None:
        with self.store.write() as session:
            accounts.forget_attempts(session, key=key)


# Take one back without creating a key that has expired meanwhile (a bare DECR would make it -1, forever).
_TAKE_BACK = """
if redis.call('GET', KEYS[1]) and tonumber(redis.call('GET', KEYS[1])) > 0 then
    return redis.call('DECR', KEYS[1])
end
return 0
"""


class RedisThrottle(_CountingThrottle):
    """Counters in Redis (INCR, expiring with the window); the database when Redis is down."""

    def __init__(
        self,
        client,  # type: ignore[no-untyped-def]
        *,
        max_failures: int,
        window_seconds: int,
        fallback: Throttle | None = None,
        prefix: str = "pulse:login",
        **limits: int,
    ) -> None:
        super().__init__(max_failures=max_failures, window_seconds=window_seconds, **limits)
        self.client, self.fallback, self.prefix = client, fallback, prefix

    def _or_fallback(self, action: Callable[[], T], fallback: Callable[[Throttle], T]) -> T:
        try:
            return action()
        except (OSError, redis.RedisError) as error:
            if self.fallback is None:
                raise
            log.warning("login throttle falls back to the database: %s", error.__class__.__name__)
            return fallback(self.fallback)

    def attempt(self, username: str, address: str) -> bool:
        return self._or_fallback(
            lambda: super(RedisThrottle, self).attempt(username, address),
            lambda other: other.attempt(username, address),
        )

    def succeeded(self, username: str, address: str) -> None:
        self._or_fallback(
            lambda: super(RedisThrottle, self).succeeded(username, address),
            lambda other: other.succeeded(username, address),
        )

    def _add(self, key: str) -> int:
        pipe = self.client.pipeline()  # MULTI/EXEC: the count and its expiry together
        pipe.incr(f"{self.prefix}:{key}")
        pipe.expire(f"{self.prefix}:{key}", self.window_seconds, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def _take_back(self, key: str) -> None:
        self.client.eval(_TAKE_BACK, 1, f"{self.prefix}:{key}")

    def _forget(self, key: str) -> None:
        self.client.delete(f"{self.prefix}:{key}")


# --- anonymous reads -------------------------------------------------------------------------------

PUBLIC_PER_MINUTE = 60  # a person reading and searching makes a few a minute; a scraper gets the CSV


class PerMinute(Protocol):
    def allow_key(self, key: str, limit: int) -> bool: ...


class PublicRate:
    """Requests to the public page and its files, per client address and minute (the API's fixed-window
    counter: Redis when configured, else the login_counters table). The page's figures come from the
    cache, so the count is the only write an anonymous visitor can cause."""

    def __init__(self, counter: PerMinute, *, per_minute: int = PUBLIC_PER_MINUTE) -> None:
        self.counter, self.per_minute = counter, per_minute

    def allow(self, address: str) -> bool:
        return self.counter.allow_key(f"public:{address[:64]}", self.per_minute)

"""Rate limits of /api/v1: a fixed window of one minute per token.

Counted in Redis when REDIS_URL is set (INCR with the window's expiry, shared by every process),
else in the login_counters table (one atomic upsert); while Redis is unreachable the table takes over.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import redis

from config.clock import now
from data_access import accounts
from data_access.db import Store

log = logging.getLogger("pulse.api")
WINDOW_SECONDS = 60


class ApiRateLimit:
    def __init__(self, store: Store, client: redis.Redis | None = None, *, prefix: str = "pulse:api") -> None:
        self.store, self.client, self.prefix = store, client, prefix

    def allow(self, token_id: int, limit: int) -> bool:
        """Count one call of this token now; False when it is over its limit for this minute."""
        return self.allow_key(f"api:{token_id}", limit)

    def allow_key(self, key: str, limit: int) -> bool:
        """Count one call under ``key`` now; False when the key is over ``limit`` for this minute."""
        return self._count(key) <= limit

    def _count(self, key: str) -> int:
        if self.client is not None:
            try:
                pipe = self.client.pipeline()  # MULTI/EXEC: the count and its expiry together
                pipe.incr(f"{self.prefix}:{key}")
                pipe.expire(f"{self.prefix}:{key}", WINDOW_SECONDS, nx=True)
                count, _ = pipe.execute()
                return int(count)
            except (OSError, redis.RedisError) as error:
                log.warning("API rate limit falls back to the database: %s", error.__class__.__name__)
        with self.store.write() as session:
            return accounts.count_attempt(session, key=key, now=now(), window=timedelta(seconds=WINDOW_SECONDS))

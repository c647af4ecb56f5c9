"""Change signals across app processes: after a write commits, its new data version is announced in
Redis (when REDIS_URL is set), and open pages poll that key instead of the database.

Without Redis, or while Redis is unreachable, the poll reads the version from the database: the
signal is an optimisation, never a single point of failure. Announcements only ever raise the key
(two commits may announce out of order). The key lives one second: a write that did not come through
an app process (a script, another tool) is seen within that second plus one poll, and however many
screens poll, the database answers at most about once a second for all of them.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from sqlalchemy import event
from sqlalchemy.orm import Session

from data_access import changes
from data_access.db import Store

log = logging.getLogger("pulse.signals")
KEY = "pulse:data-version"  # followed by ":" and the database's namespace
LIFETIME_MS = 1000
# Set the key to ARGV[1] (for ARGV[2] ms) only when that is higher than what it holds.
_RAISE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return redis.call('GET', KEYS[1])
"""
_ERRORS: tuple[type[BaseException], ...] = (OSError, redis.RedisError)


class ChangeSignal:
    """Announces committed versions and answers "what is the current version?"."""

    def __init__(self, redis: Any | None, namespace: str = "") -> None:
        self.redis = redis
        # One key per database: two Pulse instances (or test databases) sharing a Redis must not
        # announce their versions to each other.
        self.key = f"{KEY}:{namespace}" if namespace else KEY
        self._raise = redis.register_script(_RAISE) if redis is not None else None

    def announce(self, version: int) -> None:
        if self._raise is None:
            return
        try:
            self._raise(keys=[self.key], args=[version, LIFETIME_MS])
        except _ERRORS as error:  # the database stays the truth; pages fall back to it
            log.warning("change signal not sent: %s", error.__class__.__name__)

    def current(self, store: Store) -> int:
        """The data version: from Redis when it answers, else from the database."""
        if self.redis is not None:
            try:
                held = self.redis.get(self.key)
                if held is not None:
                    return int(held)
            except _ERRORS as error:
                log.warning("change signal unreadable, reading the database: %s", error.__class__.__name__)
                return self._from_database(store)
            version = self._from_database(store)
            self.announce(version)
            return version
        return self._from_database(store)

    @staticmethod
    def _from_database(store: Store) -> int:
        with store.read() as session:
            return changes.current(session)

    def install(self, store: Store) -> None:
        """Announce the version of every committed write of this store."""
        if self.redis is None:
            return

        def after_commit(session: Session) -> None:
            version = session.info.pop(changes.BUMPED_KEY, None)
            if version is not None:
                self.announce(int(version))

        event.listen(store.write_sessions, "after_commit", after_commit)
        event.listen(
            store.write_sessions, "after_soft_rollback", lambda session, _tx: session.info.pop(changes.BUMPED_KEY, None)
        )

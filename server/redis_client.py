"""The optional Redis connection (REDIS_URL): shared cache, change signals, login throttling."""

from __future__ import annotations

from typing import Any


def connect(url: str | None, *, text: bool = True) -> Any | None:
    """A Redis client for the URL (str values when `text`, bytes otherwise), or None without a URL."""
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2, decode_responses=text)

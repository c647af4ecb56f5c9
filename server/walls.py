"""Where a saved playlist's walls stand, for their one-second poll: a Redis GET where REDIS_URL is set
(the key is rewritten when the chair steers or an editor saves), else two primary-key reads. Redis only
ever holds a copy: when it is unreachable or empty the database answers, and the scope check runs on
every read whichever answered.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import datetime
from typing import Any

import redis

from data_access.errors import NotFound
from data_access.queries.playlists import SavedPlaylist, playlist_named, wall_anchor
from data_access.viewer import Viewer
from domain.playlists import Anchor, may_show_playlist
from server.context import current_store, extension

log = logging.getLogger("pulse.walls")
# A copy lives 10 s: an editor's change reaches the walls within that even if a poll that read the old
# playlist re-stores it just after the save dropped it. Steering cannot be lost that way: a copy only
# replaces one with the same or a lower steering count (seq), in one atomic script.
LIFETIME_S = 10
_STORE_IF_NEWER = """
local held = redis.call('GET', KEYS[1])
if held then
  local ok, copy = pcall(cjson.decode, held)
  if ok and tonumber(copy['seq']) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""
_ERRORS: tuple[type[BaseException], ...] = (OSError, redis.RedisError, ValueError, TypeError, KeyError)


def _client_and_key(name: str) -> tuple[Any | None, str]:
    signal = extension("signal")
    return extension("redis"), f"{signal.key if signal is not None else 'pulse'}:wall:{name}"


def _encode(playlist: SavedPlaylist, anchor: Anchor, seq: int) -> str:
    return json.dumps(
        {
            "playlist": {**asdict(playlist), "created_at": playlist.created_at.isoformat()},
            "anchor": {**asdict(anchor), "at": anchor.at.isoformat()},
            "seq": seq,
        }
    )


def _decode(text: str) -> tuple[SavedPlaylist, Anchor, int]:
    held = json.loads(text)
    p = held["playlist"]
    playlist = SavedPlaylist(
        **{**p, "slides": tuple(p["slides"]), "created_at": datetime.fromisoformat(p["created_at"])}
    )
    a = held["anchor"]
    return playlist, Anchor(**{**a, "at": datetime.fromisoformat(a["at"])}), int(held["seq"])


def load_wall(viewer: Viewer, name: str) -> tuple[SavedPlaylist, Anchor, int]:
    """The playlist, its walls' anchor and how often they were steered; NotFound outside the scope."""
    client, key = _client_and_key(name)
    if client is not None:
        try:
            held = client.get(key)
            if held is not None:
                playlist, anchor, seq = _decode(held)
                if not may_show_playlist(viewer, playlist.unit_path):
                    raise NotFound("playlist", name)
                return playlist, anchor, seq
        except _ERRORS as error:
            log.warning("wall position unreadable in Redis, reading the database: %s", error.__class__.__name__)
    return reload_wall(viewer, name)


def reload_wall(viewer: Viewer, name: str) -> tuple[SavedPlaylist, Anchor, int]:
    """Read the wall from the database and refresh Redis's copy (after a steer or a save)."""
    with current_store().read() as session:
        playlist = playlist_named(session, viewer=viewer, name=name)
        anchor, seq = wall_anchor(session, playlist=playlist)
    remember(playlist, anchor, seq)
    return playlist, anchor, seq


def remember(playlist: SavedPlaylist, anchor: Anchor, seq: int) -> None:
    """Put the wall's copy in Redis (after a steer, or after a database read), unless a newer one is there."""
    client, key = _client_and_key(playlist.name)
    if client is None:
        return
    try:
        client.eval(_STORE_IF_NEWER, 1, key, _encode(playlist, anchor, seq), seq, LIFETIME_S)
    except _ERRORS as error:
        log.warning("wall position not stored in Redis: %s", error.__class__.__name__)


def forget(*names: str) -> None:
    """Drop the copies of playlists an editor just saved (renamed ones under both names)."""
    for name in names:
        client, key = _client_and_key(name)
        if client is None:
            continue
        try:
            client.delete(key)
        except _ERRORS as error:
            log.warning("wall copy not dropped in Redis: %s", error.__class__.__name__)

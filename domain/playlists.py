"""The meeting-room wall's saved playlists: what a valid one is, who may edit, show and steer it, and
which slide a wall shows at a given moment.

A wall's position is not written by the wall (the screen account is read-only): it follows from an
anchor (slide `anchor_index` began at `anchor_at`) and the interval, so every wall and companion that
reads the same anchor computes the same slide at the same second. Steering (next, previous, pause)
moves the anchor; nothing else writes it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.access import Viewer
from domain.kinds import Role
from domain.periods import InvalidPeriod, parse_period

SLIDE_NAMES = ("overview", "lagging", "rankings")
THEMES = ("dark", "light")
MIN_INTERVAL, MAX_INTERVAL, DEFAULT_INTERVAL = 5, 600, 20
MAX_SLIDES = 30
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
# Paths under /present that are pages of their own: a playlist may not take their names.
RESERVED_NAMES = frozenset({"companion", "playlists"})
EDITOR_ROLES = frozenset({Role.ADMIN, Role.LEADER})
STEER_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.MANAGER})
SHOW_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.MANAGER, Role.SCREEN})


class Steer:
    NEXT = "next"
    PREVIOUS = "previous"
    PAUSE = "pause"  # toggles: a paused wall resumes

    ALL = ("next", "previous", "pause")


@dataclass(frozen=True)
class PlaylistInput:
    """A playlist as the editor sends it, cleaned."""

    name: str
    title: str
    slides: tuple[str, ...]  # "overview", "lagging", "rankings", "unit:<id>", in the order shown
    interval: int
    theme: str
    period: str  # "" for the current period whenever the wall runs


def clean_playlist(
    *, name: object, title: object, slides: object, units: object, interval: object, theme: object, period: object
) -> tuple[PlaylistInput | None, dict[str, str]]:
    """The cleaned playlist, or None and the problems by field (codes the page turns into words).
    Unit slides follow the named slides, in the order the units were chosen."""
    problems: dict[str, str] = {}
    text = name.strip().lower() if isinstance(name, str) else ""
    if not NAME_PATTERN.fullmatch(text) or text in RESERVED_NAMES:
        problems["name"] = "name_format"
    label = title.strip() if isinstance(title, str) else ""
    if not label or len(label) > 120:
        problems["title"] = "title_length"
    chosen = [s for s in slides if isinstance(s, str)] if isinstance(slides, list) else []
    unit_ids = [u for u in units if isinstance(u, int) and not isinstance(u, bool)] if isinstance(units, list) else []
    if any(s not in SLIDE_NAMES for s in chosen) or len(chosen) != len(set(chosen)):
        problems["slides"] = "slides_unknown"
    ordered = [*dict.fromkeys(chosen), *(f"unit:{u}" for u in dict.fromkeys(unit_ids))]
    if not ordered or len(ordered) > MAX_SLIDES:
        problems.setdefault("slides", "slides_count")
    seconds = interval if isinstance(interval, int) and not isinstance(interval, bool) else None
    if seconds is None or not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        problems["interval"] = "interval_range"
    if theme not in THEMES:
        problems["theme"] = "theme_unknown"
    code = period.strip() if isinstance(period, str) else ""
    if code:
        try:
            code = parse_period(code).code
        except InvalidPeriod:
            problems["period"] = "period_format"
    if problems:
        return None, problems
    return PlaylistInput(text, label, tuple(ordered), seconds or DEFAULT_INTERVAL, str(theme), code), {}


def may_edit_playlist(viewer: Viewer, unit_path: str) -> bool:
    """Leaders and administrators edit the playlists of units inside their scope."""
    return viewer.role in EDITOR_ROLES and viewer.covers_path(unit_path)


def may_show_playlist(viewer: Viewer, unit_path: str) -> bool:
    """A wall opens a playlist made for its own scope, a unit inside it, or a unit above it (a ward's
    screen may run the city's playlist: every slide still shows only the screen's own scope)."""
    related = viewer.covers_path(unit_path) or viewer.scope_path.startswith(unit_path)
    return viewer.role in SHOW_ROLES and related


def may_steer_wall(viewer: Viewer, unit_path: str) -> bool:
    """The chair (a leader, a manager, an administrator) moves a wall whose playlist is in scope."""
    return viewer.role in STEER_ROLES and (viewer.covers_path(unit_path) or viewer.scope_path.startswith(unit_path))


@dataclass(frozen=True)
class Anchor:
    """Where a wall's playlist stands: slide `index` began at `at`; when paused, `remaining` seconds
    of it were left."""

    index: int
    at: datetime
    paused: bool = False
    remaining: int = 0


@dataclass(frozen=True)
class Position:
    index: int
    remaining: int
    paused: bool


def position(anchor: Anchor, *, slides: int, interval: int, now: datetime) -> Position:
    """The slide a wall shows at `now`, and the seconds left on it."""
    count = max(1, slides)
    if anchor.paused:
        return Position(anchor.index % count, max(1, min(interval, anchor.remaining or interval)), True)
    elapsed = max(0.0, (now - anchor.at).total_seconds())
    steps = int(elapsed // interval)
    left = interval - (elapsed - steps * interval)
    return Position((anchor.index + steps) % count, max(1, math.ceil(left)), False)


def steer(anchor: Anchor, action: str, *, slides: int, interval: int, now: datetime) -> Anchor:
    """The anchor after the chair's action: next and previous start the new slide now (a paused wall
    stays paused on it); pause freezes the time left, and a second pause resumes from there."""
    where = position(anchor, slides=slides, interval=interval, now=now)
    count = max(1, slides)
    if action in (Steer.NEXT, Steer.PREVIOUS):
        index = (where.index + (1 if action == Steer.NEXT else -1)) % count
        return Anchor(index, now, paused=where.paused, remaining=interval)
    if action != Steer.PAUSE:
        raise ValueError(f"unknown action {action!r}")
    if where.paused:
        # Resume with the time that was left: the slide "began" that much earlier than now.
        return Anchor(where.index, now - timedelta(seconds=interval - where.remaining))
    return Anchor(where.index, now, paused=True, remaining=where.remaining)

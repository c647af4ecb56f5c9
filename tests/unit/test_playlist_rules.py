"""The wall's playlist rules: what a valid playlist is, who may edit, show and steer it, and which slide
every wall shows at a moment (all walls and the companion compute the same)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.access import Viewer
from domain.kinds import Role
from domain.playlists import (
    Anchor,
    clean_playlist,
    may_edit_playlist,
    may_show_playlist,
    may_steer_wall,
    position,
    steer,
)

T0 = datetime(2026, 12, 7, 8, 0, 0)


def _viewer(role: Role, path: str = "/1/") -> Viewer:
    return Viewer(user_id=1, username="u", role=role, scope_unit_id=1, scope_path=path)


def _clean(**changes: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "name": "giao-ban",
        "title": "Giao ban",
        "slides": ["lagging", "overview"],
        "units": [12, 7, 12],
        "interval": 20,
        "theme": "light",
        "period": "2026-q3",
    }
    values.update(changes)
    return clean_playlist(**values)  # type: ignore[arg-type]


def test_a_clean_playlist_keeps_the_chosen_order_units_after() -> None:
    cleaned, problems = _clean()
    assert problems == {} and cleaned is not None
    assert cleaned.slides == ("lagging", "overview", "unit:12", "unit:7")  # a unit chosen twice shows once
    assert (cleaned.period, cleaned.theme) == ("2026-Q3", "light")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "-x"}, "name"),
        ({"name": "a" * 41}, "name"),
        ({"name": "playlists"}, "name"),
        ({"title": "x" * 121}, "title"),
        ({"slides": ["overview", "overview"]}, "slides"),
        ({"slides": "overview", "units": []}, "slides"),
        ({"interval": 601}, "interval"),
        ({"interval": True}, "interval"),
        ({"interval": "20"}, "interval"),
        ({"theme": None}, "theme"),
        ({"period": "Q3"}, "period"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, object], field: str) -> None:
    cleaned, problems = _clean(**changes)
    assert cleaned is None and field in problems


@pytest.mark.parametrize(
    ("role", "scope", "edit", "show", "steer_it"),
    [
        (Role.ADMIN, "/1/", True, True, True),
        (Role.LEADER, "/1/", True, True, True),
        (Role.MANAGER, "/1/", False, True, True),
        (Role.SCREEN, "/1/", False, True, False),
        (Role.STAFF, "/1/", False, False, False),
        (Role.LEADER, "/1/8/", False, True, True),  # a ward's leader under the city's playlist: shows, not edits
        (Role.LEADER, "/2/", False, False, False),  # another city
    ],
)
def test_who_may_edit_show_and_steer_a_city_playlist(
    role: Role, scope: str, edit: bool, show: bool, steer_it: bool
) -> None:
    viewer = _viewer(role, scope)
    assert may_edit_playlist(viewer, "/1/") is edit
    assert may_show_playlist(viewer, "/1/") is show
    assert may_steer_wall(viewer, "/1/") is steer_it


def test_the_wall_turns_with_the_clock() -> None:
    anchor = Anchor(0, T0)
    assert position(anchor, slides=3, interval=20, now=T0) == position(anchor, slides=3, interval=20, now=T0)
    assert position(anchor, slides=3, interval=20, now=T0 + timedelta(seconds=5)).remaining == 15
    assert position(anchor, slides=3, interval=20, now=T0 + timedelta(seconds=20)).index == 1
    assert position(anchor, slides=3, interval=20, now=T0 + timedelta(seconds=65)).index == 0  # wraps round
    assert position(anchor, slides=3, interval=20, now=T0 - timedelta(seconds=5)).index == 0  # clock skew


def test_steering_next_previous_and_pause() -> None:
    now = T0 + timedelta(seconds=25)  # on slide 1 with 15 s left
    moved = steer(Anchor(0, T0), "next", slides=3, interval=20, now=now)
    assert position(moved, slides=3, interval=20, now=now).index == 2
    assert position(moved, slides=3, interval=20, now=now).remaining == 20  # the new slide gets its full time
    back = steer(Anchor(0, T0), "previous", slides=3, interval=20, now=now)
    assert position(back, slides=3, interval=20, now=now).index == 0
    paused = steer(Anchor(0, T0), "pause", slides=3, interval=20, now=now)
    later = now + timedelta(minutes=10)
    assert position(paused, slides=3, interval=20, now=later) == position(paused, slides=3, interval=20, now=now)
    assert position(paused, slides=3, interval=20, now=later).remaining == 15
    resumed = steer(paused, "pause", slides=3, interval=20, now=later)
    assert position(resumed, slides=3, interval=20, now=later + timedelta(seconds=14)).index == 1
    assert position(resumed, slides=3, interval=20, now=later + timedelta(seconds=15)).index == 2
    with pytest.raises(ValueError):
        steer(Anchor(0, T0), "rewind", slides=3, interval=20, now=now)

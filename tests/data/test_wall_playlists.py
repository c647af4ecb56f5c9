"""The wall's saved playlists on the real store (SQLite and PostgreSQL): a leader saves and edits one
(validated, audited, version-checked), a screen account opens it by name, a manager or staff member
cannot edit it, a ward's screen cannot open another ward's; the chair steers its walls and every
reader computes the same slide."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config.clock import now
from data_access.commands.playlists import PlaylistForm, save_playlist, steer_wall
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid, NotFound
from data_access.models import AuditEntry, OrgUnit
from data_access.queries.playlists import editable_playlists, open_follow_ups, playlist_named, wall_anchor
from data_access.viewer import Viewer
from domain.playlists import position
from tests.support.viewers import demo_viewers


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def _form(**changes: object) -> PlaylistForm:
    values: dict[str, object] = {
        "name": "giao-ban",
        "title": "Giao ban thứ Hai",
        "slides": ["overview", "lagging", "rankings"],
        "units": [],
        "interval": 20,
        "theme": "dark",
        "period": "2026",
    }
    values.update(changes)
    return PlaylistForm(**values)  # type: ignore[arg-type]


def _ward(store: Store, name: str) -> int:
    with store.read() as session:
        return session.execute(select(OrgUnit.id).where(OrgUnit.name == name)).scalar_one()


def test_a_leader_saves_a_playlist_the_screen_opens_by_name(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward = _ward(demo_store, "Phường Hoàn Kiếm")
    saved = save_playlist(demo_store, people["city_leader"], _form(units=[ward]))
    with demo_store.read() as session:
        shown = playlist_named(session, viewer=people["screen"], name="giao-ban")
        listed = editable_playlists(session, viewer=people["city_leader"])
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "playlist.create")).scalar_one()
    assert shown.id == saved and shown.slides == ("overview", "lagging", "rankings", f"unit:{ward}")
    assert (shown.interval, shown.theme, shown.period, shown.title) == (20, "dark", "2026", "Giao ban thứ Hai")
    assert [p.name for p in listed] == ["giao-ban"]
    assert entry.user_id == people["city_leader"].user_id and "giao-ban" in (entry.after_json or "")


def test_editing_checks_the_version_and_is_audited(demo_store: Store, people: dict[str, Viewer]) -> None:
    leader = people["city_leader"]
    saved = save_playlist(demo_store, leader, _form())
    save_playlist(demo_store, leader, _form(playlist_id=saved, version=1, interval=30, theme="light"))
    with pytest.raises(Conflict):  # a second editor still holding version 1
        save_playlist(demo_store, people["admin"], _form(playlist_id=saved, version=1, interval=45))
    with demo_store.read() as session:
        shown = playlist_named(session, viewer=leader, name="giao-ban")
        updates = session.execute(select(AuditEntry).where(AuditEntry.action == "playlist.update")).scalars().all()
    assert (shown.interval, shown.theme, shown.version) == (30, "light", 2)
    assert len(updates) == 1 and '"interval_s": 20' in (updates[0].before_json or "")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "Giao Ban!"}, "name"),
        ({"name": "companion"}, "name"),  # /present/companion is a page of its own
        ({"slides": ["overview", "weather"]}, "slides"),
        ({"slides": [], "units": []}, "slides"),
        ({"interval": 2}, "interval"),
        ({"theme": "neon"}, "theme"),
        ({"period": "2026-Q9"}, "period"),
        ({"title": " "}, "title"),
    ],
)
def test_bad_input_is_refused_field_by_field(
    demo_store: Store, people: dict[str, Viewer], changes: dict[str, object], field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        save_playlist(demo_store, people["city_leader"], _form(**changes))
    assert field in refused.value.problems
    with demo_store.read() as session:
        assert editable_playlists(session, viewer=people["city_leader"]) == []


def test_roles_and_scopes_are_held(demo_store: Store, people: dict[str, Viewer]) -> None:
    for role in ("manager", "staff", "screen"):
        with pytest.raises(Forbidden):
            save_playlist(demo_store, people[role], _form(name=f"by-{role}"))
    city_ward = _ward(demo_store, "Phường Từ Liêm")
    with pytest.raises(Invalid) as outside:  # a ward leader cannot put another ward on its wall
        save_playlist(demo_store, people["ward_leader"], _form(name="hk", units=[city_ward]))
    assert outside.value.problems == {"units": "units_outside_scope"}
    save_playlist(demo_store, people["ward_leader"], _form(name="hk"))
    save_playlist(demo_store, people["city_leader"], _form(name="city"))
    with demo_store.read() as session:
        denied = session.execute(select(AuditEntry).where(AuditEntry.outcome == "denied")).scalars().all()
        assert playlist_named(session, viewer=people["screen"], name="hk").name == "hk"  # the city screen
        assert playlist_named(session, viewer=people["ward_leader"], name="city").name == "city"  # from above
        with pytest.raises(NotFound):
            playlist_named(session, viewer=people["manager"], name="hk")  # a department's manager
    assert {e.action for e in denied} == {"playlist.create"} and len(denied) == 3


def test_the_chair_steers_and_every_reader_sees_the_same_slide(demo_store: Store, people: dict[str, Viewer]) -> None:
    save_playlist(demo_store, people["city_leader"], _form(interval=600))

    def shown() -> tuple[int, bool, int]:
        with demo_store.read() as session:
            playlist = playlist_named(session, viewer=people["screen"], name="giao-ban")
            anchor, seq = wall_anchor(session, playlist=playlist)
        where = position(anchor, slides=3, interval=600, now=now())
        return where.index, where.paused, seq

    start = shown()[0]
    steer_wall(demo_store, people["city_manager"], name="giao-ban", action="next")
    assert shown() == ((start + 1) % 3, False, 1)
    steer_wall(demo_store, people["city_leader"], name="giao-ban", action="pause")
    assert shown() == ((start + 1) % 3, True, 2)
    steer_wall(demo_store, people["city_leader"], name="giao-ban", action="previous")
    assert shown() == (start, True, 3)  # a paused wall stays paused on the slide it was moved to
    steer_wall(demo_store, people["city_leader"], name="giao-ban", action="pause")
    assert shown() == (start, False, 4)
    for role in ("screen", "staff"):
        with pytest.raises((Forbidden, NotFound)):
            steer_wall(demo_store, people[role], name="giao-ban", action="next")
    with demo_store.read() as session:
        moves = session.execute(select(AuditEntry.action).where(AuditEntry.action.like("wall.%"))).scalars().all()
    assert sorted(moves) == ["wall.next", "wall.next", "wall.pause", "wall.pause", "wall.previous"]  # one refused


def test_open_follow_ups_are_found_by_indicator(demo_store: Store, people: dict[str, Viewer]) -> None:
    from data_access.models import Task

    with demo_store.read() as session:
        linked = session.execute(
            select(Task.indicator_id, Task.id).where(Task.indicator_id.is_not(None), Task.status == "open").limit(1)
        ).first()
        assert linked is not None, "the demo has open follow-up tasks"
        found = open_follow_ups(session, viewer=people["city_leader"], indicator_ids=[linked[0], 999_999])
    assert found[linked[0]] >= linked[1] and set(found) == {linked[0]}  # the unknown indicator has none

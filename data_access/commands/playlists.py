"""Writes for the wall's saved playlists: save one (create or edit, version-checked), and steer its
walls (next, previous, pause). Each in one transaction that validates, authorises by role and scope,
writes and audits; refusals are audited in their own."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config.clock import now
from data_access import audit
from data_access.commands.common import Refused, check_version, flush_or_conflict, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import OrgUnit, Playlist, WallState
from data_access.queries.playlists import playlist_named, wall_anchor
from data_access.viewer import Viewer
from domain.playlists import Anchor, Steer, clean_playlist, may_edit_playlist, may_steer_wall, steer

AUDITED = ("name", "title", "unit_id", "slides", "interval_s", "theme", "period_code")


@dataclass(frozen=True)
class PlaylistForm:
    """What the editor sends; `playlist_id` None creates, else edits the version the user saw."""

    name: object
    title: object
    slides: object
    units: object
    interval: object
    theme: object
    period: object
    playlist_id: int | None = None
    version: int | None = None


def save_playlist(store: Store, viewer: Viewer, form: PlaylistForm) -> int:
    """Create or edit a playlist for the viewer's scope unit; returns its id."""
    entity_id = form.playlist_id if form.playlist_id is not None else "new"
    action = "playlist.create" if form.playlist_id is None else "playlist.update"
    cleaned, problems = clean_playlist(
        name=form.name,
        title=form.title,
        slides=form.slides,
        units=form.units,
        interval=form.interval,
        theme=form.theme,
        period=form.period,
    )
    if cleaned is None:
        raise Invalid(problems)
    with (
        refusals_and_conflicts(store, viewer, action=action, entity="playlist", entity_id=entity_id),
        store.write() as session,
    ):
        scope = session.get(OrgUnit, viewer.scope_unit_id)
        if scope is None or not may_edit_playlist(viewer, scope.path):
            raise Refused(f"role {viewer.role.value} may not edit wall playlists")
        unit_ids = [int(s[5:]) for s in cleaned.slides if s.startswith("unit:")]
        units = (
            session.execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(unit_ids))).all() if unit_ids else []
        )
        if len(units) != len(set(unit_ids)) or not all(viewer.covers_path(path) for _, path in units):
            raise Invalid({"units": "units_outside_scope"})
        taken = session.execute(select(Playlist.id).where(Playlist.name == cleaned.name)).scalar_one_or_none()
        if taken is not None and taken != form.playlist_id:
            raise Invalid({"name": "name_taken"})
        moment = now()
        if form.playlist_id is None:
            playlist = Playlist(created_by_id=viewer.user_id, created_at=moment, unit_id=scope.id)
            before = None
            session.add(playlist)
        else:
            found = session.get(Playlist, form.playlist_id, with_for_update=True)
            unit = session.get(OrgUnit, found.unit_id) if found else None
            if found is None or unit is None or not viewer.covers_path(unit.path):
                raise NotFound("playlist", form.playlist_id)
            if not may_edit_playlist(viewer, unit.path):
                raise Refused(f"role {viewer.role.value} may not edit playlist {form.playlist_id}")
            check_version(session, "playlist", found.id, current=found.version, seen=form.version)
            playlist, before = found, audit.snapshot(found, AUDITED)
        playlist.name = cleaned.name
        playlist.title = cleaned.title
        playlist.slides = ",".join(cleaned.slides)
        playlist.interval_s = cleaned.interval
        playlist.theme = cleaned.theme
        playlist.period_code = cleaned.period
        playlist.updated_at = moment
        try:
            flush_or_conflict(session, "playlist", entity_id)
        except IntegrityError:  # the same name saved by someone else a moment ago
            raise Invalid({"name": "name_taken"}) from None
        audit.record(
            session,
            user_id=viewer.user_id,
            action=action,
            entity="playlist",
            entity_id=playlist.id,
            before=before,
            after=audit.snapshot(playlist, AUDITED),
        )
        return playlist.id


@dataclass(frozen=True)
class WallMove:
    """Where the walls stand after a steering action (published to Redis where configured)."""

    playlist_id: int
    anchor: Anchor
    seq: int


def steer_wall(store: Store, viewer: Viewer, *, name: str, action: str) -> WallMove:
    """Move a playlist's walls: next, previous, or pause (a second pause resumes)."""
    if action not in Steer.ALL:
        raise Invalid({"action": "unknown"})
    with (
        refusals_and_conflicts(store, viewer, action=f"wall.{action}", entity="playlist", entity_id=name),
        store.write() as session,
    ):
        playlist = playlist_named(session, viewer=viewer, name=name)
        if not may_steer_wall(viewer, playlist.unit_path):
            raise Refused(f"role {viewer.role.value} may not steer wall {name}")
        # Locked: two chairs pressing "next" at once move the wall twice, never lose a press.
        state = session.get(WallState, playlist.id, with_for_update=True)
        anchor, seq = wall_anchor(session, playlist=playlist)
        moved = steer(anchor, action, slides=len(playlist.slides), interval=playlist.interval, now=now())
        if state is None:
            state = WallState(playlist_id=playlist.id)
            session.add(state)
        state.anchor_index = moved.index
        state.anchor_at = moved.at
        state.paused = moved.paused
        state.remaining_s = moved.remaining
        state.seq = seq + 1
        audit.record(
            session,
            user_id=viewer.user_id,
            action=f"wall.{action}",
            entity="playlist",
            entity_id=playlist.id,
            after={"slide": moved.index, "paused": moved.paused},
        )
        return WallMove(playlist.id, moved, seq + 1)

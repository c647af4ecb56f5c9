"""Reads for the wall's saved playlists: the list an editor manages, one playlist by name for a wall or
a companion, where its walls stand, and which indicators already have an open follow-up task."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.errors import NotFound
from data_access.models import OrgUnit, Playlist, Task, WallState
from data_access.viewer import Viewer
from domain.kinds import TaskStatus
from domain.playlists import NAME_PATTERN, Anchor, may_edit_playlist, may_show_playlist

OPEN_TASK_STATUSES = tuple(s.value for s in TaskStatus if s not in (TaskStatus.DONE, TaskStatus.CANCELLED))


@dataclass(frozen=True)
class SavedPlaylist:
    id: int
    name: str
    title: str
    unit_id: int
    unit_name: str
    unit_path: str
    slides: tuple[str, ...]
    interval: int
    theme: str
    period: str  # "" for the current period
    created_at: datetime
    version: int


def _saved(playlist: Playlist, unit: OrgUnit) -> SavedPlaylist:
    return SavedPlaylist(
        id=playlist.id,
        name=playlist.name,
        title=playlist.title,
        unit_id=unit.id,
        unit_name=unit.name,
        unit_path=unit.path,
        slides=tuple(s for s in playlist.slides.split(",") if s),
        interval=playlist.interval_s,
        theme=playlist.theme,
        period=playlist.period_code,
        created_at=playlist.created_at,
        version=playlist.version,
    )


def editable_playlists(session: Session, *, viewer: Viewer) -> list[SavedPlaylist]:
    """The playlists of units in the viewer's scope that the viewer may edit, by title."""
    rows = session.execute(
        select(Playlist, OrgUnit)
        .join(OrgUnit, OrgUnit.id == Playlist.unit_id)
        .where(OrgUnit.path.startswith(viewer.scope_path, autoescape=True))
        .order_by(Playlist.title, Playlist.id)
    ).all()
    return [_saved(p, u) for p, u in rows if may_edit_playlist(viewer, u.path)]


def playlist_named(session: Session, *, viewer: Viewer, name: str) -> SavedPlaylist:
    """The playlist a wall or a companion opens; NotFound when unknown or not the viewer's to show."""
    if not NAME_PATTERN.fullmatch(name):  # a name no playlist can have (the URL's, forged) is not looked up
        raise NotFound("playlist", name[:40])
    row = session.execute(
        select(Playlist, OrgUnit).join(OrgUnit, OrgUnit.id == Playlist.unit_id).where(Playlist.name == name)
    ).first()
    if row is None or not may_show_playlist(viewer, row[1].path):
        raise NotFound("playlist", name)
    return _saved(*row)


def wall_anchor(session: Session, *, playlist: SavedPlaylist) -> tuple[Anchor, int]:
    """Where the playlist's walls stand, and how many times they were steered (a never-steered playlist
    has run from its first slide since it was created)."""
    state = session.get(WallState, playlist.id)
    if state is None:
        return Anchor(0, playlist.created_at), 0
    return Anchor(state.anchor_index, state.anchor_at, state.paused, state.remaining_s), state.seq


def open_follow_ups(session: Session, *, viewer: Viewer, indicator_ids: Iterable[int]) -> dict[int, int]:
    """For each indicator given, its most recent open follow-up task that the viewer can see (the task's
    assignee unit in scope), as indicator id -> task id."""
    ids = sorted(set(indicator_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Task.indicator_id, Task.id)
        .join(OrgUnit, OrgUnit.id == Task.assignee_unit_id)
        .where(
            Task.indicator_id.in_(ids),
            Task.status.in_(OPEN_TASK_STATUSES),
            OrgUnit.path.startswith(viewer.scope_path, autoescape=True),
        )
        .order_by(Task.id)
    ).all()
    return {int(indicator): int(task) for indicator, task in rows if indicator is not None}


def unit_names(session: Session, *, viewer: Viewer, unit_ids: Iterable[int]) -> dict[int, str]:
    """The names of the given units that lie in the viewer's scope (a playlist's unit slides)."""
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name).where(
            OrgUnit.id.in_(ids), OrgUnit.path.startswith(viewer.scope_path, autoescape=True)
        )
    ).all()
    return {int(uid): name for uid, name in rows}

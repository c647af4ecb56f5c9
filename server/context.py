"""Access to the per-app objects (settings, store, cache) and the current viewer from a request.

Pages and callbacks call these instead of importing globals, so that several apps (tests) can
live in one process and nothing is kept in module state.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_login import current_user

from config.settings import Settings
from data_access.db import Store
from data_access.errors import Forbidden
from data_access.viewer import Viewer, load_viewer

EXTENSION_KEY = "pulse"


def install(server: Any, *, settings: Settings, store: Store, **extras: Any) -> None:
    """Attach the app's settings, store and extras (cache, signals) to a Flask server."""
    server.extensions[EXTENSION_KEY] = {"settings": settings, "store": store, **extras}


def _ext() -> dict[str, Any]:
    return current_app.extensions[EXTENSION_KEY]


def current_settings() -> Settings:
    return _ext()["settings"]


def current_store() -> Store:
    return _ext()["store"]


def extension(name: str) -> Any:
    """An extra object installed with the app (e.g. "cache", "signals")."""
    return _ext().get(name)


def current_viewer() -> Viewer:
    """The logged-in user as a Viewer, loaded once per request; Forbidden when anonymous."""
    if "pulse_viewer" in g:
        return g.pulse_viewer
    if not getattr(current_user, "is_authenticated", False):
        raise Forbidden("not logged in")
    with current_store().read() as session:
        viewer = load_viewer(session, int(current_user.get_id()))
    g.pulse_viewer = viewer
    return viewer

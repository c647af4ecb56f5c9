"""Access to the per-app objects (settings, store, cache) and the current viewer from a request.

Pages and callbacks call these instead of importing globals, so that several apps (tests) can
live in one process and nothing is kept in module state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app, g
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from config.settings import Settings
from data_access.db import SQLITE_BUSY_TIMEOUT_MS, Store
from data_access.errors import Forbidden
from data_access.viewer import Viewer, load_viewer

EXTENSION_KEY = "pulse"
BEST_EFFORT_WAIT_MS = 250  # a bookkeeping write waits this long for the lock, then is skipped

log = logging.getLogger("pulse.context")


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


def best_effort_write(work: Callable[[Session], None], *, wait_ms: int = BEST_EFFORT_WAIT_MS) -> bool:
    """Run a small write that may be skipped (the once-a-minute session touch): wait at most ``wait_ms``
    for the database lock and give up quietly. Returns whether it was written.

    A reader must not pay for bookkeeping: with a writer holding SQLite's lock for 20 s, the touch
    waited out the 15 s busy timeout and turned read-only pages into 503s.
    """
    store = current_store()
    try:
        with store.engine.connect() as connection:
            if store.is_sqlite:
                raw = connection.connection.driver_connection
                raw.execute(f"PRAGMA busy_timeout={int(wait_ms)}")  # before BEGIN IMMEDIATE, which waits for it
            try:
                bind = connection.execution_options(pulse_write=True)
                with store.write_sessions(bind=bind) as session, session.begin():
                    if not store.is_sqlite:
                        session.execute(text(f"SET LOCAL lock_timeout = '{int(wait_ms)}ms'"))
                    work(session)
            finally:
                if store.is_sqlite:
                    raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    except OperationalError as error:
        log.info("skipped a best-effort write: %s", error.__class__.__name__)
        return False
    return True

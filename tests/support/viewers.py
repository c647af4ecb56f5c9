"""The demo's users as the data layer sees them, for data tests."""

from __future__ import annotations

from sqlalchemy import select

from data_access.db import Store
from data_access.models import User
from data_access.seed import DEMO_USERNAMES
from data_access.viewer import Viewer, load_viewer


def viewer_of(store: Store, username: str) -> Viewer:
    """The Viewer of a user name."""
    with store.read() as session:
        user_id = session.execute(select(User.id).where(User.username == username)).scalar_one()
        return load_viewer(session, user_id)


def demo_viewers(store: Store) -> dict[str, Viewer]:
    """Every demo account by its role label (admin, city_leader, manager, staff, ward_staff, ...)."""
    return {role: viewer_of(store, name) for role, name in DEMO_USERNAMES.items()}

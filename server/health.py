"""/health: public, tells load balancers and people whether the app and its database answer."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from server.context import current_store

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():  # type: ignore[no-untyped-def]
    try:
        with current_store().engine.connect() as conn:
            conn.execute(text("SELECT version_num FROM alembic_version"))  # reachable and migrated
    except SQLAlchemyError:
        return jsonify(status="degraded", database="unreachable"), 503
    return jsonify(status="ok", database="ok")

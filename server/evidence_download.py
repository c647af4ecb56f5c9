"""/evidence/<id> and /evidence/<id>/thumb: an evidence file (or its thumbnail) for a viewer who may see the
task or the value it belongs to. Anything else is 404 (audited), so attachment ids cannot be probed. The bytes
come from the evidence store by the key in the attachment's row, never from a path built out of the request.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort

from data_access import audit
from data_access.errors import NotFound
from data_access.evidence_store import EvidenceStore, FolderStore
from data_access.queries.evidence import attachment_file
from domain.evidence import ascii_filename
from server.context import current_settings, current_store, current_viewer, extension

bp = Blueprint("evidence", __name__)
EXTENSION = "evidence_store"


def evidence_store() -> EvidenceStore:
    """The store installed with the app, or the folder the settings name."""
    installed = extension(EXTENSION)
    return installed if installed is not None else FolderStore(current_settings().evidence_dir)


def _serve(attachment_id: int, *, thumbnail: bool) -> Response:
    viewer = current_viewer()
    try:
        with current_store().read() as session:
            found = attachment_file(session, viewer=viewer, attachment_id=attachment_id, thumbnail=thumbnail)
        content = evidence_store().get(found.key)
    except (NotFound, KeyError):
        with current_store().write() as session:
            audit.record(
                session,
                user_id=viewer.user_id,
                action="evidence.open",
                entity="attachment",
                entity_id=attachment_id,
                outcome="denied",
                detail="no such file, or its task or value is outside what the viewer may see",
            )
        abort(404)
    response = Response(content, mimetype=found.mime)
    name = found.filename
    response.headers["Content-Disposition"] = (
        f"inline; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name)}"
    )
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A PDF opens in the browser's viewer; nothing in it may run scripts against the app's origin.
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response


@bp.get("/evidence/<int:attachment_id>")
def download(attachment_id: int) -> Response:
    return _serve(attachment_id, thumbnail=False)


@bp.get("/evidence/<int:attachment_id>/thumb")
def thumbnail(attachment_id: int) -> Response:
    return _serve(attachment_id, thumbnail=True)

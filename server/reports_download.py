"""/reports/download/<id>: a finished report's file, for the viewer who asked for it while its unit is still in
their scope. Anything else is 404 (audited), so report ids cannot be probed; the file comes from the job's
row, never from a path built out of the request."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from data_access.errors import NotFound
from data_access.queries.reports import report_file
from domain.reports import MIME_TYPES
from server.context import current_store, current_viewer

bp = Blueprint("reports", __name__)


@bp.get("/reports/download/<int:job_id>")
def download(job_id: int) -> Response:
    viewer = current_viewer()
    try:
        with current_store().read() as session:
            found = report_file(session, viewer=viewer, job_id=job_id)
    except NotFound:
        from data_access import audit

        with current_store().write() as session:
            audit.record(
                session,
                user_id=viewer.user_id,
                action="report.download",
                entity="report",
                entity_id=job_id,
                outcome="denied",
                detail="not the viewer's report, or its unit is outside the viewer's scope",
            )
        abort(404)
    response = Response(found.content, mimetype=MIME_TYPES[found.format])
    # The name is ours (ASCII, from domain.reports.report_filename), never the request's.
    response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response

"""Asking for a report: the role and the unit's scope checked inside the transaction (refusals audited in
their own), the request checked, the job queued as a row and audited. The caller then hands the job's id
to the queue (server.jobs), once this transaction has committed."""

from __future__ import annotations

from config.clock import now
from data_access import audit
from data_access.commands.common import Refused, refusals_and_conflicts, refuse
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import OrgUnit, ReportJob
from data_access.viewer import Viewer
from domain.reports import may_request_reports, request_problems

ENTITY = "report"
ACTION = "report.request"


def request_report(
    store: Store,
    *,
    viewer: Viewer,
    unit_id: object,
    period_code: object,
    fmt: object,
    language: object,
    template: str = "unit_period",
) -> int:
    """Queue a report of a unit in the viewer's scope; returns the job's id."""
    if not may_request_reports(viewer.role.value):
        raise refuse(
            store,
            viewer,
            action=ACTION,
            entity=ENTITY,
            entity_id=None,
            detail=f"role {viewer.role.value} may not request reports",
        )
    problems = request_problems(period_code=period_code, fmt=fmt, language=language, template=template)
    if not isinstance(unit_id, int) or isinstance(unit_id, bool):
        problems["unit"] = "unknown_choice"
    if problems:
        raise Invalid(problems)
    assert isinstance(unit_id, int) and isinstance(period_code, str)  # noqa: S101 (checked above; types it)
    with refusals_and_conflicts(store, viewer, action=ACTION, entity=ENTITY, entity_id=None), store.write() as session:
        unit = session.get(OrgUnit, unit_id)
        if unit is None:
            raise NotFound("unit", unit_id)
        if not viewer.covers_path(unit.path):
            raise Refused(f"unit {unit_id} is outside the viewer's scope")
        job = ReportJob(
            user_id=viewer.user_id,
            template=template,
            unit_id=unit.id,
            period_code=period_code.strip(),
            format=str(fmt),
            language=str(language),
            status="queued",
            progress=0,
            attempts=0,
            created_at=now(),
        )
        session.add(job)
        session.flush()
        audit.record(
            session,
            user_id=viewer.user_id,
            action=ACTION,
            entity=ENTITY,
            entity_id=job.id,
            after={
                "unit_id": unit.id,
                "period": job.period_code,
                "format": job.format,
                "language": job.language,
                "template": template,
            },
        )
        return job.id

"""Reads of a job position's KPI templates, for the administrators who may manage the position."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.errors import Forbidden, NotFound
from data_access.models import OrgUnit, Position, PositionKpiTemplate
from data_access.viewer import Viewer
from domain.admin_access import may_manage_positions
from domain.position_kpis import template_token


@dataclass(frozen=True)
class TemplateRow:
    id: int
    token: str  # what the page sends back with an edit (domain.position_kpis.template_token)
    code: str
    name: str
    unit_of_measure: str
    direction: str
    baseline: float | None
    target: float | None
    weight: float
    frequency: str
    active: bool


def templates_of_position(session: Session, *, viewer: Viewer, position_id: int) -> list[TemplateRow]:
    """The KPI templates of a position of the viewer's subtree, active ones first, by code."""
    position = session.get(Position, position_id)
    if position is None:
        raise NotFound("position", position_id)
    unit = session.get(OrgUnit, position.unit_id)
    assert unit is not None
    if not may_manage_positions(viewer.role.value, viewer.scope_path, unit.path, viewer.scope_kind):
        raise Forbidden("position outside the viewer's scope", position_id=position_id)
    rows = session.execute(
        select(PositionKpiTemplate)
        .where(PositionKpiTemplate.position_id == position.id)
        .order_by(PositionKpiTemplate.active.desc(), PositionKpiTemplate.code)
    ).scalars()
    return [
        TemplateRow(
            id=r.id,
            token=template_token(r),
            code=r.code,
            name=r.name,
            unit_of_measure=r.unit_of_measure,
            direction=r.direction,
            baseline=r.baseline,
            target=r.target,
            weight=r.weight,
            frequency=r.frequency,
            active=r.active,
        )
        for r in rows
    ]

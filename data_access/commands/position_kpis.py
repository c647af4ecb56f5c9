"""Write commands on a job position's KPI templates: add one, edit it, deactivate it.

Authorised like the positions themselves (domain.admin_access.may_manage_positions on the position's
unit, inside the transaction), audited with before and after. A template has no version column: the
page sends back the token it read (domain.position_kpis.template_token), so a change made on an
outdated copy is a conflict with a clear message, as for every other administration write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.commands.admin_common import require_admin, versioned_change
from data_access.commands.common import Refused, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import OrgUnit, Position, PositionKpiTemplate
from data_access.viewer import Viewer
from domain.admin_access import may_manage_positions
from domain.plan_items import clean
from domain.position_kpis import TemplateDraft, clean_code, template_problems, template_token

ENTITY = "position_kpi_template"
AUDITED = (
    "position_id",
    "code",
    "name",
    "unit_of_measure",
    "direction",
    "baseline",
    "target",
    "weight",
    "frequency",
    "active",
)


@dataclass(frozen=True)
class TemplateState:
    template_id: int
    token: str


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _position(session: Session, viewer: Viewer, position_id: object) -> Position:
    """The position (locked), within the units the viewer may manage positions of."""
    position = session.get(Position, position_id, with_for_update=True) if _is_id(position_id) else None
    if position is None:
        raise NotFound("position", position_id)
    unit = session.get(OrgUnit, position.unit_id)
    assert unit is not None
    if not may_manage_positions(viewer.role.value, viewer.scope_path, unit.path, viewer.scope_kind):
        raise Refused(f"position {position_id} outside the viewer's scope")
    return position


def _taken(session: Session, position_id: int, template_id: int | None) -> set[str]:
    rows = session.execute(
        select(PositionKpiTemplate.code).where(
            PositionKpiTemplate.position_id == position_id, PositionKpiTemplate.id != (template_id or 0)
        )
    ).scalars()
    return set(rows)


def _apply(row: PositionKpiTemplate, draft: TemplateDraft) -> None:
    row.code = clean_code(draft.code)
    row.name = clean(draft.name)
    row.unit_of_measure = clean(draft.unit_of_measure)
    row.direction = draft.direction
    row.baseline = None if draft.baseline is None else float(draft.baseline)
    row.target = None if draft.target is None else float(draft.target)
    row.weight = float(draft.weight)
    row.frequency = draft.frequency


def add_template(store: Store, *, viewer: Viewer, position_id: int, draft: TemplateDraft) -> TemplateState:
    """A new active KPI template of an active position."""
    action = f"{ENTITY}.create"
    require_admin(store, viewer, action=action, entity=ENTITY, entity_id=None)
    with refusals_and_conflicts(store, viewer, action=action, entity=ENTITY, entity_id=None), store.write() as session:
        position = _position(session, viewer, position_id)
        problems = template_problems(draft, taken_codes=_taken(session, position.id, None))
        if not position.active:
            problems["position"] = "position_inactive"
        if problems:
            raise Invalid(problems)
        row = PositionKpiTemplate(position_id=position.id, active=True)
        _apply(row, draft)
        session.add(row)
        session.flush()
        audit.record(
            session,
            user_id=viewer.user_id,
            action=action,
            entity=ENTITY,
            entity_id=row.id,
            after=audit.snapshot(row, AUDITED),
        )
        return TemplateState(row.id, template_token(row))


def edit_template(
    store: Store, *, viewer: Viewer, template_id: int, token: str | None, draft: TemplateDraft
) -> TemplateState:
    """New code, name, numbers, weight or frequency. KPIs already given keep theirs: they are the plan's."""

    def change(session: Session, row: PositionKpiTemplate) -> None:
        problems = template_problems(draft, taken_codes=_taken(session, row.position_id, row.id))
        if problems:
            raise Invalid(problems)
        _apply(row, draft)

    return _act(store, viewer, template_id, token, "edit", change)


def deactivate_template(store: Store, *, viewer: Viewer, template_id: int, token: str | None) -> TemplateState:
    """Nobody placed from now on gets it; the KPIs already given stay in their plans."""

    def change(_session: Session, row: PositionKpiTemplate) -> None:
        if not row.active:
            raise Invalid({"template": "already_inactive_template"})
        row.active = False

    return _act(store, viewer, template_id, token, "deactivate", change)


def _act(
    store: Store,
    viewer: Viewer,
    template_id: int,
    token: str | None,
    verb: str,
    change: Callable[[Session, PositionKpiTemplate], None],
) -> TemplateState:
    """The shared frame (admin_common.versioned_change) around a change of one template; its version is
    the token the page read."""
    return versioned_change(
        store,
        viewer,
        model=PositionKpiTemplate,
        row_id=template_id,
        seen=token,
        version_of=template_token,
        action=f"{ENTITY}.{verb}",
        entity=ENTITY,
        audited=AUDITED,
        authorise=lambda session, row: _position(session, viewer, row.position_id),
        change=lambda session, row, _position_row: change(session, row),
        result=lambda row: TemplateState(row.id, template_token(row)),
        admin=True,
    )

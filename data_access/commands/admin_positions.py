"""Write commands on job positions: create one in a unit, edit it, deactivate it (only when no active
person holds it).

The org tree's frame: the role first (refusals audited), then one transaction that loads the unit or
the position (locked), checks the viewer's subtree and the version the page saw (Position.version),
changes it and audits before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.rulesets import available_rulesets
from data_access import audit
from data_access.commands.admin_common import require_admin, versioned_change
from data_access.commands.common import Refused, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import OrgUnit, Person, Position
from data_access.viewer import Viewer
from domain.admin_access import may_manage_positions
from domain.positions import (
    clean_code,
    clean_task_group,
    clean_text,
    deactivation_problems,
    position_problems,
)

AUDITED = ("unit_id", "code", "name", "task_group", "criteria_set", "is_leader", "active")
ENTITY = "position"


@dataclass(frozen=True)
class PositionInput:
    """A position's fields as typed in the form."""

    name: str = ""
    code: str = ""
    task_group: str = ""
    criteria_set: str = "default"
    is_leader: bool = False


@dataclass(frozen=True)
class PositionState:
    position_id: int
    version: int


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unit(session: Session, viewer: Viewer, unit_id: object) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id) if _is_id(unit_id) else None
    if unit is None:
        raise NotFound("org_unit", unit_id)
    if not may_manage_positions(viewer.role.value, viewer.scope_path, unit.path, viewer.scope_kind):
        raise Refused(f"unit {unit_id} outside the viewer's scope")
    return unit


def _problems(session: Session, fields: PositionInput, unit_id: int, position_id: int | None) -> dict[str, str]:
    problems = position_problems(
        name=fields.name,
        code=fields.code,
        task_group=fields.task_group,
        criteria_set=fields.criteria_set,
        criteria_sets=available_rulesets(),
    )
    if not isinstance(fields.is_leader, bool):
        problems["is_leader"] = "unknown_choice"
    if "code" not in problems:
        taken = session.execute(
            select(Position.id).where(
                Position.unit_id == unit_id, Position.code == clean_code(fields.code), Position.id != (position_id or 0)
            )
        ).first()
        if taken:
            problems["code"] = "code_taken"
    return problems


def _apply(position: Position, fields: PositionInput) -> None:
    position.name = clean_text(fields.name)
    position.code = clean_code(fields.code)
    position.task_group = clean_task_group(fields.task_group)
    position.criteria_set = fields.criteria_set
    position.is_leader = fields.is_leader


def create_position(store: Store, *, viewer: Viewer, unit_id: int | None, fields: PositionInput) -> PositionState:
    """A new active position in an open unit of the viewer's subtree."""
    action = f"{ENTITY}.create"
    require_admin(store, viewer, action=action, entity=ENTITY, entity_id=None)
    with refusals_and_conflicts(store, viewer, action=action, entity=ENTITY, entity_id=None), store.write() as session:
        unit = _unit(session, viewer, unit_id)
        problems = _problems(session, fields, unit.id, None)
        if not unit.active:
            problems["unit"] = "parent_closed"
        if problems:
            raise Invalid(problems)
        position = Position(unit_id=unit.id, active=True)
        _apply(position, fields)
        session.add(position)
        session.flush()
        audit.record(
            session,
            user_id=viewer.user_id,
            action=action,
            entity=ENTITY,
            entity_id=position.id,
            after=audit.snapshot(position, AUDITED),
        )
        return PositionState(position.id, position.version)


def edit_position(
    store: Store, *, viewer: Viewer, position_id: int, version: int | None, fields: PositionInput
) -> PositionState:
    """New name, code, task group, criteria set or leader flag for a position (its unit stays)."""

    def change(session: Session, position: Position) -> None:
        problems = _problems(session, fields, position.unit_id, position.id)
        if problems:
            raise Invalid(problems)
        _apply(position, fields)

    return _act(store, viewer, position_id, version, "edit", change)


def deactivate_position(store: Store, *, viewer: Viewer, position_id: int, version: int | None) -> PositionState:
    """Nobody can be placed in it any more; only when no active person holds it."""

    def change(session: Session, position: Position) -> None:
        holders = session.execute(
            select(func.count()).select_from(Person).where(Person.position_id == position.id, Person.active.is_(True))
        ).scalar_one()
        problems = deactivation_problems(active=position.active, holders=holders)
        if problems:
            raise Invalid(problems, holders=holders)
        position.active = False

    return _act(store, viewer, position_id, version, "deactivate", change)


def _act(
    store: Store,
    viewer: Viewer,
    position_id: int,
    version: int | None,
    verb: str,
    change: Callable[[Session, Position], None],
) -> PositionState:
    """The shared frame (admin_common.versioned_change) around a change of one position."""
    return versioned_change(
        store,
        viewer,
        model=Position,
        row_id=position_id,
        seen=version,
        action=f"{ENTITY}.{verb}",
        entity=ENTITY,
        audited=AUDITED,
        authorise=lambda session, position: _unit(session, viewer, position.unit_id),
        change=lambda session, position, _unit_row: change(session, position),
        result=lambda position: PositionState(position.id, position.version),
        admin=True,
    )

"""Write commands on the org tree: create a department, division or party board under a unit,
rename, move (never under itself), close (only an empty unit).

Each follows the tasks' frame: the role is checked first (refusals audited), the input validated,
then one transaction loads the unit (locked), checks the viewer's subtree and the version the page
saw, changes it and writes the audit entry with before and after. The rollup hooks recompute the
dashboards of the units concerned in that same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.clock import today as clock_today
from data_access import audit, rollups
from data_access.commands.admin_common import audited_change, require_admin
from data_access.commands.common import Refused, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import OrgUnit, Person
from data_access.queries.admin import unit_token
from data_access.viewer import Viewer
from domain.admin_access import may_change_unit, may_manage_unit
from domain.org_changes import (
    child_path,
    clean_name,
    close_problems,
    creation_problems,
    move_problems,
    moved_path,
    name_problems,
)

AUDITED = ("code", "name", "kind", "parent_id", "path", "active")
ENTITY = "org_unit"


@dataclass(frozen=True)
class UnitState:
    """What a command leaves behind: the unit and its new version, for the page to carry on with."""

    unit_id: int
    version: str


def _load(session: Session, viewer: Viewer, unit_id: object, *, itself: bool = False) -> OrgUnit:
    """The unit, locked for this transaction, inside the viewer's subtree; ``itself``: the unit is the one
    to rename, move or close (a delegated administrator's own unit is not), not a parent to put one under."""
    unit = (
        session.get(OrgUnit, unit_id, with_for_update=True)
        if isinstance(unit_id, int) and not isinstance(unit_id, bool)
        else None
    )
    if unit is None:
        raise NotFound(ENTITY, unit_id)
    allowed = may_change_unit if itself else may_manage_unit
    if not allowed(viewer.role.value, viewer.scope_path, unit.path, viewer.scope_kind):
        raise Refused(f"unit {unit_id} outside the viewer's scope")
    return unit


def create_unit(store: Store, *, viewer: Viewer, parent_id: int | None, kind: str, name: str) -> UnitState:
    """A new department, division or party board under a unit of the viewer's subtree."""
    action = f"{ENTITY}.create"
    require_admin(store, viewer, action=action, entity=ENTITY, entity_id=None)
    with refusals_and_conflicts(store, viewer, action=action, entity=ENTITY, entity_id=None), store.write() as session:
        parent = _load(session, viewer, parent_id)
        problems = creation_problems(parent.kind, parent.active, kind, name)
        if problems:
            raise Invalid(problems)
        unit = OrgUnit(
            # Hand-made units have no official code; the parent's code keeps them readable in exports.
            code=f"{parent.code[:27]}-{uuid.uuid4().hex[:12].upper()}",
            name=clean_name(name),
            kind=kind,
            parent_id=parent.id,
            path="",
            depth=parent.depth + 1,
            ruleset=parent.ruleset,
            requires_approval=parent.requires_approval,
            active=True,
        )
        session.add(unit)
        session.flush()
        unit.path = child_path(parent.path, unit.id)
        session.flush()
        audit.record(
            session,
            user_id=viewer.user_id,
            action=action,
            entity=ENTITY,
            entity_id=unit.id,
            after=audit.snapshot(unit, AUDITED),
        )
        return UnitState(unit.id, unit_token(unit))


def rename_unit(store: Store, *, viewer: Viewer, unit_id: int, version: str | None, name: str) -> UnitState:
    """Give a unit a new name (trimmed, not empty)."""
    problems = name_problems(name)

    def change(session: Session, unit: OrgUnit) -> None:
        if problems:
            raise Invalid(problems)
        unit.name = clean_name(name)

    return _act(store, viewer, unit_id, version, "rename", change)


def move_unit(
    store: Store, *, viewer: Viewer, unit_id: int, version: str | None, new_parent_id: int | None
) -> UnitState:
    """Put a unit and its whole subtree under another unit of the viewer's subtree."""

    def change(session: Session, unit: OrgUnit) -> None:
        parent = _load(session, viewer, new_parent_id)
        problems = move_problems(
            unit_path=unit.path,
            unit_kind=unit.kind,
            current_parent_id=unit.parent_id,
            new_parent_id=parent.id,
            new_parent_path=parent.path,
            new_parent_kind=parent.kind,
            new_parent_active=parent.active,
        )
        if problems:
            raise Invalid(problems)
        old_parent, old_prefix = unit.parent_id, unit.path
        new_prefix = child_path(parent.path, unit.id)
        shift = parent.depth + 1 - unit.depth
        subtree = session.execute(
            select(OrgUnit).where(OrgUnit.path.startswith(old_prefix, autoescape=True)).with_for_update()
        ).scalars()
        for member in subtree:
            member.path = moved_path(member.path, old_prefix, new_prefix)
            member.depth += shift
        unit.parent_id = parent.id
        session.flush()
        # The hooks recompute the unit and its new parent's line; the old parent's line loses it here.
        rollups.refresh(session, [], [old_parent] if old_parent else [], today=clock_today())

    return _act(store, viewer, unit_id, version, "move", change)


def close_unit(store: Store, *, viewer: Viewer, unit_id: int, version: str | None) -> UnitState:
    """Close a unit that nobody active works in and whose child units are all closed."""

    def change(session: Session, unit: OrgUnit) -> None:
        people = session.execute(
            select(func.count()).select_from(Person).where(Person.unit_id == unit.id, Person.active.is_(True))
        ).scalar_one()
        children = session.execute(
            select(func.count()).select_from(OrgUnit).where(OrgUnit.parent_id == unit.id, OrgUnit.active.is_(True))
        ).scalar_one()
        problems = close_problems(is_root=unit.parent_id is None, active_people=people, open_children=children)
        if problems:
            raise Invalid(problems, people=people, children=children)
        unit.active = False

    return _act(store, viewer, unit_id, version, "close", change)


def _act(
    store: Store,
    viewer: Viewer,
    unit_id: int,
    version: str | None,
    verb: str,
    change: Callable[[Session, OrgUnit], None],
) -> UnitState:
    """Shared frame: authorise, load and lock, check the version seen, change, audit; one transaction."""
    action = f"{ENTITY}.{verb}"
    require_admin(store, viewer, action=action, entity=ENTITY, entity_id=unit_id)
    with (
        refusals_and_conflicts(store, viewer, action=action, entity=ENTITY, entity_id=unit_id),
        store.write() as session,
    ):
        unit = _load(session, viewer, unit_id, itself=True)
        audited_change(
            session,
            viewer,
            unit,
            action=action,
            entity=ENTITY,
            audited=AUDITED,
            version=version,
            token=unit_token,
            change=change,
        )
        return UnitState(unit.id, unit_token(unit))

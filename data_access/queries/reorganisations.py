"""Reads of reorganisations: the units as they were in a period, and a unit's predecessors and successors.

Scoped to the viewer like every read: a unit's predecessors are part of its history (a viewer who
sees a unit may read the units it was formed from); successors outside the viewer's subtree are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from data_access.models import OrgUnit, UnitSuccession
from data_access.queries.scope import existed_in, unit_in_scope
from data_access.viewer import Viewer, in_scope


@dataclass(frozen=True)
class UnitAsOf:
    id: int
    parent_id: int | None
    name: str
    kind: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class Link:
    """One succession seen from a unit: the unit at the other end, how and since when."""

    unit_id: int
    name: str
    change_kind: str  # merge | split | rename | move
    effective_on: date


@dataclass(frozen=True)
class Lineage:
    unit_id: int
    valid_from: date | None
    valid_to: date | None
    predecessors: tuple[Link, ...]
    successors: tuple[Link, ...]


def units_in_period(session: Session, *, viewer: Viewer, period: str) -> list[UnitAsOf]:
    """The units of the viewer's subtree that existed in the period, as they were named then."""
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.name, OrgUnit.kind, OrgUnit.valid_from, OrgUnit.valid_to)
        .where(in_scope(viewer, OrgUnit.path), existed_in(period))
        .order_by(OrgUnit.depth, OrgUnit.name, OrgUnit.id)
    ).all()
    return [UnitAsOf(*row) for row in rows]


def lineage(session: Session, *, viewer: Viewer, unit_id: int) -> Lineage:
    """Where a unit came from and what it became, with the links the viewer may follow."""
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    other = aliased(OrgUnit)

    def links(mine: Any, theirs: Any, *scoped: Any) -> tuple[Link, ...]:
        rows = session.execute(
            select(other.id, other.name, UnitSuccession.change_kind, UnitSuccession.effective_on)
            .join(other, other.id == theirs)
            .where(mine == unit.id, *scoped)
            .order_by(UnitSuccession.effective_on, other.name, other.id)
        ).all()
        return tuple(Link(*row) for row in rows)

    return Lineage(
        unit.id,
        unit.valid_from,
        unit.valid_to,
        # A visible unit's predecessors are its history, which its viewers may read (queries.scope).
        predecessors=links(UnitSuccession.successor_id, UnitSuccession.predecessor_id),
        successors=links(UnitSuccession.predecessor_id, UnitSuccession.successor_id, in_scope(viewer, other.path)),
    )

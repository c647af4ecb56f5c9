"""Reorganisations with an effective date: merge units, split a unit, rename or move it from a day on.

The rules (and how history is kept) are in domain/reorganisations.py. Here, one transaction per
reorganisation: the role is checked first (refusals audited), every unit concerned is loaded, locked
and checked against the viewer's subtree, the unit the page showed must still be as it saw it, the
rules are checked, then the rows replaced are closed on the day before the effective date, their
successors opened on it and linked, and what the predecessors held from that day is carried over:

- their open child units get a new row under the successor (a 'move' succession), so that a past
  period's subtree of the predecessor stays as it was (a materialised path is the current tree);
- their positions are copied to the successor, their active people placed there from the effective
  date (the old placement closed the day before) and accounts scoped to them scoped to the successor;
- objectives, indicators and evaluations of periods starting on or after the date, and open tasks due
  on or after it, go to the successor; those of earlier periods stay with the predecessor.

A split carries everything to its first part, except the people the assignment sends to another part.
Every row closed or opened is audited with before and after; the rollup hooks recompute the units
concerned and their ancestors before the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config.clock import today as clock_today
from data_access import audit
from data_access.commands.admin_common import require_admin
from data_access.commands.common import Refused, conflict, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import (
    Evaluation,
    Indicator,
    Objective,
    OrgUnit,
    Period,
    Person,
    PersonPlacement,
    Position,
    Task,
    UnitSuccession,
    User,
)
from data_access.queries.admin import unit_token
from data_access.viewer import Viewer
from domain.admin_access import may_change_unit, may_manage_unit
from domain.kinds import OPEN_TASK_STATUSES
from domain.org_changes import child_path, clean_name, move_problems
from domain.reorganisations import (
    MERGE_MAX,
    ChangeKind,
    PeriodSpan,
    UnitVersion,
    dated_code,
    day_before,
    effective_date_problems,
    free_code,
    merge_problems,
    open_unit_problems,
    rename_problems,
    split_assignment_problems,
    split_problems,
)

ENTITY = "org_unit"
AUDITED = ("code", "name", "kind", "parent_id", "path", "active", "valid_from", "valid_to")


@dataclass(frozen=True)
class Reorganised:
    """What a reorganisation leaves behind: the successor rows it opened (a split's in its parts' order)."""

    successor_ids: tuple[int, ...]
    effective_on: date
    people_moved: int
    units_moved: int


@dataclass
class _Carry:
    """What one reorganisation counts and reuses while it carries the predecessors' holdings over."""

    viewer: Viewer
    effective_on: date
    action: str
    positions: dict[tuple[int, int], int] = field(default_factory=dict)  # (old position, unit) -> copy
    people_moved: int = 0
    units_moved: int = 0


# --- the commands -------------------------------------------------------------------------------


def merge_units(
    store: Store,
    *,
    viewer: Viewer,
    unit_ids: Sequence[int],
    version: str | None,
    name: str,
    effective_on: date | None,
    parent_id: int | None = None,
) -> Reorganised:
    """Merge several units into one new unit (named ``name``) from ``effective_on``.

    ``version`` is the first unit's version as the page saw it; the new unit goes under ``parent_id``
    or, by default, under the first unit's parent."""
    first = unit_ids[0] if unit_ids else None

    def work(session: Session, carry: _Carry) -> Reorganised:
        units = _load_all(session, viewer, unit_ids)
        if len(units) < 2:
            raise Invalid({"units": "merge_needs_two"})
        _check_version(session, units[0], version)
        parent = _load(session, viewer, parent_id if parent_id is not None else units[0].parent_id, as_parent=True)
        problems = merge_problems([_version(u) for u in units], name=name, parent=_version(parent))
        _raise(problems, _date_problems(session, effective_on, units))
        assert effective_on is not None  # checked just above
        merged = _open(
            session, carry, template=units[0], name=clean_name(name), parent=parent, code=_new_code(units[0])
        )
        for unit in units:
            _close(session, carry, unit, keep_code=True)
            _link(session, carry, unit, merged, ChangeKind.MERGE)
            _carry_over(session, carry, unit, merged)
        return Reorganised((merged.id,), effective_on, carry.people_moved, carry.units_moved)

    return _reorganise(store, viewer, "merge", first, effective_on, work)


def split_unit(
    store: Store,
    *,
    viewer: Viewer,
    unit_id: int,
    version: str | None,
    names: Sequence[str],
    effective_on: date | None,
    assignment: dict[int, int] | None = None,
) -> Reorganised:
    """Split a unit into new units named ``names`` from ``effective_on``. ``assignment`` sends people
    (person id -> index in ``names``) to a part; everything else goes to the first part."""

    def work(session: Session, carry: _Carry) -> Reorganised:
        unit = _load(session, viewer, unit_id)
        _check_version(session, unit, version)
        people = set(
            session.execute(select(Person.id).where(Person.unit_id == unit.id, Person.active.is_(True))).scalars()
        )
        problems = {
            **split_problems(_version(unit), list(names)),
            **split_assignment_problems(assignment or {}, people=people, parts=len(names)),
        }
        _raise(problems, _date_problems(session, effective_on, [unit]))
        assert unit.parent_id is not None and effective_on is not None  # the rules refuse the root and no date
        parent = _load(session, viewer, unit.parent_id, as_parent=True)
        parts = [
            _open(session, carry, template=unit, name=clean_name(n), parent=parent, code=_new_code(unit)) for n in names
        ]
        _close(session, carry, unit, keep_code=True)
        for part in parts:
            _link(session, carry, unit, part, ChangeKind.SPLIT)
        sent = {person: parts[index] for person, index in (assignment or {}).items()}
        _carry_over(session, carry, unit, parts[0], people_to=sent)
        return Reorganised(tuple(p.id for p in parts), effective_on, carry.people_moved, carry.units_moved)

    return _reorganise(store, viewer, "split", unit_id, effective_on, work)


def rename_unit_from(
    store: Store, *, viewer: Viewer, unit_id: int, version: str | None, name: str, effective_on: date | None
) -> Reorganised:
    """Rename a unit from ``effective_on``; periods before keep the old name (the old row)."""

    def work(session: Session, carry: _Carry) -> Reorganised:
        unit = _load(session, viewer, unit_id)
        _check_version(session, unit, version)
        _raise(rename_problems(_version(unit), unit.name, name), _date_problems(session, effective_on, [unit]))
        assert unit.parent_id is not None and effective_on is not None
        parent = _load(session, viewer, unit.parent_id, as_parent=True)
        code = unit.code
        _close(session, carry, unit, keep_code=False)
        renamed = _open(session, carry, template=unit, name=clean_name(name), parent=parent, code=code)
        _link(session, carry, unit, renamed, ChangeKind.RENAME)
        _carry_over(session, carry, unit, renamed)
        return Reorganised((renamed.id,), effective_on, carry.people_moved, carry.units_moved)

    return _reorganise(store, viewer, "rename_from", unit_id, effective_on, work)


def move_unit_from(
    store: Store,
    *,
    viewer: Viewer,
    unit_id: int,
    version: str | None,
    new_parent_id: int | None,
    effective_on: date | None,
) -> Reorganised:
    """Move a unit under another parent from ``effective_on``; periods before keep it where it was."""

    def work(session: Session, carry: _Carry) -> Reorganised:
        unit = _load(session, viewer, unit_id)
        _check_version(session, unit, version)
        if new_parent_id is None:
            raise Invalid({"parent": "required_choice"})
        parent = _load(session, viewer, new_parent_id, as_parent=True)
        problems = move_problems(
            unit_path=unit.path,
            unit_kind=unit.kind,
            current_parent_id=unit.parent_id,
            new_parent_id=parent.id,
            new_parent_path=parent.path,
            new_parent_kind=parent.kind,
            new_parent_active=parent.active and parent.valid_to is None,
        )
        _raise(open_unit_problems(_version(unit)), problems, _date_problems(session, effective_on, [unit]))
        code = unit.code
        _close(session, carry, unit, keep_code=False)
        moved = _open(session, carry, template=unit, name=unit.name, parent=parent, code=code)
        _link(session, carry, unit, moved, ChangeKind.MOVE)
        _carry_over(session, carry, unit, moved)
        assert effective_on is not None
        return Reorganised((moved.id,), effective_on, carry.people_moved, carry.units_moved)

    return _reorganise(store, viewer, "move_from", unit_id, effective_on, work)


# --- the frame ----------------------------------------------------------------------------------


def _reorganise(
    store: Store,
    viewer: Viewer,
    verb: str,
    unit_id: object,
    effective_on: date | None,
    work: Callable[[Session, _Carry], Reorganised],
) -> Reorganised:
    """Role first (refusals audited), then one transaction: load, authorise, check, write, audit."""
    action = f"{ENTITY}.{verb}"
    require_admin(store, viewer, action=action, entity=ENTITY, entity_id=unit_id)
    with (
        refusals_and_conflicts(store, viewer, action=action, entity=ENTITY, entity_id=unit_id),
        store.write() as session,
    ):
        carry = _Carry(viewer, effective_on or clock_today(), action)
        return work(session, carry)


def _load(session: Session, viewer: Viewer, unit_id: object, *, as_parent: bool = False) -> OrgUnit:
    """A unit, locked for this transaction, that the viewer may reorganise; a parent that new units go
    under need only lie in the viewer's subtree (a ward's unit administrator merges two of its divisions
    under the ward, but does not reorganise the ward itself)."""
    unit = (
        session.get(OrgUnit, unit_id, with_for_update=True)
        if isinstance(unit_id, int) and not isinstance(unit_id, bool)
        else None
    )
    if unit is None:
        raise NotFound(ENTITY, unit_id)
    rule = may_manage_unit if as_parent else may_change_unit
    if not rule(viewer.role.value, viewer.scope_path, unit.path, viewer.scope_kind):
        raise Refused(f"unit {unit_id} outside the viewer's scope")
    return unit


def _load_all(session: Session, viewer: Viewer, unit_ids: Sequence[object]) -> list[OrgUnit]:
    """Every unit named, in the order given (locked lowest id first, as every writer does)."""
    if not isinstance(unit_ids, (list, tuple)):
        raise Invalid({"units": "merge_needs_two"})
    if len(unit_ids) > MERGE_MAX:  # before locking each of them
        raise Invalid({"units": "merge_too_many"})
    wanted = [u for u in unit_ids if isinstance(u, int) and not isinstance(u, bool)]
    if len(wanted) != len(unit_ids):
        raise NotFound(ENTITY, next(u for u in unit_ids if u not in wanted))
    loaded = {u: _load(session, viewer, u) for u in sorted(set(wanted))}
    return [loaded[u] for u in wanted]


def _check_version(session: Session, unit: OrgUnit, version: str | None) -> None:
    if version != unit_token(unit):
        raise conflict(session, ENTITY, unit.id)


def _version(unit: OrgUnit) -> UnitVersion:
    return UnitVersion(unit.id, unit.kind, unit.path, unit.parent_id, unit.active, unit.valid_from, unit.valid_to)


def _date_problems(session: Session, effective_on: date | None, units: Sequence[OrgUnit]) -> dict[str, str]:
    periods = [
        PeriodSpan(p.start_date, p.end_date, p.locked)
        for p in session.execute(select(Period.start_date, Period.end_date, Period.locked))
    ]
    return effective_date_problems(
        effective_on, today=clock_today(), periods=periods, units=[_version(u) for u in units]
    )


def _raise(*problem_maps: dict[str, str]) -> None:
    problems: dict[str, str] = {}
    for found in problem_maps:
        for key, code in found.items():
            problems.setdefault(key, code)
    if problems:
        raise Invalid(problems)


def _new_code(template: OrgUnit) -> str:
    # Like a unit made by hand: the predecessor's code keeps the new one readable in exports.
    return f"{template.code[:27]}-{uuid.uuid4().hex[:12].upper()}"


# --- rows closed, opened and linked -------------------------------------------------------------


def _close(session: Session, carry: _Carry, unit: OrgUnit, *, keep_code: bool) -> None:
    """End a row on the day before the effective date. A row whose successor takes over its code
    (rename, move) gives the code up for a dated one; a merged or split unit keeps its own."""
    before = audit.snapshot(unit, AUDITED)
    unit.valid_to = day_before(carry.effective_on)
    unit.active = False
    if not keep_code:
        unit.code = dated_code(unit.code, carry.effective_on)
    session.flush()
    audit.record(
        session,
        user_id=carry.viewer.user_id,
        action=carry.action,
        entity=ENTITY,
        entity_id=unit.id,
        before=before,
        after=audit.snapshot(unit, AUDITED),
        detail="closed",
    )


def _open(session: Session, carry: _Carry, *, template: OrgUnit, name: str, parent: OrgUnit, code: str) -> OrgUnit:
    """A successor row under ``parent`` from the effective date, set up like ``template``."""
    unit = OrgUnit(
        code=code,
        official_code=template.official_code if code == template.code else None,
        name=name,
        kind=template.kind,
        parent_id=parent.id,
        path="",
        depth=parent.depth + 1,
        weight=template.weight,
        requires_approval=template.requires_approval,
        ruleset=template.ruleset,
        active=True,
        valid_from=carry.effective_on,
    )
    session.add(unit)
    session.flush()
    unit.path = child_path(parent.path, unit.id)
    session.flush()
    audit.record(
        session,
        user_id=carry.viewer.user_id,
        action=carry.action,
        entity=ENTITY,
        entity_id=unit.id,
        after=audit.snapshot(unit, AUDITED),
        detail=f"opened, successor of {template.id}",
    )
    return unit


def _link(session: Session, carry: _Carry, predecessor: OrgUnit, successor: OrgUnit, kind: ChangeKind) -> None:
    session.add(
        UnitSuccession(
            predecessor_id=predecessor.id,
            successor_id=successor.id,
            change_kind=kind.value,
            effective_on=carry.effective_on,
            recorded_by_id=carry.viewer.user_id,
        )
    )


# --- what the predecessor held, carried over ----------------------------------------------------


def _carry_over(
    session: Session, carry: _Carry, old: OrgUnit, new: OrgUnit, *, people_to: dict[int, OrgUnit] | None = None
) -> None:
    """Move what ``old`` holds from the effective date on to ``new`` (see the module's note), and audit
    what went where in one entry on ``old``."""
    day = carry.effective_on
    later_periods = select(Period.id).where(Period.start_date >= day).scalar_subquery()
    for position in session.execute(
        select(Position).where(Position.unit_id == old.id, Position.active.is_(True))
    ).scalars():
        _position_copy(session, carry, position, new)
    placed = _move_people(session, carry, old, new, people_to or {})
    for position in session.execute(
        select(Position).where(Position.unit_id == old.id, Position.active.is_(True))
    ).scalars():
        position.active = False
    objectives = list(
        session.execute(
            select(Objective).where(Objective.unit_id == old.id, Objective.period_id.in_(later_periods))
        ).scalars()
    )
    for objective in objectives:
        objective.unit_id = new.id
    taken = set(session.execute(select(Indicator.code).where(Indicator.unit_id == new.id)).scalars())
    indicators = list(
        session.execute(
            select(Indicator).where(Indicator.unit_id == old.id, Indicator.period_id.in_(later_periods))
        ).scalars()
    )
    for indicator in indicators:
        indicator.code = free_code(indicator.code, taken, old.id)
        taken.add(indicator.code)
        indicator.unit_id = new.id
    for evaluation in session.execute(
        select(Evaluation).where(Evaluation.unit_id == old.id, Evaluation.period_id.in_(later_periods))
    ).scalars():
        evaluation.unit_id = placed.get(evaluation.person_id or 0, new).id
    open_statuses = [s.value for s in OPEN_TASK_STATUSES]
    tasks = list(
        session.execute(
            select(Task).where(Task.assignee_unit_id == old.id, Task.status.in_(open_statuses), Task.due_date >= day)
        ).scalars()
    )
    for task in tasks:
        # A person's task follows the person (a split may send them to another part).
        task.assignee_unit_id = placed.get(task.assignee_person_id or 0, new).id
    accounts = list(session.execute(select(User.id).where(User.scope_unit_id == old.id)).scalars())
    # Accounts are not rows the rollup hooks watch; one statement moves their scope.
    session.execute(update(User).where(User.scope_unit_id == old.id).values(scope_unit_id=new.id))
    session.flush()
    audit.record(
        session,
        user_id=carry.viewer.user_id,
        action=carry.action,
        entity=ENTITY,
        entity_id=old.id,
        after={
            "people": {str(person): unit.id for person, unit in placed.items()},
            "accounts": accounts,
            "objectives": [o.id for o in objectives],
            "indicators": [i.id for i in indicators],
            "tasks": [t.id for t in tasks],
            "positions": {str(k[0]): v for k, v in carry.positions.items() if k[1] == new.id},
        },
        detail=f"carried over to {new.id} from {day.isoformat()}",
    )
    children = session.execute(
        select(OrgUnit)
        .where(OrgUnit.parent_id == old.id, OrgUnit.active.is_(True), OrgUnit.valid_to.is_(None))
        .order_by(OrgUnit.id)
        .with_for_update()
    ).scalars()
    for child in list(children):
        if child.valid_from is not None and child.valid_from >= day:
            # A unit below that only starts on or after the date (an earlier dated move brought it in):
            # its row cannot end before it begins.
            raise Invalid({"effective_on": "before_unit_start"})
        code = child.code
        _close(session, carry, child, keep_code=False)
        copy = _open(session, carry, template=child, name=child.name, parent=new, code=code)
        _link(session, carry, child, copy, ChangeKind.MOVE)
        carry.units_moved += 1
        _carry_over(session, carry, child, copy)


def _position_copy(session: Session, carry: _Carry, position: Position, unit: OrgUnit) -> int:
    """The copy of a position in a successor unit (made once per reorganisation)."""
    key = (position.id, unit.id)
    if key not in carry.positions:
        taken = set(session.execute(select(Position.code).where(Position.unit_id == unit.id)).scalars())
        copy = Position(
            unit_id=unit.id,
            code=free_code(position.code, taken, position.unit_id),
            name=position.name,
            task_group=position.task_group,
            criteria_set=position.criteria_set,
            is_leader=position.is_leader,
            active=True,
        )
        session.add(copy)
        session.flush()
        carry.positions[key] = copy.id
    return carry.positions[key]


def _move_people(
    session: Session, carry: _Carry, old: OrgUnit, new: OrgUnit, people_to: dict[int, OrgUnit]
) -> dict[int, OrgUnit]:
    """Close each active person's placement in ``old`` the day before and open one in its successor;
    returns where each person went."""
    placed: dict[int, OrgUnit] = {}
    day, last = carry.effective_on, day_before(carry.effective_on)
    people = session.execute(
        select(Person).where(Person.unit_id == old.id, Person.active.is_(True)).order_by(Person.id)
    ).scalars()
    for person in list(people):
        target = people_to.get(person.id, new)
        position = session.get(Position, person.position_id) if person.position_id is not None else None
        position_id = _position_copy(session, carry, position, target) if position is not None else None
        open_rows = list(
            session.execute(
                select(PersonPlacement).where(
                    PersonPlacement.person_id == person.id, PersonPlacement.valid_to.is_(None)
                )
            ).scalars()
        )
        for row in open_rows:
            if row.valid_from <= last:
                row.valid_to = last
            else:  # a placement that only starts later moves along with the person
                row.unit_id, row.position_id = target.id, position_id
        if not open_rows:
            # People placed before placements were recorded: their time in the old unit, as far as known.
            start = min(person.start_date or last, last)
            session.add(
                PersonPlacement(
                    person_id=person.id, unit_id=old.id, position_id=person.position_id, valid_from=start, valid_to=last
                )
            )
        if not any(row.valid_from >= day for row in open_rows):
            session.add(
                PersonPlacement(person_id=person.id, unit_id=target.id, position_id=position_id, valid_from=day)
            )
        person.unit_id, person.position_id = target.id, position_id
        placed[person.id] = target
        carry.people_moved += 1
    return placed

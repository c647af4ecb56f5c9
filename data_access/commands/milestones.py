"""Milestones of an action plan (an indicator of direction "milestones"): add, edit, mark done or not.

Adding and editing a milestone is planning: a leader, manager or administrator whose scope covers the
indicator's unit does it. Marking one done (or undone) is reporting: the indicator's owner may do it
too, like entering a value. Each write checks the version the user saw, is audited with before and
after, and the rollup hooks recompute the plan's progress (done / total) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.clock import today as clock_today
from data_access import audit
from data_access.commands.admin_common import versioned_change
from data_access.commands.common import Refused, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import Indicator, Milestone, OrgUnit, Period, Person
from data_access.viewer import Viewer
from domain.access import may_enter
from domain.indicators import Direction
from domain.milestones import done_problems, milestone_problems

AUDITED = ("indicator_id", "title", "due_on", "owner_person_id", "done_on", "position", "version")


@dataclass(frozen=True)
class MilestoneState:
    milestone_id: int
    version: int


def _plan(session: Session, viewer: Viewer, indicator_id: int, *, planning: bool) -> tuple[Indicator, OrgUnit, int]:
    """The action plan, its unit and year, once the viewer is known to answer for it."""
    indicator = session.get(Indicator, indicator_id)
    unit = session.get(OrgUnit, indicator.unit_id) if indicator else None
    year = session.get(Period, indicator.period_id) if indicator else None
    if indicator is None or unit is None or year is None:
        raise NotFound("indicator", indicator_id)
    allowed = (
        viewer.can_write and viewer.covers_path(unit.path)
        if planning
        else may_enter(viewer, owner_person_id=indicator.owner_person_id, unit_path=unit.path)
    )
    if not allowed:
        raise Refused(f"{'plan' if planning else 'report'} the milestones of indicator {indicator_id}")
    if indicator.direction != Direction.MILESTONES.value:
        raise Invalid({"indicator": "not_milestones"})
    return indicator, unit, year.year


def _owner(session: Session, unit: OrgUnit, person_id: int | None) -> int | None:
    """A milestone's owner must work in the plan's unit or below it."""
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    home = session.get(OrgUnit, person.unit_id) if person else None
    if home is None or not home.path.startswith(unit.path):
        raise Invalid({"owner": "person_not_in_unit"})
    return person_id


def add_milestone(
    store: Store,
    *,
    viewer: Viewer,
    indicator_id: int,
    title: str,
    due_on: date | None,
    owner_person_id: int | None = None,
) -> MilestoneState:
    """Add a milestone at the end of the plan."""
    with (
        refusals_and_conflicts(store, viewer, action="milestone.add", entity="indicator", entity_id=indicator_id),
        store.write() as session,
    ):
        _indicator, unit, year = _plan(session, viewer, indicator_id, planning=True)
        problems = milestone_problems(title or "", due_on, year=year)
        if problems:
            raise Invalid(problems)
        last = session.execute(
            select(func.max(Milestone.position)).where(Milestone.indicator_id == indicator_id)
        ).scalar_one()
        milestone = Milestone(
            indicator_id=indicator_id,
            title=title.strip(),
            due_on=due_on,
            owner_person_id=_owner(session, unit, owner_person_id),
            position=0 if last is None else last + 1,
        )
        session.add(milestone)
        session.flush()
        audit.record(
            session,
            user_id=viewer.user_id,
            action="milestone.add",
            entity="milestone",
            entity_id=milestone.id,
            after=audit.snapshot(milestone, AUDITED),
        )
        return MilestoneState(milestone.id, milestone.version)


def edit_milestone(
    store: Store,
    *,
    viewer: Viewer,
    milestone_id: int,
    version: int | None,
    title: str,
    due_on: date | None,
    owner_person_id: int | None = None,
) -> MilestoneState:
    """Change a milestone's title, due date or owner."""

    def change(session: Session, milestone: Milestone, unit: OrgUnit, year: int) -> None:
        problems = milestone_problems(title or "", due_on, year=year)
        if problems:
            raise Invalid(problems)
        milestone.title = title.strip()
        milestone.due_on = due_on  # type: ignore[assignment]  # checked above
        milestone.owner_person_id = _owner(session, unit, owner_person_id)

    return _change(store, viewer, milestone_id, version, "milestone.edit", change, planning=True)


def mark_done(
    store: Store, *, viewer: Viewer, milestone_id: int, version: int | None, done_on: date | None
) -> MilestoneState:
    """Record the day a milestone was done (None: it is not done after all)."""

    def change(session: Session, milestone: Milestone, unit: OrgUnit, year: int) -> None:
        problems = done_problems(done_on, today=clock_today(), year=year)
        if problems:
            raise Invalid(problems)
        milestone.done_on = done_on

    return _change(store, viewer, milestone_id, version, "milestone.done", change, planning=False)


def _change(
    store: Store,
    viewer: Viewer,
    milestone_id: int,
    version: int | None,
    action: str,
    change: Callable[[Session, Milestone, OrgUnit, int], None],
    *,
    planning: bool,
) -> MilestoneState:
    """The shared frame (admin_common.versioned_change): the viewer answers for the plan, the version is
    the one seen, the change is audited with before and after."""

    def authorise(session: Session, milestone: Milestone) -> tuple[OrgUnit, int]:
        _indicator, unit, year = _plan(session, viewer, milestone.indicator_id, planning=planning)
        return unit, year

    return versioned_change(
        store,
        viewer,
        model=Milestone,
        row_id=milestone_id,
        seen=version,
        action=action,
        entity="milestone",
        audited=AUDITED,
        authorise=authorise,
        change=lambda session, milestone, at: change(session, milestone, *at),
        result=lambda milestone: MilestoneState(milestone.id, milestone.version),
    )

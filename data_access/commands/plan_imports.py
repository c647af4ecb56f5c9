"""The writes of a plan import (data_access.plan_imports), inside the transaction of one import chunk:
the plan it goes into, loaded and authorised there (a Refused becomes an audited Forbidden once the
chunk is rolled back), what the file's objectives and key results would change, and the change itself,
audited like the same edit made on the page (data_access.commands.plans, whose rules it shares).

An objective is matched by its title in the unit's plan of the year, a key result by its name under
its objective: what is the same is left alone (a file imported twice writes nothing the second time),
what differs is updated, what is new is added as a draft. An approved item keeps its numbers: changing
them asks for a change request, as on the page.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.commands.common import Refused, flush_or_conflict
from data_access.commands.plans import (
    _apply,
    _audit,
    _indicator_checks,
    _numbers_of,
    _plan_for,
    _reopen,
    _replace_trajectory,
    _snap,
    _trajectory,
    _year_period,
)
from data_access.errors import NotFound
from data_access.models import Indicator, Objective, OrgUnit, Person, Plan
from data_access.models import Period as PeriodRow
from data_access.viewer import Viewer
from domain.kinds import PlanStatus
from domain.plan_cycle import may_author, parent_unit_id
from domain.plan_items import IndicatorDraft, ObjectiveDraft, clean, objective_problems

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class Target:
    """The plan a file goes into, with what it already holds (matched by title and name)."""

    unit: OrgUnit
    period: PeriodRow
    plan: Plan | None
    objectives: dict[str, Objective]  # by title, case-folded
    key_results: dict[tuple[int, str], Indicator]  # by (objective id, name case-folded)
    people: dict[str, int | None]  # active people of the unit's subtree by name (None: two share it)
    parents: dict[str, int]  # approved objectives of the level above by title


def key(text: object) -> str:
    """How titles and names are matched: spaces made one, case ignored."""
    return clean(text).casefold()


def load_target(session: Session, viewer: Viewer, *, unit_id: int, period_code: str) -> Target:
    """The unit's plan of the year (locked: the chunk's writes see what they checked), refused unless
    the viewer may write that unit's plan."""
    unit = session.get(OrgUnit, unit_id) if isinstance(unit_id, int) else None
    if unit is None:
        raise NotFound("unit", unit_id)
    if not may_author(viewer, unit.path):
        raise Refused(f"{viewer.role.value} may not import the plan of unit {unit.id}")
    period = _year_period(session, period_code)
    plan = _plan_for(session, unit.id, period.id, create=False)
    objectives = {
        key(o.title): o
        for o in session.execute(
            select(Objective)
            .where(Objective.unit_id == unit.id, Objective.period_id == period.id)
            .order_by(Objective.id)
        ).scalars()
    }
    ids = [o.id for o in objectives.values()]
    key_results = {
        (i.objective_id, key(i.name)): i
        for i in session.execute(
            select(Indicator).where(Indicator.objective_id.in_(ids)).order_by(Indicator.id)
        ).scalars()
        if i.objective_id is not None
    }
    people: dict[str, int | None] = {}
    for person_id, name in session.execute(
        select(Person.id, Person.full_name)
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .where(OrgUnit.path.startswith(unit.path, autoescape=True), Person.active.is_(True))
    ):
        people[key(name)] = None if key(name) in people else person_id
    above = parent_unit_id(unit.path)
    parents = (
        {
            key(title): objective_id
            for objective_id, title in session.execute(
                select(Objective.id, Objective.title).where(
                    Objective.unit_id == above, Objective.period_id == period.id, Objective.published.is_(True)
                )
            )
        }
        if above is not None
        else {}
    )
    return Target(unit, period, plan, objectives, key_results, people, parents)


def plan_problems(target: Target) -> dict[str, str]:
    """A submitted plan is frozen until decided: nothing of a file goes into it."""
    if target.plan is not None and target.plan.status == PlanStatus.SUBMITTED.value:
        return {"plan": "plan_locked"}
    return {}


def owner_id(target: Target, name: object) -> tuple[int | None, dict[str, str]]:
    """The person a file names as owner (None for no one), or the problem with the name."""
    if not key(name):
        return None, {}
    found = target.people.get(key(name), -1)
    if found is None:
        return None, {"owner": "owner_ambiguous"}
    if found == -1:
        return None, {"owner": "owner_unknown"}
    return found, {}


def parent_id(target: Target, title: object) -> tuple[int | None, dict[str, str]]:
    if not key(title):
        return None, {}
    found = target.parents.get(key(title))
    return (found, {}) if found is not None else (None, {"parent_objective_id": "parent_not_in_approved_plan"})


def objective_verdict(target: Target, draft: ObjectiveDraft) -> tuple[str, dict[str, str]]:
    """What the draft would do to the plan (create, update, unchanged) and what stops it."""
    problems = objective_problems(draft)
    existing = target.objectives.get(key(draft.title))
    if existing is None:
        return CREATE, problems
    same = (
        existing.source_kind == draft.source_kind
        and (existing.source_ref or "") == clean(draft.source_ref)
        and math.isclose(existing.weight, float(draft.weight or 0))
        and existing.owner_person_id == draft.owner_person_id
        and existing.parent_objective_id == draft.parent_objective_id
    )
    if same:
        return UNCHANGED, problems
    if existing.published and not math.isclose(existing.weight, float(draft.weight or 0)):
        problems.setdefault("weight", "approved_weight_fixed")
    return UPDATE, problems


def _same_points(old: Iterable[tuple[date, float]], new: Iterable[tuple[date, float]]) -> bool:
    old, new = sorted(old), sorted(new)
    return len(old) == len(new) and all(a == c and math.isclose(b, d) for (a, b), (c, d) in zip(old, new, strict=True))


def _close(a: float | None, b: float | None) -> bool:
    return a == b or (a is not None and b is not None and math.isclose(a, b))


def key_result_verdict(
    session: Session, target: Target, objective_id: int | None, draft: IndicatorDraft
) -> tuple[str, dict[str, str]]:
    """What the key result would do under its objective (None: an objective the file adds)."""
    problems = _indicator_checks(session, draft, target.unit, target.period)
    existing = target.key_results.get((objective_id, key(draft.name))) if objective_id is not None else None
    if existing is None:
        return CREATE, problems
    numbers_same = existing.direction == draft.direction and all(
        _close(a, b) for a, b in zip(_numbers_of(existing).values(), _numbers_of(draft).values(), strict=True)
    )
    numbers_same = (
        numbers_same
        and _close(existing.min_value, draft.min_value)
        and _close(existing.max_value, draft.max_value)
        and _same_points(_trajectory(session, existing.id), draft.trajectory)
    )
    rest_same = (
        existing.unit_of_measure == clean(draft.unit_of_measure)
        and existing.accumulation == draft.accumulation
        and existing.frequency == draft.frequency
        and existing.owner_person_id == draft.owner_person_id
        and bool(existing.evidence_required) == bool(draft.evidence_required)
        and existing.data_source == draft.data_source
    )
    if numbers_same and rest_same:
        return UNCHANGED, problems
    if existing.published and not numbers_same:
        problems.setdefault("target", "change_request_needed")
    return UPDATE, problems


def _draft_plan(session: Session, viewer: Viewer, target: Target) -> None:
    """The plan the file's items go into: made as a draft when missing; an approved one is amended
    (back to draft until approved again), as when an objective is added on the page."""
    if target.plan is None:
        target.plan = _plan_for(session, target.unit.id, target.period.id, create=True)
    assert target.plan is not None
    _reopen(session, viewer, target.plan)


def write_objective(session: Session, viewer: Viewer, target: Target, draft: ObjectiveDraft) -> int:
    """Add the objective, or update the one of the same title (an approved one's weight stays)."""
    _draft_plan(session, viewer, target)
    existing = target.objectives.get(key(draft.title))
    if existing is None:
        existing = Objective(
            unit_id=target.unit.id,
            period_id=target.period.id,
            title=clean(draft.title),
            published=False,
        )
        before = None
    else:
        before = _snap(existing)
    existing.source_kind = draft.source_kind
    existing.source_ref = clean(draft.source_ref) or None
    existing.parent_objective_id = draft.parent_objective_id
    existing.owner_person_id = draft.owner_person_id
    if not existing.published:
        existing.weight = float(draft.weight)
    if before is None:
        session.add(existing)
        session.flush()
        target.objectives[key(draft.title)] = existing
    else:
        flush_or_conflict(session, "objective", existing.id)
    action = "objective.create" if before is None else "objective.edit"
    _audit(session, viewer, action, "objective", existing.id, before, {**_snap(existing), "source": "import"})
    return existing.id


def write_key_result(session: Session, viewer: Viewer, target: Target, objective_id: int, draft: IndicatorDraft) -> int:
    """Add the key result under its objective with its trajectory, or update the one of the same name
    (an approved one's numbers and trajectory stay: they change through a change request)."""
    _draft_plan(session, viewer, target)
    existing = target.key_results.get((objective_id, key(draft.name)))
    if existing is None:
        existing = Indicator(
            unit_id=target.unit.id,
            period_id=target.period.id,
            objective_id=objective_id,
            code=f"KR-{uuid.uuid4().hex[:10].upper()}",
            published=False,
        )
        _apply(existing, draft, numbers=True)
        session.add(existing)
        session.flush()
        target.key_results[(objective_id, key(draft.name))] = existing
        before = None
    else:
        before = {**_snap(existing), "trajectory": _trajectory(session, existing.id)}
        _apply(existing, draft, numbers=not existing.published)
        flush_or_conflict(session, "indicator", existing.id)
    if not existing.published:
        _replace_trajectory(session, existing.id, list(draft.trajectory))
        session.flush()
    after = {**_snap(existing), "trajectory": _trajectory(session, existing.id), "source": "import"}
    action = "indicator.create" if before is None else "indicator.edit"
    _audit(session, viewer, action, "indicator", existing.id, before, after)
    return existing.id

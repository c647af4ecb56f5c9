"""Task points of people for a period, each under the rule set of the person's own unit.

The person page, the rankings and the evaluations all score the same products the same way: the tasks
assigned to the person and due in the period, not cancelled, each read by TaskLine.as_outcome, scored by
domain.evaluation.task_result under the unit's rule set (the party board runs Regulation 366, a
department Decree 335; an agency may ship its own).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.rulesets import load_ruleset
from data_access.models import OrgUnit, Person, Task
from data_access.queries.evaluations import task_line
from domain.evaluation import TaskOutcome, TaskResult, task_result
from domain.kinds import TaskStatus
from domain.rulesets import RuleSet

RuleSets = Callable[[str], RuleSet]


def task_points(
    session: Session,
    *,
    person_ids: Collection[int],
    start: date,
    end: date,
    rulesets: RuleSets = load_ruleset,
) -> dict[int, TaskResult]:
    """Each person's task result from the tasks due between start and end (people without any: left out)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Task, OrgUnit.ruleset)
        .join(Person, Person.id == Task.assignee_person_id)
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .where(
            Task.assignee_person_id.in_(ids),
            Task.due_date >= start,
            Task.due_date <= end,
            Task.status != TaskStatus.CANCELLED.value,
        )
        .order_by(Task.due_date, Task.id)
    ).all()
    outcomes: dict[int, list[TaskOutcome]] = defaultdict(list)
    ruleset_of: dict[int, str] = {}
    for task, ruleset in rows:
        person_id = task.assignee_person_id
        if person_id is None:  # never: the query asks for these people (the check types the key)
            continue
        outcomes[person_id].append(task_line(task).as_outcome())
        ruleset_of[person_id] = ruleset
    return {pid: task_result(lines, rulesets(ruleset_of[pid])) for pid, lines in outcomes.items()}


def person_task_points(
    session: Session, *, person_id: int, start: date, end: date, rulesets: RuleSets = load_ruleset
) -> TaskResult:
    """One person's task result (no points when nothing was assigned in the period)."""
    found = task_points(session, person_ids=[person_id], start=start, end=end, rulesets=rulesets)
    return found.get(person_id) or task_result([])

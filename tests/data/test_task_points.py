"""Task points under each unit's own rule set: the party board's people are scored by Regulation 366,
the departments' by Decree 335, and the person page and the rankings show those points."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from config.rulesets import load_ruleset
from data_access.db import Store
from data_access.models import OrgUnit, Person, Task
from data_access.queries.evaluations import person_tasks
from data_access.queries.people import people_rankings, person_detail
from data_access.queries.task_points import task_points
from domain.evaluation import task_result
from domain.kinds import TaskStatus
from domain.periods import parse_period
from domain.rulesets import RuleSet
from tests.support.viewers import demo_viewers

PERIOD = "2026"


def _busiest_person(store: Store, ruleset: str) -> tuple[int, int]:
    """(person id, unit id) of the person of a unit under this rule set with the most tasks due in the year."""
    year = parse_period(PERIOD)
    with store.read() as session:
        row = session.execute(
            select(Person.id, Person.unit_id)
            .join(OrgUnit, OrgUnit.id == Person.unit_id)
            .join(Task, Task.assignee_person_id == Person.id)
            .where(
                OrgUnit.ruleset == ruleset,
                Task.due_date >= year.start,
                Task.due_date <= year.end,
                Task.status != TaskStatus.CANCELLED.value,
            )
            .group_by(Person.id, Person.unit_id)
            .order_by(func.count().desc(), Person.id)
            .limit(1)
        ).one()
    return int(row[0]), int(row[1])


def _progress_only(rules: RuleSet) -> RuleSet:
    """A rule set that scores progress alone: points differ from the shipped ones as soon as a task is late."""
    return dataclasses.replace(rules, quantity_weight=0.0, quality_weight=0.0, progress_weight=1.0)


def test_each_person_is_scored_under_their_units_rule_set(shared_demo_store: Store) -> None:
    party, _party_unit = _busiest_person(shared_demo_store, "regulation_366")
    department, _dept_unit = _busiest_person(shared_demo_store, "decree_335")
    year = parse_period(PERIOD)

    def loader(name: str) -> RuleSet:  # an agency whose Regulation 366 rule set weighs only progress
        rules = load_ruleset(name)
        return _progress_only(rules) if name == "regulation_366" else rules

    with shared_demo_store.read() as session:
        shipped = task_points(session, person_ids=[party, department], start=year.start, end=year.end)
        tuned = task_points(session, person_ids=[party, department], start=year.start, end=year.end, rulesets=loader)
        party_outcomes = [
            line.as_outcome() for line in person_tasks(session, person_id=party, start=year.start, end=year.end)
        ]

    by_hand = task_result(party_outcomes, _progress_only(load_ruleset("regulation_366"))).points
    assert tuned[party].points == pytest.approx(by_hand)
    assert tuned[party].points != pytest.approx(shipped[party].points)  # the party board's own rules count
    assert tuned[department].points == pytest.approx(shipped[department].points)  # Decree 335 untouched


def test_the_person_page_and_the_rankings_show_the_same_points(shared_demo_store: Store) -> None:
    person_id, unit_id = _busiest_person(shared_demo_store, "regulation_366")
    year = parse_period(PERIOD)
    viewer = demo_viewers(shared_demo_store)["admin"]
    with shared_demo_store.read() as session:
        expected = task_points(session, person_ids=[person_id], start=year.start, end=year.end)[person_id].points
        detail = person_detail(session, viewer=viewer, person_id=person_id, period=PERIOD, today=year.end)
        ranked = people_rankings(session, viewer=viewer, unit_id=unit_id, period=PERIOD)
    assert expected is not None
    assert detail.task_points.points == pytest.approx(expected)
    assert ranked.set_index("person_id").loc[person_id, "points"] == pytest.approx(expected)

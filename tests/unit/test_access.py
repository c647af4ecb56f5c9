"""Who may do what: the whole permission matrix of domain.access, one row per rule and situation.

A small tree: the city (1) with two departments (2 and 3), and a division (5) under department 2.
Each row names the viewers for whom the rule answers yes; every other viewer must get no.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.access import (
    Viewer,
    answers_for,
    evaluation_hidden,
    evaluation_rights,
    may_approve,
    may_approve_unit,
    may_enter,
    may_open_evaluations,
    may_review_person,
    may_review_unit,
    may_review_value,
    may_see_evaluations,
    parent_path,
    path_ids,
    task_roles,
)
from domain.kinds import EvaluationStatus, Role

CITY, DEPT, OTHER_DEPT, DIVISION = "/1/", "/1/2/", "/1/3/", "/1/2/5/"

VIEWERS = {
    "admin": Viewer(1, "admin", Role.ADMIN, 1, CITY),
    "leader": Viewer(2, "leader", Role.LEADER, 2, DEPT, person_id=20),
    "dept_manager": Viewer(6, "dept_manager", Role.MANAGER, 2, DEPT, person_id=60),
    "manager": Viewer(3, "manager", Role.MANAGER, 5, DIVISION, person_id=30),
    "staff": Viewer(4, "staff", Role.STAFF, 5, DIVISION, person_id=40),
    "screen": Viewer(5, "screen", Role.SCREEN, 1, CITY),
}
# The unit each viewer's person belongs to (what task_roles is told as viewer_unit_path).
PERSON_UNIT = {"leader": DEPT, "dept_manager": DEPT, "manager": DIVISION, "staff": DIVISION}
ALL = set(VIEWERS)
WRITERS = {"admin", "leader", "dept_manager", "manager"}


def _responsible(viewer: Viewer) -> set[int]:
    """As queries.evaluations.responsible_units for viewers who head no other unit: their scope unit."""
    return {viewer.scope_unit_id} if viewer.role in (Role.MANAGER, Role.LEADER) else set()


def _task(assigner_user_id: int, assigner_path: str, assignee_path: str, person: int | None, what: str):  # type: ignore[no-untyped-def]
    def check(viewer: Viewer) -> bool:
        roles = task_roles(
            viewer,
            assigner_user_id=assigner_user_id,
            assigner_path=assigner_path,
            assignee_path=assignee_path,
            assignee_person_id=person,
            viewer_unit_path=PERSON_UNIT.get(viewer.username),
        )
        return bool(getattr(roles, what))

    return check


def _rights(status: EvaluationStatus, person_id: int | None, unit_id: int, unit_path: str, what: str):  # type: ignore[no-untyped-def]
    def check(viewer: Viewer) -> bool:
        rights = evaluation_rights(
            viewer,
            status=status,
            person_id=person_id,
            unit_id=unit_id,
            unit_path=unit_path,
            responsible=_responsible(viewer),
        )
        return bool(getattr(rights, what))

    return check


S = EvaluationStatus
MATRIX: list[tuple[str, Callable[[Viewer], bool], set[str]]] = [
    # indicator values
    ("enter own value", lambda v: may_enter(v, owner_person_id=40, unit_path=DIVISION), WRITERS | {"staff"}),
    ("enter someone else's value", lambda v: may_enter(v, owner_person_id=99, unit_path=DIVISION), WRITERS),
    ("enter own value outside the scope", lambda v: may_enter(v, owner_person_id=40, unit_path=OTHER_DEPT), {"admin"}),
    (
        "enter a value delegated to one",
        lambda v: may_enter(v, owner_person_id=99, unit_path=DIVISION, reporter_person_id=40),
        WRITERS | {"staff"},
    ),
    (
        "enter a value delegated outside the scope",
        lambda v: may_enter(v, owner_person_id=99, unit_path=OTHER_DEPT, reporter_person_id=40),
        {"admin"},
    ),
    ("review staff's value", lambda v: may_review_value(v, unit_path=DIVISION, entered_by_id=4), WRITERS),
    (
        "review a value one entered",
        lambda v: may_review_value(v, unit_path=DIVISION, entered_by_id=3),
        {"admin", "leader", "dept_manager"},
    ),
    (
        "review a value outside the scope",
        lambda v: may_review_value(v, unit_path=OTHER_DEPT, entered_by_id=4),
        {"admin"},
    ),
    # tasks: person 40 given work by the department's leader
    ("see a person's task", _task(2, DEPT, DIVISION, 40, "visible"), ALL),
    ("assigned a person's task", _task(2, DEPT, DIVISION, 40, "is_assigner"), {"admin", "leader", "dept_manager"}),
    ("work on a person's task", _task(2, DEPT, DIVISION, 40, "is_assignee"), {"staff"}),
    # a task given by the city to the division: its people and its manager work on it
    ("work on the division's task", _task(1, CITY, DIVISION, None, "is_assignee"), {"manager", "staff"}),
    ("assigned the division's task", _task(1, CITY, DIVISION, None, "is_assigner"), {"admin"}),
    # a task given to the department: the divisions directly below it work on it too
    (
        "work on the department's task",
        _task(1, CITY, DEPT, None, "is_assignee"),
        {"leader", "dept_manager", "manager", "staff"},
    ),
    # a task given to the city: the screen is scoped to the city but never works on anything
    ("work on the city's task", _task(1, CITY, CITY, None, "is_assignee"), {"admin", "leader", "dept_manager"}),
    ("see a task of the other department", _task(1, OTHER_DEPT, OTHER_DEPT, 99, "visible"), {"admin", "screen"}),
    # evaluations: who sees, opens, reviews, approves
    ("see evaluations at all", may_see_evaluations, ALL - {"screen"}),
    ("open the division's evaluations", lambda v: may_open_evaluations(v, DIVISION), WRITERS),
    ("open the other department's evaluations", lambda v: may_open_evaluations(v, OTHER_DEPT), {"admin"}),
    (
        "review a person of the division",
        lambda v: may_review_person(v, DIVISION),
        {"leader", "dept_manager", "manager"},
    ),
    ("review a person of the department", lambda v: may_review_person(v, DEPT), {"leader", "dept_manager"}),
    ("review a person of the other department", lambda v: may_review_person(v, OTHER_DEPT), set()),
    ("approve the division", lambda v: may_approve(v, unit_id=5, unit_path=DIVISION), {"leader", "manager"}),
    ("approve the department", lambda v: may_approve(v, unit_id=2, unit_path=DEPT), {"leader", "dept_manager"}),
    ("approve the other department", lambda v: may_approve(v, unit_id=3, unit_path=OTHER_DEPT), set()),
    ("review the division as a unit", lambda v: may_review_unit(v, DIVISION), {"leader", "dept_manager"}),
    ("review the department as a unit", lambda v: may_review_unit(v, DEPT), set()),
    ("review the root as a unit", lambda v: may_review_unit(v, CITY), set()),
    ("approve the division as a unit", lambda v: may_approve_unit(v, unit_path=DIVISION), {"leader", "dept_manager"}),
    ("approve the department as a unit", lambda v: may_approve_unit(v, unit_path=DEPT), set()),
    ("approve the root as a unit", lambda v: may_approve_unit(v, unit_path=CITY), set()),
    # what an evaluation's existence is hidden from
    ("hidden: staff's evaluation", lambda v: evaluation_hidden(v, person_id=40, unit_path=DIVISION), {"screen"}),
    (
        "hidden: a colleague's evaluation",
        lambda v: evaluation_hidden(v, person_id=99, unit_path=DIVISION),
        {"staff", "screen"},
    ),
    (
        "hidden: own evaluation filed outside the scope",
        lambda v: evaluation_hidden(v, person_id=40, unit_path=OTHER_DEPT),
        {"leader", "dept_manager", "manager", "screen"},
    ),
    (
        "hidden: the division's evaluation",
        lambda v: evaluation_hidden(v, person_id=None, unit_path=DIVISION),
        {"staff", "screen"},
    ),
    (
        "answers for staff's evaluation",
        lambda v: answers_for(v, person_id=40, unit_id=5, responsible=_responsible(v)),
        {"staff"},
    ),
    (
        "answers for the division's evaluation",
        lambda v: answers_for(v, person_id=None, unit_id=5, responsible=_responsible(v)),
        {"manager"},
    ),
    # what the evaluation page offers, by status
    ("self-assess own draft", _rights(S.DRAFT, 40, 5, DIVISION, "self_assess"), {"staff"}),
    ("self-assess own reviewed", _rights(S.REVIEWED, 40, 5, DIVISION, "self_assess"), set()),
    ("review staff's draft", _rights(S.DRAFT, 40, 5, DIVISION, "review"), {"leader", "dept_manager", "manager"}),
    ("review staff's approved", _rights(S.APPROVED, 40, 5, DIVISION, "review"), set()),
    ("approve staff's reviewed", _rights(S.REVIEWED, 40, 5, DIVISION, "approve"), {"leader", "manager"}),
    ("approve staff's draft", _rights(S.DRAFT, 40, 5, DIVISION, "approve"), set()),
    ("approve the manager's own reviewed", _rights(S.REVIEWED, 30, 5, DIVISION, "approve"), {"leader"}),
    ("review the manager's own draft", _rights(S.DRAFT, 30, 5, DIVISION, "review"), {"leader", "dept_manager"}),
    ("appeal own approved", _rights(S.APPROVED, 40, 5, DIVISION, "appeal"), {"staff"}),
    ("appeal own locked", _rights(S.LOCKED, 40, 5, DIVISION, "appeal"), set()),
    ("unlock an approved", _rights(S.APPROVED, 40, 5, DIVISION, "unlock"), {"admin"}),
    ("unlock a locked", _rights(S.LOCKED, 40, 5, DIVISION, "unlock"), {"admin"}),
    ("unlock a reviewed", _rights(S.REVIEWED, 40, 5, DIVISION, "unlock"), set()),
    ("self-assess the division", _rights(S.DRAFT, None, 5, DIVISION, "self_assess"), {"manager"}),
    ("review the division", _rights(S.SELF_ASSESSED, None, 5, DIVISION, "review"), {"leader", "dept_manager"}),
    ("approve the division", _rights(S.REVIEWED, None, 5, DIVISION, "approve"), {"leader", "dept_manager"}),
    ("self-assess the department", _rights(S.DRAFT, None, 2, DEPT, "self_assess"), {"leader", "dept_manager"}),
    ("review the department (no level above)", _rights(S.DRAFT, None, 2, DEPT, "review"), set()),
]


@pytest.mark.parametrize(("situation", "rule", "allowed"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(situation: str, rule: Callable[[Viewer], bool], allowed: set[str]) -> None:
    answers = {name: rule(viewer) for name, viewer in VIEWERS.items()}
    assert {name for name, yes in answers.items() if yes} == allowed, situation


@pytest.mark.parametrize(
    ("path", "ids", "parent"),
    [("/1/", [1], None), ("/1/2/", [1, 2], "/1/"), ("/1/2/5/", [1, 2, 5], "/1/2/"), ("/10/200/", [10, 200], "/10/")],
)
def test_paths_name_their_units_and_parent(path: str, ids: list[int], parent: str | None) -> None:
    assert path_ids(path) == ids
    assert parent_path(path) == parent


def test_a_scope_is_a_path_prefix_not_a_number_prefix() -> None:
    # unit 1's subtree does not contain unit 10's: the paths end with a slash for that reason
    assert VIEWERS["admin"].covers_path("/1/2/")
    assert not Viewer(9, "x", Role.LEADER, 1, "/1/").covers_path("/10/")

"""The publication ladder's rules as tables: who sees an indicator at which rung, what asking for a rung
does, and who may move it."""

from __future__ import annotations

from datetime import date

import pytest

from domain.access import Viewer
from domain.kinds import Role
from domain.publication import Move, Visibility, decide, effective, may_approve_public, may_set, sees

CITY, WARD, DIVISION, OTHER_WARD = "/1/", "/1/5/", "/1/5/9/", "/1/6/"
TODAY = date(2026, 5, 4)
U, P, C, PUB = Visibility.UNIT, Visibility.PARENT, Visibility.CITY, Visibility.PUBLIC


def viewer(path: str, role: Role = Role.LEADER) -> Viewer:
    unit_id = int(path.strip("/").split("/")[-1])
    return Viewer(user_id=1, username="x", role=role, scope_unit_id=unit_id, scope_path=path)


@pytest.mark.parametrize(
    ("scope", "unit", "level", "seen"),
    [
        # inside the unit: every rung
        (DIVISION, DIVISION, U, True),
        (WARD, WARD, U, True),
        # the parent sees from PARENT up
        (WARD, DIVISION, U, False),
        (WARD, DIVISION, P, True),
        (WARD, DIVISION, C, True),
        (WARD, DIVISION, PUB, True),
        # two levels up: from CITY up
        (CITY, DIVISION, P, False),
        (CITY, DIVISION, C, True),
        (CITY, DIVISION, PUB, True),
        # a ward's parent is the city
        (CITY, WARD, U, False),
        (CITY, WARD, P, True),
        # outside the scope: never, even public (that is what /public is for)
        (OTHER_WARD, DIVISION, PUB, False),
        (DIVISION, WARD, PUB, True),  # the division lies inside the ward: the ward's own indicators
    ],
)
def test_who_sees_which_rung(scope: str, unit: str, level: Visibility, seen: bool) -> None:
    assert sees(viewer(scope), unit_path=unit, level=level) is seen


@pytest.mark.parametrize(
    ("level", "since", "before", "expected"),
    [
        (PUB, None, C, PUB),
        (PUB, TODAY, C, PUB),
        (PUB, date(2026, 6, 1), C, C),  # scheduled: the old rung until then
        (U, date(2026, 5, 3), P, U),
    ],
)
def test_the_rung_in_force_follows_the_effective_date(
    level: Visibility, since: date | None, before: Visibility, expected: Visibility
) -> None:
    assert effective(level, since=since, before=before, today=TODAY) is expected


LATER, EARLIER = date(2026, 6, 1), date(2026, 5, 1)


@pytest.mark.parametrize(
    ("current", "scheduled", "wanted", "when", "approved", "move", "problem"),
    [
        (C, C, C, TODAY, True, Move.SAME, None),
        (U, U, P, TODAY, True, Move.RAISE, None),
        (U, U, C, LATER, True, Move.RAISE, None),
        (C, C, PUB, TODAY, True, Move.REQUEST, None),  # the level above approves
        (C, C, PUB, EARLIER, True, Move.RAISE, "effective_in_past"),
        (U, U, P, EARLIER, True, Move.RAISE, "effective_in_past"),
        (C, C, U, EARLIER, True, Move.LOWER, None),  # lowering needs no date: it is immediate
        (PUB, PUB, P, TODAY, True, Move.LOWER, None),
        (C, PUB, C, TODAY, True, Move.LOWER, None),  # cancels a raise still to come
        (U, U, P, TODAY, False, Move.RAISE, "plan_not_approved"),
        (C, C, U, TODAY, False, Move.LOWER, None),  # a draft may always be hidden
    ],
)
def test_what_asking_for_a_rung_does(
    current: Visibility,
    scheduled: Visibility,
    wanted: Visibility,
    when: date,
    approved: bool,
    move: Move,
    problem: str | None,
) -> None:
    decision = decide(
        current=current, scheduled=scheduled, wanted=wanted, effective_from=when, today=TODAY, approved=approved
    )
    assert (decision.move, decision.problem) == (move, problem)


@pytest.mark.parametrize(
    ("scope", "role", "sets", "approves"),
    [
        (WARD, Role.LEADER, True, False),  # the ward's head raises, but cannot approve its own publication
        (CITY, Role.LEADER, True, True),  # the head of the level above approves
        (CITY, Role.MANAGER, False, True),  # the city's manager heads the level above (as for plans), not the ward
        (WARD, Role.MANAGER, True, False),  # the manager of that very unit is its head
        (WARD, Role.STAFF, False, False),
        (WARD, Role.SCREEN, False, False),
        (OTHER_WARD, Role.LEADER, False, False),
    ],
)
def test_who_moves_a_ward_indicator(scope: str, role: Role, sets: bool, approves: bool) -> None:
    someone = viewer(scope, role)
    assert may_set(someone, unit_id=5, unit_path=WARD) is sets
    assert may_approve_public(someone, unit_path=WARD) is approves

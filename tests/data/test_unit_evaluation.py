"""Units (agencies) evaluated on their own 100-point scale, on the real store (SQLite and PostgreSQL):
the unit's head self-assesses the unit's general criteria, the level above reviews with reasons and
approves, the excellent quota applies among the units of one kind under one parent (who was moved
and why), the unit's task points weigh its products and its planned work; a leader whose
subordinate does not complete. Every figure below is computed by hand from the rule set
(config/rulesets/decree_335.json).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from data_access.commands import evaluation_approval as approval
from data_access.commands import evaluations as commands
from data_access.db import Store
from data_access.errors import Forbidden, Invalid, NotFound
from data_access.models import AuditEntry, Evaluation, OrgUnit, Person, Task, UnitRollup
from data_access.models import Period as PeriodRow
from data_access.queries import evaluations as queries
from data_access.seed import DEMO_USERNAMES
from data_access.viewer import Viewer
from domain.periods import parse_period
from tests.data.test_evaluation_flow import set_tasks, viewer_of

PERIOD = "2026-Q3"
UNIT_FULL = {"unit_direction": 10, "unit_organisation": 10, "unit_reform": 10}  # a unit's general criteria, 30 points
PERFECT = {"coefficient": 1.0, "status": "done", "quality_accepted": True, "major_errors": 0, "delays": 0}


@pytest.fixture
def who(demo_store: Store) -> dict[str, Viewer]:
    return {role: viewer_of(demo_store, name) for role, name in DEMO_USERNAMES.items()}


def unit_by_code(store: Store, code: str) -> OrgUnit:
    with store.read() as session:
        return session.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one()


def unit_row(store: Store, viewer: Viewer, unit_id: int, period: str = PERIOD) -> queries.EvaluationRow:
    with store.read() as session:
        rows = queries.list_evaluations(session, viewer=viewer, period_code=period, people=False)
    return next(r for r in rows if r.unit_id == unit_id)


def unit_products(store: Store, unit: OrgUnit, specs: list[dict], period: str = PERIOD) -> None:
    """Replace every product of the unit's subtree due in the period with hand-made unit tasks."""
    dates = parse_period(period)
    with store.write() as session:
        subtree = select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))
        session.execute(
            update(Task)
            .where(Task.assignee_unit_id.in_(subtree), Task.due_date >= dates.start, Task.due_date <= dates.end)
            .values(status="cancelled", cancel_reason="test")
        )
        for n, spec in enumerate(specs):
            due = dates.start + timedelta(days=30 + n)
            session.add(
                Task(
                    title=f"Unit product {n}",
                    assigner_unit_id=unit.parent_id or unit.id,
                    assignee_unit_id=unit.id,
                    assignee_person_id=None,
                    start_date=dates.start,
                    due_date=due,
                    original_due_date=due,
                    **spec,
                )
            )


def set_plan(store: Store, unit_id: int, score: float | None, period: str = PERIOD) -> None:
    """Pin the unit's completion of planned work (its rolled-up indicator score) for the period."""
    with store.write() as session:
        period_id = session.execute(select(PeriodRow.id).where(PeriodRow.code == period)).scalar_one()
        session.execute(
            update(UnitRollup)
            .where(UnitRollup.unit_id == unit_id, UnitRollup.period_id == period_id)
            .values(score=score)
        )


def add_division(store: Store, parent: OrgUnit, code: str) -> OrgUnit:
    with store.write() as session:
        unit = OrgUnit(
            code=code,
            name=f"Phòng thử nghiệm {code}",
            kind="division",
            parent_id=parent.id,
            path="",
            depth=parent.depth + 1,
            ruleset=parent.ruleset,
        )
        session.add(unit)
        session.flush()
        unit.path = f"{parent.path}{unit.id}/"
    return unit_by_code(store, code)


# --- self-assessment, review, approval, appeal -------------------------------------------------


def test_the_units_head_self_assesses_and_nobody_else_does(demo_store: Store, who: dict[str, Viewer]) -> None:
    manager, staff, leader, ward_leader = who["manager"], who["staff"], who["city_leader"], who["ward_leader"]
    division = manager.scope_unit_id
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=division)
    row = unit_row(demo_store, manager, division)
    assert (row.person_id, row.general_points, row.task_group) == (None, 30.0, "unit:division")
    with demo_store.read() as session:
        detail = queries.get_evaluation(session, viewer=manager, evaluation_id=row.id)
    assert detail.can_self_assess and not detail.can_review and not detail.can_approve
    assert sorted(detail.details["general"]) == sorted(UNIT_FULL)

    with pytest.raises(Invalid) as refused:  # a person's criteria are not a unit's
        commands.self_assess(
            demo_store,
            viewer=manager,
            evaluation_id=row.id,
            version=row.version,
            scores={"politics": 10, "ethics": 5, "manner": 5, "discipline": 10},
        )
    assert refused.value.problems["unit_direction"] == "required_number"
    with pytest.raises(NotFound):  # staff do not even learn that the unit's evaluation exists
        commands.self_assess(demo_store, viewer=staff, evaluation_id=row.id, version=None, scores=UNIT_FULL)
    with pytest.raises(NotFound):  # nor does another ward's leader
        commands.self_assess(demo_store, viewer=ward_leader, evaluation_id=row.id, version=None, scores=UNIT_FULL)
    with pytest.raises(Forbidden):  # the level above reviews the unit; it does not self-assess it
        commands.self_assess(demo_store, viewer=leader, evaluation_id=row.id, version=None, scores=UNIT_FULL)

    commands.self_assess(
        demo_store,
        viewer=manager,
        evaluation_id=row.id,
        version=row.version,
        scores={"unit_direction": 9, "unit_organisation": 10, "unit_reform": 8.5},
        note="Chậm số hoá hồ sơ",
    )
    row = unit_row(demo_store, manager, division)
    assert (row.status, row.general_points) == ("self_assessed", 27.5)
    assert row.total == pytest.approx(27.5 + row.task_points)
    with demo_store.read() as session:
        denied = Counter(session.execute(select(AuditEntry.action).where(AuditEntry.outcome == "denied")).scalars())
        detail = queries.get_evaluation(session, viewer=leader, evaluation_id=row.id)
    assert denied == Counter({"evaluation.self_assess": 1})
    assert detail.can_review and not detail.can_self_assess
    assert [e.action for e in detail.trail] == ["evaluation.self_assess"]


def test_the_level_above_reviews_with_reasons_and_approves(demo_store: Store, who: dict[str, Viewer]) -> None:
    manager, leader = who["manager"], who["city_leader"]
    division = unit_by_code(demo_store, "SO-KHCN-P3")
    assert division.id == manager.scope_unit_id
    commands.open_evaluations(demo_store, viewer=leader, period_code=PERIOD, unit_id=division.parent_id)
    row = unit_row(demo_store, leader, division.id)
    commands.self_assess(demo_store, viewer=manager, evaluation_id=row.id, version=row.version, scores=UNIT_FULL)
    row = unit_row(demo_store, leader, division.id)

    with pytest.raises(Forbidden):  # a unit does not review itself
        commands.review(
            demo_store, viewer=manager, evaluation_id=row.id, version=row.version, scores=UNIT_FULL, reasons={}
        )
    lowered = {**UNIT_FULL, "unit_reform": 7}
    with pytest.raises(Invalid) as refused:
        commands.review(
            demo_store,
            viewer=leader,
            evaluation_id=row.id,
            version=row.version,
            scores=lowered,
            reasons={"unit_reform": " "},
        )
    assert refused.value.problems == {"unit_reform": "reason_required"}
    commands.review(
        demo_store,
        viewer=leader,
        evaluation_id=row.id,
        version=row.version,
        scores=lowered,
        reasons={"unit_reform": "Dịch vụ công trực tuyến còn chậm"},
    )
    row = unit_row(demo_store, leader, division.id)
    assert (row.status, row.general_points) == ("reviewed", 27.0)
    with demo_store.read() as session:
        detail = queries.get_evaluation(session, viewer=manager, evaluation_id=row.id)
    assert detail.details["review"][0] | {"at": None} == {
        "criterion": "unit_reform",
        "from": 10.0,
        "to": 7.0,
        "reason": "Dịch vụ công trực tuyến còn chậm",
        "by": leader.username,
        "at": None,
    }

    # The division's own manager approves the division's people, not the division itself.
    approval.review_remaining(demo_store, viewer=manager, unit_id=division.id, period_code=PERIOD)
    approval.approve_unit(demo_store, viewer=manager, unit_id=division.id, period_code=PERIOD)
    assert unit_row(demo_store, leader, division.id).status == "reviewed"
    # The level above approves it, with the department's other divisions.
    approval.review_remaining(demo_store, viewer=leader, unit_id=division.parent_id, period_code=PERIOD)
    result = approval.approve_unit(demo_store, viewer=leader, unit_id=division.parent_id, period_code=PERIOD)
    row = unit_row(demo_store, leader, division.id)
    assert row.status == "approved" and row.final_level is not None
    assert result.approved >= 5  # the five divisions (and the department's own people)
    with demo_store.read() as session:
        detail = queries.get_evaluation(session, viewer=manager, evaluation_id=row.id)
    assert detail.can_appeal and detail.approved_by == leader.username

    # The head may appeal the unit's result; staff of the division may not.
    with pytest.raises(NotFound):
        commands.appeal(demo_store, viewer=who["staff"], evaluation_id=row.id, version=row.version, note="x")
    commands.appeal(demo_store, viewer=manager, evaluation_id=row.id, version=row.version, note="Đề nghị xem xét lại")
    with demo_store.read() as session:
        assert session.get(Evaluation, row.id).appeal_note == "Đề nghị xem xét lại"


def test_the_root_has_no_level_above(demo_store: Store, who: dict[str, Viewer]) -> None:
    leader, admin = who["city_leader"], who["admin"]
    commands.open_evaluations(demo_store, viewer=admin, period_code=PERIOD, unit_id=admin.scope_unit_id)
    city = unit_row(demo_store, admin, admin.scope_unit_id)
    with demo_store.read() as session:
        detail = queries.get_evaluation(session, viewer=leader, evaluation_id=city.id)
    assert detail.can_self_assess and not detail.can_review and not detail.can_approve
    with pytest.raises(Forbidden):
        commands.review(
            demo_store, viewer=who["city_manager"], evaluation_id=city.id, version=None, scores=UNIT_FULL, reasons={}
        )


# --- scoring -----------------------------------------------------------------------------------


def test_unit_task_points_weigh_products_and_planned_work(demo_store: Store, who: dict[str, Viewer]) -> None:
    """Two unit products, coefficients 1 and 3 (the second with one major error and one delay):
    products = (1 + 0.8125 + 0.8125) / 3 = 0.875 of the task points (61.25 of 70, as for a person).
    Planned work 0.8: task points = 70 * (0.5 * 0.875 + 0.5 * 0.8) = 58.625 -> 58.63; total 88.63, good.
    Nothing measured for planned work: the products carry the whole weight: 61.25; total 91.25, excellent.
    """
    manager = who["manager"]
    division = unit_by_code(demo_store, "SO-KHCN-P3")
    unit_products(demo_store, division, [PERFECT, {**PERFECT, "coefficient": 3.0, "major_errors": 1, "delays": 1}])
    set_plan(demo_store, division.id, 0.8)
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=division.id)
    row = unit_row(demo_store, manager, division.id)
    assert (row.task_points, row.general_points, row.total, row.level) == (58.63, 30.0, 88.63, "good")
    with demo_store.read() as session:
        details = queries.get_evaluation(session, viewer=manager, evaluation_id=row.id).details
    assert details["unit_result"] | {"points": None} == {
        "products": 0.875,
        "plan": 0.8,
        "points": None,
        "products_weight": 0.5,
        "plan_weight": 0.5,
        "scope": "subtree",
        "task_max": 70.0,
    }
    assert [d["code"] for line in details["explanation"] for d in line["deductions"]] == ["major_errors", "delays"]

    set_plan(demo_store, division.id, None)
    commands.self_assess(demo_store, viewer=manager, evaluation_id=row.id, version=row.version, scores=UNIT_FULL)
    row = unit_row(demo_store, manager, division.id)
    assert (row.task_points, row.total, row.level) == (61.25, 91.25, "excellent")


def test_a_leader_whose_subordinate_does_not_complete(demo_store: Store, who: dict[str, Viewer]) -> None:
    """The division head's own products are flawless (70 points); one subordinate completes nothing
    (0 task points + 30 general = 30: not completed), so the unit's results count 50%; planned work 0.6.
    Leader task points = 70 * (0.5 * 1 + 0.25 * 0.5 + 0.25 * 0.6) = 54.25; total 84.25, good.
    """
    manager, staff, leader = who["manager"], who["staff"], who["city_leader"]
    set_tasks(demo_store, manager.person_id, manager.scope_unit_id, [PERFECT, {**PERFECT, "coefficient": 2.0}])
    set_tasks(demo_store, staff.person_id, staff.scope_unit_id, [{"coefficient": 1.0, "status": "in_progress"}])
    set_plan(demo_store, manager.scope_unit_id, 0.6)
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    approval.review_remaining(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    approval.approve_unit(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    approval.review_remaining(demo_store, viewer=leader, unit_id=manager.scope_unit_id, period_code=PERIOD)
    approval.approve_unit(demo_store, viewer=leader, unit_id=manager.scope_unit_id, period_code=PERIOD)
    with demo_store.read() as session:
        rows = {
            r.person_id: r
            for r in queries.list_evaluations(session, viewer=leader, period_code=PERIOD, unit_id=manager.scope_unit_id)
        }
        head = queries.get_evaluation(session, viewer=leader, evaluation_id=rows[manager.person_id].id)
    assert (rows[staff.person_id].total, rows[staff.person_id].final_level) == (30.0, "not_completed")
    assert (head.row.task_points, head.row.total, head.row.level, head.row.status) == (54.25, 84.25, "good", "approved")
    assert head.details["leader"]["own_points"] == 70.0 and head.details["leader"]["subordinates_not_completed"] >= 1


# --- the quota among units of one kind under one parent -------------------------------------------


def test_five_divisions_cannot_hold_an_excellent_one(demo_store: Store, who: dict[str, Viewer]) -> None:
    """The department's five divisions, all flawless with their plans met: 100 points each, excellent.
    At most k excellent with k <= 0.2 * (good + excellent - k) = 0.2 * (5 - k): k = 0. All five move
    to good; nobody is tied at a cut that keeps someone, so nobody is flagged."""
    leader = who["city_leader"]
    department = unit_by_code(demo_store, "SO-KHCN")
    with demo_store.read() as session:
        divisions = session.execute(select(OrgUnit).where(OrgUnit.parent_id == department.id)).scalars().all()
    assert len(divisions) == 5
    for division in divisions:
        unit_products(demo_store, division, [PERFECT])
    for division in divisions:
        set_plan(demo_store, division.id, 1.0)
    commands.open_evaluations(demo_store, viewer=leader, period_code=PERIOD, unit_id=department.id)
    approval.review_remaining(demo_store, viewer=leader, unit_id=department.id, period_code=PERIOD)
    result = approval.approve_unit(demo_store, viewer=leader, unit_id=department.id, period_code=PERIOD)
    moved = [m for m in result.moves if m.group == "unit:division"]
    assert sorted(m.name for m in moved) == sorted(d.name for d in divisions)
    assert all(
        m.quota | {"share": None}
        == {
            "group": "unit:division",
            "groups": ["unit:division"],
            "members": 5,
            "n_excellent": 5,
            "n_good": 0,
            "allowance": 0,
            "allowed": 0,
            "share": None,
            "units": True,
            "tied": [],
            "seats": 0,
        }
        and not m.flagged
        for m in moved
    )
    rows = [unit_row(demo_store, leader, d.id) for d in divisions]
    assert {(r.total, r.level, r.final_level, r.moved, r.flagged) for r in rows} == {
        (100.0, "excellent", "good", True, False)
    }


@pytest.mark.parametrize(
    ("plans", "lowered", "finals", "flagged"),
    [
        # Totals 65 + 35 * plan: 100, 96.5, 96.5 excellent; 82.5, 82.5, 79, 75.5 good. n = 3, g = 4:
        # k <= 0.2 * (7 - k) -> k = 1. The 100 keeps excellent; the two at 96.5 move, not tied with it.
        ([1.0, 0.9, 0.9, 0.5, 0.5, 0.4, 0.3], {}, ["excellent", "good", "good", "good", "good", "good", "good"], []),
        # 96.5, 96.5, 93: k = 1, but the best two tie on total and task points: neither is demoted, both
        # wait for the council (no final level yet); the 93 moves.
        ([0.9, 0.9, 0.8, 0.5, 0.5, 0.4, 0.3], {}, [None, None] + ["good"] * 5, [0, 1]),
        # The second unit's plan is met (70 task points) but its general criteria are lowered to 26.5: 96.5 as well.
        # Equal totals: the higher task points (70 against 66.5) keep excellent; nobody is flagged.
        (
            [0.9, 1.0, 0.8, 0.5, 0.5, 0.4, 0.3],
            {1: 6.5},
            ["good", "excellent", "good", "good", "good", "good", "good"],
            [],
        ),
    ],
)
def test_the_quota_among_seven_divisions(
    demo_store: Store,
    who: dict[str, Viewer],
    plans: list[float],
    lowered: dict[int, float],
    finals: list[str | None],
    flagged: list[int],
) -> None:
    leader = who["city_leader"]
    department = unit_by_code(demo_store, "SO-KHCN")
    add_division(demo_store, department, "SO-KHCN-P6")
    add_division(demo_store, department, "SO-KHCN-P7")
    divisions = [unit_by_code(demo_store, f"SO-KHCN-P{n}") for n in range(1, 8)]
    for division in divisions:
        unit_products(demo_store, division, [PERFECT])
    for division, plan in zip(divisions, plans, strict=True):
        set_plan(demo_store, division.id, plan)
    commands.open_evaluations(demo_store, viewer=leader, period_code=PERIOD, unit_id=department.id)
    for index, reform in lowered.items():
        row = unit_row(demo_store, leader, divisions[index].id)
        commands.review(
            demo_store,
            viewer=leader,
            evaluation_id=row.id,
            version=row.version,
            scores={**UNIT_FULL, "unit_reform": reform},
            reasons={"unit_reform": "Chưa đạt chỉ tiêu cải cách"},
        )
    approval.review_remaining(demo_store, viewer=leader, unit_id=department.id, period_code=PERIOD)
    result = approval.approve_unit(demo_store, viewer=leader, unit_id=department.id, period_code=PERIOD)
    rows = [unit_row(demo_store, leader, d.id) for d in divisions]
    assert [r.total for r in rows] == [
        pytest.approx(65 + 35 * plan - (10 - lowered[i] if i in lowered else 0)) for i, plan in enumerate(plans)
    ]
    assert [r.final_level for r in rows] == finals
    assert [i for i, r in enumerate(rows) if r.flagged] == flagged
    moved = {m.evaluation_id for m in result.moves if m.group == "unit:division"}
    assert moved == {r.id for r in rows if r.level == "excellent" and r.final_level == "good"}
    assert all(
        r.quota["allowance"] == 1 and r.quota["n_excellent"] == 3 and r.quota["n_good"] == 4 for r in rows if r.moved
    )
    assert all(r.quota["allowed"] == finals.count("excellent") for r in rows if r.moved)  # how many stayed excellent
    assert len(moved) == 3 - finals.count("excellent") - finals.count(None)
    assert {m.evaluation_id for m in result.awaiting} == {rows[i].id for i in flagged}


def test_people_of_a_unit_and_its_units_are_separate_quota_groups(demo_store: Store, who: dict[str, Viewer]) -> None:
    """The department's own people (head, deputy) and its divisions are approved together but never
    counted in each other's quota: each decision names its group."""
    leader = who["city_leader"]
    department = unit_by_code(demo_store, "SO-KHCN")
    commands.open_evaluations(demo_store, viewer=leader, period_code=PERIOD, unit_id=department.id)
    approval.review_remaining(demo_store, viewer=leader, unit_id=department.id, period_code=PERIOD)
    approval.approve_unit(demo_store, viewer=leader, unit_id=department.id, period_code=PERIOD)
    with demo_store.read() as session:
        rows = queries.list_evaluations(session, viewer=leader, period_code=PERIOD, unit_id=department.id, people=False)
        people = (
            session.execute(
                select(Evaluation)
                .join(Person, Person.id == Evaluation.person_id)
                .where(Person.unit_id == department.id)
            )
            .scalars()
            .all()
        )
    divisions = [r for r in rows if r.unit_id != department.id]
    assert len(divisions) == 5 and all(r.status == "approved" for r in divisions)
    assert all(r.quota.get("group") == "unit:division" for r in divisions if r.total is not None)
    assert all(e.status == "approved" for e in people)

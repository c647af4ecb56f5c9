"""The evaluation flow on the real store (SQLite and PostgreSQL): open, explain, self-assess,
review with reasons, approve with the quota, lock, appeal, unlock; who may do what; the pilot
classification snapshot that must be identical on both backends.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from data_access.commands import evaluation_approval as approval
from data_access.commands import evaluations as commands
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid, NotFound
from data_access.models import AuditEntry, OrgUnit, Person, Task
from data_access.queries import evaluations as queries
from data_access.seed import DEMO_USERNAMES
from data_access.viewer import Viewer
from domain.periods import parse_period
from tests.support.viewers import demo_viewers, viewer_of

EXPECTED = Path(__file__).parent / "expected" / "evaluations_pilot.json"
PERIOD = "2026-Q3"
FULL = {"politics": 10, "ethics": 5, "manner": 5, "discipline": 10}  # Decree 335's general criteria, 30 points


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def own_evaluation(store: Store, viewer: Viewer, period: str = PERIOD) -> queries.EvaluationRow:
    with store.read() as session:
        rows = queries.list_evaluations(session, viewer=viewer, period_code=period)
    assert len(rows) == 1, "staff see exactly their own evaluation"
    return rows[0]


def set_tasks(store: Store, person_id: int, unit_id: int, specs: list[dict]) -> None:
    """Replace the person's Q3 tasks with hand-made ones."""
    set_tasks_in(store, person_id, unit_id, PERIOD, specs)


def set_tasks_in(store: Store, person_id: int, unit_id: int, period_code: str, specs: list[dict]) -> None:
    """Replace the person's tasks due in a period with hand-made ones (due inside it, in order)."""
    period = parse_period(period_code)
    with store.write() as session:
        session.execute(
            delete(Task).where(
                Task.assignee_person_id == person_id, Task.due_date >= period.start, Task.due_date <= period.end
            )
        )
        for n, spec in enumerate(specs):
            due = period.start + timedelta(days=40 + n)
            session.add(
                Task(
                    title=f"Product {n}",
                    assigner_unit_id=unit_id,
                    assignee_unit_id=unit_id,
                    assignee_person_id=person_id,
                    start_date=period.start,
                    due_date=due,
                    original_due_date=due,
                    **spec,
                )
            )


def test_open_creates_drafts_with_task_explanation(demo_store: Store, people: dict[str, Viewer]) -> None:
    manager, staff = people["manager"], people["staff"]
    created = commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    with demo_store.read() as session:
        members = session.execute(select(Person.id).where(Person.unit_id == manager.scope_unit_id)).scalars().all()
        tasks = (
            session.execute(
                select(Task)
                .where(
                    Task.assignee_person_id == staff.person_id,
                    Task.due_date >= date(2026, 7, 1),
                    Task.due_date <= date(2026, 9, 30),
                    Task.status != "cancelled",
                )
                .order_by(Task.due_date, Task.id)
            )
            .scalars()
            .all()
        )
    assert created == len(members) + 1  # everyone in the division, and the division itself
    again = commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    assert again == 0
    row = own_evaluation(demo_store, staff)
    with demo_store.read() as session:
        detail = queries.get_evaluation(session, viewer=staff, evaluation_id=row.id)
    assert row.status == "draft" and detail.can_self_assess and not detail.can_review
    assert [line["task_id"] for line in detail.details["explanation"]] == [t.id for t in tasks]
    assert row.general_points == 30.0  # criteria start at their maxima
    if tasks:
        assert row.total == pytest.approx(30.0 + row.task_points)
    else:  # no products in the period: not classified
        assert row.total is None and row.level is None


def test_hand_computed_task_points_and_levels(demo_store: Store, people: dict[str, Viewer]) -> None:
    """Decree 335, computed by hand: two products, coefficients 1 and 3.

    Product A (1.0): done on time, accepted. Product B (3.0): done, accepted, one major error
    (-25% of its quality points) and one delay (-25% of its progress points).
    quantity = (1 + 3) / 4 = 1; quality = (1 + 3 * 0.75) / 4 = 0.8125; progress = 0.8125.
    Task points = 70 * (1 + 0.8125 + 0.8125) / 3 = 61.25; with 30 general points: 91.25 -> excellent.
    After the review lowers discipline from 10 to 8: 89.25 -> good.
    """
    manager, staff = people["manager"], people["staff"]
    set_tasks(
        demo_store,
        staff.person_id,
        staff.scope_unit_id,
        [
            {"coefficient": 1.0, "status": "done", "quality_accepted": True, "major_errors": 0, "delays": 0},
            {"coefficient": 3.0, "status": "done", "quality_accepted": True, "major_errors": 1, "delays": 1},
        ],
    )
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    row = own_evaluation(demo_store, staff)
    assert row.task_points == pytest.approx(61.25)
    assert row.total == pytest.approx(91.25)
    assert row.level == "excellent"
    with demo_store.read() as session:
        detail = queries.get_evaluation(session, viewer=staff, evaluation_id=row.id)
    deductions = [d["code"] for line in detail.details["explanation"] for d in line["deductions"]]
    assert deductions == ["major_errors", "delays"]

    commands.self_assess(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, scores=FULL)
    row = own_evaluation(demo_store, staff)
    commands.review(
        demo_store,
        viewer=manager,
        evaluation_id=row.id,
        version=row.version,
        scores={**FULL, "discipline": 8},
        reasons={"discipline": "Late to two meetings"},
    )
    row = own_evaluation(demo_store, staff)
    assert (row.status, row.general_points, row.total, row.level) == ("reviewed", 28.0, pytest.approx(89.25), "good")


def test_self_assessment_then_review_needs_a_reason_for_each_change(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    manager, staff = people["manager"], people["staff"]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    row = own_evaluation(demo_store, staff)
    scores = {"politics": 10, "ethics": 5, "manner": 4, "discipline": 8}
    commands.self_assess(
        demo_store, viewer=staff, evaluation_id=row.id, version=row.version, scores=scores, note="Tôi tự đánh giá"
    )
    row = own_evaluation(demo_store, staff)
    assert row.status == "self_assessed" and row.general_points == 27.0  # 10 + 5 + 4 + 8

    with pytest.raises(Invalid) as refused:
        commands.review(
            demo_store,
            viewer=manager,
            evaluation_id=row.id,
            version=row.version,
            scores={**scores, "discipline": 10},
            reasons={},
        )
    assert refused.value.problems == {"discipline": "reason_required"}
    assert own_evaluation(demo_store, staff).general_points == 27.0  # nothing half-written

    commands.review(
        demo_store,
        viewer=manager,
        evaluation_id=row.id,
        version=row.version,
        scores={**scores, "discipline": 10},
        reasons={"discipline": "Led the training course"},
    )
    with demo_store.read() as session:
        detail = queries.get_evaluation(session, viewer=staff, evaluation_id=row.id)
    assert detail.row.status == "reviewed" and detail.row.general_points == 29.0
    assert detail.details["review"][0] | {"at": None} == {
        "criterion": "discipline",
        "from": 8.0,
        "to": 10.0,
        "reason": "Led the training course",
        "by": manager.username,
        "at": None,
    }
    assert [e.action for e in detail.trail] == ["evaluation.self_assess", "evaluation.review"]


def test_a_discipline_flag_needs_a_reason_and_overrides_the_total(demo_store: Store, people: dict[str, Viewer]) -> None:
    """Two flawless products (70 task points) + 30 general = 100, excellent; disciplined in the period:
    not completed whatever the total (Decree 335), and the flag is recorded with its reason."""
    manager, staff = people["manager"], people["staff"]
    set_tasks(
        demo_store,
        staff.person_id,
        staff.scope_unit_id,
        [{"coefficient": 1.0, "status": "done", "quality_accepted": True, "major_errors": 0, "delays": 0}],
    )
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    row = own_evaluation(demo_store, staff)
    assert (row.total, row.level) == (100.0, "excellent")
    with pytest.raises(Invalid) as refused:
        commands.review(
            demo_store,
            viewer=manager,
            evaluation_id=row.id,
            version=row.version,
            scores=FULL,
            reasons={},
            disciplined=True,
            discipline_reason="",
        )
    assert refused.value.problems == {"disciplined": "reason_required"}
    commands.review(
        demo_store,
        viewer=manager,
        evaluation_id=row.id,
        version=row.version,
        scores=FULL,
        reasons={},
        disciplined=True,
        discipline_reason="Khiển trách theo Quyết định số 12/QĐ",
    )
    row = own_evaluation(demo_store, staff)
    assert (row.total, row.level, row.disciplined) == (100.0, "not_completed", True)
    with demo_store.read() as session:
        review = queries.get_evaluation(session, viewer=staff, evaluation_id=row.id).details["review"]
    assert [(c["criterion"], c["from"], c["to"], c["reason"]) for c in review] == [
        ("disciplined", False, True, "Khiển trách theo Quyết định số 12/QĐ")
    ]


def test_scores_outside_the_criteria_are_refused(demo_store: Store, people: dict[str, Viewer]) -> None:
    manager, staff = people["manager"], people["staff"]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    row = own_evaluation(demo_store, staff)
    with pytest.raises(Invalid) as refused:
        commands.self_assess(
            demo_store,
            viewer=staff,
            evaluation_id=row.id,
            version=row.version,
            scores={"politics": 11, "ethics": "x", "manner": 5, "discipline": -1},
        )
    assert refused.value.problems == {
        "politics": "out_of_range",
        "ethics": "required_number",
        "discipline": "out_of_range",
    }


def test_who_may_do_what_and_refusals_are_audited(demo_store: Store, people: dict[str, Viewer]) -> None:
    manager, staff, ward_leader = people["manager"], people["staff"], people["ward_leader"]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    mine = own_evaluation(demo_store, staff)
    with demo_store.read() as session:
        colleague = next(
            r
            for r in queries.list_evaluations(session, viewer=manager, period_code=PERIOD)
            if r.person_id not in (staff.person_id, manager.person_id) and r.person_id
        )
    scores = FULL
    with pytest.raises(Forbidden):  # staff review nobody, not even themselves
        commands.review(demo_store, viewer=staff, evaluation_id=mine.id, version=None, scores=scores, reasons={})
    with pytest.raises(NotFound):  # nor learn that a colleague's evaluation exists
        commands.self_assess(demo_store, viewer=staff, evaluation_id=colleague.id, version=None, scores=scores)
    with pytest.raises(Forbidden):  # a manager does not self-assess for someone else
        commands.self_assess(demo_store, viewer=manager, evaluation_id=colleague.id, version=None, scores=scores)
    with pytest.raises(NotFound):  # another ward's leader does not even learn that it exists
        commands.review(
            demo_store, viewer=ward_leader, evaluation_id=colleague.id, version=None, scores=scores, reasons={}
        )
    with pytest.raises(NotFound), demo_store.read() as session:
        queries.get_evaluation(session, viewer=staff, evaluation_id=colleague.id)
    with pytest.raises(Forbidden):
        approval.approve_unit(demo_store, viewer=staff, unit_id=staff.scope_unit_id, period_code=PERIOD)
    with demo_store.read() as session:
        denied = session.execute(select(AuditEntry.action).where(AuditEntry.outcome == "denied")).scalars().all()
    assert Counter(denied) == Counter({"evaluation.review": 1, "evaluation.self_assess": 1, "evaluation.approve": 1})


def test_stale_version_is_a_conflict(demo_store: Store, people: dict[str, Viewer]) -> None:
    manager, staff = people["manager"], people["staff"]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    row = own_evaluation(demo_store, staff)
    scores = FULL
    commands.self_assess(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, scores=scores)
    with pytest.raises(Conflict) as conflict:
        commands.review(
            demo_store, viewer=manager, evaluation_id=row.id, version=row.version, scores=scores, reasons={}
        )
    assert conflict.value.changed_by == staff.username


def approve_division(store: Store, manager: Viewer, period: str = PERIOD) -> approval.ApprovalResult:
    approval.review_remaining(store, viewer=manager, unit_id=manager.scope_unit_id, period_code=period)
    return approval.approve_unit(store, viewer=manager, unit_id=manager.scope_unit_id, period_code=period)


def test_approval_applies_the_quota_and_locks(demo_store: Store, people: dict[str, Viewer]) -> None:
    manager, staff = people["manager"], people["staff"]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    with pytest.raises(Invalid) as pending:
        approval.approve_unit(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    assert pending.value.problems == {"evaluations": "not_reviewed"}
    result = approve_division(demo_store, manager)
    with demo_store.read() as session:
        rows = queries.list_evaluations(session, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    people_rows = [r for r in rows if r.person_id != manager.person_id]
    assert result.approved == len(people_rows)
    assert all(r.status == "approved" for r in people_rows)
    by_group: dict[str, list[queries.EvaluationRow]] = defaultdict(list)
    for r in people_rows:
        by_group[r.task_group].append(r)
    for group, members in by_group.items():
        finals = Counter(r.final_level for r in members)
        assert finals["excellent"] <= 0.2 * finals["good"] or finals["excellent"] == 0, group
    moved = [r for r in people_rows if r.moved]
    assert {m.evaluation_id for m in result.moves} == {r.id for r in moved}
    assert moved, "the demo division has more excellent people than the quota allows"
    assert all(
        r.level == "excellent" and r.final_level == "good" and r.quota["n_excellent"] > r.quota["allowed"]
        for r in moved
    )

    # Approved means locked for changes; the person may still appeal until the period is locked.
    row = own_evaluation(demo_store, staff)
    scores = FULL
    with pytest.raises(Forbidden):
        commands.self_assess(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, scores=scores)
    with pytest.raises(Invalid):
        commands.appeal(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, note="  ")
    commands.appeal(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, note="Tôi đề nghị xem xét lại")
    assert approval.lock_unit(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD) == len(
        people_rows
    )
    row = own_evaluation(demo_store, staff)
    with pytest.raises(Forbidden):
        commands.appeal(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, note="again")

    # Only an administrator reopens, with a reason.
    with pytest.raises(Forbidden):
        commands.unlock(demo_store, viewer=manager, evaluation_id=row.id, version=row.version, reason="x")
    with pytest.raises(Invalid):
        commands.unlock(demo_store, viewer=people["admin"], evaluation_id=row.id, version=row.version, reason="")
    commands.unlock(
        demo_store, viewer=people["admin"], evaluation_id=row.id, version=row.version, reason="Appeal accepted"
    )
    row = own_evaluation(demo_store, staff)
    assert (row.status, row.final_level) == ("reviewed", None)
    with demo_store.read() as session:
        actions = [e.action for e in queries.trail(session, evaluation_id=row.id)]
    assert actions == [
        "evaluation.review",
        "evaluation.approve",
        "evaluation.appeal",
        "evaluation.lock",
        "evaluation.unlock",
    ]


def pilot_classification(store: Store, period: str) -> dict[str, dict]:
    """Open, accept and approve the whole pilot for a period, unit by unit, and read the result."""
    admin = viewer_of(store, DEMO_USERNAMES["admin"])
    leader = viewer_of(store, DEMO_USERNAMES["city_leader"])
    commands.open_evaluations(store, viewer=admin, period_code=period, unit_id=admin.scope_unit_id)
    with store.read() as session:
        units = session.execute(select(OrgUnit.id).order_by(OrgUnit.path)).scalars().all()
    for unit_id in reversed(units):
        approval.review_remaining(store, viewer=leader, unit_id=unit_id, period_code=period)
        try:
            approval.approve_unit(store, viewer=leader, unit_id=unit_id, period_code=period)
        except Invalid as problem:
            assert problem.problems == {"evaluations": "nothing_to_approve"}
    with store.read() as session:
        rows = queries.list_evaluations(session, viewer=admin, period_code=period)
        units_rows = queries.list_evaluations(session, viewer=admin, period_code=period, people=False)
        codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
    out = {}
    for r in rows:
        out[r.civil_servant_code] = [r.task_points, r.total, r.level, r.final_level, r.status, r.moved, r.flagged]
    for r in units_rows:
        out[codes[r.unit_id]] = [r.task_points, r.total, r.level, r.final_level, r.status, r.moved, r.flagged]
    return out


def test_pilot_classification_matches_the_snapshot_on_every_backend(demo_store: Store) -> None:
    """The same file passes on SQLite and PostgreSQL: results do not depend on the backend.

    This proves the backends agree and that nothing changed since the snapshot was written; it does
    not prove the numbers are right (PULSE_WRITE_SNAPSHOT=1 rewrites the file from the code under test
    and then compares it with itself). The numbers are proven by hand-computed cases:
    tests/unit/test_decree_335.py and tests/unit/test_evaluation_rulesets.py (scores, levels, quota),
    and the worked examples in this file (test_hand_computed_task_points_and_levels: 61.25 task points;
    test_approval_applies_the_quota_and_locks; test_regulation_366_lowers_a_level_that_decree_335_keeps).
    """
    result = {"period": PERIOD, "evaluations": pilot_classification(demo_store, PERIOD)}
    if os.environ.get("PULSE_WRITE_SNAPSHOT") == "1":
        EXPECTED.parent.mkdir(parents=True, exist_ok=True)
        EXPECTED.write_text(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert result == expected
    levels = Counter(v[3] for v in result["evaluations"].values())
    assert levels["excellent"] > 0 and levels["good"] > 0  # the snapshot is not trivially empty


def test_regulation_366_lowers_a_level_that_decree_335_keeps(demo_store: Store, people: dict[str, Viewer]) -> None:
    """Same products under both rule sets: two tasks on time, no errors, none exceeding requirements.

    Decree 335: 70 task points + 30 general = 100 -> excellent. Regulation 366 also needs at least
    30% of the tasks to exceed requirements for excellent: 0 of 2 -> good.
    """
    admin = people["admin"]
    perfect = [
        {
            "coefficient": 1.0,
            "status": "done",
            "quality_accepted": True,
            "major_errors": 0,
            "delays": 0,
            "exceeded": False,
        },
        {
            "coefficient": 3.0,
            "status": "done",
            "quality_accepted": True,
            "major_errors": 0,
            "delays": 0,
            "exceeded": False,
        },
    ]
    with demo_store.read() as session:
        party = session.execute(select(OrgUnit).where(OrgUnit.code == "BTC-TU")).scalar_one()
        party_person = (
            session.execute(
                select(Person)
                .join(OrgUnit, OrgUnit.id == Person.unit_id)
                .where(OrgUnit.parent_id == party.id)
                .order_by(Person.id)
            )
            .scalars()
            .first()
        )
    staff = people["staff"]
    set_tasks(demo_store, staff.person_id, staff.scope_unit_id, perfect)
    set_tasks(demo_store, party_person.id, party_person.unit_id, perfect)
    commands.open_evaluations(demo_store, viewer=admin, period_code=PERIOD, unit_id=admin.scope_unit_id)
    with demo_store.read() as session:
        rows = {r.person_id: r for r in queries.list_evaluations(session, viewer=admin, period_code=PERIOD)}
        party_detail = queries.get_evaluation(session, viewer=admin, evaluation_id=rows[party_person.id].id)
    decree, regulation = rows[staff.person_id], rows[party_person.id]
    assert (decree.ruleset, decree.total, decree.level) == ("decree_335", 100.0, "excellent")
    assert (regulation.ruleset, regulation.total, regulation.level) == ("regulation_366", 100.0, "good")
    assert party_detail.details["conditions"] == ["excellent_needs_exceeded_share"]


def test_a_leaders_task_points_weigh_the_units_results(demo_store: Store, people: dict[str, Viewer]) -> None:
    """Division head, own tasks perfect (70 points): 70 * (0.5 * 1 + 0.25 * unit + 0.25 * plan), where
    unit = 1 when every subordinate is completed or better, else 0.5; plan = the division's score
    (with no score, its weight goes to the other parts: 70 * (0.5 + 0.25 * unit) / 0.75)."""
    from data_access.models import Period as PeriodRow
    from data_access.models import UnitRollup

    manager, leader = people["manager"], people["city_leader"]
    set_tasks(
        demo_store,
        manager.person_id,
        manager.scope_unit_id,
        [{"coefficient": 2.0, "status": "done", "quality_accepted": True, "major_errors": 0, "delays": 0}],
    )
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    approve_division(demo_store, manager)  # everyone but the head
    assert approval.review_remaining(demo_store, viewer=leader, unit_id=manager.scope_unit_id, period_code=PERIOD) == 1
    approval.approve_unit(demo_store, viewer=leader, unit_id=manager.scope_unit_id, period_code=PERIOD)  # the head
    with demo_store.read() as session:
        rows = queries.list_evaluations(session, viewer=leader, period_code=PERIOD, unit_id=manager.scope_unit_id)
        plan = session.execute(
            select(UnitRollup.score)
            .join(PeriodRow, PeriodRow.id == UnitRollup.period_id)
            .where(UnitRollup.unit_id == manager.scope_unit_id, PeriodRow.code == PERIOD)
        ).scalar_one()
    head = next(r for r in rows if r.person_id == manager.person_id)
    others = [r for r in rows if r.person_id not in (manager.person_id, None)]
    unit = 0.5 if any(r.final_level == "not_completed" for r in others) else 1.0
    assert head.status == "approved"
    expected = 70 * (0.5 + 0.25 * unit + 0.25 * plan) if plan is not None else 70 * (0.5 + 0.25 * unit) / 0.75
    assert head.task_points == pytest.approx(round(expected, 2))
    assert head.task_points < 70


json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scores=st.dictionaries(st.sampled_from([*FULL, "other", ""]), json_values, max_size=6), note=json_values)
def test_any_self_assessment_input_is_saved_valid_or_refused(
    demo_store: Store, people: dict[str, Viewer], scores: dict, note: object
) -> None:
    """Whatever a forged request sends, the stored general points stay within the criteria."""
    manager, staff = people["manager"], people["staff"]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    row = own_evaluation(demo_store, staff)
    try:
        commands.self_assess(
            demo_store, viewer=staff, evaluation_id=row.id, version=row.version, scores=scores, note=note
        )  # type: ignore[arg-type]
    except Invalid:
        assert own_evaluation(demo_store, staff).general_points == row.general_points
    else:
        assert set(scores) == set(FULL)
        assert own_evaluation(demo_store, staff).general_points == pytest.approx(sum(float(v) for v in scores.values()))
    assert 0 <= (own_evaluation(demo_store, staff).general_points or 0) <= 30

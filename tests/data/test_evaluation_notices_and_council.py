"""Evaluations that people notice, and ties that a council decides, on the real store (SQLite and
PostgreSQL): a notice for each step (opened with the deadline, returned, approved, moved, council,
appeal answered), raised in the same write; ties at the quota's cut wait for the unit head, who keeps
excellent for at most the seats left, with a reason; small groups pooled when the rule set says so.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import select

from config.clock import today
from data_access import notifications
from data_access.commands import evaluation_approval as approval
from data_access.commands import evaluations as commands
from data_access.db import Store
from data_access.errors import Forbidden, Invalid
from data_access.models import AuditEntry, Notification
from data_access.queries import evaluations as queries
from data_access.viewer import Viewer
from domain.rulesets import DEFAULT_RULES
from tests.data.test_evaluation_flow import FULL, PERIOD, own_evaluation, set_tasks
from tests.support.viewers import demo_viewers, viewer_of

PERFECT = {"coefficient": 1.0, "status": "done", "quality_accepted": True, "major_errors": 0, "delays": 0}
LOWER = {"politics": 2, "ethics": 5, "manner": 5, "discipline": 3}  # 15 general points: 85 with 70 task points


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def notices_of(store: Store, viewer: Viewer, kind: str) -> list[dict]:
    """The viewer's notices of one kind, their JSON detail read back."""
    with store.read() as session:
        found = notifications.list_notices(session, viewer=viewer)
    return [json.loads(n.detail or "{}") for n in found if n.kind == kind]


def division_rows(store: Store, manager: Viewer) -> list[queries.EvaluationRow]:
    with store.read() as session:
        return queries.list_evaluations(session, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)


def test_opening_tells_each_person_the_deadline_and_not_the_one_who_opened(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    manager, staff = people["manager"], people["staff"]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    row = own_evaluation(demo_store, staff)
    opened = notices_of(demo_store, staff, "eval_opened")
    deadline = (today() + timedelta(days=7)).isoformat()
    assert opened == [{"evaluation": row.id, "period": PERIOD, "deadline": deadline}]
    with demo_store.read() as session:
        detail = queries.get_evaluation(session, viewer=staff, evaluation_id=row.id)
        to_manager = session.execute(
            select(Notification.kind).where(Notification.user_id == manager.user_id, Notification.kind == "eval_opened")
        ).all()
    assert detail.details["self_deadline"] == deadline
    assert to_manager == []  # the one who opened them is not told what they just did
    # Opening again creates nothing and tells nobody twice.
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    assert len(notices_of(demo_store, staff, "eval_opened")) == 1


def test_returned_approved_and_appeal_answered_each_reach_the_person(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    manager, staff = people["manager"], people["staff"]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    row = own_evaluation(demo_store, staff)
    commands.self_assess(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, scores=FULL)
    row = own_evaluation(demo_store, staff)

    # The reviewer sends it back with a reason: draft again, and the person is told why.
    with pytest.raises(Forbidden):
        commands.return_to_person(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, reason="x")
    with pytest.raises(Invalid):
        commands.return_to_person(demo_store, viewer=manager, evaluation_id=row.id, version=row.version, reason=" ")
    reason = "Điểm kỷ luật chưa phản ánh lần đi muộn tháng 8"
    commands.return_to_person(demo_store, viewer=manager, evaluation_id=row.id, version=row.version, reason=reason)
    row = own_evaluation(demo_store, staff)
    assert row.status == "draft"
    assert notices_of(demo_store, staff, "eval_returned") == [
        {"evaluation": row.id, "period": PERIOD, "reason": reason}
    ]

    commands.self_assess(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, scores=LOWER)
    approval.review_remaining(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    approval.approve_unit(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    row = own_evaluation(demo_store, staff)
    told = notices_of(demo_store, staff, "eval_approved") + notices_of(demo_store, staff, "eval_quota")
    assert told == [
        {
            "evaluation": row.id,
            "period": PERIOD,
            "level": row.level,
            "final": row.final_level,
            "awaiting": False,
        }
    ]

    # An appeal, answered by the head who approved; nobody else answers, and an empty answer is refused.
    commands.appeal(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, note="Đề nghị xem xét lại")
    row = own_evaluation(demo_store, staff)
    with pytest.raises(Forbidden):
        commands.answer_appeal(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, answer="ok")
    with pytest.raises(Invalid):
        commands.answer_appeal(demo_store, viewer=manager, evaluation_id=row.id, version=row.version, answer="")
    answer = "Hội đồng giữ nguyên kết quả: điểm kỷ luật đã trừ đúng quy định."
    commands.answer_appeal(demo_store, viewer=manager, evaluation_id=row.id, version=row.version, answer=answer)
    assert notices_of(demo_store, staff, "eval_answered") == [
        {"evaluation": row.id, "period": PERIOD, "answer": answer}
    ]
    with demo_store.read() as session:
        detail = queries.get_evaluation(session, viewer=staff, evaluation_id=row.id)
        actions = [e.action for e in queries.trail(session, evaluation_id=row.id)]
    assert detail.details["appeal_answer"]["text"] == answer
    assert "evaluation.return" in actions and actions[-1] == "evaluation.answer_appeal"


def tie_in_a_group(store: Store, manager: Viewer) -> tuple[str, list[queries.EvaluationRow]]:
    """In the manager's division, the largest position group (6 or more people): everyone with one
    flawless product; the first two keep 30 general points (100, tied), the others are reviewed down to
    15 (85, good). With 2 excellent and at least 4 good the quota allows one: a tie at the cut."""
    commands.open_evaluations(store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    by_group: dict[str, list[queries.EvaluationRow]] = defaultdict(list)
    for row in division_rows(store, manager):
        if row.person_id != manager.person_id:
            by_group[row.task_group].append(row)
    group, members = max(by_group.items(), key=lambda item: len(item[1]))
    assert len(members) >= 6, "the demo division has a position group large enough for one excellent"
    for row in members:
        set_tasks(store, row.person_id, manager.scope_unit_id, [PERFECT])
    commands.open_evaluations(store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    # Re-score after the products changed: a review with no change recomputes the task points.
    current = {r.id: r for r in division_rows(store, manager)}
    for n, row in enumerate(members):
        row = current[row.id]
        scores = FULL if n < 2 else LOWER
        reasons = {} if n < 2 else {c: "Chưa đạt" for c in FULL if FULL[c] != LOWER[c]}
        commands.review(
            store, viewer=manager, evaluation_id=row.id, version=row.version, scores=scores, reasons=reasons
        )
    approval.review_remaining(store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    return group, members


def test_a_tie_at_the_cut_waits_for_the_council_which_keeps_one_with_a_reason(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    manager = people["manager"]
    group, members = tie_in_a_group(demo_store, manager)
    result = approval.approve_unit(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    tied_ids = [members[0].id, members[1].id]
    assert sorted(m.evaluation_id for m in result.awaiting) == sorted(tied_ids)
    current = {r.id: r for r in division_rows(demo_store, manager)}
    for evaluation_id in tied_ids:
        row = current[evaluation_id]
        # Not demoted: no final level until the council decides, and the quota says how many seats are left.
        assert (row.total, row.level, row.final_level, row.moved, row.flagged) == (
            100.0,
            "excellent",
            None,
            False,
            True,
        )
        assert row.quota["awaiting"] and row.quota["seats"] == 1 and sorted(row.quota["tied"]) == sorted(tied_ids)
    with demo_store.read() as session:
        ties = queries.awaiting_ties(session, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
        staff_ties = queries.awaiting_ties(
            session, viewer=people["staff"], period_code=PERIOD, unit_id=manager.scope_unit_id
        )
    assert [(t.group, t.seats, sorted(e.evaluation_id for e in t.entries)) for t in ties] == [
        (group, 1, sorted(tied_ids))
    ]
    assert staff_ties == []  # only the head decides

    # The period cannot be locked with a tie undecided.
    with pytest.raises(Invalid) as waiting:
        approval.lock_unit(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    assert waiting.value.problems == {"council": "awaiting_council"}

    def decide(viewer: Viewer, keep: list[int], reason: str) -> int:
        return approval.resolve_tie(
            demo_store,
            viewer=viewer,
            unit_id=manager.scope_unit_id,
            period_code=PERIOD,
            group=group,
            keep=keep,
            reason=reason,
        )

    with pytest.raises(Forbidden):
        decide(people["staff"], [tied_ids[0]], "tự quyết")
    with pytest.raises(Invalid) as over:
        decide(manager, tied_ids, "Cả hai")
    assert over.value.problems == {"council": "over_quota"}
    with pytest.raises(Invalid) as outsider:
        decide(manager, [members[3].id], "Người khác")
    assert outsider.value.problems == {"council": "not_tied"}
    with pytest.raises(Invalid):
        decide(manager, [tied_ids[1]], "   ")
    reason = "Hội đồng thi đua chọn người có sáng kiến được áp dụng trong quý"
    assert decide(manager, [tied_ids[1]], reason) == 2

    current = {r.id: r for r in division_rows(demo_store, manager)}
    kept, moved = current[tied_ids[1]], current[tied_ids[0]]
    assert (kept.final_level, kept.moved, kept.quota["awaiting"]) == ("excellent", False, False)
    assert (moved.final_level, moved.moved, moved.quota["awaiting"]) == ("good", True, False)
    with demo_store.read() as session:
        detail = queries.get_evaluation(session, viewer=manager, evaluation_id=moved.id)
        audited = session.execute(
            select(AuditEntry.entity_id, AuditEntry.detail).where(
                AuditEntry.action == "evaluation.council", AuditEntry.outcome == "ok"
            )
        ).all()
        refused = session.execute(
            select(AuditEntry.id).where(AuditEntry.action == "evaluation.council", AuditEntry.outcome != "ok")
        ).all()
    assert detail.details["council"]["reason"] == reason and not detail.details["council"]["kept"]
    assert sorted(int(entity) for entity, _d in audited) == sorted(tied_ids)
    assert all(d == reason for _e, d in audited)
    assert refused, "the staff member's attempt is audited as a refusal"
    # Each tied person hears of the decision.
    for row in (kept, moved):
        person = viewer_of_person(demo_store, row.person_id)
        if person is not None:
            assert notices_of(demo_store, person, "eval_council") == [
                {"evaluation": row.id, "period": PERIOD, "final": row.final_level, "reason": reason}
            ]
    # Decided: nothing waits any more, and the period locks.
    with pytest.raises(Invalid):
        decide(manager, [tied_ids[1]], reason)
    assert approval.lock_unit(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD) > 0


def viewer_of_person(store: Store, person_id: int | None) -> Viewer | None:
    """The login of a person, if the person has one."""
    from data_access.models import User

    with store.read() as session:
        username = session.execute(select(User.username).where(User.person_id == person_id)).scalar_one_or_none()
    return viewer_of(store, username) if username else None


def test_a_small_group_is_pooled_with_the_next_group_up_only_when_the_rule_set_says_so(
    demo_store: Store, people: dict[str, Viewer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The division's deputy head, alone in the division leaders' group with 100 points: at 20 % a group
    of one keeps no excellent, so the decree's default moves the deputy to good; with pool_small_groups
    the group is counted with the next one, where there is room."""
    manager = people["manager"]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    groups: dict[str, list[queries.EvaluationRow]] = defaultdict(list)
    for row in division_rows(demo_store, manager):
        if row.person_id != manager.person_id:
            groups[row.task_group].append(row)
    small = [g for g, rows in groups.items() if len(rows) == 1]
    if not small:
        pytest.fail("the demo division has a position group of one (its deputy head)")
    lone = groups[small[0]][0]
    set_tasks(demo_store, lone.person_id, manager.scope_unit_id, [PERFECT])
    for group, rows in groups.items():  # everyone else good: room for excellent in the pool
        if group != small[0]:
            for row in rows:
                set_tasks(demo_store, row.person_id, manager.scope_unit_id, [PERFECT])
    current = {r.id: r for r in division_rows(demo_store, manager)}
    for rows in groups.values():
        for row in rows:
            row = current[row.id]
            lone_one = row.id == lone.id
            commands.review(
                demo_store,
                viewer=manager,
                evaluation_id=row.id,
                version=row.version,
                scores=FULL if lone_one else LOWER,
                reasons={} if lone_one else {c: "Chưa đạt" for c in FULL if FULL[c] != LOWER[c]},
            )
    pooled = dataclasses.replace(DEFAULT_RULES, pool_small_groups=True)
    monkeypatch.setattr(approval, "rules_for", lambda _name: pooled)
    approval.review_remaining(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    approval.approve_unit(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    row = {r.id: r for r in division_rows(demo_store, manager)}[lone.id]
    assert (row.level, row.final_level, row.moved) == ("excellent", "excellent", False)
    assert small[0] in row.quota["groups"] and len(row.quota["groups"]) > 1  # counted with another group


def test_without_pooling_a_group_of_one_keeps_no_excellent_and_says_why(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    manager = people["manager"]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    groups: dict[str, list[queries.EvaluationRow]] = defaultdict(list)
    for row in division_rows(demo_store, manager):
        if row.person_id != manager.person_id:
            groups[row.task_group].append(row)
    lone = next(rows[0] for rows in groups.values() if len(rows) == 1)
    set_tasks(demo_store, lone.person_id, manager.scope_unit_id, [PERFECT])
    row = {r.id: r for r in division_rows(demo_store, manager)}[lone.id]
    commands.review(demo_store, viewer=manager, evaluation_id=row.id, version=row.version, scores=FULL, reasons={})
    approval.review_remaining(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    approval.approve_unit(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)
    row = {r.id: r for r in division_rows(demo_store, manager)}[lone.id]
    assert (row.level, row.final_level, row.moved) == ("excellent", "good", True)
    assert (row.quota["members"], row.quota["allowance"], row.quota["groups"]) == (1, 0, [lone.task_group])

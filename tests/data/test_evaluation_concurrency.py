"""Evaluations under concurrent edits (SQLite and PostgreSQL): reviewers racing on one evaluation with
the version they saw: every attempt either commits or is told who changed it, never lost or merged."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from data_access.commands import evaluations as commands
from data_access.db import Store
from data_access.errors import Conflict
from data_access.models import AuditEntry, Evaluation
from data_access.seed import DEMO_USERNAMES
from tests.data.test_evaluation_flow import FULL, PERIOD, own_evaluation, viewer_of


def test_reviewers_racing_on_one_evaluation_commit_or_hear_of_the_conflict(demo_store: Store) -> None:
    manager, staff = viewer_of(demo_store, DEMO_USERNAMES["manager"]), viewer_of(demo_store, DEMO_USERNAMES["staff"])
    reviewers = [
        manager,
        viewer_of(demo_store, DEMO_USERNAMES["city_leader"]),
        viewer_of(demo_store, DEMO_USERNAMES["city_manager"]),
    ] * 3
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    row = own_evaluation(demo_store, staff)
    commands.self_assess(demo_store, viewer=staff, evaluation_id=row.id, version=row.version, scores=FULL)
    seen = own_evaluation(demo_store, staff)
    barrier, lock = threading.Barrier(len(reviewers)), threading.Lock()
    outcomes: list[str] = []
    names: list[str | None] = []

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            commands.review(
                demo_store,
                viewer=reviewers[n],
                evaluation_id=seen.id,
                version=seen.version,
                scores={**FULL, "manner": 5 - n % 3},
                reasons={"manner": f"Nhận xét {n}"},
            )
            result, who = "committed", None
        except Conflict as problem:
            result, who = "conflict", problem.changed_by
        with lock:
            outcomes.append(result)
            names.append(who)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(reviewers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    committed, conflicts = outcomes.count("committed"), outcomes.count("conflict")
    assert committed + conflicts == len(reviewers) == len(outcomes)
    assert committed == 1
    winner = {r.username for r in reviewers} & {n for n in names if n}
    assert len(winner) == 1  # every conflict names the one who got there first
    with demo_store.read() as session:
        evaluation = session.get(Evaluation, seen.id)
        reviews = session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.entity == "evaluation",
                AuditEntry.entity_id == str(seen.id),
                AuditEntry.action == "evaluation.review",
                AuditEntry.outcome == "ok",
            )
        ).scalar_one()
    assert evaluation.version == seen.version + 1 and reviews == 1

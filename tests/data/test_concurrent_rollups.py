"""Writers racing on the rollups (SQLite and PostgreSQL): 20 threads write at once in different units,
some of them in two units at a time in opposite orders; every write commits, none deadlocks, and the
incrementally kept rollups equal a full rebuild afterwards.

On PostgreSQL each write used to delete and re-insert the rollup rows of every ancestor up to the
city, so two writers under one city collided on `pk_unit_rollups` (a unique violation), and a writer
that read a sibling's rollup before the other committed left the city's figures stale.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import select

from data_access.db import Store
from data_access.models import Indicator, Measurement, OrgUnit, Task
from data_access.rollups import rebuild_all
from tests.conftest import TEST_TODAY
from tests.data.test_rollups_match_rebuild import _same, _snapshot

WRITERS = 20
ROUNDS = 4


def _targets(store: Store) -> list[tuple[int, int]]:
    """(unit, one of its indicators of this year) for units that own an indicator, deepest first."""
    with store.read() as session:
        rows = session.execute(
            select(OrgUnit.id, Indicator.id)
            .join(Indicator, Indicator.unit_id == OrgUnit.id)
            .where(Indicator.code.is_not(None))
            .order_by(OrgUnit.depth.desc(), OrgUnit.id, Indicator.id)
        ).all()
    seen: dict[int, int] = {}
    for unit_id, indicator_id in rows:
        seen.setdefault(unit_id, indicator_id)
    return list(seen.items())


def _write(store: Store, targets: list[tuple[int, int]], n: int, round_: int) -> None:
    """One transaction: a counted value in one unit and a task there, plus (every other writer) a task in
    the next unit, so that transactions touching two subtrees take them in both orders."""
    unit_id, indicator_id = targets[n % len(targets)]
    other_unit = targets[(n + 1) % len(targets)][0]
    due = TEST_TODAY - timedelta(days=n + round_)
    with store.write() as session:
        session.add(
            Measurement(
                indicator_id=indicator_id,
                value=float(10 * n + round_),
                measured_on=date(2026, 10, 1) + timedelta(days=n % 28),
                status="approved",
            )
        )
        units = [unit_id, other_unit] if n % 2 else [other_unit, unit_id]
        for assignee in units if n % 2 or round_ % 2 else units[:1]:
            session.add(
                Task(
                    title=f"race {n}.{round_}",
                    assigner_unit_id=assignee,
                    assignee_unit_id=assignee,
                    start_date=due,
                    due_date=due,
                    original_due_date=due,
                    status="open" if round_ % 2 else "done",
                    delays=n % 2,
                )
            )
            session.flush()  # the rows land in this order, so two writers lock their units in opposite orders


def test_parallel_writers_in_different_units_all_commit_and_rollups_equal_a_rebuild(demo_store: Store) -> None:
    targets = _targets(demo_store)
    assert len(targets) >= 10, "the pilot tree should have many units with indicators"
    barrier = threading.Barrier(WRITERS)
    failures: list[str] = []
    guard = threading.Lock()

    def writer(n: int) -> None:
        barrier.wait()
        for round_ in range(ROUNDS):
            try:
                _write(demo_store, targets, n, round_)
            except Exception as error:  # noqa: BLE001 (every failure is the finding)
                with guard:
                    failures.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer never finished (deadlock?)"
    assert failures == [], f"{len(failures)} of {WRITERS * ROUNDS} writes failed:\n" + "\n".join(failures[:3])
    with demo_store.read() as session:
        written = session.execute(select(Task.id).where(Task.title.like("race %"))).all()
    assert len(written) == sum(
        2 if n % 2 or r % 2 else 1 for n in range(WRITERS) for r in range(ROUNDS)
    )  # nothing lost

    incremental = _snapshot(demo_store)
    with demo_store.write() as session:
        rebuild_all(session, today=TEST_TODAY)
    rebuilt = _snapshot(demo_store)
    for kind in ("indicators", "units"):
        assert len(incremental[kind]) == len(rebuilt[kind])
        for left, right in zip(incremental[kind], rebuilt[kind], strict=True):
            assert all(_same(a, b) for a, b in zip(left, right, strict=True)), (kind, left, right)

"""Faults in the middle of multi-row writes (SQLite and PostgreSQL): for each such write, an error is
raised at each SQL statement in turn (the 1st, then the 2nd, ... until the write gets through
untouched); after every failure the whole database is exactly as before it, and once the write has
gone through, the rollups equal a full rebuild.

Writes covered: a task assigned to every ward at once, one chunk of a spreadsheet import, and the
approval of a unit's evaluations with the quota.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from config.clock import today
from data_access import audit, imports
from data_access.commands import evaluation_approval, evaluations, tasks
from data_access.db import Store
from data_access.models import Base, Evaluation, Measurement, OrgUnit, Task
from data_access.rollups import rebuild_all
from tests.conftest import TEST_TODAY
from tests.data.test_evaluation_flow import PERIOD
from tests.data.test_rollups_match_rebuild import _same, _snapshot
from tests.data.test_value_import import filled_template
from tests.support.viewers import demo_viewers

MAX_STATEMENTS = 400  # a runaway guard: each write here takes far fewer


class InjectedFault(Exception):
    """The error raised in place of a statement."""


@contextmanager
def fault_at(store: Store, n: int) -> Iterator[list[str]]:
    """Raise InjectedFault instead of running the n-th SQL statement sent on the store's engine."""
    sent: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement)
        if len(sent) == n:
            raise InjectedFault(f"statement {n}: {' '.join(statement.split())[:80]}")

    event.listen(store.engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", before)


# The table a data-changing statement names: nothing else can change a table (the schema has no triggers).
_WRITTEN_TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def database_state(store: Store, tables: Collection[str] | None = None) -> dict[str, tuple[int, str]]:
    """Each table's row count, with a digest of its rows in key order, exactly as stored, for the tables
    named (every table when None); the other tables get their count only.

    Rows are read through the driver. After a fault only the tables the sent statements wrote to can
    differ, so only those are read whole: reading every table after every fault was most of this file's time.
    """
    state = {}
    quote = store.engine.dialect.identifier_preparer.quote
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            name = quote(table.name)
            if tables is not None and table.name not in tables:
                count = conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()  # noqa: S608
                state[table.name] = (count, "")
                continue
            keys = ", ".join(quote(c.name) for c in table.primary_key.columns)
            rows = conn.exec_driver_sql(f"SELECT * FROM {name} ORDER BY {keys}").fetchall()  # noqa: S608
            state[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def written_tables(statements: Collection[str]) -> set[str]:
    """The tables the statements insert into, update or delete from, and every table whose foreign keys
    lead to one of them (an ON DELETE CASCADE or SET NULL changes rows the statement does not name)."""
    touched = {match[1] for statement in statements if (match := _WRITTEN_TABLE.match(statement))}
    grown = True
    while grown:
        referring = {
            table.name
            for table in Base.metadata.sorted_tables
            if any(fk.column.table.name in touched for fk in table.foreign_keys)
        }
        grown = not referring <= touched
        touched |= referring
    return touched


def run_with_faults(store: Store, write: Callable[[], Any]) -> tuple[int, Any]:
    """Fail the write at each statement in turn, checking nothing changed; returns (statements, result)."""
    before = database_state(store)
    for n in range(1, MAX_STATEMENTS):
        with fault_at(store, n) as sent:
            try:
                result = write()
            except InjectedFault:
                # The failed statement counts as written: a driver may have applied part of it.
                touched = written_tables(sent)
                after = database_state(store, touched)
                changed = {
                    name
                    for name in before
                    if (before[name] if name in touched else (before[name][0], "")) != after[name]
                }
                assert not changed, f"a fault at statement {n} ({sent[-1][:80]!r}) left {sorted(changed)} changed"
                continue
        assert len(sent) < n, f"the fault at statement {n} was swallowed: the write reported success"
        return n - 1, result
    raise AssertionError(f"the write took more than {MAX_STATEMENTS} statements")


def assert_rollups_equal_a_rebuild(store: Store) -> None:
    incremental = _snapshot(store)
    with store.write() as session:
        rebuild_all(session, today=TEST_TODAY)
    rebuilt = _snapshot(store)
    for kind in ("indicators", "units"):
        assert len(incremental[kind]) == len(rebuilt[kind])
        for left, right in zip(incremental[kind], rebuilt[kind], strict=True):
            assert all(_same(a, b) for a, b in zip(left, right, strict=True)), (kind, left, right)


def test_assigning_to_every_ward_fails_whole_at_any_statement(demo_store: Store) -> None:
    city_manager = demo_viewers(demo_store)["city_manager"]
    with demo_store.read() as session:
        wards = list(session.execute(select(OrgUnit.id).where(OrgUnit.kind == "ward").order_by(OrgUnit.id)).scalars())
    assert len(wards) >= 2

    statements, created = run_with_faults(
        demo_store,
        lambda: tasks.assign(
            demo_store,
            viewer=city_manager,
            title="Rà soát hồ sơ tồn đọng",
            due_date=TEST_TODAY + timedelta(days=14),
            unit_ids=wards,
        ),
    )
    assert statements >= 5 and len(created) == len(wards)
    with demo_store.read() as session:
        copies = session.execute(select(Task.assignee_unit_id).where(Task.id.in_(created))).scalars().all()
    assert sorted(copies) == wards
    assert_rollups_equal_a_rebuild(demo_store)


def test_an_import_chunk_fails_whole_at_any_statement(demo_store: Store) -> None:
    staff = demo_viewers(demo_store)["staff"]
    day = today()
    content, _listed = filled_template(
        demo_store,
        staff,
        [
            (0, day, 71, "a"),
            (1, day, 12, "b"),
            (0, day - timedelta(days=1), 70, "c"),
            (1, day - timedelta(days=2), 9, ""),
        ],
    )
    state = imports.stage(demo_store, viewer=staff, filename="so-lieu.xlsx", content=content)
    while state.status == "checking":
        state = imports.check_next(demo_store, viewer=staff, job_id=state.job_id)
    assert state.valid == 4, state
    state = imports.start_import(demo_store, viewer=staff, job_id=state.job_id)
    with demo_store.read() as session:
        before = len(session.execute(select(Measurement.id)).all())

    statements, state = run_with_faults(
        demo_store, lambda: imports.import_next(demo_store, viewer=staff, job_id=state.job_id, chunk=4)
    )
    assert statements >= 5 and state.status == "imported"
    with demo_store.read() as session:
        assert len(session.execute(select(Measurement.id)).all()) == before + 4
    assert_rollups_equal_a_rebuild(demo_store)


def test_approving_a_units_evaluations_with_the_quota_fails_whole_at_any_statement(demo_store: Store) -> None:
    manager = demo_viewers(demo_store)["manager"]
    evaluations.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    evaluation_approval.review_remaining(demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD)

    statements, result = run_with_faults(
        demo_store,
        lambda: evaluation_approval.approve_unit(
            demo_store, viewer=manager, unit_id=manager.scope_unit_id, period_code=PERIOD
        ),
    )
    assert statements >= 5 and result.approved >= 2
    with demo_store.read() as session:
        statuses = set(
            session.execute(select(Evaluation.status).where(Evaluation.unit_id == manager.scope_unit_id)).scalars()
        )
    assert "approved" in statuses
    assert_rollups_equal_a_rebuild(demo_store)


def test_the_harness_catches_a_write_that_leaves_something_behind(demo_store: Store) -> None:
    """The check can fail: a write split over two transactions keeps the first when the second fails."""

    def two_transactions() -> None:
        for step in ("first", "second"):
            with demo_store.write() as session:
                audit.record(session, user_id=None, action="test.split", entity="test", detail=step)

    with pytest.raises(AssertionError, match=r"left \['audit_entries'\] changed"):
        run_with_faults(demo_store, two_transactions)

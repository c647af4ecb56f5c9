"""The audit log is hash-chained: every write extends one chain, concurrent writers never fork it,
and `audit verify` names the first entry that was edited or removed in the database."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import delete, func, select, text, update

from app import create_app
from data_access import audit
from data_access.audit_chain import verify_chain
from data_access.db import Store
from data_access.migrate import alembic_config
from data_access.models import AuditEntry
from domain.audit_chain import GENESIS, ChainEntry, StoredLink, entry_hash, verify
from tests.integration.conftest import make_settings
from tests.support.databases import TestDatabases


def _entry(**changes: object) -> ChainEntry:
    fields: dict[str, object] = {
        "id": 1,
        "at": datetime(2026, 11, 20, 9, 30),
        "user_id": 7,
        "action": "task.progress",
        "entity": "task",
        "entity_id": "42",
        "outcome": "ok",
        "before_json": '{"progress": 10}',
        "after_json": '{"progress": 50}',
        "detail": "Báo cáo tiến độ",
    }
    fields.update(changes)
    return ChainEntry(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        {"at": datetime(2026, 11, 20, 9, 31)},
        {"user_id": 8},
        {"user_id": None},
        {"action": "task.extend"},
        {"entity_id": "43"},
        {"outcome": "denied"},
        {"before_json": '{"progress": 11}'},
        {"after_json": None},
        {"detail": "Báo cáo tiến đô"},
    ],
)
def test_any_changed_field_changes_the_hash(change: dict[str, object]) -> None:
    assert entry_hash(GENESIS, _entry(**change)) != entry_hash(GENESIS, _entry())


def test_verify_names_the_first_break_and_why() -> None:
    entries = [_entry(id=n, entity_id=str(n)) for n in range(1, 5)]
    links, previous = [], GENESIS
    for entry in entries:
        own = entry_hash(previous, entry)
        links.append(StoredLink(entry, previous, own))
        previous = own
    assert verify(links).intact and verify(links).checked == 4 and verify(links).tail_hash == previous
    edited = [*links[:2], StoredLink(_entry(id=3, entity_id="x"), links[2].prev_hash, links[2].hash), links[3]]
    assert (verify(edited).first_break.entry_id, verify(edited).first_break.reason) == (3, "content")
    removed = [links[0], links[2], links[3]]
    assert (verify(removed).first_break.entry_id, verify(removed).first_break.reason) == (3, "link")
    assert verify(removed).checked == 1


def _write_entries(store: Store, count: int, *, label: str = "test") -> None:
    with store.write() as session:
        for n in range(count):
            audit.record(session, user_id=None, action=f"{label}.write", entity="task", entity_id=n, after={"n": n})


def test_every_write_extends_one_chain(empty_store: Store) -> None:
    _write_entries(empty_store, 3)
    with pytest.raises(RuntimeError), empty_store.write() as session:  # rolled back: leaves no trace in the chain
        audit.record(session, user_id=None, action="lost", entity="task", entity_id=1)
        raise RuntimeError
    with empty_store.write() as session:  # an entry in a rolled-back savepoint is not chained onto
        audit.record(session, user_id=None, action="kept", entity="task", entity_id=1)
        with pytest.raises(RuntimeError), session.begin_nested():
            audit.record(session, user_id=None, action="undone", entity="task", entity_id=2)
            raise RuntimeError
        audit.record(session, user_id=None, action="kept", entity="task", entity_id=3)
    _write_entries(empty_store, 2)
    with empty_store.read() as session:
        verdict = verify_chain(session)
        first, tail = session.execute(select(AuditEntry.prev_hash, AuditEntry.hash).order_by(AuditEntry.id)).all()[::6]
    assert verdict.intact and verdict.checked == 7
    assert first.prev_hash == GENESIS and verdict.tail_hash == tail.hash


def test_concurrent_writers_do_not_fork_the_chain(empty_store: Store) -> None:
    """Eight writers start together, each reading before it appends; all 160 entries form one chain."""
    writers, transactions, per_transaction = 8, 10, 2
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait(timeout=30)
            for _ in range(transactions):
                with empty_store.write() as session:
                    session.execute(select(func.count(AuditEntry.id))).scalar_one()
                    for n in range(per_transaction):
                        audit.record(session, user_id=None, action=f"writer{number}", entity="task", entity_id=n)
        except BaseException as error:  # reported below: a thread's exception would otherwise vanish
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    with empty_store.read() as session:
        verdict = verify_chain(session)
        distinct_links = session.execute(select(func.count(func.distinct(AuditEntry.prev_hash)))).scalar_one()
    assert verdict.intact, verdict.first_break
    assert verdict.checked == distinct_links == writers * transactions * per_transaction


def test_verify_command_names_an_edited_entry(empty_store: Store) -> None:
    _write_entries(empty_store, 6)
    url = empty_store.engine.url.render_as_string(hide_password=False)
    server = create_app(make_settings(url))
    runner = server.test_cli_runner()
    try:
        good = runner.invoke(args=["audit", "verify"])
        assert good.exit_code == 0 and "intact: 6 entries" in good.output
        with empty_store.read() as session:
            ids = session.execute(select(AuditEntry.id).order_by(AuditEntry.id)).scalars().all()
        # An insider edits the fourth entry's "after" straight in the database.
        with empty_store.write() as session:
            session.execute(update(AuditEntry).where(AuditEntry.id == ids[3]).values(after_json='{"n": 99}'))
        edited = runner.invoke(args=["audit", "verify"])
        assert edited.exit_code == 1
        assert f"BROKEN at entry #{ids[3]}" in edited.output and "edited" in edited.output
        assert "The 3 entries before it hold" in edited.output
        # Removing the second entry is caught at the third, before the edit further on.
        with empty_store.write() as session:
            session.execute(delete(AuditEntry).where(AuditEntry.id == ids[1]))
        removed = runner.invoke(args=["audit", "verify"])
        assert removed.exit_code == 1 and f"BROKEN at entry #{ids[2]}" in removed.output
        assert "removed, inserted or reordered" in removed.output
    finally:
        server.extensions["pulse"]["store"].dispose()


def test_migration_chains_entries_written_before_it(databases: TestDatabases) -> None:
    url = databases.clone(databases.template("empty"))
    config = alembic_config(url)
    command.downgrade(config, "0005")
    store = Store.connect(url)
    try:
        with store.engine.begin() as conn:
            for n in range(5):
                conn.execute(
                    text(
                        "INSERT INTO audit_entries (at, user_id, action, entity, entity_id, outcome, after_json) "
                        "VALUES (:at, NULL, 'old.write', 'task', :n, 'ok', :after)"
                    ),
                    {"at": datetime(2026, 1, 2, 3, 4, n), "n": str(n), "after": f'{{"n": {n}, "tên": "Hà Nội"}}'},
                )
        command.upgrade(config, "heads")
        _write_entries(store, 2, label="new")
        with store.read() as session:
            verdict = verify_chain(session)
        assert verdict.intact and verdict.checked == 7
    finally:
        store.dispose()

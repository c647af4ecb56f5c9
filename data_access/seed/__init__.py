"""Demo data from Hanoi's real org tree: ``seed_demo(store, scale="pilot"|"hanoi", seed=N, today=...)``.

Stages, each in its own module, generate plain rows in memory with ids assigned up front:
``org_tree`` (units), ``people`` (positions, civil servants), ``accounts`` (the demo logins),
``programmes`` (periods, objectives, indicators, trajectories, measurements) and ``tasks``
(task types, tasks, check-ins). ``seed_demo`` then bulk-inserts them in chunks inside one
transaction and rebuilds the dashboard rollups in the same transaction, so a seeded store is
ready for the dashboards, or holds nothing at all if anything fails.

Same seed and same ``today``, same data: every random draw comes from ``random.Random(seed)``
and ``Faker("vi_VN")`` seeded with ``seed_instance(seed)`` (plus named side streams derived
from the seed), never from global random state.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from data_access import models
from data_access.db import Store
from data_access.seed.accounts import DEMO_USERNAMES, build_accounts
from data_access.seed.org_tree import SCALES, Demo, DemoRows, build_org_tree
from data_access.seed.people import build_people
from data_access.seed.programmes import build_periods, build_programmes
from data_access.seed.tasks import build_task_types, build_tasks
from domain.kinds import UnitKind
from domain.passwords import hash_password, password_problems
from domain.publication import CITIZEN_FACING, Visibility

__all__ = ["DEMO_USERNAMES", "SCALES", "SeedReport", "database_is_empty", "generate", "seed_demo"]

Progress = Callable[[str, int, int], None]
CHUNK = 5_000

# Insertion order respects the foreign keys.
TABLES: tuple[tuple[str, type[models.Base]], ...] = (
    ("periods", models.Period),
    ("org_units", models.OrgUnit),
    ("positions", models.Position),
    ("people", models.Person),
    ("person_placements", models.PersonPlacement),
    ("users", models.User),
    ("plans", models.Plan),
    ("task_types", models.TaskType),
    ("objectives", models.Objective),
    ("indicators", models.Indicator),
    ("trajectory_points", models.TrajectoryPoint),
    ("measurements", models.Measurement),
    ("tasks", models.Task),
    ("task_checkins", models.TaskCheckin),
)


@dataclass(frozen=True)
class SeedReport:
    scale: str
    seed: int
    seconds: float
    counts: dict[str, int]
    demo_password: str | None
    demo_usernames: tuple[str, ...]


def database_is_empty(store: Store) -> bool:
    """True when no org unit exists yet (a fresh database: nothing else can exist without one)."""
    with store.read() as session:
        return session.execute(select(func.count()).select_from(models.OrgUnit)).scalar_one() == 0


def generate(*, scale: str, seed: int, today: date, password_hash: str, progress: Progress | None = None) -> DemoRows:
    """Every demo row, in memory, without touching a database (handy for timing and inspection)."""
    report = progress or _silent
    demo = Demo(scale=scale, seed=seed, today=today)
    steps = 5
    report("generate", 0, steps)
    periods = build_periods(demo)
    tree = build_org_tree(demo)
    report("generate", 1, steps)
    build_people(demo, tree)
    report("generate", 2, steps)
    accounts = build_accounts(tree, demo.rows, password_hash)
    types = build_task_types(demo)
    report("generate", 3, steps)
    programmes = build_programmes(demo, tree, periods, accounts)
    report("generate", 4, steps)
    build_tasks(demo, tree, types, programmes, accounts)
    report("generate", 5, steps)
    return demo.rows


def seed_demo(
    store: Store,
    *,
    scale: str = "pilot",
    seed: int = 2026,
    today: date,
    demo_password: str | None = None,
    progress: Progress | None = None,
) -> SeedReport:
    """Fill an empty store with the demo; returns the row counts and the demo accounts' password.

    ``demo_password`` None: a strong random password is generated and returned in the report
    (show it once). A given password must pass the password policy. ``progress(stage, done,
    total)`` is called as each stage advances.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: use {' or '.join(SCALES)}")
    started = time.perf_counter()
    password = demo_password if demo_password is not None else _generated_password()
    if problems := password_problems(password):
        raise ValueError(f"demo password refused: {', '.join(problems)}")
    report = progress or _silent

    rows = generate(scale=scale, seed=seed, today=today, password_hash=hash_password(password), progress=report)
    counts: dict[str, int] = {}
    with store.write() as session:
        for table, model in TABLES:
            counts[table] = _bulk_insert(session, model, rows.rows(table), table, report)
        _reset_sequences(session)
        _publish_citizen_facing(session)
        counts.update(_rebuild_rollups(session, today, report))
    _analyze(store)
    return SeedReport(
        scale=scale,
        seed=seed,
        seconds=time.perf_counter() - started,
        counts=counts,
        demo_password=password,
        demo_usernames=tuple(DEMO_USERNAMES.values()),
    )


def _publish_citizen_facing(session: Session) -> None:
    """The demo city and its wards have published their citizen-facing indicators (approved plans only),
    so the public page has something to show; everything else stays at the default rung."""
    local = select(models.OrgUnit.id).where(
        models.OrgUnit.kind.in_([UnitKind.CITY.value, UnitKind.WARD.value, UnitKind.COMMUNE.value])
    )
    session.execute(
        update(models.Indicator)
        .where(
            models.Indicator.code.in_(CITIZEN_FACING),
            models.Indicator.published.is_(True),
            models.Indicator.unit_id.in_(local),
        )
        .values(visibility=Visibility.PUBLIC.value, visibility_before=Visibility.PUBLIC.value)
    )


def _analyze(store: Store) -> None:
    """Give PostgreSQL's planner statistics for the freshly loaded tables (autovacuum would, later)."""
    if store.engine.dialect.name != "postgresql":
        return
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def _silent(stage: str, done: int, total: int) -> None:
    return None


def _generated_password() -> str:
    while True:
        password = secrets.token_urlsafe(12)  # 16 characters, about 96 bits
        if not password_problems(password):
            return password


def _bulk_insert(session: Session, model: type[models.Base], rows: list[dict], stage: str, report: Progress) -> int:
    """Insert in chunks of CHUNK rows with one executemany each (ids are already in the rows)."""
    total = len(rows)
    report(stage, 0, total)
    table = model.__table__
    connection = session.connection()
    for start in range(0, total, CHUNK):
        # Core executemany on the session's connection: same transaction, and none of the ORM bulk
        # path's per-row bookkeeping (it regroups rows by which values are None).
        connection.execute(table.insert(), rows[start : start + CHUNK])
        report(stage, min(total, start + CHUNK), total)
    return total


def _reset_sequences(session: Session) -> None:
    """PostgreSQL: move each id sequence past the ids the seeder chose (SQLite needs nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table, _model in TABLES:
        # Table names come from the constant above, never from input.
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"  # noqa: S608 # nosec B608
            )
        )


def _rebuild_rollups(session: Session, today: date, report: Progress) -> dict[str, int]:
    """Precompute the dashboards' rollups in the same transaction (skipped if the module is absent)."""
    try:
        from data_access.rollups import rebuild_all
    except ImportError:  # the rollups module is optional for the seeder; `flask rollups rebuild` catches up
        return {}
    report("rollups", 0, 1)
    counts = rebuild_all(session, today=today)
    report("rollups", 1, 1)
    return counts

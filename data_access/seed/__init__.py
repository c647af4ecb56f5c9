"""Demo data from Hanoi's real org tree: `seed_demo(store, scale="pilot"|"hanoi", seed=N, today=...)`.

Rows are generated in memory (builder.py), bulk-inserted in chunks with ids assigned up front,
then the rollups are rebuilt in the same transaction, so a seeded store is ready for dashboards.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from data_access import models
from data_access.db import Store
from data_access.seed.builder import DemoBuilder
from domain.passwords import hash_password, password_problems

Progress = Callable[[str, int, int], None]
CHUNK = 5_000

DEMO_USERNAMES: dict[str, str] = {
    "admin": "admin",
    "city_leader": "lanhdao.thanhpho",
    "city_manager": "quanly.thanhpho",
    "ward_leader": "lanhdao.hoankiem",
    "manager": "truongphong.khcn",
    "staff": "chuyenvien.khcn",
    "ward_staff": "canbo.hoankiem",
    "screen": "manhinh.phonghop",
}

# Insertion order respects foreign keys.
TABLES: tuple[tuple[str, type[models.Base]], ...] = (
    ("periods", models.Period),
    ("org_units", models.OrgUnit),
    ("positions", models.Position),
    ("people", models.Person),
    ("users", models.User),
    ("task_types", models.TaskType),
    ("objectives", models.Objective),
    ("indicators", models.Indicator),
    ("trajectory_points", models.TrajectoryPoint),
    ("measurements", models.Measurement),
    ("tasks", models.Task),
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
    """True when no org unit exists yet (a fresh database)."""
    with store.read() as session:
        return session.execute(select(func.count()).select_from(models.OrgUnit)).scalar_one() == 0


def seed_demo(
    store: Store,
    *,
    scale: str = "pilot",
    seed: int = 2026,
    today: date,
    demo_password: str | None = None,
    progress: Progress | None = None,
) -> SeedReport:
    """Fill an empty store with the demo; returns counts and the demo password."""
    started = time.perf_counter()
    password = demo_password or _generated_password()
    if problems := password_problems(password):
        raise ValueError(f"demo password refused: {', '.join(problems)}")
    report = progress or (lambda stage, done, total: None)

    report("generate", 0, 1)
    builder = DemoBuilder(scale=scale, seed=seed, today=today)
    data = builder.build()
    password_hash = hash_password(password)
    for username, role, unit, person in builder.demo_accounts():
        data.add("users", {
            "id": builder.next_id("users"), "username": username, "password_hash": password_hash, "role": role.value,
            "scope_unit_id": unit["id"], "person_id": person["id"] if person else None, "language": "vi",
            "active": True, "session_epoch": 0,
        })
    report("generate", 1, 1)

    counts: dict[str, int] = {}
    with store.write() as session:
        for table, model in TABLES:
            rows = [_clean(row) for row in data.rows(table)]
            _bulk_insert(session, model, rows, table, report)
            counts[table] = len(rows)
        _reset_sequences(session)
        counts.update(_rebuild_rollups(session, today, report))
    return SeedReport(
        scale=scale,
        seed=seed,
        seconds=time.perf_counter() - started,
        counts=counts,
        demo_password=password,
        demo_usernames=tuple(DEMO_USERNAMES.values()),
    )


def _generated_password() -> str:
    return secrets.token_urlsafe(12)


def _clean(row: dict) -> dict:
    """Drop the builder's private keys (prefixed with an underscore)."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _bulk_insert(session: Session, model: type[models.Base], rows: list[dict], stage: str, report: Progress) -> None:
    total = len(rows)
    report(stage, 0, total)
    for start in range(0, total, CHUNK):
        # Core executemany: the ORM bulk path splits rows by their None pattern into thousands of statements.
        session.connection().execute(model.__table__.insert(), rows[start : start + CHUNK])
        report(stage, min(total, start + CHUNK), total)


def _reset_sequences(session: Session) -> None:
    """PostgreSQL: move each id sequence past the ids the seeder chose (SQLite needs nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table, _model in TABLES:
        session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))")  # noqa: S608
        )


def _rebuild_rollups(session: Session, today: date, report: Progress) -> dict[str, int]:
    from data_access.rollups import rebuild_all

    report("rollups", 0, 1)
    counts = rebuild_all(session, today=today)
    report("rollups", 1, 1)
    return counts

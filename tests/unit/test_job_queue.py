"""Where the job queue keeps its jobs: a SQLite file beside the SQLite database (no extra server, survives a
restart), data/ for a PostgreSQL deployment, Redis when REDIS_URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey

from domain.reports import report_filename, request_problems
from server import jobs


def test_the_queue_follows_the_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PULSE_HUEY_FILE", raising=False)
    monkeypatch.delenv("PULSE_HUEY_IMMEDIATE", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'pulse.db'}")
    embedded = jobs.make_huey()
    assert isinstance(embedded, SqliteHuey)
    assert Path(embedded.storage.filename) == tmp_path / "pulse-jobs.huey"

    monkeypatch.setenv("DATABASE_URL", "postgresql://pulse@db.example/pulse")
    assert Path(jobs.make_huey().storage.filename).name == "pulse-jobs.huey"

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/5")
    assert isinstance(jobs.make_huey(), RedisHuey)


def test_requests_and_file_names() -> None:
    assert report_filename("Phường Hoàn Kiếm", "2026-Q3", "pdf") == "bao-cao-phuong-hoan-kiem-2026-Q3.pdf"
    assert report_filename("../../etc/passwd", "2026", "xlsx") == "bao-cao-etc-passwd-2026.xlsx"
    assert request_problems(period_code="2026-07", fmt="xlsx", language="fr", template="unit_period") == {}
    assert set(request_problems(period_code={"x": 1}, fmt=["pdf"], language={}, template=None)) == {
        "period",
        "format",
        "language",
        "template",
    }

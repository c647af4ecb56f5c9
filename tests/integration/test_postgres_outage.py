"""PostgreSQL stopped and restarted under a running app: requests during the outage get 503 with a
message in the user's language (pages, callbacks, /health) and answer at once; the first request
after the restart succeeds on the same session; nothing committed before is lost and nothing is
half-written.

The test starts its own PostgreSQL (initdb into a temporary directory, a spare port, Debian's
binaries), so stopping it never touches the shared server. It runs on every backend setting: it
always needs PostgreSQL, never the suite's.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from app import create_app
from data_access.commands import tasks
from data_access.migrate import upgrade_to_head
from data_access.models import Task
from tests.conftest import TEST_TODAY, _seed_pilot
from tests.integration.conftest import make_settings
from tests.support.login import csrf_header, login
from tests.support.viewers import demo_viewers

OUTAGE_MESSAGE = (
    "The database cannot be reached right now. Pulse will work again as soon as it is back; try again in a minute."
)
BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnPostgres:
    """A throw-away PostgreSQL cluster in a directory of its own, on a spare port."""

    def __init__(self, workdir: Path) -> None:
        self.bin = Path(BIN_DIRS[-1])
        self.workdir = workdir
        self.data = workdir / "data"
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/pulse"

    def _run(self, *args: str) -> None:
        # PostgreSQL refuses to run as root: run its tools as the postgres user then.
        command = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{Path(args[0]).name} failed: {done.stderr[-500:]}"

    def init(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-locale",
            "-E",
            "UTF8",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.workdir / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; "immediate" drops every connection without a goodbye, like a crash."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    if not BIN_DIRS:
        pytest.fail("this test needs Debian's PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    # Not under pytest's temporary root: that one is private to this user, and the server runs as postgres.
    server = OwnPostgres(Path(tempfile.mkdtemp(prefix="pulse-own-pg-")))
    server.init()
    server.start()
    try:
        admin = create_engine(server.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE pulse"))
        admin.dispose()
        upgrade_to_head(server.url)
        _seed_pilot(server.url)
        yield server
    finally:
        if server.is_running():
            server.stop("fast")
        shutil.rmtree(server.workdir, ignore_errors=True)


def _overview(client: Any, app: Any) -> Any:
    """The overview callback, posted as the browser does."""
    key = next(k for k in app.callback_map if "overview-body" in k)
    body = {
        "output": key,
        "outputs": {"id": "overview-body", "property": "children"},
        "inputs": [
            {"id": "pulse-live-version", "property": "data", "value": 1},
            {"id": "overview-period", "property": "data", "value": "2026"},
        ],
        "changedPropIds": ["overview-period.data"],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=csrf_header(client)
    )


def _task_count(store: Any) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(Task)).scalar_one()


def _assign(store: Any, viewer: Any, title: str) -> list[int]:
    return tasks.assign(
        store, viewer=viewer, title=title, due_date=TEST_TODAY + timedelta(days=7), unit_ids=[viewer.scope_unit_id]
    )


def test_requests_during_a_postgres_outage_get_503_and_the_first_after_it_succeeds(own_postgres: OwnPostgres) -> None:
    server: Flask = create_app(make_settings(own_postgres.url))
    store = server.extensions["pulse"]["store"]
    try:
        app = server.extensions["pulse"]["dash"]
        client = server.test_client()
        assert login(client, "lanhdao.thanhpho").status_code == 302
        assert client.get("/").status_code == 200 and _overview(client, app).status_code == 200
        manager = demo_viewers(store)["city_manager"]
        before = _task_count(store)
        kept = _assign(store, manager, "Việc giao trước sự cố")

        own_postgres.stop()
        started = time.monotonic()
        callback, page, health = _overview(client, app), client.get("/"), client.get("/health")
        with pytest.raises(OperationalError):
            _assign(store, manager, "Việc giao trong lúc mất kết nối")
        assert time.monotonic() - started < 20  # refused at once, not after a hang
        with server.test_request_context(), force_locale("vi"):
            message = gettext(OUTAGE_MESSAGE)
        assert message != OUTAGE_MESSAGE  # the user reads it in Vietnamese
        assert callback.status_code == 503 and callback.get_json()["message"] == message
        assert callback.headers.get("Retry-After")
        assert page.status_code == 503 and message in page.get_data(as_text=True)
        assert health.status_code == 503 and health.get_json()["database"] == "unreachable"

        own_postgres.start()
        first = _overview(client, app)  # the very first request after the restart, on the same session
        assert first.status_code == 200, first.get_data(as_text=True)[:300]
        assert "Thành phố Hà Nội" in json.dumps(first.get_json(), ensure_ascii=False)
        assert client.get("/").status_code == 200 and client.get("/health").status_code == 200
        after = _assign(store, manager, "Việc giao sau sự cố")
        with store.read() as session:
            titles = set(session.execute(select(Task.title).where(Task.id.in_(kept + after))).scalars())
        assert titles == {"Việc giao trước sự cố", "Việc giao sau sự cố"}
        assert _task_count(store) == before + 2  # nothing lost, nothing from the failed write
    finally:
        store.dispose()

"""Change signals with and without Redis: a commit announces its data version in Redis, open pages poll
that key (not the database), announcements never go backwards, and a missing or unreachable Redis
falls back to the database without an error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from data_access.changes import current
from data_access.commands.tasks import assign
from data_access.models import OrgUnit, User
from data_access.viewer import load_viewer
from tests.integration.conftest import make_settings
from tests.support.login import csrf_header, login

REDIS_TEST_URL = "redis://127.0.0.1:6379/14"


def _poll(server: Flask, known: int | None = None) -> int | None:
    client = server.test_client()
    login(client, "lanhdao.thanhpho")
    client.get("/")
    body = {
        "output": "pulse-live-version.data",
        "outputs": {"id": "pulse-live-version", "property": "data"},
        "inputs": [{"id": "pulse-live-visible-tick", "property": "data", "value": 1}],
        "state": [{"id": "pulse-live-version", "property": "data", "value": known}],
        "changedPropIds": ["pulse-live-visible-tick.data"],
    }
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=csrf_header(client)
    )
    if response.status_code == 204:
        return known
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]["pulse-live-version"]["data"]


def _write(server: Flask) -> None:
    store = server.extensions["pulse"]["store"]
    with store.read() as session:
        manager = load_viewer(
            session, session.execute(select(User.id).where(User.username == "quanly.thanhpho")).scalar_one()
        )
        ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
    assign(store, viewer=manager, title="Báo cáo", due_date=date(2026, 12, 1), unit_ids=[ward])


def _db_version(server: Flask) -> int:
    with server.extensions["pulse"]["store"].read() as session:
        return current(session)


@pytest.fixture
def redis_client():  # type: ignore[no-untyped-def]
    import redis

    # No FLUSHDB: every key here is namespaced by its test's own database, and a flush would wipe the
    # keys of a test running at the same time on the other xdist worker.
    return redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)


@pytest.fixture
def two_processes(demo_url: str, redis_client) -> Iterator[tuple[Flask, Flask]]:  # type: ignore[no-untyped-def]
    """Two app instances on one database and one Redis, as two gunicorn workers or hosts would be."""
    first = create_app(make_settings(demo_url, redis_url=REDIS_TEST_URL))
    second = create_app(make_settings(demo_url, redis_url=REDIS_TEST_URL))
    yield first, second
    for app in (first, second):
        app.extensions["pulse"]["store"].dispose()


def _key(app: Flask) -> str:
    return str(app.extensions["pulse"]["signal"].key)


def test_a_commit_in_one_process_is_announced_to_the_other(two_processes, redis_client) -> None:  # type: ignore[no-untyped-def]
    first, second = two_processes
    before = _poll(second)
    _write(first)
    assert int(redis_client.get(_key(first))) == _db_version(first) == before + 1  # type: ignore[operator]
    assert _poll(second, before) == before + 1  # type: ignore[operator]


def test_pages_read_the_signal_not_the_database(two_processes, redis_client) -> None:  # type: ignore[no-untyped-def]
    first, second = two_processes
    _write(first)
    in_database = _db_version(first)
    key = _key(first)
    assert key == _key(second)  # two processes of one database share the key
    redis_client.set(key, in_database + 1000, px=60_000)
    assert _poll(second) == in_database + 1000
    redis_client.delete(key)  # Redis restarted: the key is refilled from the database
    assert _poll(second) == in_database
    assert int(redis_client.get(key)) == in_database


def test_announcements_never_go_backwards(two_processes, redis_client) -> None:  # type: ignore[no-untyped-def]
    first, _second = two_processes
    signal = first.extensions["pulse"]["signal"]
    signal.announce(50)
    signal.announce(40)  # a slower commit announcing an older version
    assert redis_client.get(_key(first)) == "50"
    assert 0 < redis_client.pttl(_key(first)) <= 1000  # a write from outside the app is seen within a second


def test_two_databases_sharing_a_redis_do_not_hear_each_other(two_processes, empty_store, redis_client) -> None:  # type: ignore[no-untyped-def]
    first, _second = two_processes
    other_url = empty_store.engine.url.render_as_string(hide_password=False)
    other = create_app(make_settings(other_url, redis_url=REDIS_TEST_URL))
    try:
        assert _key(other) != _key(first)
        other.extensions["pulse"]["signal"].announce(10_000)
        assert redis_client.get(_key(first)) is None
    finally:
        other.extensions["pulse"]["store"].dispose()


def test_without_redis_or_with_redis_down_the_database_answers(demo_url: str) -> None:
    plain = create_app(make_settings(demo_url))
    down = create_app(make_settings(demo_url, redis_url="redis://127.0.0.1:1/0"))
    try:
        before = _poll(plain)
        _write(down)  # the announcement fails quietly; the write stands
        assert _db_version(plain) == before + 1  # type: ignore[operator]
        assert _poll(plain, before) == before + 1  # type: ignore[operator]
        assert _poll(down, before) == before + 1  # logging in and polling both work with Redis down  # type: ignore[operator]
    finally:
        for app in (plain, down):
            app.extensions["pulse"]["store"].dispose()


def test_the_shared_cache_falls_back_to_memory_while_redis_is_down() -> None:
    import redis

    from data_access.cache import ScopedCache

    cache = ScopedCache(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    calls = []
    first = cache.get_or_compute("pulse:cache:x", lambda: calls.append(1) or {"score": 0.8})
    second = cache.get_or_compute("pulse:cache:x", lambda: calls.append(1) or {"score": 0.8})
    assert first == second == {"score": 0.8} and len(calls) == 1

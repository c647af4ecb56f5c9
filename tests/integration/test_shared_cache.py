"""The shared cache, with and without REDIS_URL: every page answers the same from a cache hit as from a
fresh computation, every cached query's result comes back from Redis exactly, what Redis holds is
never unpickled, and two databases sharing one Redis never read each other's results.

With REDIS_URL set, /lagging used to answer 500 on every cache hit (54 % of blocks under load): a
missing source reference came back from pickle as a different `nan` and the page's lookup failed.
"""

from __future__ import annotations

import json
import os
import pickle
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from app import create_app
from data_access import cache_codec
from data_access.cache import PREFIX, ScopedCache, cache_key, database_namespace
from data_access.models import Indicator, Objective, OrgUnit, Person
from data_access.viewer import Viewer
from domain.kinds import Role
from tests.integration.conftest import make_settings
from tests.integration.test_dashboard_callbacks import FIRST_BLOCK, _block, _logged_in, _post
from tests.unit.test_cache_codec import assert_same

# Shared with other runs: keys are namespaced per database, and never flushed.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/12"
ROOT = Path(__file__).resolve().parents[2]


def _redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["memory", "redis"])
def cached_server(request: pytest.FixtureRequest, demo_url: str) -> Iterator[Flask]:
    if request.param == "redis" and not _redis_is_up():
        pytest.fail(f"the Redis variant needs Redis at {REDIS_URL}")
    app = create_app(make_settings(demo_url, redis_url=REDIS_URL if request.param == "redis" else None))
    yield app
    app.extensions["pulse"]["store"].dispose()


def _cache(server: Flask) -> ScopedCache:
    return server.extensions["pulse"]["cache"]


def test_lagging_blocks_from_the_cache_equal_fresh_ones(cached_server: Flask) -> None:
    client, app = _logged_in(cached_server, "lanhdao.thanhpho")
    with cached_server.extensions["pulse"]["store"].read() as session:
        unsourced = session.execute(
            select(Indicator.id)
            .join(Objective, Objective.id == Indicator.objective_id)
            .where(Objective.source_ref.is_(None))
        ).first()
    assert unsourced is not None, "the pilot data should hold indicators without a source reference"
    fresh = _block(client, app, FIRST_BLOCK)
    computed = _cache(cached_server).computations
    hit = _block(client, app, FIRST_BLOCK)  # answered 500 with Redis before the fix
    assert _cache(cached_server).computations == computed  # really served from the cache
    assert fresh["rowCount"] > 0 and hit == fresh


def _cached_names() -> set[str]:
    """Every query the pages send through the cache (`cached("name", ...)`)."""
    names: set[str] = set()
    for path in (ROOT / "pages").glob("*.py"):
        names |= set(re.findall(r"\bcached\(\s*\"([\w-]+)\"", path.read_text(encoding="utf-8")))
    return names


def _every_cached_page(server: Flask, client: Any, app: Any) -> list[str]:
    """Post every callback that reads through the cache; returns the response bodies."""
    with server.extensions["pulse"]["store"].read() as session:
        city = session.execute(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None))).scalar_one()
        ward = session.execute(select(OrgUnit.id).where(OrgUnit.kind == "ward").order_by(OrgUnit.id)).scalars().first()
        indicator = session.execute(select(Indicator.id).order_by(Indicator.id.desc())).scalars().first()
        person = session.execute(select(Person.id).order_by(Person.id)).scalars().first()
        objective = session.execute(select(Objective.id).where(Objective.unit_id == city)).scalars().first()
    live = {"pulse-live-version": 1}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("overview-body", {**live, "overview-period": "2026"}),
        ("overview-body", {**live, "overview-period": "2026-Q3"}),
        ("unit-body", {**live, "unit-period": "2026", "unit-id": str(city)}),
        ("unit-body", {**live, "unit-period": "2026", "unit-id": str(ward)}),
        ("indicator-body", {**live, "indicator-period": "2026", "indicator-id": str(indicator)}),
        ("person-body", {**live, "person-period": "2026", "person-id": str(person)}),
        ("rankings-body", {**live, "rankings-period": "2026"}),
        ("lagging-header", {**live, "lagging-period": "2026"}),
        ("alignment-body", {**live, "alignment-period": "2026", "alignment-open": [objective]}),
    ]
    playlist = {"slides": ["overview", "lagging", "rankings", f"unit:{ward}"], "period": "2026"}
    calls += [("present-slide", {**live, "present-index": i, "present-playlist": playlist}) for i in range(4)]
    bodies = [json.dumps(_post(client, app, fragment, values), sort_keys=True) for fragment, values in calls]
    filtered = {**FIRST_BLOCK, "filterModel": {"source": {"filterType": "text", "type": "contains", "filter": "a"}}}
    bodies += [json.dumps(_block(client, app, block), sort_keys=True) for block in (FIRST_BLOCK, filtered)]
    return bodies


def test_every_cached_query_comes_back_from_redis_exactly(demo_url: str) -> None:
    if not _redis_is_up():
        pytest.fail(f"this test needs Redis at {REDIS_URL}")
    server = create_app(make_settings(demo_url, redis_url=REDIS_URL))
    try:
        cache = _cache(server)
        results: list[tuple[str, Any]] = []
        original = cache.get_or_compute

        def recording(key: str, compute: Any) -> Any:
            value = original(key, compute)
            results.append((key.removeprefix(PREFIX).split(":")[0], value))
            return value

        cache.get_or_compute = recording  # type: ignore[method-assign]
        client, app = _logged_in(server, "lanhdao.thanhpho")
        fresh = _every_cached_page(server, client, app)
        computed = cache.computations
        from_redis = _every_cached_page(server, client, app)
        assert cache.computations == computed, "the second pass should be served from Redis"
        assert from_redis == fresh  # every page renders the same from a hit as from a fresh result
        assert {name for name, _ in results} == _cached_names()
        for name, value in results:
            assert_same(value, cache_codec.decode(cache_codec.encode(value)), name)
        stored = redis.Redis.from_url(REDIS_URL).keys(PREFIX + database_namespace(demo_url) + ":*")
        assert len(stored) >= len(_cached_names())
    finally:
        server.extensions["pulse"]["store"].dispose()


def test_what_redis_holds_is_never_unpickled_and_each_database_has_its_own_keys(demo_url: str) -> None:
    if not _redis_is_up():
        pytest.fail(f"this test needs Redis at {REDIS_URL}")
    client = redis.Redis.from_url(REDIS_URL)
    viewer = Viewer(1, "a", Role.LEADER, 1, "/1/")
    key = cache_key("overview", viewer, "2026", 1, "isolation-test")
    first_db, second_db = database_namespace(demo_url), database_namespace(demo_url + "_other")
    assert first_db != second_db and database_namespace(demo_url) == first_db
    first, second = ScopedCache(client, namespace=first_db), ScopedCache(client, namespace=second_db)
    try:
        # A pickle planted where the value belongs is not loaded: the value is computed afresh.
        client.set(first.redis_key(key), pickle.dumps({"score": 0.1}), ex=60)
        assert first.get_or_compute(key, lambda: {"score": 0.8}) == {"score": 0.8}
        assert first.computations == 1
        # Same key, same version number, another database: not shared.
        assert second.get_or_compute(key, lambda: {"score": 0.3}) == {"score": 0.3}
        assert ScopedCache(client, namespace=first_db).get_or_compute(key, lambda: {"score": 0.0}) == {"score": 0.8}
    finally:
        client.delete(first.redis_key(key), second.redis_key(key))

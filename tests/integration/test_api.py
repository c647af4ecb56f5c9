"""The machine API /api/v1 against the pilot demo data, on SQLite and PostgreSQL: tokens (created,
scoped, expired, revoked, rate-limited, every call audited), the interchange shapes, and a machine
feeding 100 values that move the dashboards' figures, once even when sent twice."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import redis
from flask import Flask
from sqlalchemy import select, update

from app import create_app
from config.clock import now
from data_access.cache import database_namespace
from data_access.commands.api_tokens import create_token
from data_access.db import Store
from data_access.models import ApiToken, AuditEntry, Indicator, Measurement, OrgUnit, Period, Person
from data_access.queries.scope import data_version
from data_access.queries.units import unit_figures
from tests.integration.conftest import make_settings
from tests.support.login import login
from tests.support.viewers import viewer_of

INTEROP = Path("/work/shared/interop")
WARD = "W00070"  # Phường Hoàn Kiếm, /1/8/


def _schema(name: str) -> Any:
    return jsonschema_rs.Draft202012Validator(json.loads((INTEROP / name).read_text(encoding="utf-8")))


def _store(server: Flask) -> Store:
    return server.extensions["pulse"]["store"]


def _token(server: Flask, scopes: str, *, unit: str = WARD, rate: int = 120, days: int = 30) -> tuple[int, str]:
    new = create_token(
        _store(server), actor=None, name="test system", scopes=scopes, unit_code=unit, days=days, rate_per_minute=rate
    )
    return new.token_id, new.secret


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _audit(server: Flask, action: str) -> list[AuditEntry]:
    with _store(server).read() as session:
        return list(
            session.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).scalars()
        )


def test_a_token_made_at_the_command_line_reads_its_ward_until_revoked(server: Flask) -> None:
    runner = server.test_cli_runner()
    made = runner.invoke(
        args=["tokens", "create", "--name", "HR system", "--scopes", "org:read", "--unit", WARD, "--days", "30"]
    )
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    assert secret.startswith("pulse_") and len(secret) > 40
    with _store(server).read() as session:
        stored = session.execute(select(ApiToken)).scalar_one()
    assert secret not in (stored.token_hash, stored.prefix) and secret.startswith(stored.prefix)

    client = server.test_client()
    answer = client.get("/api/v1/org-units", headers=_bearer(secret))
    assert answer.status_code == 200
    body = answer.get_json()
    _schema("org_units.schema.json").validate(body)
    codes = {record["code"] for record in body["records"]}
    assert WARD in codes and all(code.startswith(WARD) for code in codes)  # its subtree, nothing else
    assert "SO-KHCN" not in codes and "HN" not in codes
    assert body["records"][0]["parent_code"] == "HN"

    listed = runner.invoke(args=["tokens", "list"])
    assert "HR system" in listed.output and "last used never" not in listed.output

    assert runner.invoke(args=["tokens", "revoke", str(stored.id)]).exit_code == 0
    refused = client.get("/api/v1/org-units", headers=_bearer(secret))
    assert refused.status_code == 401
    calls = _audit(server, "api.org_units")
    assert [c.outcome for c in calls] == ["ok", "denied"]
    assert "revoked" in (calls[-1].detail or "") and calls[-1].entity_id == str(stored.id)


def test_org_units_as_of_a_date_show_the_tree_of_that_day(server: Flask) -> None:
    _id, secret = _token(server, "org:read")
    with _store(server).write() as session:
        session.execute(update(OrgUnit).where(OrgUnit.code == f"{WARD}-P2").values(valid_to=date(2026, 6, 30)))
    client = server.test_client()
    before = client.get("/api/v1/org-units?as_of=2026-06-01", headers=_bearer(secret)).get_json()
    after = client.get("/api/v1/org-units?as_of=2026-07-01", headers=_bearer(secret)).get_json()
    assert f"{WARD}-P2" in {r["code"] for r in before["records"]}
    assert f"{WARD}-P2" not in {r["code"] for r in after["records"]}
    assert client.get("/api/v1/org-units?as_of=yesterday", headers=_bearer(secret)).status_code == 422


def test_calls_without_a_valid_token_are_refused_and_audited(server: Flask) -> None:
    client = server.test_client()
    assert client.get("/api/v1/org-units").status_code == 401
    assert client.get("/api/v1/org-units", headers=_bearer("pulse_guessed")).status_code == 401
    # A logged-in browser session is no key to the API, and a POST needs no CSRF token but a bearer token.
    assert login(client, "admin").status_code == 302
    assert client.get("/api/v1/org-units").status_code == 401
    assert client.post("/api/v1/measurements", json={"values": []}).status_code == 401
    assert [c.outcome for c in _audit(server, "api.org_units")] == ["denied"] * 3
    # Paths under /api/v1 that are no API route stay behind the guard (Dash's catch-all would answer them).
    assert server.test_client().get("/api/v1/nothing-here").status_code == 401


def test_a_token_does_only_what_its_scopes_say(server: Flask) -> None:
    token_id, secret = _token(server, "org:read")
    client = server.test_client()
    for path in ("/api/v1/profiles", "/api/v1/indicators"):
        assert client.get(path, headers=_bearer(secret)).status_code == 403
    posted = client.post("/api/v1/measurements", json={"values": []}, headers=_bearer(secret))
    assert posted.status_code == 403
    assert "measurements:write" in posted.get_json()["message"]
    denied = _audit(server, "api.profiles") + _audit(server, "api.measurements")
    assert [(c.outcome, c.entity_id) for c in denied] == [("denied", str(token_id))] * 2


def test_an_expired_token_is_refused(server: Flask) -> None:
    token_id, secret = _token(server, "org:read")
    with _store(server).write() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(expires_at=now() - timedelta(seconds=1)))
    answer = server.test_client().get("/api/v1/org-units", headers=_bearer(secret))
    assert answer.status_code == 401 and "expired" in answer.get_json()["message"]
    assert "expired" in (_audit(server, "api.org_units")[-1].detail or "")


def test_a_token_over_its_rate_waits(server: Flask) -> None:
    _id, secret = _token(server, "org:read", rate=3)
    client = server.test_client()
    codes = [client.get("/api/v1/org-units", headers=_bearer(secret)).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    refused = client.get("/api/v1/org-units", headers=_bearer(secret))
    assert refused.headers["Retry-After"] == "60"
    assert [c.outcome for c in _audit(server, "api.org_units")].count("denied") == 3


def test_profiles_mask_citizen_ids_unless_the_scope_allows_them(server: Flask) -> None:
    with _store(server).write() as session:
        ward = session.execute(select(OrgUnit).where(OrgUnit.code == WARD)).scalar_one()
        people = session.execute(
            select(Person).join(OrgUnit, OrgUnit.id == Person.unit_id).where(OrgUnit.path.startswith(ward.path))
        ).scalars()
        for person in people:
            person.birth_date = date(person.birth_year, 3, 2)
    _id, masked_secret = _token(server, "profiles:read")
    _id, full_secret = _token(server, "profiles:read profiles:citizen_id")
    client = server.test_client()
    masked = client.get("/api/v1/profiles?per_page=50", headers=_bearer(masked_secret)).get_json()
    full = client.get("/api/v1/profiles?per_page=50", headers=_bearer(full_secret)).get_json()
    assert masked["total"] == full["total"] > 0 and len(full["records"]) == min(50, full["total"])
    assert full["incomplete"] == []
    _schema("profiles.schema.json").validate(full)
    for hidden, shown in zip(masked["records"], full["records"], strict=True):
        assert hidden["citizen_id"] == shown["citizen_id"][:4] + "********"
    assert all(r["unit_code"].startswith(WARD) for r in full["records"])
    second = client.get("/api/v1/profiles?per_page=50&page=2", headers=_bearer(full_secret)).get_json()
    assert not {r["citizen_id"] for r in second["records"]} & {r["citizen_id"] for r in full["records"]}
    assert "citizen ids" in (_audit(server, "api.profiles")[-1].detail or "")


def test_profiles_without_a_date_of_birth_are_listed_as_incomplete(server: Flask) -> None:
    _id, secret = _token(server, "profiles:read")
    store = server.extensions["pulse"]["store"]
    first = server.test_client().get("/api/v1/profiles", headers=_bearer(secret)).get_json()["records"][0]
    unknown = first["civil_servant_code"]
    with store.write() as session:
        # A record from before full dates of birth were kept: a birth year only.
        person = session.execute(select(Person).where(Person.civil_servant_code == unknown)).scalar_one()
        person.birth_date = None
    body = server.test_client().get("/api/v1/profiles", headers=_bearer(secret)).get_json()
    # The interchange shape needs the full date, which is not invented from the year.
    assert body["records"] and unknown not in {r["civil_servant_code"] for r in body["records"]}
    assert [i["missing"] for i in body["incomplete"]] == [["date_of_birth"]]


def _ward_indicators(store: Store, count: int) -> list[tuple[str, str, float]]:
    """(unit code, indicator code, a value it accepts) for indicators of the ward in 2026."""
    with store.write() as session:
        ward = session.execute(select(OrgUnit).where(OrgUnit.code == WARD)).scalar_one()
        # A unit whose values count without approval: a machine's values then move the figures at once.
        session.execute(update(OrgUnit).where(OrgUnit.path.startswith(ward.path)).values(requires_approval=False))
        rows = session.execute(
            select(Indicator, OrgUnit.code)
            .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
            .join(Period, Period.id == Indicator.period_id)
            .where(OrgUnit.path.startswith(ward.path), Period.code == "2026", Indicator.published.is_(True))
            .order_by(Indicator.id)
        ).all()
    chosen = []
    for indicator, unit_code in rows[:count]:
        if indicator.direction == "done":
            value = 1.0
        elif indicator.direction == "milestones":
            value = float(min(1, indicator.milestones_total or 1))
        else:
            value = indicator.target if indicator.target is not None else 1.0
            if indicator.min_value is not None:
                value = max(value, indicator.min_value)
            if indicator.max_value is not None:
                value = min(value, indicator.max_value)
        chosen.append((unit_code, indicator.code, value))
    return chosen


def test_a_machine_posts_100_values_that_move_the_figures_once(server: Flask) -> None:
    store = _store(server)
    targets = _ward_indicators(store, 25)
    assert len(targets) == 25
    days = [date(2026, 11, d) for d in (5, 10, 15, 20)]  # November is open; the 20th is today
    values = [
        {"unit_code": unit, "indicator_code": code, "value": value, "measured_on": day.isoformat()}
        for unit, code, value in targets
        for day in days
    ]
    assert len(values) == 100
    _id, secret = _token(server, "measurements:write indicators:read")
    client = server.test_client()
    stored_before = _measurement_count(store)
    leader = viewer_of(store, "lanhdao.hoankiem")  # the ward's leader, on the dashboards
    with store.read() as session:
        ward_id = session.execute(select(OrgUnit.id).where(OrgUnit.code == WARD)).scalar_one()
        figures_before = unit_figures(session, viewer=leader, unit_id=ward_id, period="2026-11")
        version_before = data_version(session)
    before = {
        (r["unit_code"], r["code"]): r
        for r in client.get("/api/v1/indicators?period=2026-11", headers=_bearer(secret)).get_json()["records"]
    }

    headers = {**_bearer(secret), "Idempotency-Key": "feed-2026-11-20"}
    answer = client.post("/api/v1/measurements", json={"values": values}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["accepted"], body["rejected"], body["replayed"]) == (100, 0, False)
    assert {r["value_status"] for r in body["results"]} == {"approved"}

    after = {
        (r["unit_code"], r["code"]): r
        for r in client.get("/api/v1/indicators?period=2026-11", headers=_bearer(secret)).get_json()["records"]
    }
    for unit, code, value in targets:
        moved = after[(unit, code)]
        assert moved["latest_on"] == "2026-11-20" and moved["latest_value"] == pytest.approx(value)
        assert moved["n_measurements"] >= before[(unit, code)]["n_measurements"] + 4

    assert _measurement_count(store) == stored_before + 100
    with store.read() as session:
        figures_after = unit_figures(session, viewer=leader, unit_id=ward_id, period="2026-11")
        assert data_version(session) > version_before  # open dashboards refetch
    assert figures_after != figures_before
    assert figures_after.n_no_data < figures_before.n_no_data or figures_after.score != figures_before.score
    entries = [e for e in _audit(server, "measurement.enter") if "api token" in (e.detail or "")]
    assert len(entries) == 100

    # The same batch again: the same answer, nothing written.
    again = client.post("/api/v1/measurements", json={"values": values}, headers=headers).get_json()
    assert again["replayed"] is True and again["results"] == body["results"]
    assert _measurement_count(store) == stored_before + 100
    # The same key with another batch is a mistake, said plainly.
    other = client.post("/api/v1/measurements", json={"values": values[:1]}, headers=headers)
    assert other.status_code == 409


def test_rows_are_answered_one_by_one_and_row_keys_make_resends_harmless(server: Flask) -> None:
    ((unit, code, value),) = _ward_indicators(_store(server), 1)
    _id, secret = _token(server, "measurements:write")
    client = server.test_client()
    batch = {
        "values": [
            {"unit_code": unit, "indicator_code": code, "value": value, "measured_on": "2026-11-18", "key": "r1"},
            {"unit_code": unit, "indicator_code": code, "value": value, "measured_on": "2026-12-01"},
            {"unit_code": unit, "indicator_code": code, "value": value, "measured_on": "2026-09-01"},
            {"unit_code": unit, "indicator_code": "NO-SUCH", "value": 1, "measured_on": "2026-11-18"},
            # An indicator of another unit (the department of science): outside the token's ward.
            {
                "unit_code": "SO-KHCN",
                "indicator_code": _first_code(_store(server), "SO-KHCN"),
                "value": 1,
                "measured_on": "2026-11-18",
            },
        ]
    }
    first = client.post(
        "/api/v1/measurements", json=batch, headers={**_bearer(secret), "Accept-Language": "en"}
    ).get_json()
    assert [r["status"] for r in first["results"]] == ["accepted", "rejected", "rejected", "rejected", "rejected"]
    problems = [r.get("problems", [{}])[0].get("code") for r in first["results"]]
    assert problems[1:] == ["future_date", "period_closed", "unknown_indicator", "unknown_indicator"]
    assert first["results"][1]["problems"][0]["message"] == "the date is in the future"
    denied = [e for e in _audit(server, "api.measurement.enter") if e.outcome == "denied"]
    assert len(denied) == 1 and "outside its units" in (denied[0].detail or "")

    resend = client.post(
        "/api/v1/measurements", json={"values": batch["values"][:1]}, headers=_bearer(secret)
    ).get_json()
    assert resend["results"][0]["status"] == "duplicate"
    assert resend["results"][0]["measurement_id"] == first["results"][0]["measurement_id"]
    assert resend["accepted"] == 0


def _measurement_count(store: Store) -> int:
    with store.read() as session:
        return len(session.execute(select(Measurement.id)).all())


def _first_code(store: Store, unit_code: str) -> str:
    with store.read() as session:
        return (
            session.execute(
                select(Indicator.code).join(OrgUnit, OrgUnit.id == Indicator.unit_id).where(OrgUnit.code == unit_code)
            )
            .scalars()
            .first()
            or "?"
        )


def test_values_of_a_unit_that_requires_approval_wait_for_it(server: Flask) -> None:
    ((unit, code, value),) = _ward_indicators(_store(server), 1)
    with _store(server).write() as session:
        session.execute(update(OrgUnit).where(OrgUnit.code == unit).values(requires_approval=True))
    _id, secret = _token(server, "measurements:write")
    body = (
        server.test_client()
        .post(
            "/api/v1/measurements",
            json={"values": [{"unit_code": unit, "indicator_code": code, "value": value, "measured_on": "2026-11-19"}]},
            headers=_bearer(secret),
        )
        .get_json()
    )
    assert body["results"][0]["value_status"] == "submitted"


def test_the_openapi_document_is_3_1_and_the_reference_page_is_for_administrators(server: Flask) -> None:
    client = server.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/api/v1/org-units", "/api/v1/profiles", "/api/v1/indicators", "/api/v1/measurements"}
    assert client.get("/admin/api").status_code == 302  # to the login form
    assert login(client, "canbo.hoankiem").status_code == 302
    assert client.get("/admin/api").status_code == 403
    admin = server.test_client()
    login(admin, "admin")
    page = admin.get("/admin/api")
    assert page.status_code == 200 and "/api/v1/measurements" in page.get_data(as_text=True)
    assert "cdn" not in page.get_data(as_text=True).lower()


REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/12"  # keys namespaced per database


@pytest.mark.parametrize("redis_url", [REDIS_URL, "redis://127.0.0.1:1/0"], ids=["redis", "redis-down"])
def test_the_rate_is_counted_in_redis_and_in_the_database_when_redis_is_down(demo_url: str, redis_url: str) -> None:
    app = create_app(make_settings(demo_url, redis_url=redis_url))
    try:
        _id, secret = _token(app, "org:read", rate=2)
        client = app.test_client()
        codes = [client.get("/api/v1/org-units", headers=_bearer(secret)).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        if ":1/" not in redis_url:  # counted in Redis, under this database's namespace
            keys = list(redis.Redis.from_url(redis_url).scan_iter(f"pulse:api:{database_namespace(demo_url)}:*"))
            assert len(keys) == 1
    finally:
        app.extensions["pulse"]["store"].dispose()

"""Schemathesis against the app, in-process: every operation of /api/v1/openapi.json, with data drawn
from the document, answers without a server error and as the document says (status codes, content
types, headers, bodies). Bounded: a few examples per operation, no shrinking."""

from __future__ import annotations

import time

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings

from data_access.commands.api_tokens import create_token

ALL_SCOPES = "org:read profiles:read profiles:citizen_id measurements:write indicators:read"


def test_every_operation_keeps_its_contract(server: Flask) -> None:
    secret = create_token(
        server.extensions["pulse"]["store"],
        actor=None,
        name="contract test",
        scopes=ALL_SCOPES,
        unit_code="W00070",
        days=1,
        rate_per_minute=6000,
    ).secret
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", server)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4
    started = time.monotonic()
    for operation in operations:

        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {secret}"})

        check()
    assert time.monotonic() - started < 30

"""The machine API, /api/v1: org units, profiles and published indicators out, measurements in.

Callers are machines with a bearer token (data_access.commands.api_tokens), never sessions: the guard
(server.security) lets /api/v1 through to the checks here, CSRF does not apply (no cookie is read).
Every call is audited, refusals included: unknown, expired or revoked token (401), missing scope
(403), over the token's rate (429). APIFlask writes the OpenAPI 3.1 document at /api/v1/openapi.json
from the schemas in server.api_schemas.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apiflask import APIBlueprint, abort
from apiflask.exceptions import HTTPError
from flask import g, request
from flask_babel import force_locale

from config.clock import now, today
from data_access.commands.api_measurements import KeyReused, ValueRow, post_values
from data_access.commands.api_tokens import authenticate, record_call
from data_access.errors import NotFound
from data_access.queries.api import org_unit_records, profile_page, published_indicators
from domain.api_tokens import Scope, TokenGrant
from server import api_schemas as s
from server.context import current_settings, current_store, extension
from server.i18n import LANGUAGES, _

PREFIX = "/api/v1"
SECURITY = "bearer"
bp = APIBlueprint("api_v1", __name__, url_prefix=PREFIX, tag="Pulse API v1")
REFUSALS = [401, 403, 429]


def _messages() -> dict[str, str]:
    from components.work_views import problem_text  # the entry page's own words for each problem

    return {
        "unknown_indicator": _("no indicator with this unit code and indicator code in the token's units"),
        "duplicate_row": _("this key appears on an earlier row of the batch"),
        **{
            code: problem_text(code)
            for code in (
                "required_number",
                "value_range",
                "done_zero_one",
                "milestones_range",
                "required_date",
                "outside_period",
                "future_date",
                "period_locked",
                "period_closed",
                "too_long",
                "bad_url",
            )
        },
    }


def _language() -> str:
    return request.accept_languages.best_match(LANGUAGES) or current_settings().default_language


def _audit(token_id: int | None, action: str, outcome: str, detail: str) -> None:
    with current_store().write() as session:
        record_call(session, token_id=token_id, action=action, outcome=outcome, detail=detail, moment=now())


def _call(status: int) -> str:
    return f"{request.method} {request.full_path.rstrip('?')}"[:400] + f" -> {status}"


def _grant(scope: Scope, action: str) -> TokenGrant:
    """The caller's token with this scope, or the refusal (audited) as an HTTP error."""
    header = request.headers.get("Authorization", "")
    kind, _space, secret = header.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        _audit(None, action, "denied", _call(401) + ": no bearer token")
        abort(401, "A bearer token is required.", headers={"WWW-Authenticate": "Bearer"})
    with current_store().read() as session:
        found = authenticate(session, secret.strip(), moment=now())
    if found.grant is None:
        _audit(found.token_id, action, "denied", _call(401) + f": token {found.refusal}")
        abort(401, f"The token is {found.refusal}.", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    grant = found.grant
    if not grant.allows(scope):
        _audit(grant.token_id, action, "denied", _call(403) + f": lacks scope {scope.value}")
        abort(403, f"The token lacks the scope {scope.value}.")
    if not extension("api_rate").allow(grant.token_id, grant.rate_per_minute):
        _audit(grant.token_id, action, "denied", _call(429) + ": over its rate")
        abort(429, "Too many calls for this token: wait a minute.", headers={"Retry-After": "60"})
    return grant


def token_call(scope: Scope, action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Authenticate, authorise and rate-limit before the view (and before its input is read); audit after."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            grant = _grant(scope, action)
            g.api_grant = grant
            try:
                with force_locale(_language()):
                    answer = view(*args, **kwargs)
            except HTTPError as error:
                _audit(grant.token_id, action, "failed", _call(error.status_code) + f": {error.message}")
                raise
            _audit(grant.token_id, action, "ok", _call(200) + g.pop("api_note", ""))
            return answer

        return wrapper

    return decorate


def complete_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """What APIFlask leaves out of the document: a request body of this API is never optional."""
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["requestBody"]["required"] = True
    return spec


def _envelope(**fields: Any) -> dict[str, Any]:
    return {"source": "pulse", "generated_at": datetime.now(UTC), **fields}


@bp.get("/org-units")
@token_call(Scope.ORG_READ, "api.org_units")
@bp.input(s.OrgUnitsQuery, location="query", arg_name="query")
@bp.output(s.OrgUnitsOut)
@bp.doc(summary="Organisation units of the token's subtree as of a date", security=SECURITY, responses=REFUSALS)
def org_units(query: dict[str, Any]) -> dict[str, Any]:
    as_of = query.get("as_of") or today()
    with current_store().read() as session:
        records = org_unit_records(session, scope_path=g.api_grant.scope_path, as_of=as_of)
    g.api_note = f", {len(records)} units"
    return _envelope(as_of=as_of, records=records)


@bp.get("/profiles")
@token_call(Scope.PROFILES_READ, "api.profiles")
@bp.input(s.ProfilesQuery, location="query", arg_name="query")
@bp.output(s.ProfilesOut)
@bp.doc(
    summary="Personnel profiles of the token's units, a page at a time",
    description="Citizen ids are masked (first 4 digits) unless the token has the scope profiles:citizen_id.",
    security=SECURITY,
    responses=REFUSALS,
)
def profiles(query: dict[str, Any]) -> dict[str, Any]:
    grant: TokenGrant = g.api_grant
    full = grant.allows(Scope.PROFILES_CITIZEN_ID)
    with current_store().read() as session:
        found = profile_page(
            session, scope_path=grant.scope_path, page=query["page"], per_page=query["per_page"], full_citizen_ids=full
        )
    g.api_note = f", {len(found.records)} profiles{' with citizen ids' if full else ''}"
    return _envelope(
        page=query["page"],
        per_page=query["per_page"],
        total=found.total,
        records=found.records,
        incomplete=found.incomplete,
    )


@bp.get("/indicators")
@token_call(Scope.INDICATORS_READ, "api.indicators")
@bp.input(s.IndicatorsQuery, location="query", arg_name="query")
@bp.output(s.IndicatorsOut)
@bp.doc(
    summary="Published indicators of the token's units with their figures for a period",
    security=SECURITY,
    responses=[*REFUSALS, 404],
)
def indicators(query: dict[str, Any]) -> dict[str, Any]:
    period = query.get("period") or str(today().year)
    try:
        with current_store().read() as session:
            records = published_indicators(session, scope_path=g.api_grant.scope_path, period=period)
    except NotFound:
        abort(404, f"No period {period} in Pulse.")
    g.api_note = f", {len(records)} indicators"
    return _envelope(records=records)


@bp.post("/measurements")
@token_call(Scope.MEASUREMENTS_WRITE, "api.measurements")
@bp.input(s.IdempotencyHeader, location="headers", arg_name="headers")
@bp.input(s.MeasurementsIn, location="json", arg_name="body")
@bp.output(s.MeasurementsOut)
@bp.doc(
    summary="Record a batch of indicator values, answered row by row",
    description=(
        "Each value goes through the checks of the entry page. Where the unit requires approval a value "
        "waits as submitted. Send an Idempotency-Key header (or a key per row) to resend safely."
    ),
    security=SECURITY,
    responses=[*REFUSALS, 409],
)
def measurements(headers: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    rows = [
        ValueRow(
            unit_code=v["unit_code"],
            indicator_code=v["indicator_code"],
            value=v["value"],
            measured_on=v["measured_on"],
            comment=v.get("comment") or "",
            key=v.get("key"),
        )
        for v in body["values"]
    ]
    texts = _messages()
    try:
        answer, replayed = post_values(
            current_store(),
            grant=g.api_grant,
            rows=rows,
            idempotency_key=headers.get("idempotency_key"),
            message=lambda code: texts.get(code, code),
        )
    except KeyReused:
        abort(409, "This Idempotency-Key was used before with a different batch.")
    g.api_note = f", {answer['accepted']} accepted, {answer['rejected']} rejected{' (replayed)' if replayed else ''}"
    return {**answer, "replayed": replayed}

"""A machine's batch of indicator values (POST /api/v1/measurements), answered row by row.

Each row names its indicator by unit code and indicator code (the indicator of the value's year) and
goes through the entry page's checks (data_access.commands.measurements.draft_problems): the token
acts as a manager of its unit subtree. Accepted rows are inserted in one transaction, each audited;
where the unit requires approval they wait as "submitted", as typed values do.

Idempotent: a batch sent again with the same Idempotency-Key gets the first answer and writes
nothing; a row sent again with the same key is answered "duplicate" with its first measurement.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.clock import now
from config.clock import today as clock_today
from data_access import audit
from data_access.commands.measurements import AUDITED, ValueDraft, draft_problems
from data_access.db import Store
from data_access.models import ApiIdempotencyKey, Indicator, Measurement, OrgUnit, Period
from data_access.viewer import Viewer
from domain.api_tokens import TokenGrant
from domain.kinds import MeasurementStatus, Role

Translate = Callable[[str], str]


@dataclass(frozen=True)
class ValueRow:
    unit_code: str
    indicator_code: str
    value: float
    measured_on: date
    comment: str = ""
    key: str | None = None


class KeyReused(Exception):
    """The Idempotency-Key came with a different batch before."""


def request_hash(rows: Sequence[ValueRow]) -> str:
    body = json.dumps(
        [[r.unit_code, r.indicator_code, r.value, r.measured_on.isoformat(), r.comment, r.key] for r in rows],
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def token_viewer(grant: TokenGrant) -> Viewer:
    """The token as the entry rules see it: a manager of its subtree who is no user (id 0 matches nobody)."""
    return Viewer(
        user_id=0,
        username=f"api:{grant.name}"[:80],
        role=Role.MANAGER,
        scope_unit_id=grant.unit_id,
        scope_path=grant.scope_path,
        language="en",  # numbers arrive as JSON numbers; "en" reads a string "1,234.5" as a person would
    )


def post_values(
    store: Store, *, grant: TokenGrant, rows: Sequence[ValueRow], idempotency_key: str | None, message: Translate
) -> tuple[dict[str, Any], bool]:
    """The answer to a batch, and whether it is a replay of an earlier one (nothing written then)."""
    digest = request_hash(rows)
    batch_key = f"batch:{idempotency_key}" if idempotency_key else None
    try:
        with store.write() as session:
            if batch_key is not None:
                stored = _stored(session, grant.token_id, batch_key)
                if stored is not None:
                    if stored.request_hash != digest:
                        raise KeyReused(idempotency_key)
                    return json.loads(stored.response_json), True
            answer = _post(session, grant, rows, message)
            if batch_key is not None:
                _store(session, grant.token_id, batch_key, digest, answer)
            return answer, False
    except IntegrityError:
        # The same key arrived twice at once: the other request's answer is the answer.
        if batch_key is None:
            raise
        with store.read() as session:
            stored = _stored(session, grant.token_id, batch_key)
        if stored is None:
            raise
        if stored.request_hash != digest:
            raise KeyReused(idempotency_key) from None
        return json.loads(stored.response_json), True


def _stored(session: Session, token_id: int, key: str) -> ApiIdempotencyKey | None:
    return session.execute(
        select(ApiIdempotencyKey).where(ApiIdempotencyKey.token_id == token_id, ApiIdempotencyKey.key == key)
    ).scalar_one_or_none()


def _store(session: Session, token_id: int, key: str, digest: str, answer: dict[str, Any]) -> None:
    session.add(
        ApiIdempotencyKey(
            token_id=token_id, key=key, request_hash=digest, response_json=json.dumps(answer), created_at=now()
        )
    )
    session.flush()


def _indicators(session: Session, rows: Sequence[ValueRow]) -> dict[tuple[str, str, int], tuple[Indicator, str]]:
    """(unit code, indicator code, year) -> the indicator and its unit's path, for every row at once."""
    units = {r.unit_code for r in rows}
    codes = {r.indicator_code for r in rows}
    found = session.execute(
        select(Indicator, OrgUnit.code, OrgUnit.path, Period.year)
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .join(Period, Period.id == Indicator.period_id)
        .where(and_(OrgUnit.code.in_(units), Indicator.code.in_(codes)))
    ).all()
    return {(unit_code, ind.code, year): (ind, path) for ind, unit_code, path, year in found}


def _post(session: Session, grant: TokenGrant, rows: Sequence[ValueRow], message: Translate) -> dict[str, Any]:
    viewer = token_viewer(grant)
    today = clock_today()
    indicators = _indicators(session, rows)
    windows: dict[tuple[int, int], Any] = {}
    results: list[dict[str, Any]] = []
    seen_keys: set[str] = set()
    for index, row in enumerate(rows):
        result: dict[str, Any] = {"index": index, "key": row.key, "status": "rejected", "measurement_id": None}
        results.append(result)
        if row.key is not None:
            if row.key in seen_keys:
                result["problems"] = [_problem("key", "duplicate_row", message)]
                continue
            seen_keys.add(row.key)
            earlier = _stored(session, grant.token_id, f"row:{row.key}")
            if earlier is not None:
                result.update(json.loads(earlier.response_json), index=index, status="duplicate")
                continue
        found = indicators.get((row.unit_code, row.indicator_code, row.measured_on.year))
        if found is None or not grant.covers_path(found[1]):
            if found is not None:  # it exists, outside the token's units: say no more than "unknown", audit it
                audit.record(
                    session,
                    user_id=None,
                    action="api.measurement.enter",
                    entity="indicator",
                    entity_id=found[0].id,
                    outcome="denied",
                    detail=f"api token {grant.token_id}: outside its units",
                )
            result["problems"] = [_problem("indicator", "unknown_indicator", message)]
            continue
        indicator = found[0]
        draft = ValueDraft(indicator.id, row.value, row.measured_on, row.comment)
        problems, number = draft_problems(session, viewer, draft, today=today, windows=windows)
        if problems or number is None:
            result["problems"] = [_problem(field, code, message) for field, code in problems.items()]
            continue
        measurement = _insert(session, grant, indicator, draft, number)
        result.update(status="accepted", measurement_id=measurement.id, value_status=measurement.status)
        if row.key is not None:
            _store(
                session,
                grant.token_id,
                f"row:{row.key}",
                "",
                {"key": row.key, "measurement_id": measurement.id, "value_status": measurement.status},
            )
    accepted = sum(1 for r in results if r["status"] == "accepted")
    return {"accepted": accepted, "rejected": sum(1 for r in results if r["status"] == "rejected"), "results": results}


def _insert(session: Session, grant: TokenGrant, indicator: Indicator, draft: ValueDraft, number: float) -> Measurement:
    unit = session.get(OrgUnit, indicator.unit_id)
    approval = unit is None or unit.requires_approval
    measurement = Measurement(
        indicator_id=indicator.id,
        value=number,
        measured_on=draft.measured_on,
        status=(MeasurementStatus.SUBMITTED if approval else MeasurementStatus.APPROVED).value,
        entered_by_id=None,  # a machine, named in the audit entry
        entered_at=now(),
        comment=(draft.comment or "").strip() or None,
    )
    session.add(measurement)
    session.flush()
    audit.record(
        session,
        user_id=None,
        action="measurement.enter",
        entity="measurement",
        entity_id=measurement.id,
        after=audit.snapshot(measurement, AUDITED),
        detail=f"api token {grant.token_id} ({grant.name})",
    )
    return measurement


def _problem(field: str, code: str, message: Translate) -> dict[str, str]:
    return {"field": field, "code": code, "message": message(code)}

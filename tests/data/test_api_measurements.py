"""A machine's batch with an Idempotency-Key, sent twice at the same moment (a retry racing the first
send): one batch of values is written, both callers get the same answer."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select, update

from config.clock import now
from data_access.commands.api_measurements import ValueRow, post_values
from data_access.commands.api_tokens import authenticate, create_token
from data_access.db import Store
from data_access.models import Indicator, Measurement, OrgUnit, Period


def test_the_same_key_sent_twice_at_once_writes_once(demo_store: Store) -> None:
    new = create_token(demo_store, actor=None, name="feed", scopes="measurements:write", unit_code="W00070", days=5)
    with demo_store.write() as session:
        ward = session.execute(select(OrgUnit).where(OrgUnit.code == "W00070")).scalar_one()
        session.execute(update(OrgUnit).where(OrgUnit.path.startswith(ward.path)).values(requires_approval=False))
        picked = session.execute(
            select(Indicator.code, OrgUnit.code)
            .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
            .join(Period, Period.id == Indicator.period_id)
            .where(OrgUnit.path.startswith(ward.path), Period.code == "2026", Indicator.direction == "increase")
            .order_by(Indicator.id)
            .limit(5)
        ).all()
        grant = authenticate(session, new.secret, moment=now()).grant
        before = session.execute(select(func.count(Measurement.id))).scalar_one()
    assert grant is not None and len(picked) == 5
    rows = [ValueRow(unit, code, 1.0, date(2026, 11, 19)) for code, unit in picked]
    answers: list[tuple[dict, bool]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def send() -> None:
        try:
            start.wait()
            answers.append(post_values(demo_store, grant=grant, rows=rows, idempotency_key="k-1", message=str))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(replayed for _answer, replayed in answers) == [False, True]
    assert answers[0][0] == answers[1][0] and answers[0][0]["accepted"] == 5
    with demo_store.read() as session:
        assert session.execute(select(func.count(Measurement.id))).scalar_one() == before + 5

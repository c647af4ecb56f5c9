"""Notices about evaluations, raised inside the write that causes them: opened (with the
self-assessment deadline), returned, approved, changed by the quota or the council, appeal answered.

A notice's detail is a small JSON object (the evaluation's id, its period and what changed), not a
sentence: the sentence is written when the person reads it, in the person's own language
(components.work_views.evaluation_notice_text), whoever's language the writer used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from data_access.models import Evaluation
from data_access.notifications import notify_each, responsible_users_of

MAX_EXCERPT = 200  # a reason or an answer quoted in a notice (the notice's detail holds 500 characters)


def detail_of(evaluation: Evaluation, period_code: str, **extra: Any) -> str:
    """The notice's detail: which evaluation, which period, and the facts its sentence needs."""
    data: dict[str, Any] = {"evaluation": evaluation.id, "period": period_code}
    for key, value in extra.items():
        data[key] = value[:MAX_EXCERPT] if isinstance(value, str) else value
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def tell(
    session: Session,
    *,
    kind: str,
    actor_user_id: int | None,
    notices: Iterable[tuple[Evaluation, str]],
) -> int:
    """Notify whoever answers for each evaluation (the person's login; for a unit, its leaders and
    managers) with the detail given next to it. Returns how many notices were added."""
    pending = list(notices)
    if not pending:
        return 0
    owners: Mapping[tuple[int, int | None], list[int]] = responsible_users_of(
        session, [(e.unit_id, e.person_id) for e, _detail in pending]
    )
    return notify_each(
        session,
        kind=kind,
        actor_user_id=actor_user_id,
        notices=[(owners[(e.unit_id, e.person_id)], detail) for e, detail in pending],
    )

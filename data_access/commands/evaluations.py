"""Write commands of the evaluation flow: open, self-assess, review, unlock, appeal (approving with the
quota and locking are in evaluation_approval, the scoring in evaluation_scoring). Each validates,
authorises (refusals audited), writes in one transaction with an audit entry, and refuses a stale
version with Conflict.

Flow for a person: draft -> self_assessed (the person) -> reviewed (a manager or leader over the
person's unit, each change with a reason) -> approved (the unit head; the quota is applied per
unit and position group at that moment) -> locked (the approver closes the period; no more
appeals). An approved evaluation no longer changes except for the appeal note; an administrator
may unlock it back to "reviewed" with a reason (audited), which is the only way back.

Flow for a unit (agency), on its own 100-point scale: the unit's head, or the manager or leader
scoped to it, self-assesses the unit's general criteria; the level above (a manager or leader
whose scope covers the parent) reviews with a reason for each change; the parent's head approves
it together with the parent's own people, the quota applied among the units of one kind under
that parent; the head may appeal. The root of the tree has no level above in Pulse.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import now, today
from data_access import audit
from data_access.commands import common
from data_access.commands.evaluation_notices import detail_of, tell
from data_access.commands.evaluation_scoring import criteria_of, general_criteria, recompute, rules_for
from data_access.db import Store
from data_access.errors import Conflict, Invalid, NotFound
from data_access.models import Evaluation, OrgUnit, Period, Person
from data_access.queries.evaluations import (
    load_details,
    period_row,
    responsible_units,
)
from data_access.queries.placements import placed_in
from data_access.viewer import Viewer
from domain.access import (
    answers_for,
    evaluation_hidden,
    may_approve,
    may_approve_unit,
    may_open_evaluations,
    may_review_person,
    may_review_unit,
)
from domain.evaluation import self_assessment_deadline
from domain.kinds import EvaluationStatus
from domain.rulesets import Criterion

OPEN = (EvaluationStatus.DRAFT, EvaluationStatus.SELF_ASSESSED, EvaluationStatus.REVIEWED)
DONE = (EvaluationStatus.APPROVED, EvaluationStatus.LOCKED)
MAX_NOTE = 2000
AUDITED = (
    "status",
    "general_points",
    "task_points",
    "total",
    "level",
    "final_level",
    "disciplined",
    "appeal_note",
    "version",
)


def dump_details(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)


def _conflict(session: Session, evaluation_id: int) -> Conflict:
    return common.conflict(session, "evaluation", evaluation_id)


def _load(session: Session, evaluation_id: int) -> tuple[Evaluation, OrgUnit]:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise NotFound("evaluation", evaluation_id)
    return evaluation, unit_of(session, evaluation)


def unit_of(session: Session, evaluation: Evaluation) -> OrgUnit:
    """The evaluation's unit (a foreign key holds it: NotFound only if it was deleted meanwhile)."""
    unit = session.get(OrgUnit, evaluation.unit_id)
    if unit is None:
        raise NotFound("unit", evaluation.unit_id)
    return unit


def _check_version(session: Session, evaluation: Evaluation, version: int | None) -> None:
    """As common.check_version: an omitted version (None) is a conflict, not a pass."""
    if version is None or version != evaluation.version:
        raise _conflict(session, evaluation.id)


def _flush(session: Session, evaluation_id: int) -> None:
    """Flush; a concurrent commit that got there first becomes a Conflict (named once rolled back)."""
    common.flush_or_conflict(session, "evaluation", evaluation_id)


def add_trail(details: dict[str, Any], viewer: Viewer, action: str, note: str | None = None) -> None:
    details.setdefault("trail", []).append(
        {"action": action, "by": viewer.username, "at": now().isoformat(), "note": note}
    )


def _text(value: Any) -> str:
    """Free text from a form (or a forged request): always a stripped string."""
    return value.strip() if isinstance(value, str) else ""


def _validate_scores(scores: dict[str, Any], criteria_list: tuple[Criterion, ...]) -> dict[str, float]:
    if not isinstance(scores, dict):
        raise Invalid({"scores": "required_number"})
    criteria = {c.code: c for c in criteria_list}
    problems: dict[str, str] = {}
    clean: dict[str, float] = {}
    for code, criterion in criteria.items():
        raw = scores.get(code)
        try:
            if raw is None or isinstance(raw, bool):
                raise TypeError(code)
            value = float(raw)
        except (TypeError, ValueError):
            problems[code] = "required_number"
            continue
        if not 0 <= value <= criterion.max_points:
            problems[code] = "out_of_range"
        clean[code] = round(value, 2)
    if unknown := set(scores) - set(criteria):
        problems[sorted(unknown)[0]] = "unknown_criterion"
    if problems:
        raise Invalid(problems)
    return clean


def open_evaluations(store: Store, *, viewer: Viewer, period_code: str, unit_id: int) -> int:
    """Create the draft evaluations of a period for everyone in a unit's subtree and for each unit.

    General points are proposed at each criterion's maximum (the usual case) until the person
    self-assesses; task points come from the tasks. Each person (for a unit, its leaders and
    managers) gets a notice with the self-assessment deadline. Returns how many were created.
    """
    with unit_command(store, viewer, action="evaluation.open") as session:
        unit = session.get(OrgUnit, unit_id)
        if unit is None:
            raise NotFound("unit", unit_id)
        if not may_open_evaluations(viewer, unit.path):
            raise common.Refused(f"open {period_code} for unit {unit_id}")
        period = period_row(session, period_code)
        units = (
            session.execute(
                select(OrgUnit)
                .where(OrgUnit.path.startswith(unit.path, autoescape=True), OrgUnit.active.is_(True))
                .order_by(OrgUnit.path)
            )
            .scalars()
            .all()
        )
        by_id = {u.id: u for u in units}
        # Each person where they worked in the period: opening a past quarter after a move evaluates
        # them in the unit they worked in then.
        placed = placed_in(period.start_date, period.end_date, OrgUnit.id.in_(by_id))
        people = session.execute(
            select(Person.id, placed.c.unit_id)
            .join(placed, placed.c.person_id == Person.id)
            .where(placed.c.unit_id.in_(by_id), Person.active.is_(True))
            .order_by(Person.id)
        ).all()
        existing_people = set(
            session.execute(
                select(Evaluation.person_id).where(Evaluation.period_id == period.id, Evaluation.person_id.is_not(None))
            ).scalars()
        )
        existing_units = set(
            session.execute(
                select(Evaluation.unit_id).where(Evaluation.period_id == period.id, Evaluation.person_id.is_(None))
            ).scalars()
        )
        created = 0
        deadline = self_assessment_deadline(today())
        opened: list[Evaluation] = []
        targets: list[tuple[int | None, OrgUnit]] = [
            (person_id, by_id[placed_unit]) for person_id, placed_unit in people if person_id not in existing_people
        ]
        targets += [(None, u) for u in units if u.id not in existing_units]
        for person_id, owner in targets:
            criteria = general_criteria(rules_for(owner.ruleset), unit=person_id is None)
            details: dict[str, Any] = {
                "general": {c.code: c.max_points for c in criteria},
                "review": [],
                "self_deadline": deadline.isoformat(),
            }
            evaluation = Evaluation(
                person_id=person_id,
                unit_id=owner.id,
                period_id=period.id,
                ruleset=owner.ruleset,
                status=EvaluationStatus.DRAFT.value,
                disciplined=False,
            )
            recompute(session, evaluation, owner, details)
            add_trail(details, viewer, "opened")
            evaluation.details_json = dump_details(details)
            session.add(evaluation)
            opened.append(evaluation)
            created += 1
        session.flush()  # the notices name the new evaluations by id
        tell(
            session,
            kind="eval_opened",
            actor_user_id=viewer.user_id,
            notices=[(e, detail_of(e, period_code, deadline=deadline.isoformat())) for e in opened],
        )
        audit.record(
            session,
            user_id=viewer.user_id,
            action="evaluation.open",
            entity="evaluation_period",
            entity_id=f"{period_code}:{unit_id}",
            after={"created": created},
        )
    return created


# check(session, evaluation, unit) -> a refusal ("not_found" or why), None to go on;
# change(session, evaluation, unit, details) -> the note for the trail.
Check = Callable[[Session, Evaluation, OrgUnit], str | None]
Change = Callable[[Session, Evaluation, OrgUnit, dict[str, Any]], str | None]


def _edit(store: Store, *, viewer: Viewer, evaluation_id: int, action: str, check: Check, change: Change) -> None:
    """The frame of a change to one evaluation, in one transaction: load, authorise (a refusal is audited
    once this transaction is rolled back), check the version and change, trail, audit, flush."""
    with (
        common.refusals_and_conflicts(store, viewer, action=action, entity="evaluation", entity_id=evaluation_id),
        store.write() as session,
    ):
        evaluation, unit = _load(session, evaluation_id)
        refusal = check(session, evaluation, unit)
        if refusal == "not_found":
            raise NotFound("evaluation", evaluation_id)
        if refusal:
            raise common.Refused(refusal)
        before = audit.snapshot(evaluation, AUDITED)
        details = load_details(evaluation.details_json)
        # No flush half-way: the change's own reads must not write the evaluation twice (two version
        # steps) nor meet a concurrent writer anywhere but in the one checked flush below.
        with session.no_autoflush:
            note = change(session, evaluation, unit, details)
            add_trail(details, viewer, action.split(".")[-1], note)
            evaluation.details_json = dump_details(details)
        _flush(session, evaluation_id)
        audit.record(
            session,
            user_id=viewer.user_id,
            action=action,
            entity="evaluation",
            entity_id=evaluation_id,
            before=before,
            after=audit.snapshot(evaluation, AUDITED),
            detail=note,
        )


@contextmanager
def unit_command(store: Store, viewer: Viewer, *, action: str) -> Iterator[Session]:
    """The frame of a command on a unit's evaluations of a period: one write transaction in which the
    command loads, authorises (raising Refused: audited once rolled back) and writes."""
    with (
        common.refusals_and_conflicts(store, viewer, action=action, entity="evaluation", entity_id=None),
        store.write() as session,
    ):
        yield session


def _hidden(viewer: Viewer, evaluation: Evaluation, unit: OrgUnit) -> bool:
    return evaluation_hidden(viewer, person_id=evaluation.person_id, unit_path=unit.path)


def _answers_for(session: Session, viewer: Viewer, evaluation: Evaluation) -> bool:
    responsible = responsible_units(session, viewer=viewer) if evaluation.person_id is None else ()
    return answers_for(viewer, person_id=evaluation.person_id, unit_id=evaluation.unit_id, responsible=responsible)


def self_assess(
    store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, scores: dict[str, Any], note: str = ""
) -> None:
    """The person scores the general criteria of their own evaluation; a unit's head those of the unit."""

    def check(session: Session, evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if _hidden(viewer, evaluation, unit):
            return "not_found"
        if not _answers_for(session, viewer, evaluation):
            return "only the person (or the unit's head) self-assesses"
        if EvaluationStatus(evaluation.status) not in (EvaluationStatus.DRAFT, EvaluationStatus.SELF_ASSESSED):
            return f"cannot self-assess a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        clean = _validate_scores(scores, criteria_of(evaluation))
        if len(_text(note)) > MAX_NOTE:
            raise Invalid({"note": "too_long"})
        details["self"] = clean
        details["self_note"] = _text(note)
        details["general"] = dict(clean)
        details["review"] = []
        evaluation.status = EvaluationStatus.SELF_ASSESSED.value
        recompute(session, evaluation, unit, details)
        return None

    _edit(
        store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.self_assess", check=check, change=change
    )


def review(
    store: Store,
    *,
    viewer: Viewer,
    evaluation_id: int,
    version: int | None,
    scores: dict[str, Any],
    reasons: dict[str, str],
    disciplined: bool | None = None,
    discipline_reason: str = "",
) -> None:
    """A manager or leader over the person's unit reviews (for a unit: over its parent, the level
    above): every changed score needs a reason."""

    def check(session: Session, evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if _hidden(viewer, evaluation, unit):
            return "not_found"
        if evaluation.person_id is None:
            if not may_review_unit(viewer, unit.path):
                return "only a manager or leader of the level above reviews a unit"
        elif not may_review_person(viewer, unit.path):
            return "only a manager or leader over the unit reviews"
        if _answers_for(session, viewer, evaluation):
            return "nobody reviews their own evaluation"
        if EvaluationStatus(evaluation.status) not in OPEN:
            return f"cannot review a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        clean = _validate_scores(scores, criteria_of(evaluation))
        given = reasons if isinstance(reasons, dict) else {}
        current = {k: float(v) for k, v in (details.get("general") or {}).items()}
        changes = []
        problems: dict[str, str] = {}
        for code, value in clean.items():
            if current.get(code) != value:
                reason = _text(given.get(code))
                if not reason:
                    problems[code] = "reason_required"
                elif len(reason) > MAX_NOTE:
                    problems[code] = "too_long"
                changes.append(
                    {
                        "criterion": code,
                        "from": current.get(code),
                        "to": value,
                        "reason": reason,
                        "by": viewer.username,
                        "at": now().isoformat(),
                    }
                )
        if disciplined is not None and bool(disciplined) != evaluation.disciplined:
            if not _text(discipline_reason):
                problems["disciplined"] = "reason_required"
            changes.append(
                {
                    "criterion": "disciplined",
                    "from": evaluation.disciplined,
                    "to": bool(disciplined),
                    "reason": _text(discipline_reason),
                    "by": viewer.username,
                    "at": now().isoformat(),
                }
            )
            evaluation.disciplined = bool(disciplined)
        if problems:
            raise Invalid(problems)
        details["general"] = clean
        details.setdefault("review", []).extend(changes)
        evaluation.status = EvaluationStatus.REVIEWED.value
        recompute(session, evaluation, unit, details)
        return f"{len(changes)} change(s)"

    _edit(store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.review", check=check, change=change)


def appeal(store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, note: str) -> None:
    """The person (for a unit, its head) records an appeal note against an approved, not yet locked, evaluation."""

    def check(session: Session, evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if _hidden(viewer, evaluation, unit):
            return "not_found"
        if not _answers_for(session, viewer, evaluation):
            return "only the person (or the unit's head) appeals"
        if evaluation.status != EvaluationStatus.APPROVED.value:
            return f"cannot appeal a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        text = _note(note, "appeal_note")
        evaluation.appeal_note = text
        return None

    _edit(store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.appeal", check=check, change=change)


def unlock(store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, reason: str) -> None:
    """An administrator reopens an approved or locked evaluation for review, with a reason."""

    def check(session: Session, evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if _hidden(viewer, evaluation, unit):
            return "not_found"
        if not viewer.is_admin:
            return "only an administrator unlocks"
        if EvaluationStatus(evaluation.status) not in DONE:
            return f"cannot unlock a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        text = _text(reason)
        if not text:
            raise Invalid({"reason": "required"})
        evaluation.status = EvaluationStatus.REVIEWED.value
        evaluation.final_level = None
        evaluation.approved_by_id = None
        evaluation.approved_at = None
        details.pop("quota", None)
        details.pop("leader_context", None)
        recompute(session, evaluation, unit, details)
        _tell_one(session, viewer, evaluation, "eval_returned", reason=text)
        return text[:MAX_NOTE]

    _edit(store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.unlock", check=check, change=change)


def _note(value: object, field: str) -> str:
    """A note the change needs (an appeal, a reason, an answer): trimmed, present and at most MAX_NOTE long."""
    text = _text(value)
    if not text:
        raise Invalid({field: "required"})
    if len(text) > MAX_NOTE:
        raise Invalid({field: "too_long"})
    return text


def _tell_one(session: Session, viewer: Viewer, evaluation: Evaluation, kind: str, **extra: Any) -> None:
    """The notice of a change to one evaluation, to whoever answers for it, in the change's transaction."""
    code = session.execute(select(Period.code).where(Period.id == evaluation.period_id)).scalar_one()
    tell(session, kind=kind, actor_user_id=viewer.user_id, notices=[(evaluation, detail_of(evaluation, code, **extra))])


def _may_review(viewer: Viewer, evaluation: Evaluation, unit: OrgUnit) -> bool:
    if evaluation.person_id is None:
        return may_review_unit(viewer, unit.path)
    return may_review_person(viewer, unit.path)


def return_to_person(store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, reason: str) -> None:
    """A reviewer sends a self-assessed (or reviewed) evaluation back to the person (for a unit, its
    head) to self-assess again, with a reason; the person hears of it."""

    def check(session: Session, evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if _hidden(viewer, evaluation, unit):
            return "not_found"
        if not _may_review(viewer, evaluation, unit):
            return "only a reviewer returns an evaluation"
        if _answers_for(session, viewer, evaluation):
            return "nobody returns their own evaluation"
        if EvaluationStatus(evaluation.status) not in (EvaluationStatus.SELF_ASSESSED, EvaluationStatus.REVIEWED):
            return f"cannot return a {evaluation.status} evaluation"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        text = _note(reason, "reason")
        evaluation.status = EvaluationStatus.DRAFT.value
        details["returned"] = {"reason": text, "by": viewer.username, "at": now().isoformat()}
        _tell_one(session, viewer, evaluation, "eval_returned", reason=text)
        return text

    _edit(store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.return", check=check, change=change)


def answer_appeal(store: Store, *, viewer: Viewer, evaluation_id: int, version: int | None, answer: str) -> None:
    """The head who approved (the unit's head; for a unit, the head of the level above) answers an
    appeal in writing; the person hears of it. The answer may be given after the period is locked."""

    def check(session: Session, evaluation: Evaluation, unit: OrgUnit) -> str | None:
        if _hidden(viewer, evaluation, unit):
            return "not_found"
        approver = (
            may_approve_unit(viewer, unit_path=unit.path)
            if evaluation.person_id is None
            else may_approve(viewer, unit_id=unit.id, unit_path=unit.path)
        )
        if not approver or _answers_for(session, viewer, evaluation):
            return "only the head who approves answers an appeal"
        if EvaluationStatus(evaluation.status) not in DONE or not evaluation.appeal_note:
            return "no appeal to answer"
        return None

    def change(session: Session, evaluation: Evaluation, unit: OrgUnit, details: dict[str, Any]) -> str | None:
        _check_version(session, evaluation, version)
        text = _note(answer, "appeal_answer")
        details["appeal_answer"] = {"text": text, "by": viewer.username, "at": now().isoformat()}
        _tell_one(session, viewer, evaluation, "eval_answered", answer=text)
        return None

    _edit(
        store, viewer=viewer, evaluation_id=evaluation_id, action="evaluation.answer_appeal", check=check, change=change
    )

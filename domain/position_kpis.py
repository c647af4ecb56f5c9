"""Rules for a job position's KPI templates: what a template must look like, which of them a person
placed in the position still has to get in their division's plan, and the personal KPI each becomes.

This is what ties evaluation "by job position" to the plan: every holder of a position carries its
KPIs, as draft key results of the division's plan owned by the person. Pure functions; problems are
{field: code} maps like domain/plan_items.py, turned into messages by the pages.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from domain.indicators import Direction
from domain.kinds import Frequency, SourceKind
from domain.plan_items import TITLE_MAX, UNIT_OF_MEASURE_MAX, IndicatorDraft, ObjectiveDraft, clean
from domain.plans import Numbers, number_problems

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
# A template carries a baseline and a target only: band and milestone KPIs are authored in the plan.
TEMPLATE_DIRECTIONS = (Direction.INCREASE, Direction.DECREASE, Direction.DONE)
# The objective a division's position KPIs align to when its manager picks none (made once per plan).
POSITION_OBJECTIVE_TITLE = "Nhiệm vụ theo vị trí việc làm"


# What a page saw of a template: a change to any of these since makes its edit a conflict.
TOKEN_FIELDS = (
    "code",
    "name",
    "unit_of_measure",
    "direction",
    "baseline",
    "target",
    "weight",
    "frequency",
    "active",
)


def template_token(template: object) -> str:
    """A short fingerprint of a template's fields (templates have no version column): the page sends
    back the one it read, and an edit made on an outdated copy is refused as a conflict."""
    values = {name: getattr(template, name, None) for name in TOKEN_FIELDS}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TemplateDraft:
    """A position KPI template as typed on /admin/positions."""

    code: str
    name: str
    direction: str = Direction.INCREASE.value
    unit_of_measure: str = ""
    baseline: float | None = None
    target: float | None = None
    weight: float = 1.0
    frequency: str = Frequency.MONTHLY.value


@dataclass(frozen=True)
class TemplateFacts:
    """A stored template as the giving rule needs it."""

    id: int
    code: str
    name: str
    direction: str
    unit_of_measure: str
    baseline: float | None
    target: float | None
    weight: float
    frequency: str
    active: bool


def clean_code(value: object) -> str:
    return value.strip().upper() if isinstance(value, str) else ""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def template_problems(draft: TemplateDraft, *, taken_codes: Collection[str] = ()) -> dict[str, str]:
    """A short code unique in the position, a name, a direction a template can carry, a weight that is
    not negative, a known frequency, and numbers coherent with the direction (target beyond baseline)."""
    problems: dict[str, str] = {}
    code = clean_code(draft.code)
    if not CODE_PATTERN.fullmatch(code):
        problems["code"] = "code_format"
    elif code in taken_codes:
        problems["code"] = "code_taken"
    name = clean(draft.name)
    if not name:
        problems["name"] = "required"
    elif len(name) > TITLE_MAX:
        problems["name"] = "too_long"
    if len(clean(draft.unit_of_measure)) > UNIT_OF_MEASURE_MAX:
        problems["unit_of_measure"] = "too_long"
    if draft.direction not in {d.value for d in TEMPLATE_DIRECTIONS}:
        problems["direction"] = "unknown_choice"
    if draft.frequency not in {f.value for f in Frequency}:
        problems["frequency"] = "unknown_choice"
    if not _is_number(draft.weight):
        problems["weight"] = "not_a_number"
    elif draft.weight < 0:
        problems["weight"] = "weight_negative"
    for name_, value in (("baseline", draft.baseline), ("target", draft.target)):
        if value is not None and not _is_number(value):
            problems[name_] = "not_a_number"
    if "direction" not in problems and not {"baseline", "target"} & problems.keys():
        numbers = Numbers(direction=Direction(draft.direction), baseline=draft.baseline, target=draft.target)
        for field, code_ in number_problems(numbers).items():
            problems.setdefault(field, code_)
    return problems


def templates_to_give(templates: Iterable[TemplateFacts], given: Collection[int]) -> list[TemplateFacts]:
    """The active templates the person has not got yet this year (giving twice adds nothing)."""
    return [t for t in templates if t.active and t.id not in given]


def personal_kpi(template: TemplateFacts, *, owner_person_id: int) -> IndicatorDraft:
    """The key result a template becomes in the division's plan, owned by the person placed."""
    return IndicatorDraft(
        name=template.name,
        direction=template.direction,
        unit_of_measure=template.unit_of_measure,
        baseline=template.baseline,
        target=template.target,
        weight=template.weight,
        frequency=template.frequency,
        owner_person_id=owner_person_id,
    )


def position_objective() -> ObjectiveDraft:
    """The objective made once in a division's plan to carry its positions' KPIs (regular work)."""
    return ObjectiveDraft(title=POSITION_OBJECTIVE_TITLE, source_kind=SourceKind.REGULAR_WORK.value, weight=1.0)

"""What an objective or a key result typed into a plan must look like before it is stored.

Pure checks over plain values, returning {field: code} maps like domain/plans.py (whose number rules
they reuse): the pages and the commands turn the codes into messages in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.indicators import Accumulation, Direction
from domain.kinds import DataSource, Frequency, SourceKind
from domain.plans import Numbers, number_problems

TITLE_MAX = 300
REF_MAX = 200
UNIT_OF_MEASURE_MAX = 40


@dataclass(frozen=True)
class ObjectiveDraft:
    """An objective as typed: what it aims at, where it comes from, how much it weighs, who owns it."""

    title: str
    source_kind: str
    source_ref: str | None = None
    weight: float = 1.0
    owner_person_id: int | None = None
    parent_objective_id: int | None = None


@dataclass(frozen=True)
class IndicatorDraft:
    """A key result or KPI as typed, with its planned trajectory ((date, value) points)."""

    name: str
    direction: str
    unit_of_measure: str = ""
    baseline: float | None = None
    target: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    milestones_total: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    weight: float = 1.0
    accumulation: str = Accumulation.LAST.value
    frequency: str = Frequency.MONTHLY.value
    owner_person_id: int | None = None
    evidence_required: bool = False
    data_source: str = DataSource.ENTERED.value
    trajectory: tuple[tuple[date, float], ...] = field(default_factory=tuple)

    def numbers(self) -> Numbers:
        return Numbers(
            direction=Direction(self.direction),
            baseline=self.baseline,
            target=self.target,
            band_low=self.band_low,
            band_high=self.band_high,
            min_value=self.min_value,
            max_value=self.max_value,
            milestones_total=self.milestones_total,
        )


def clean(text: object) -> str:
    """Trimmed, inner runs of spaces made one (what people paste from documents)."""
    return " ".join(text.split()) if isinstance(text, str) else ""


def _text_problems(name: str, value: object, limit: int, *, required: bool) -> dict[str, str]:
    text = clean(value)
    if required and not text:
        return {name: "required"}
    if len(text) > limit:
        return {name: "too_long"}
    return {}


def _weight_problems(weight: object) -> dict[str, str]:
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight != weight:
        return {"weight": "not_a_number"}
    return {"weight": "weight_negative"} if weight < 0 else {}


def objective_problems(draft: ObjectiveDraft) -> dict[str, str]:
    """A title, a known source kind, a short reference and a weight that is not negative."""
    problems = _text_problems("title", draft.title, TITLE_MAX, required=True)
    if draft.source_kind not in {k.value for k in SourceKind}:
        problems["source_kind"] = "unknown_choice"
    problems.update(_text_problems("source_ref", draft.source_ref, REF_MAX, required=False))
    problems.update(_weight_problems(draft.weight))
    return problems


def indicator_problems(draft: IndicatorDraft) -> dict[str, str]:
    """A name, known choices, a weight that is not negative and numbers coherent with the direction."""
    problems = _text_problems("name", draft.name, TITLE_MAX, required=True)
    problems.update(_text_problems("unit_of_measure", draft.unit_of_measure, UNIT_OF_MEASURE_MAX, required=False))
    for name, value, enum in (
        ("direction", draft.direction, Direction),
        ("accumulation", draft.accumulation, Accumulation),
        ("frequency", draft.frequency, Frequency),
        ("data_source", draft.data_source, DataSource),
    ):
        if value not in {k.value for k in enum}:
            problems[name] = "unknown_choice"
    problems.update(_weight_problems(draft.weight))
    if "direction" not in problems:
        for name, code in number_problems(draft.numbers()).items():
            problems.setdefault(name, code)
    return problems

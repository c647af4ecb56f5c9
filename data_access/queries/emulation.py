"""Emulation (thi dua): rankings of people within position groups and of units within their kind,
emulation titles and reward proposals that follow from the classification levels.

The rules are data: EMULATION_RULES below (titles by level), with the number of consecutive
excellent years that proposes a commendation taken from the rule set of the unit looked at
(commendation_after_excellent_years in config/rulesets/*.json); a caller may pass other rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from config.rulesets import load_ruleset
from data_access.errors import Forbidden, NotFound
from data_access.models import Evaluation, OrgUnit, Person, Position
from data_access.models import Period as PeriodRow
from data_access.queries.placements import position_during
from data_access.viewer import Viewer, in_scope
from domain.kinds import EvaluationStatus, Role
from domain.periods import PeriodKind
from domain.rankings import rank_within_groups

FINAL = (EvaluationStatus.APPROVED.value, EvaluationStatus.LOCKED.value)

EMULATION_RULES: dict[str, Any] = {
    # Year titles by final level.
    "titles": {"excellent": "emulation_fighter", "good": "advanced_worker"},
    "unit_titles": {"excellent": "excellent_unit"},
    # Proposals: the level held in N consecutive years (this year included); N from the rule set.
    "proposals": [{"code": "commendation", "level": "excellent", "consecutive_years": 2}],
}


@dataclass(frozen=True)
class RankRow:
    rank: int
    evaluation_id: int
    group: str
    name: str
    unit_name: str
    total: float | None
    level: str | None
    provisional: bool


@dataclass(frozen=True)
class Proposal:
    person_id: int | None
    unit_id: int
    name: str
    unit_name: str
    title: str
    kind: str  # "title" or "proposal"
    levels: tuple[str, ...]


def _guard(viewer: Viewer) -> None:
    if viewer.role in (Role.SCREEN, Role.STAFF):
        raise Forbidden("rankings are for managers and leaders")


def _level(evaluation: Evaluation) -> str | None:
    return evaluation.final_level or evaluation.level


def _ranked(items: list[tuple[str, Evaluation, str, str]]) -> list[RankRow]:
    """Ranked by total within each group (domain.rankings: 1, 2, 2, 4; ties by name)."""
    out: list[RankRow] = []
    groups = rank_within_groups(
        items, group=lambda i: i[0], score=lambda i: i[1].total or 0.0, name=lambda i: i[2], tiebreak=lambda i: i[1].id
    )
    for group, places in groups:
        for place in places:
            _g, evaluation, name, unit_name = place.item
            out.append(
                RankRow(
                    rank=place.rank or 0,
                    evaluation_id=evaluation.id,
                    group=str(group),
                    name=name,
                    unit_name=unit_name,
                    total=evaluation.total,
                    level=_level(evaluation),
                    provisional=evaluation.status not in FINAL,
                )
            )
    return out


def _unit_filter(session: Session, viewer: Viewer, unit_id: int | None) -> str:
    return _unit_looked_at(session, viewer, unit_id).path


def _unit_looked_at(session: Session, viewer: Viewer, unit_id: int | None) -> OrgUnit:
    """The unit asked for (NotFound outside the scope), or the viewer's scope unit."""
    unit = session.get(OrgUnit, viewer.scope_unit_id if unit_id is None else unit_id)
    if unit is None or not viewer.covers_path(unit.path):
        raise NotFound("unit", unit_id)
    return unit


def rank_people(session: Session, *, viewer: Viewer, period_code: str, unit_id: int | None = None) -> list[RankRow]:
    """People of the scope (or a unit) ranked by total within their position group."""
    _guard(viewer)
    path = _unit_filter(session, viewer, unit_id)
    rows = session.execute(
        select(Evaluation, Position.task_group, Person.full_name, OrgUnit.name)
        .join(Person, Person.id == Evaluation.person_id)
        .join(OrgUnit, OrgUnit.id == Evaluation.unit_id)
        .join(PeriodRow, PeriodRow.id == Evaluation.period_id)
        .outerjoin(Position, Position.id == position_during(Person.id, PeriodRow.start_date, PeriodRow.end_date))
        .where(
            PeriodRow.code == period_code,
            in_scope(viewer, OrgUnit.path),
            OrgUnit.path.startswith(path, autoescape=True),
            Evaluation.total.is_not(None),
        )
    ).all()
    return _ranked([(group or "", e, name, unit_name) for e, group, name, unit_name in rows])


def rank_units(session: Session, *, viewer: Viewer, period_code: str) -> list[RankRow]:
    """Units of the scope ranked by their own evaluation's total within their kind (like with like)."""
    _guard(viewer)
    rows = session.execute(
        select(Evaluation, OrgUnit.kind, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == Evaluation.unit_id)
        .join(PeriodRow, PeriodRow.id == Evaluation.period_id)
        .where(
            PeriodRow.code == period_code,
            Evaluation.person_id.is_(None),
            in_scope(viewer, OrgUnit.path),
            Evaluation.total.is_not(None),
        )
    ).all()
    return _ranked([(kind, e, name, name) for e, kind, name in rows])


def _rules(overrides: dict[str, Any] | None, ruleset: str) -> dict[str, Any]:
    years = load_ruleset(ruleset).commendation_after_excellent_years
    proposals = [{"code": "commendation", "level": "excellent", "consecutive_years": years}]
    return {**EMULATION_RULES, "proposals": proposals, **(overrides or {})}


def titles_and_proposals(
    session: Session, *, viewer: Viewer, year: int, unit_id: int | None = None, rules: dict[str, Any] | None = None
) -> list[Proposal]:
    """Year titles from approved final levels, and proposals from levels held in consecutive years."""
    _guard(viewer)
    unit = _unit_looked_at(session, viewer, unit_id)
    conf = _rules(rules, unit.ruleset)
    path = unit.path
    longest = max([p["consecutive_years"] for p in conf["proposals"]] + [1])
    years = list(range(year - longest + 1, year + 1))
    rows = session.execute(
        select(Evaluation, PeriodRow.year, Person.full_name, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == Evaluation.unit_id)
        .join(PeriodRow, PeriodRow.id == Evaluation.period_id)
        .outerjoin(Person, Person.id == Evaluation.person_id)
        .where(
            PeriodRow.kind == PeriodKind.YEAR.value,
            PeriodRow.year.in_(years),
            Evaluation.status.in_(FINAL),
            in_scope(viewer, OrgUnit.path),
            OrgUnit.path.startswith(path, autoescape=True),
        )
    ).all()
    history: dict[tuple[int | None, int], dict[int, str | None]] = defaultdict(dict)
    names: dict[tuple[int | None, int], tuple[str, str]] = {}
    for evaluation, y, person_name, unit_name in rows:
        key = (evaluation.person_id, evaluation.unit_id if evaluation.person_id is None else 0)
        history[key][y] = _level(evaluation)
        if y == year:
            names[key] = (person_name or unit_name, unit_name)
    out: list[Proposal] = []
    for key in sorted(names, key=lambda k: (names[k][1], names[k][0])):
        person_id, unit_key = key
        levels = history[key]
        this_year = levels.get(year)
        unit_id_of = unit_key if person_id is None else _unit_of(rows, person_id)
        titles = conf["unit_titles"] if person_id is None else conf["titles"]
        if this_year is not None and this_year in titles:
            out.append(
                Proposal(person_id, unit_id_of, *names[key], title=titles[this_year], kind="title", levels=(this_year,))
            )
        if person_id is None:
            continue
        for proposal in conf["proposals"]:
            wanted: str = proposal["level"]
            span = [levels.get(y) for y in range(year - proposal["consecutive_years"] + 1, year + 1)]
            if all(level == wanted for level in span):
                # Every year of the span held the wanted level: the span is that level, once a year.
                out.append(
                    Proposal(
                        person_id,
                        unit_id_of,
                        *names[key],
                        title=proposal["code"],
                        kind="proposal",
                        levels=(wanted,) * len(span),
                    )
                )
    return out


def _unit_of(rows: Sequence[Row[Evaluation, int, str, str]], person_id: int) -> int:
    for evaluation, *_rest in rows:
        if evaluation.person_id == person_id:
            return evaluation.unit_id
    return 0

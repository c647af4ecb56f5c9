"""Lagging indicators (at risk and off track): the overview's top ten and the /lagging grid, whose sorting,
filtering and paging run in SQL through a whitelisted filter language with bound parameters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Float,
    Numeric,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from config.clock import today as clock_today
from data_access.errors import Invalid
from data_access.models import (
    LAGGING_STATUSES,
    Indicator,
    IndicatorAnalysis,
    IndicatorRollup,
    Objective,
    OrgUnit,
    Person,
    UnitRollup,
)
from data_access.queries.publication import hidden_candidates, published_to
from data_access.queries.scope import period_id, rows_frame, under_path, unit_in_scope
from data_access.viewer import Viewer

LAGGING = LAGGING_STATUSES

LAGGING_COLUMNS = [
    "indicator_id",
    "indicator",
    "unit_of_measure",
    "unit_id",
    "unit",
    "unit_kind",
    "source_kind",
    "source_ref",
    "owner_id",
    "owner",
    "status",
    "progress",
    "expected",
    "current_value",
    "target",
    "forecast_miss_by",
    "weight",
    "gap",
    "why",
    "what_happened",
]


def _lagging_scope(session: Session, viewer: Viewer, unit_id: int | None) -> str:
    """The path of the subtree a lagging list covers: the viewer's scope, or a unit inside it."""
    if unit_id is None:
        return viewer.scope_path
    return unit_in_scope(session, viewer=viewer, unit_id=unit_id).path


def _lagging_conditions(pid: int, path: str, viewer: Viewer) -> list[ColumnElement[bool]]:
    """Lagging rows of the subtree, published to the viewer (Indicator and OrgUnit joined)."""
    return [*_lagging_rows(pid, path), published_to(viewer, clock_today())]


def _lagging_rows(pid: int, path: str) -> list[ColumnElement[bool]]:
    # The statuses are written into the SQL so that both planners can match the partial lagging-gap index.
    lagging: BindParameter[list[str]] = bindparam(
        "lagging", list(LAGGING_STATUSES), expanding=True, literal_execute=True
    )
    return [IndicatorRollup.period_id == pid, IndicatorRollup.status.in_(lagging), under_path(path)]


def lagging_indicators(
    session: Session, *, viewer: Viewer, period: str, limit: int | None = None, unit_id: int | None = None
) -> pd.DataFrame:
    """At-risk and off-track indicators in scope, the most important gaps first (weight x shortfall)."""
    pid = period_id(session, period)
    # The rollups' stored, indexed gap picks the rows; names and owners are joined for those rows only.
    chosen = (
        select(IndicatorRollup.indicator_id)
        .join(OrgUnit, OrgUnit.id == IndicatorRollup.unit_id)
        .join(Indicator, Indicator.id == IndicatorRollup.indicator_id)
        .where(*_lagging_conditions(pid, _lagging_scope(session, viewer, unit_id), viewer))
        .order_by(IndicatorRollup.gap.desc(), IndicatorRollup.indicator_id)
    )
    if limit:
        chosen = chosen.limit(limit)
    ids = list(session.execute(chosen).scalars())
    owner = aliased(Person)
    rows = (
        session.execute(
            select(
                Indicator.id,
                Indicator.name,
                Indicator.unit_of_measure,
                OrgUnit.id,
                OrgUnit.name,
                OrgUnit.kind,
                Objective.source_kind,
                Objective.source_ref,
                owner.id,
                owner.full_name,
                IndicatorRollup.status,
                IndicatorRollup.progress,
                IndicatorRollup.expected,
                IndicatorRollup.current_value,
                Indicator.target,
                IndicatorRollup.forecast_miss_by,
                IndicatorRollup.weight,
                IndicatorRollup.gap,
                IndicatorAnalysis.why,
                IndicatorAnalysis.what_happened,
            )
            .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
            .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
            .outerjoin(Objective, Objective.id == Indicator.objective_id)
            .outerjoin(owner, owner.id == Indicator.owner_person_id)
            # The owner's analysis of this period (unique per indicator and period: no row is repeated).
            .outerjoin(
                IndicatorAnalysis,
                and_(IndicatorAnalysis.indicator_id == Indicator.id, IndicatorAnalysis.period_id == pid),
            )
            .where(Indicator.id.in_(ids))
        ).all()
        if ids
        else []
    )
    position = {indicator_id: i for i, indicator_id in enumerate(ids)}
    return rows_frame(sorted(rows, key=lambda r: position[r[0]]), LAGGING_COLUMNS)


# --- the /lagging grid: sorting, filtering and paging in SQL ---------------------------------

LAGGING_TEXT_FIELDS = ("indicator", "unit", "unit_kind", "source", "owner", "status")

LAGGING_NUMBER_FIELDS = ("progress", "expected", "gap")

TEXT_OPERATORS = ("contains", "notContains", "equals", "notEqual", "startsWith", "endsWith")

NUMBER_OPERATORS = ("equals", "notEqual", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "inRange")

MAX_BLOCK = 500

MAX_TEXT = 200

MAX_SORT_KEYS = 3

MAX_CONDITIONS = 2

LAGGING_PAGE_COLUMNS = [
    "indicator_id",
    "indicator",
    "unit_id",
    "unit",
    "unit_kind",
    "source_kind",
    "source_ref",
    "owner_id",
    "owner",
    "status",
    "progress_pct",
    "expected_pct",
    "gap",
    "why",
    "what_happened",
]


@dataclass(frozen=True)
class Condition:
    """One filter condition: an operator of TEXT_OPERATORS or NUMBER_OPERATORS and its value(s)."""

    operator: str
    value: str | float
    value_to: float | None = None  # the upper bound of inRange (both bounds excluded, as the grid does)


@dataclass(frozen=True)
class ColumnFilter:
    """A column's filter: one or two conditions, joined by AND or OR."""

    field: str
    conditions: tuple[Condition, ...]
    join: str = "AND"


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class LaggingLabels:
    """What the user sees for coded columns, so that filters and sorting match the screen."""

    unit_kinds: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)  # source kind -> label; none shows no_source
    no_source: str = "–"
    no_owner: str = "–"


@dataclass(frozen=True)
class LaggingPage:
    rows: pd.DataFrame  # LAGGING_PAGE_COLUMNS, in the requested order
    total: int  # rows matching the filters


class casefold(GenericFunction[str]):  # noqa: N801 (an SQL function name)
    """lower() on PostgreSQL; on SQLite, whose lower() folds ASCII only, the Unicode one the engine registers."""

    type = String()
    inherit_cache = True


@compiles(casefold)
def _casefold_default(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _casefold_sqlite(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"pulse_lower({compiler.process(element.clauses, **kw)})"


def _labelled(column: Any, labels: Mapping[str, str], default: Any) -> Any:
    """CASE column WHEN code THEN label ... END with the labels bound as parameters."""
    if not labels:
        return func.coalesce(column, default)
    return case({code: literal(label, String) for code, label in sorted(labels.items())}, value=column, else_=default)


def _rounded(expression: Any, digits: int) -> Any:
    # Rounded in SQL, so that what a number filter compares is exactly what the grid shows.
    return type_coerce(func.round(cast(expression, Numeric), digits), Float)


class _LaggingColumns:
    """The SQL expression behind each grid column, and the joins it needs."""

    def __init__(self, labels: LaggingLabels) -> None:
        self.owner = aliased(Person)
        source_label = _labelled(Objective.source_kind, labels.sources, literal(labels.no_source, String))
        self.text: dict[str, Any] = {
            "indicator": Indicator.name,
            "unit": OrgUnit.name,
            "unit_kind": _labelled(OrgUnit.kind, labels.unit_kinds, OrgUnit.kind),
            "source": func.trim(source_label + literal(" ", String) + func.coalesce(Objective.source_ref, "")),
            "owner": func.coalesce(self.owner.full_name, literal(labels.no_owner, String)),
            "status": _labelled(IndicatorRollup.status, labels.statuses, IndicatorRollup.status),
        }
        self.shown_number: dict[str, Any] = {
            "progress": _rounded(func.coalesce(IndicatorRollup.progress, 0) * 100, 1),
            "expected": _rounded(func.coalesce(IndicatorRollup.expected, 0) * 100, 1),
            # A percentage like its neighbours: weight x (expected - progress), in points.
            "gap": _rounded(func.coalesce(IndicatorRollup.gap, 0) * 100, 1),
        }
        # Sorting uses the stored values (the gap's index serves the default order).
        self.sort_number: dict[str, Any] = {
            "progress": IndicatorRollup.progress,
            "expected": IndicatorRollup.expected,
            "gap": IndicatorRollup.gap,
        }

    def joined(self, query: Any, fields: set[str]) -> Any:
        """Add to a query over rollups and units the joins these fields need (the indicator always: its
        place on the publication ladder decides whether the viewer sees the row)."""
        query = query.join(Indicator, Indicator.id == IndicatorRollup.indicator_id)
        if "source" in fields:
            query = query.outerjoin(Objective, Objective.id == Indicator.objective_id)
        if "owner" in fields:
            query = query.outerjoin(self.owner, self.owner.id == Indicator.owner_person_id)
        return query

    def condition(self, spec: ColumnFilter) -> ColumnElement[bool]:
        parts = [self._one(spec.field, c) for c in spec.conditions]
        return and_(*parts) if spec.join == "AND" else or_(*parts)

    def _one(self, name: str, condition: Condition) -> ColumnElement[bool]:
        op = condition.operator
        if name == "unit":
            return self._under_unit(condition)
        if name in self.text:
            return self._text_matches(casefold(self.text[name]), op, str(condition.value).lower())
        shown, number = self.shown_number[name], float(condition.value)
        comparisons = {
            "equals": shown == number,
            "notEqual": shown != number,
            "lessThan": shown < number,
            "lessThanOrEqual": shown <= number,
            "greaterThan": shown > number,
            "greaterThanOrEqual": shown >= number,
        }
        if op == "inRange":
            if condition.value_to is None:  # _check_lagging_request refuses this first; never a silent open range
                raise Invalid({"filter": "bad_number_condition"})
            return and_(shown > number, shown < float(condition.value_to))
        return comparisons[op]

    def _under_unit(self, condition: Condition) -> ColumnElement[bool]:
        """A unit filter matches the row's unit or any unit above it: "Hoàn Kiếm" lists the ward's divisions too.

        A negative operator ("does not contain") keeps the rows under no matching unit.
        """
        above = aliased(OrgUnit)
        positive = {"notContains": "contains", "notEqual": "equals"}.get(condition.operator, condition.operator)
        named = self._text_matches(casefold(above.name), positive, str(condition.value).lower())
        # Paths hold digits and slashes only, so the prefix needs no escaping.
        matched = exists(select(above.id).where(named, OrgUnit.path.startswith(above.path)))
        return not_(matched) if positive != condition.operator else matched

    @staticmethod
    def _text_matches(shown: Any, op: str, value: str) -> ColumnElement[bool]:
        if op == "contains":
            return shown.contains(value, autoescape=True)
        if op == "notContains":
            return not_(shown.contains(value, autoescape=True))
        if op == "startsWith":
            return shown.startswith(value, autoescape=True)
        if op == "endsWith":
            return shown.endswith(value, autoescape=True)
        return shown == value if op == "equals" else shown != value

    def order(self, name: str) -> Any:
        return self.text[name] if name in self.text else self.sort_number[name]


def _check_lagging_request(sort: Sequence[SortKey], filters: Sequence[ColumnFilter], offset: int, limit: int) -> None:
    """Refuse anything outside the whitelist: fields, operators, sizes and values."""
    problems: dict[str, str] = {}
    fields = (*LAGGING_TEXT_FIELDS, *LAGGING_NUMBER_FIELDS)
    if len(sort) > MAX_SORT_KEYS or any(key.field not in fields for key in sort):
        problems["sort"] = "unknown_field"
    for spec in filters:
        text = spec.field in LAGGING_TEXT_FIELDS
        if (
            spec.field not in fields
            or spec.join not in ("AND", "OR")
            or not 1 <= len(spec.conditions) <= MAX_CONDITIONS
        ):
            problems["filter"] = "unknown_field"
            continue
        for c in spec.conditions:
            if text and (c.operator not in TEXT_OPERATORS or not isinstance(c.value, str) or len(c.value) > MAX_TEXT):
                problems["filter"] = "bad_text_condition"
            elif not text and not (
                c.operator in NUMBER_OPERATORS and _finite(c.value) and (c.operator != "inRange" or _finite(c.value_to))
            ):
                problems["filter"] = "bad_number_condition"
    if not (
        isinstance(offset, int) and 0 <= offset <= 10_000_000 and isinstance(limit, int) and 1 <= limit <= MAX_BLOCK
    ):
        problems["rows"] = "out_of_range"
    if problems:
        raise Invalid(problems)


def _finite(value: object) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def lagging_page(
    session: Session,
    *,
    viewer: Viewer,
    period: str,
    unit_id: int | None = None,
    sort: Sequence[SortKey] = (),
    filters: Sequence[ColumnFilter] = (),
    offset: int = 0,
    limit: int = 100,
    labels: LaggingLabels | None = None,
) -> LaggingPage:
    """One block of the lagging list, sorted and filtered in SQL, and how many rows match the filters.

    The default order is the biggest weighted gap first; the indicator id breaks ties, so blocks never
    overlap. Unknown fields, operators or malformed values raise Invalid; other units raise Forbidden.
    """
    _check_lagging_request(sort, filters, offset, limit)
    pid = period_id(session, period)
    path = _lagging_scope(session, viewer, unit_id)
    columns = _LaggingColumns(labels or LaggingLabels())
    conditions = _lagging_conditions(pid, path, viewer) + [columns.condition(f) for f in filters]
    keys = list(sort) or [SortKey("gap", descending=True)]
    filtered = {f.field for f in filters}

    def base(fields: set[str], *selected: Any) -> Any:
        query = select(*selected).select_from(IndicatorRollup).join(OrgUnit, OrgUnit.id == IndicatorRollup.unit_id)
        return columns.joined(query, fields).where(*conditions)

    order = [columns.order(k.field).desc() if k.descending else columns.order(k.field).asc() for k in keys]
    # Filtered lists are counted in the same pass (a window count); unfiltered ones keep the index-only
    # top-N path and take their count from the unit rollup.
    selected = [IndicatorRollup.indicator_id] + ([func.count().over()] if filters else [])
    found = session.execute(
        base(filtered | {k.field for k in keys}, *selected)
        .order_by(*order, IndicatorRollup.indicator_id)
        .offset(offset)
        .limit(limit)
    ).all()
    ids = [row[0] for row in found]
    if offset == 0 and len(ids) < limit:
        total = len(ids)  # the whole list fits in this block
    elif not filters:
        total = _lagging_total(session, viewer, pid, path)
    elif found:
        total = int(found[0][1])
    else:
        total = session.execute(base(filtered, func.count())).scalar_one()  # a block past the end
    if not ids:
        return LaggingPage(pd.DataFrame(columns=LAGGING_PAGE_COLUMNS), total)
    owner = columns.owner
    rows = session.execute(
        select(
            IndicatorRollup.indicator_id,
            Indicator.name,
            OrgUnit.id,
            OrgUnit.name,
            OrgUnit.kind,
            Objective.source_kind,
            Objective.source_ref,
            owner.id,
            owner.full_name,
            IndicatorRollup.status,
            columns.shown_number["progress"],
            columns.shown_number["expected"],
            columns.shown_number["gap"],
            IndicatorAnalysis.why,
            IndicatorAnalysis.what_happened,
        )
        .join(Indicator, Indicator.id == IndicatorRollup.indicator_id)
        .join(OrgUnit, OrgUnit.id == IndicatorRollup.unit_id)
        .outerjoin(Objective, Objective.id == Indicator.objective_id)
        .outerjoin(owner, owner.id == Indicator.owner_person_id)
        .outerjoin(
            IndicatorAnalysis,
            and_(IndicatorAnalysis.indicator_id == IndicatorRollup.indicator_id, IndicatorAnalysis.period_id == pid),
        )
        .where(IndicatorRollup.period_id == pid, IndicatorRollup.indicator_id.in_(ids))
    ).all()
    position = {indicator_id: i for i, indicator_id in enumerate(ids)}
    return LaggingPage(rows_frame(sorted(rows, key=lambda r: position[r[0]]), LAGGING_PAGE_COLUMNS), total)


EXPORT_MAX = 20_000


def lagging_all(
    session: Session,
    *,
    viewer: Viewer,
    period: str,
    unit_id: int | None = None,
    sort: Sequence[SortKey] = (),
    filters: Sequence[ColumnFilter] = (),
    labels: LaggingLabels | None = None,
) -> pd.DataFrame:
    """Every row of the lagging list under these filters and this sort (at most EXPORT_MAX), for the export:
    the grid's own blocks put together, so the file holds exactly what the grid lists."""
    blocks: list[pd.DataFrame] = []
    offset = 0
    while offset < EXPORT_MAX:
        block = lagging_page(
            session,
            viewer=viewer,
            period=period,
            unit_id=unit_id,
            sort=sort,
            filters=filters,
            offset=offset,
            limit=MAX_BLOCK,
            labels=labels,
        )
        blocks.append(block.rows)
        offset += MAX_BLOCK
        if offset >= block.total or len(block.rows) < MAX_BLOCK:
            break
    frames = [b for b in blocks if not b.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=LAGGING_PAGE_COLUMNS)


def lagging_count(session: Session, *, viewer: Viewer, period: str, unit_id: int | None = None) -> int:
    """How many indicators lag in the viewer's scope (or under unit_id)."""
    pid = period_id(session, period)
    return _lagging_total(session, viewer, pid, _lagging_scope(session, viewer, unit_id))


def _lagging_total(session: Session, viewer: Viewer, pid: int, path: str) -> int:
    """How many indicators of the subtree lag and are published to the viewer: the unit rollup's count
    (its status counts cover the subtree), less the few kept from this viewer (found through the ladder's
    indexed columns, so a city's count stays two small reads)."""
    unit_id = int(path.strip("/").split("/")[-1])
    counts = session.execute(
        select(UnitRollup.n_at_risk + UnitRollup.n_off_track).where(
            UnitRollup.unit_id == unit_id, UnitRollup.period_id == pid
        )
    ).scalar_one_or_none()
    hidden = session.execute(
        select(func.count())
        .select_from(IndicatorRollup)
        .join(OrgUnit, OrgUnit.id == IndicatorRollup.unit_id)
        .join(Indicator, Indicator.id == IndicatorRollup.indicator_id)
        .where(*_lagging_rows(pid, path), hidden_candidates(clock_today()), not_(published_to(viewer, clock_today())))
    ).scalar_one()
    return max(int(counts or 0) - int(hidden), 0)

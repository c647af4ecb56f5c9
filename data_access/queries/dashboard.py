"""Dashboard reads: everything comes from the rollup tables, scoped to the viewer.

Each function takes the session and the viewer (keyword-only) and returns plain dataclasses or
DataFrames; an id outside the viewer's scope raises Forbidden, an unknown one NotFound.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Float,
    Numeric,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import GenericFunction

from data_access import changes
from data_access.errors import Forbidden, Invalid, NotFound
from data_access.models import (
    LAGGING_STATUSES,
    Indicator,
    IndicatorRollup,
    Measurement,
    Objective,
    OrgUnit,
    Period,
    Person,
    Position,
    Task,
    TrajectoryPoint,
    UnitRollup,
    User,
)
from data_access.queries.task_points import person_task_points, task_points
from data_access.viewer import Viewer, in_scope
from domain.evaluation import TaskResult
from domain.kinds import TaskStatus, UnitKind
from domain.periods import parse_period
from domain.rankings import Contribution, best_and_weakest, lifted_and_dragged, rank
from domain.tasks import period_state

LAGGING = LAGGING_STATUSES


@dataclass(frozen=True)
class UnitFigures:
    unit_id: int
    name: str
    kind: str
    score: float | None
    n_indicators: int
    n_done: int
    n_on_track: int
    n_at_risk: int
    n_off_track: int
    n_no_data: int
    tasks_open: int
    tasks_overdue: int
    tasks_done_on_time: int
    tasks_done_late: int


@dataclass(frozen=True)
class Overview:
    root: UnitFigures
    trend: pd.DataFrame  # period code, score
    best: pd.DataFrame  # unit_id, name, kind, score
    worst: pd.DataFrame
    lagging: pd.DataFrame  # top ten lagging indicators
    tree: pd.DataFrame  # unit_id, parent_id, name, kind, score
    data_version: int


def period_id(session: Session, code: str) -> int:
    """The id of a period code (NotFound when the store does not hold it)."""
    chosen = parse_period(code).code
    known: dict[str, int] = session.info.setdefault(
        "pulse_period_ids", {}
    )  # periods never change id; a page asks ~5 times
    if chosen in known:
        return known[chosen]
    found = session.execute(select(Period.id).where(Period.code == chosen)).scalar_one_or_none()
    if found is None:
        raise NotFound("period", code)
    known[chosen] = found
    return found


def data_version(session: Session) -> int:
    """The current data version (data_access.changes keeps it)."""
    return changes.current(session)


def unit_in_scope(session: Session, *, viewer: Viewer, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("unit", unit_id)
    if not viewer.covers_path(unit.path):
        raise Forbidden("unit outside the viewer's scope", unit_id=unit_id)
    return unit


_FIGURE_COLUMNS = (
    UnitRollup.score,
    UnitRollup.n_indicators,
    UnitRollup.n_done,
    UnitRollup.n_on_track,
    UnitRollup.n_at_risk,
    UnitRollup.n_off_track,
    UnitRollup.n_no_data,
    UnitRollup.tasks_open,
    UnitRollup.tasks_overdue,
    UnitRollup.tasks_done_on_time,
    UnitRollup.tasks_done_late,
)


def _figures_query(pid: int):  # type: ignore[no-untyped-def]
    # Plain columns, not ORM entities: a city has ~150 children and entity loading was a third of the call.
    return select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, *_FIGURE_COLUMNS).join(
        UnitRollup, and_(UnitRollup.unit_id == OrgUnit.id, UnitRollup.period_id == pid)
    )


def _figures(row) -> UnitFigures:  # type: ignore[no-untyped-def]
    return UnitFigures(*row)


def unit_figures(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> UnitFigures:
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    row = session.execute(_figures_query(period_id(session, period)).where(OrgUnit.id == unit_id)).one_or_none()
    if row is None:
        raise NotFound("rollup", unit_id)
    return _figures(row)


def children_figures(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> list[UnitFigures]:
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    rows = session.execute(
        _figures_query(period_id(session, period))
        .where(OrgUnit.parent_id == unit_id)
        .order_by(OrgUnit.kind, OrgUnit.name)
    ).all()
    return [_figures(r) for r in rows]


def score_trend(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """The unit's score at the end of each month of the period's year up to the period's end."""
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    chosen = parse_period(period)
    rows = session.execute(
        select(Period.code, UnitRollup.score)
        .join(UnitRollup, UnitRollup.period_id == Period.id)
        .where(
            UnitRollup.unit_id == unit_id,
            Period.kind == "month",
            Period.year == chosen.year,
            Period.end_date <= chosen.end,
        )
        .order_by(Period.start_date)
    ).all()
    return pd.DataFrame(rows, columns=["period", "score"])


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
]


def _under(path: str) -> ColumnElement[bool]:
    """OrgUnit.path starts with path, the prefix written into the SQL text.

    With the prefix as a parameter, PostgreSQL's cached generic plan (psycopg prepares a query from its
    fifth run) guesses a subtree of a few units and loops over units: 25 ms instead of 0.6 for a city.
    """
    escaped = path.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return OrgUnit.path.like(bindparam("subtree", escaped + "%", type_=String, literal_execute=True), escape="/")


def _lagging_scope(session: Session, viewer: Viewer, unit_id: int | None) -> str:
    """The path of the subtree a lagging list covers: the viewer's scope, or a unit inside it."""
    if unit_id is None:
        return viewer.scope_path
    return unit_in_scope(session, viewer=viewer, unit_id=unit_id).path


def _lagging_conditions(pid: int, path: str) -> list[ColumnElement[bool]]:
    # The statuses are written into the SQL so that both planners can match the partial lagging-gap index.
    lagging = bindparam("lagging", list(LAGGING_STATUSES), expanding=True, literal_execute=True)
    return [IndicatorRollup.period_id == pid, IndicatorRollup.status.in_(lagging), _under(path)]


def _frame(rows: Sequence[Any], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame from result rows, column by column (pandas probes every Row object otherwise)."""
    if not rows:
        return pd.DataFrame(columns=list(columns))
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True)))


def lagging_indicators(
    session: Session, *, viewer: Viewer, period: str, limit: int | None = None, unit_id: int | None = None
) -> pd.DataFrame:
    """At-risk and off-track indicators in scope, the most important gaps first (weight x shortfall)."""
    pid = period_id(session, period)
    # The rollups' stored, indexed gap picks the rows; names and owners are joined for those rows only.
    chosen = (
        select(IndicatorRollup.indicator_id)
        .join(OrgUnit, OrgUnit.id == IndicatorRollup.unit_id)
        .where(*_lagging_conditions(pid, _lagging_scope(session, viewer, unit_id)))
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
            )
            .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
            .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
            .outerjoin(Objective, Objective.id == Indicator.objective_id)
            .outerjoin(owner, owner.id == Indicator.owner_person_id)
            .where(Indicator.id.in_(ids))
        ).all()
        if ids
        else []
    )
    position = {indicator_id: i for i, indicator_id in enumerate(ids)}
    return _frame(sorted(rows, key=lambda r: position[r[0]]), LAGGING_COLUMNS)


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
def _casefold_default(element, compiler, **kw) -> str:  # type: ignore[no-untyped-def]
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _casefold_sqlite(element, compiler, **kw) -> str:  # type: ignore[no-untyped-def]
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
            "gap": _rounded(func.coalesce(IndicatorRollup.gap, 0), 3),
        }
        # Sorting uses the stored values (the gap's index serves the default order).
        self.sort_number: dict[str, Any] = {
            "progress": IndicatorRollup.progress,
            "expected": IndicatorRollup.expected,
            "gap": IndicatorRollup.gap,
        }

    def joined(self, query: Any, fields: set[str]) -> Any:
        """Add to a query over rollups and units the joins these fields need."""
        if fields & {"indicator", "source", "owner"}:
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
        if name in self.text:
            shown, value = casefold(self.text[name]), str(condition.value).lower()
            if op == "contains":
                return shown.contains(value, autoescape=True)
            if op == "notContains":
                return not_(shown.contains(value, autoescape=True))
            if op == "startsWith":
                return shown.startswith(value, autoescape=True)
            if op == "endsWith":
                return shown.endswith(value, autoescape=True)
            return shown == value if op == "equals" else shown != value
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
            return and_(shown > number, shown < float(condition.value_to))  # type: ignore[arg-type]
        return comparisons[op]

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
    conditions = _lagging_conditions(pid, path) + [columns.condition(f) for f in filters]
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
        total = _lagging_total(session, pid, path)
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
        )
        .join(Indicator, Indicator.id == IndicatorRollup.indicator_id)
        .join(OrgUnit, OrgUnit.id == IndicatorRollup.unit_id)
        .outerjoin(Objective, Objective.id == Indicator.objective_id)
        .outerjoin(owner, owner.id == Indicator.owner_person_id)
        .where(IndicatorRollup.period_id == pid, IndicatorRollup.indicator_id.in_(ids))
    ).all()
    position = {indicator_id: i for i, indicator_id in enumerate(ids)}
    return LaggingPage(_frame(sorted(rows, key=lambda r: position[r[0]]), LAGGING_PAGE_COLUMNS), total)


def lagging_count(session: Session, *, viewer: Viewer, period: str, unit_id: int | None = None) -> int:
    """How many indicators lag in the viewer's scope (or under unit_id)."""
    pid = period_id(session, period)
    return _lagging_total(session, pid, _lagging_scope(session, viewer, unit_id))


def _lagging_total(session: Session, pid: int, path: str) -> int:
    """How many indicators of the subtree lag, from its unit rollup (its status counts cover the subtree)."""
    unit_id = int(path.strip("/").split("/")[-1])
    counts = session.execute(
        select(UnitRollup.n_at_risk + UnitRollup.n_off_track).where(
            UnitRollup.unit_id == unit_id, UnitRollup.period_id == pid
        )
    ).scalar_one_or_none()
    return int(counts or 0)


def org_tree(session: Session, *, viewer: Viewer, period: str, max_depth: int = 2) -> pd.DataFrame:
    """Units of the viewer's subtree down to max_depth levels below the scope, with their scores."""
    pid = period_id(session, period)
    root = unit_in_scope(session, viewer=viewer, unit_id=viewer.scope_unit_id)
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.name, OrgUnit.kind, UnitRollup.score)
        .outerjoin(UnitRollup, and_(UnitRollup.unit_id == OrgUnit.id, UnitRollup.period_id == pid))
        .where(in_scope(viewer, OrgUnit.path), OrgUnit.depth <= root.depth + max_depth)
        .order_by(OrgUnit.depth, OrgUnit.id)
    ).all()
    frame = _frame(rows, ["unit_id", "parent_id", "name", "kind", "score"])
    frame["parent_id"] = frame["parent_id"].astype(object).where(frame["unit_id"] != root.id, None)
    return frame


def overview(session: Session, *, viewer: Viewer, period: str) -> Overview:
    """Everything the overview page shows, for the viewer's scope and a period."""
    root_id = viewer.scope_unit_id
    root = unit_figures(session, viewer=viewer, unit_id=root_id, period=period)
    children = [
        c for c in children_figures(session, viewer=viewer, unit_id=root_id, period=period) if c.score is not None
    ]
    best, weakest = best_and_weakest(children, score=lambda c: c.score, name=lambda c: c.name)
    columns = ["unit_id", "name", "kind", "score"]
    return Overview(
        root=root,
        trend=score_trend(session, viewer=viewer, unit_id=root_id, period=period),
        best=pd.DataFrame([(c.unit_id, c.name, c.kind, c.score) for c in best], columns=columns),
        worst=pd.DataFrame([(c.unit_id, c.name, c.kind, c.score) for c in weakest], columns=columns),
        lagging=lagging_indicators(session, viewer=viewer, period=period, limit=10),
        tree=org_tree(session, viewer=viewer, period=period),
        data_version=data_version(session),
    )


def ancestors(session: Session, *, viewer: Viewer, unit_id: int) -> list[tuple[int, str]]:
    """(id, name) from the top of the viewer's scope down to the unit."""
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    ids = [int(part) for part in unit.path.strip("/").split("/")]
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all())
    scope_depth = viewer.scope_path.strip("/").count("/")
    return [(i, names[i]) for i in ids[scope_depth:]]


def unit_indicators(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """The unit's own objectives and indicators with progress, status and forecast."""
    unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    pid = period_id(session, period)
    rows = (
        session.execute(
            select(
                Objective.id.label("objective_id"),
                Objective.title.label("objective"),
                Objective.source_kind,
                Objective.source_ref,
                Indicator.id.label("indicator_id"),
                Indicator.name.label("indicator"),
                Indicator.unit_of_measure,
                Indicator.target,
                IndicatorRollup.current_value,
                IndicatorRollup.progress,
                IndicatorRollup.status,
                IndicatorRollup.forecast_value,
                IndicatorRollup.forecast_miss_by,
                IndicatorRollup.on_course,
            )
            .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
            .outerjoin(Objective, Objective.id == Indicator.objective_id)
            # The rollup's copy of the unit id has an index with the period; the planners otherwise walk the period.
            .where(IndicatorRollup.unit_id == unit_id)
            .order_by(Objective.weight.desc(), Objective.id, Indicator.weight.desc(), Indicator.id)
        )
        .mappings()
        .all()
    )
    return pd.DataFrame(
        rows,
        columns=[
            "objective_id",
            "objective",
            "source_kind",
            "source_ref",
            "indicator_id",
            "indicator",
            "unit_of_measure",
            "target",
            "current_value",
            "progress",
            "status",
            "forecast_value",
            "forecast_miss_by",
            "on_course",
        ],
    )


def _unit_and_children(unit_id: int) -> ColumnElement[bool]:
    # Same rows as "path under the unit, one level deep", through the id and parent indexes instead of a scan.
    return or_(OrgUnit.id == unit_id, OrgUnit.parent_id == unit_id)


def unit_people(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """People of the unit and of the units directly below it, with their position and tasks due in the period.

    Deeper levels are one click away, which keeps a city's page from listing every civil servant.
    """
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    chosen = parse_period(period)
    done_on_time = func.sum(case((and_(Task.status == "done", Task.delays == 0), 1), else_=0))
    due = func.count(Task.id)
    rows = (
        session.execute(
            select(
                Person.id.label("person_id"),
                Person.full_name.label("name"),
                Position.name.label("position"),
                OrgUnit.name.label("unit"),
                due.label("tasks"),
                done_on_time.label("on_time"),
            )
            .join(OrgUnit, OrgUnit.id == Person.unit_id)
            .outerjoin(Position, Position.id == Person.position_id)
            .outerjoin(
                Task,
                and_(
                    Task.assignee_person_id == Person.id,
                    Task.due_date >= chosen.start,
                    Task.due_date <= chosen.end,
                    Task.status != "cancelled",
                ),
            )
            .where(_unit_and_children(unit.id), Person.active.is_(True))
            .group_by(Person.id, Person.full_name, Position.name, OrgUnit.name)
            .order_by(OrgUnit.name, Position.name, Person.full_name)
        )
        .mappings()
        .all()
    )
    frame = pd.DataFrame(rows, columns=["person_id", "name", "position", "unit", "tasks", "on_time"])
    frame["on_time_share"] = (frame["on_time"] / frame["tasks"].where(frame["tasks"] > 0)).astype(float)
    return frame


@dataclass(frozen=True)
class IndicatorDetail:
    indicator_id: int
    name: str
    unit_id: int
    unit: str
    unit_of_measure: str
    direction: str
    baseline: float | None
    target: float | None
    owner_id: int | None
    owner: str | None
    status: str
    progress: float | None
    expected: float | None
    forecast_value: float | None
    forecast_miss_by: float | None
    on_course: bool | None
    year: int
    measurements: pd.DataFrame  # measured_on, value, status, entered_by, entered_at, comment
    trajectory: pd.DataFrame  # at, value


def indicator_detail(session: Session, *, viewer: Viewer, indicator_id: int, period: str) -> IndicatorDetail:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("indicator", indicator_id)
    unit = unit_in_scope(session, viewer=viewer, unit_id=indicator.unit_id)
    year = session.get(Period, indicator.period_id)
    chosen = parse_period(period)
    pid = period_id(session, chosen.code if chosen.year == year.year else str(year.year))
    rollup = session.get(IndicatorRollup, (indicator_id, pid))
    owner = session.get(Person, indicator.owner_person_id) if indicator.owner_person_id else None
    history = (
        session.execute(
            select(
                Measurement.measured_on,
                Measurement.value,
                Measurement.status,
                User.username.label("entered_by"),
                Measurement.entered_at,
                Measurement.comment,
            )
            .outerjoin(User, User.id == Measurement.entered_by_id)
            .where(Measurement.indicator_id == indicator_id)
            .order_by(Measurement.measured_on, Measurement.id)
        )
        .mappings()
        .all()
    )
    trajectory = session.execute(
        select(TrajectoryPoint.at, TrajectoryPoint.value)
        .where(TrajectoryPoint.indicator_id == indicator_id)
        .order_by(TrajectoryPoint.at)
    ).all()
    return IndicatorDetail(
        indicator.id,
        indicator.name,
        unit.id,
        unit.name,
        indicator.unit_of_measure,
        indicator.direction,
        indicator.baseline,
        indicator.target,
        owner.id if owner else None,
        owner.full_name if owner else None,
        rollup.status if rollup else "no_data",
        rollup.progress if rollup else None,
        rollup.expected if rollup else None,
        rollup.forecast_value if rollup else None,
        rollup.forecast_miss_by if rollup else None,
        rollup.on_course if rollup else None,
        year.year,
        pd.DataFrame(history, columns=["measured_on", "value", "status", "entered_by", "entered_at", "comment"]),
        pd.DataFrame(trajectory, columns=["at", "value"]),
    )


@dataclass(frozen=True)
class PersonDetail:
    person_id: int
    name: str
    unit_id: int
    unit: str
    position: str | None
    task_group: str | None
    tasks: pd.DataFrame  # id, title, due_date, status, delays, major_errors, coefficient, state (open/late/done)
    indicators: pd.DataFrame
    task_points: TaskResult  # under the rule set of the person's unit


def person_detail(session: Session, *, viewer: Viewer, person_id: int, period: str, today: date) -> PersonDetail:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person", person_id)
    unit = unit_in_scope(session, viewer=viewer, unit_id=person.unit_id)
    position = session.get(Position, person.position_id) if person.position_id else None
    chosen = parse_period(period)
    tasks = pd.DataFrame(
        session.execute(
            select(
                Task.id,
                Task.title,
                Task.due_date,
                Task.status,
                Task.delays,
                Task.major_errors,
                Task.coefficient,
                Task.quality_accepted,
                Task.excused,
                Task.exceeded,
                Task.completed_on,
            )
            .where(Task.assignee_person_id == person_id, Task.due_date >= chosen.start, Task.due_date <= chosen.end)
            .order_by(Task.due_date)
        )
        .mappings()
        .all(),
        columns=[
            "id",
            "title",
            "due_date",
            "status",
            "delays",
            "major_errors",
            "coefficient",
            "quality_accepted",
            "excused",
            "exceeded",
            "completed_on",
        ],
    )
    tasks["state"] = [
        period_state(TaskStatus(s), d, today) for s, d in zip(tasks["status"], tasks["due_date"], strict=True)
    ]
    pid = period_id(session, chosen.code)
    indicators = pd.DataFrame(
        session.execute(
            select(
                Indicator.id.label("indicator_id"),
                Indicator.name.label("indicator"),
                IndicatorRollup.progress,
                IndicatorRollup.status,
            )
            .join(IndicatorRollup, and_(IndicatorRollup.indicator_id == Indicator.id, IndicatorRollup.period_id == pid))
            # Named through the owner's indicator ids, so that SQLite starts from them, not from the whole period.
            .where(IndicatorRollup.indicator_id.in_(select(Indicator.id).where(Indicator.owner_person_id == person_id)))
        )
        .mappings()
        .all(),
        columns=["indicator_id", "indicator", "progress", "status"],
    )
    return PersonDetail(
        person.id,
        person.full_name,
        unit.id,
        unit.name,
        position.name if position else None,
        position.task_group if position else None,
        tasks,
        indicators,
        person_task_points(session, person_id=person.id, start=chosen.start, end=chosen.end),
    )


RANKED_KINDS = (UnitKind.DEPARTMENT.value, UnitKind.WARD.value, UnitKind.PARTY_BOARD.value)


@dataclass(frozen=True)
class RankedUnit:
    rank: int | None  # None: no score yet
    unit_id: int
    name: str
    kind: str
    score: float | None
    previous: float | None
    lifted_by: str | None
    dragged_by: str | None


def unit_rankings(session: Session, *, viewer: Viewer, period: str) -> dict[str, list[RankedUnit]]:
    """Departments, wards and party boards in scope, each ranked against its own kind, with the change
    since the previous period and the indicator that lifted or dragged each most."""
    chosen = parse_period(period)
    pid = period_id(session, chosen.code)
    previous_ids = session.execute(select(Period.id).where(Period.code == chosen.previous().code)).scalar_one_or_none()
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, OrgUnit.path, UnitRollup.score)
        .join(UnitRollup, and_(UnitRollup.unit_id == OrgUnit.id, UnitRollup.period_id == pid))
        .where(in_scope(viewer, OrgUnit.path), OrgUnit.kind.in_(RANKED_KINDS))
    ).all()
    previous = (
        dict(
            session.execute(
                select(UnitRollup.unit_id, UnitRollup.score).where(UnitRollup.period_id == previous_ids)
            ).all()
        )
        if previous_ids
        else {}
    )
    contributions = session.execute(
        select(OrgUnit.path, Indicator.name, IndicatorRollup.progress, IndicatorRollup.weight)
        .join(Indicator, Indicator.id == IndicatorRollup.indicator_id)
        .join(OrgUnit, OrgUnit.id == IndicatorRollup.unit_id)
        .where(IndicatorRollup.period_id == pid, IndicatorRollup.progress.is_not(None), in_scope(viewer, OrgUnit.path))
    ).all()
    by_top: dict[str, list[Contribution]] = {}
    tops = {r.path: r for r in rows}
    for path, name, progress, weight in contributions:
        top = next((p for p in tops if path.startswith(p)), None)
        if top is not None:
            by_top.setdefault(top, []).append(Contribution(name, progress, weight))
    ranked: dict[str, list[RankedUnit]] = {}
    for kind in RANKED_KINDS:
        out = []
        for place in rank([r for r in rows if r.kind == kind], score=lambda r: r.score, name=lambda r: r.name):
            row = place.item
            lifted, dragged = lifted_and_dragged(row.score, by_top.get(row.path, []))
            out.append(
                RankedUnit(place.rank, row.id, row.name, row.kind, row.score, previous.get(row.id), lifted, dragged)
            )
        if out:
            ranked[kind] = out
    return ranked


def people_rankings(session: Session, *, viewer: Viewer, unit_id: int, period: str) -> pd.DataFrame:
    """People of a unit and of the units directly below it who had tasks due in the period, with their task
    points under their unit's rule set, for ranking within position groups (a city ranks the heads of its
    units; a ward its divisions' staff)."""
    unit = unit_in_scope(session, viewer=viewer, unit_id=unit_id)
    chosen = parse_period(period)
    people = session.execute(
        select(Person.id, Person.full_name, Position.task_group, Position.name)
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .outerjoin(Position, Position.id == Person.position_id)
        .where(_unit_and_children(unit.id))
    ).all()
    points = task_points(session, person_ids=[p.id for p in people], start=chosen.start, end=chosen.end)
    return pd.DataFrame(
        [(p.id, p.full_name, p.task_group, p.name, points[p.id].points) for p in people if p.id in points],
        columns=["person_id", "name", "task_group", "position", "points"],
    )

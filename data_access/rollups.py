"""Rollups: the precomputed figures dashboards read, kept current inside every write transaction.

Semantics
- An indicator belongs to a year. For that year and each of its quarters and months there is one
  IndicatorRollup row: the state "as of" the end of that period or today, whichever is earlier.
  Counted values are approved measurements (and submitted ones where the unit does not require
  approval) dated inside the year and on or before the as-of date. Periods that start after
  today have no data.
- Only published indicators (those of an approved plan) have rollups; a draft counts nowhere.
- A UnitRollup row exists for every unit and every period. own_score comes from the unit's own
  objectives (indicators without an objective form one implicit objective of weight 1); score
  rolls the own score (weight 1) and the direct children's scores up by the children's weights.
  Indicator status counts and task counts cover the whole subtree. Tasks count in the periods
  that contain their due date; cancelled tasks do not count; overdue means open and due before
  today; done on time means done without a counted delay.
- Incremental: `install()` hooks the write sessions. After each flush the touched indicators and
  units are noted; before commit their rollups and those of their ancestors are recomputed, and
  the data version is bumped, all in the same transaction. `rebuild_all()` recomputes everything
  from the raw tables; a property test proves both agree.

Concurrency (PostgreSQL; SQLite's BEGIN IMMEDIATE already runs one writer at a time)
- Two writers under one city both recompute the city's rows. Before computing, a writer takes
  transaction-scoped advisory locks on the indicators and units it will recompute, always in the
  same order (the rebuild gate shared, then indicators by id, then units by id), so writers never
  deadlock on each other and the second one reads the first one's committed rollups, not a stale
  sibling row. Rows are upserted, never deleted and re-inserted, so even a writer that slipped
  past the locks could not collide on the primary key (2.7 % of writes under load did before).
- `rebuild_all()` takes the gate exclusively: it waits for writers already recomputing, and
  writers arriving meanwhile wait for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, delete, event, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, INTEGER
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from config.clock import today as clock_today
from data_access import changes
from data_access.models import (
    Base,
    Evaluation,
    Indicator,
    IndicatorAnalysis,
    IndicatorRollup,
    Measurement,
    Milestone,
    Objective,
    OrgUnit,
    Person,
    Position,
    Task,
    TaskCheckin,
    TrajectoryPoint,
    UnitRollup,
)
from data_access.models import (
    Period as PeriodRow,
)
from domain.forecast import forecast
from domain.indicators import (
    Accumulation,
    Direction,
    IndicatorSpec,
    Status,
    Tolerances,
    accumulate,
    expected_progress,
    progress,
    status,
)
from domain.kinds import OPEN_TASK_STATUSES, MeasurementStatus, TaskStatus
from domain.milestones import milestone_series
from domain.periods import Period, PeriodKind
from domain.reorganisations import exists_in

DIRTY_KEY = "pulse_rollups_dirty"
DASHBOARD_DATA = (
    Measurement,
    TrajectoryPoint,
    Milestone,
    Indicator,
    Objective,
    Task,
    TaskCheckin,
    OrgUnit,
    Person,
    Position,
    Evaluation,
    # No rollup depends on it, but the indicator page, the lagging lists and the big screen show it:
    # the data version must move so open pages and the shared cache see it.
    IndicatorAnalysis,
)
CHUNK = 5_000
# Advisory lock namespaces (the first key of pg_advisory_xact_lock(int, int)); arbitrary but fixed.
LOCK_REBUILD, LOCK_INDICATOR, LOCK_UNIT = 7300, 7301, 7302
STATUS_FIELDS = {
    Status.DONE: "n_done",
    Status.ON_TRACK: "n_on_track",
    Status.AT_RISK: "n_at_risk",
    Status.OFF_TRACK: "n_off_track",
    Status.NO_DATA: "n_no_data",
}
COUNT_FIELDS = (
    "n_indicators",
    *STATUS_FIELDS.values(),
    "tasks_open",
    "tasks_overdue",
    "tasks_done_on_time",
    "tasks_done_late",
)


TOLERANCES_KEY = "pulse_tolerances"


def tolerances(session: Session) -> Tolerances:
    """Status tolerances and progress cap: the app's settings, given to the session by Store.connect."""
    return session.info.get(TOLERANCES_KEY) or Tolerances()


@dataclass(frozen=True)
class _PeriodInfo:
    id: int
    period: Period


def _load_periods(session: Session) -> dict[int, list[_PeriodInfo]]:
    """Period rows by year."""
    by_year: dict[int, list[_PeriodInfo]] = defaultdict(list)
    for row in session.execute(select(PeriodRow.id, PeriodRow.kind, PeriodRow.year, PeriodRow.number)):
        by_year[row.year].append(_PeriodInfo(row.id, Period(PeriodKind(row.kind), row.year, row.number)))
    return by_year


# --- indicator rollups --------------------------------------------------------------------


def _counted_measurements(session: Session, indicator_ids: list[int] | None) -> dict[int, list[tuple[date, float]]]:
    query = (
        select(Measurement.indicator_id, Measurement.measured_on, Measurement.value, Measurement.id)
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
        .where(
            or_(
                Measurement.status == MeasurementStatus.APPROVED.value,
                and_(Measurement.status == MeasurementStatus.SUBMITTED.value, OrgUnit.requires_approval.is_(False)),
            )
        )
    )
    if indicator_ids is not None:
        query = query.where(Measurement.indicator_id.in_(indicator_ids))
    points: dict[int, list[tuple[date, float, int]]] = defaultdict(list)
    for row in session.execute(query):
        points[row.indicator_id].append((row.measured_on, row.value, row.id))
    # Same-day values keep their entry order (id), so rebuild and incremental agree.
    return {k: [(d, v) for d, v, _ in sorted(pts, key=lambda p: (p[0], p[2]))] for k, pts in points.items()}


def _trajectories(session: Session, indicator_ids: list[int] | None) -> dict[int, list[tuple[date, float]]]:
    query = select(TrajectoryPoint.indicator_id, TrajectoryPoint.at, TrajectoryPoint.value)
    if indicator_ids is not None:
        query = query.where(TrajectoryPoint.indicator_id.in_(indicator_ids))
    out: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for row in session.execute(query):
        out[row.indicator_id].append((row.at, row.value))
    return out


def _milestones(session: Session, indicator_ids: list[int] | None) -> dict[int, list[tuple[date, date | None]]]:
    """(due, done) of every milestone, by indicator: where an action plan has milestones, they drive it."""
    query = select(Milestone.indicator_id, Milestone.due_on, Milestone.done_on)
    if indicator_ids is not None:
        query = query.where(Milestone.indicator_id.in_(indicator_ids))
    out: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for row in session.execute(query):
        out[row.indicator_id].append((row.due_on, row.done_on))
    return out


def _spec(row: Any, *, milestones_total: int | None = None) -> IndicatorSpec:
    driven = milestones_total is not None
    return IndicatorSpec(
        direction=Direction(row.direction),
        baseline=0.0 if driven else row.baseline,
        target=row.target,
        band_low=row.band_low,
        band_high=row.band_high,
        milestones_total=milestones_total if driven else row.milestones_total,
        accumulation=Accumulation.LAST if driven else Accumulation(row.accumulation),
    )


def indicator_rollup_rows(
    indicator: Any,
    points: list[tuple[date, float]],
    trajectory: list[tuple[date, float]],
    periods: list[_PeriodInfo],
    *,
    today: date,
    tol: Tolerances,
    milestones: list[tuple[date, date | None]] | None = None,
) -> list[dict[str, Any]]:
    """The rollup rows of one indicator, one per period of its year.

    An action plan (direction milestones) with milestone rows counts those instead of entered values:
    done by the as-of date over all of them, against how many were due by then (domain.milestones).
    """
    driven = bool(milestones) and indicator.direction == Direction.MILESTONES.value
    if milestones and driven:
        series = milestone_series(milestones)
        points, trajectory = series.done, series.planned
        spec = _spec(indicator, milestones_total=series.total)
    else:
        spec = _spec(indicator)
    year_period = Period(PeriodKind.YEAR, indicator.year)
    in_year = [p for p in points if year_period.contains(p[0])]
    rows = []
    for info in periods:
        as_of = min(today, info.period.end)
        counted = [p for p in in_year if p[0] <= as_of] if info.period.start <= today else []
        value = accumulate([v for _, v in counted], spec.accumulation)
        if driven and value is None and info.period.start <= today:
            value = 0.0  # a plan with nothing done yet stands at zero: that is known, not missing data
        p = progress(spec, value, cap=tol.cap)
        expected = expected_progress(year_period, as_of, trajectory, spec=spec)
        projected = forecast(counted, year_period, spec, cap=tol.cap) if counted else None
        rows.append(
            {
                "indicator_id": indicator.id,
                "period_id": info.id,
                "unit_id": indicator.unit_id,
                "latest_value": counted[-1][1] if counted else None,
                "latest_on": counted[-1][0] if counted else None,
                "current_value": value,
                "progress": p,
                "expected": expected,
                "status": status(p, expected, tol).value,
                "forecast_value": projected.value_at_end if projected else None,
                "forecast_miss_by": projected.miss_by if projected else None,
                "on_course": projected.on_course if projected else None,
                "n_measurements": len(counted),
                "weight": indicator.weight,
                "gap": None if expected is None else indicator.weight * (expected - (p or 0.0)),
            }
        )
    return rows


def _indicator_query() -> Select[*tuple[Any, ...]]:
    # Twelve columns: past ten, SQLAlchemy's stubs type a select's row as open-ended anyway.
    return (
        select(
            Indicator.id,
            Indicator.unit_id,
            Indicator.objective_id,
            Indicator.direction,
            Indicator.baseline,
            Indicator.target,
            Indicator.band_low,
            Indicator.band_high,
            Indicator.milestones_total,
            Indicator.accumulation,
            Indicator.weight,
            PeriodRow.year,
        )
        .join(PeriodRow, PeriodRow.id == Indicator.period_id)
        .where(Indicator.published.is_(True))
    )


def _compute_indicators(session: Session, indicator_ids: list[int] | None, *, today: date, tol: Tolerances) -> int:
    query = _indicator_query()
    if indicator_ids is not None:
        query = query.where(Indicator.id.in_(indicator_ids))
    indicators = session.execute(query).all()
    points = _counted_measurements(session, indicator_ids)
    trajectories = _trajectories(session, indicator_ids)
    milestones = _milestones(session, indicator_ids)
    periods = _load_periods(session)
    rows: list[dict[str, Any]] = []
    for indicator in indicators:
        rows += indicator_rollup_rows(
            indicator,
            points.get(indicator.id, []),
            trajectories.get(indicator.id, []),
            periods.get(indicator.year, []),
            today=today,
            tol=tol,
            milestones=milestones.get(indicator.id),
        )
    _write_rows(session, IndicatorRollup, rows, upsert=indicator_ids is not None)
    return len(rows)


# --- unit rollups -------------------------------------------------------------------------


@dataclass
class _UnitFigures:
    """What one unit contributes for one period before rolling up its children."""

    own_score: float | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))


def _own_figures(
    session: Session, unit_ids: list[int] | None, period_ids: list[int], *, today: date
) -> dict[tuple[int, int], _UnitFigures]:
    """Own score, own indicator status counts and own task counts per (unit, period)."""
    from domain.scores import objective_score, unit_score

    figures: dict[tuple[int, int], _UnitFigures] = defaultdict(_UnitFigures)
    objective_weights: dict[int, float] = {}
    obj_query = select(Objective.id, Objective.weight)
    if unit_ids is not None:
        obj_query = obj_query.where(Objective.unit_id.in_(unit_ids))
    for objective in session.execute(obj_query):
        objective_weights[objective.id] = objective.weight

    ind_query = select(
        IndicatorRollup.unit_id,
        IndicatorRollup.period_id,
        IndicatorRollup.progress,
        IndicatorRollup.weight,
        IndicatorRollup.status,
        Indicator.objective_id,
    ).join(Indicator, Indicator.id == IndicatorRollup.indicator_id)
    if unit_ids is not None:
        ind_query = ind_query.where(IndicatorRollup.unit_id.in_(unit_ids))
    grouped: dict[tuple[int, int], dict[int | None, list[tuple[float | None, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in session.execute(ind_query):
        key = (row.unit_id, row.period_id)
        grouped[key][row.objective_id].append((row.progress, row.weight))
        counts = figures[key].counts
        counts["n_indicators"] += 1
        counts[STATUS_FIELDS[Status(row.status)]] += 1
    for key, by_objective in grouped.items():
        objective_scores = [
            (objective_score(items), 1.0 if objective_id is None else objective_weights.get(objective_id, 1.0))
            for objective_id, items in by_objective.items()
        ]
        figures[key].own_score = unit_score(objective_scores)

    _own_task_counts(session, unit_ids, figures, today=today)
    return figures


def _own_task_counts(
    session: Session, unit_ids: list[int] | None, figures: dict[tuple[int, int], _UnitFigures], *, today: date
) -> None:
    period_ids = {
        (p.kind, p.year, p.number): p.id
        for p in session.execute(select(PeriodRow.id, PeriodRow.kind, PeriodRow.year, PeriodRow.number))
    }
    query = select(Task.assignee_unit_id, Task.due_date, Task.status, Task.delays).where(
        Task.status != TaskStatus.CANCELLED.value
    )
    if unit_ids is not None:
        query = query.where(Task.assignee_unit_id.in_(unit_ids))
    open_values = {s.value for s in OPEN_TASK_STATUSES}
    for row in session.execute(query):
        due: date = row.due_date
        keys = (("year", due.year, 0), ("quarter", due.year, (due.month - 1) // 3 + 1), ("month", due.year, due.month))
        if row.status in open_values:
            fields = ["tasks_open"] + (["tasks_overdue"] if due < today else [])
        elif row.status == TaskStatus.DONE.value:
            fields = ["tasks_done_on_time" if row.delays == 0 else "tasks_done_late"]
        else:
            continue
        for period_key in keys:
            period_id = period_ids.get(period_key)
            if period_id is None:
                continue
            counts = figures[(row.assignee_unit_id, period_id)].counts
            for name in fields:
                counts[name] += 1


def _roll_up_units(
    units: Sequence[Row[int, int | None, int, float, date | None, date | None]],
    period_ids: list[int],
    own: dict[tuple[int, int], _UnitFigures],
    known_children: dict[int, list[Any]],
    existing_child_rollups: dict[tuple[int, int], dict[str, Any]],
    spans: dict[int, tuple[date, date]],
) -> list[dict[str, Any]]:
    """Rollup rows for the given units, deepest first, each from its own figures and its children's rows.

    A child counts in a period only if it existed in it (domain.reorganisations): after a merge, the
    closed wards roll up into the city for the years they existed, the new ward for the years after."""
    from domain.scores import rolled_up_score

    computed: dict[tuple[int, int], dict[str, Any]] = {}
    rows = []
    for unit in sorted(units, key=lambda u: -u.depth):
        for period_id in period_ids:
            mine = own.get((unit.id, period_id), _UnitFigures())
            counts = dict(mine.counts)
            child_scores = []
            start, end = spans[period_id]
            for child in known_children.get(unit.id, []):
                if not exists_in(child.valid_from, child.valid_to, start, end):
                    continue
                child_row = computed.get((child.id, period_id)) or existing_child_rollups.get((child.id, period_id))
                if child_row is None:
                    continue
                child_scores.append((child_row["score"], child.weight))
                for name in COUNT_FIELDS:
                    counts[name] += child_row[name]
            row = {
                "unit_id": unit.id,
                "period_id": period_id,
                "own_score": mine.own_score,
                "score": rolled_up_score(mine.own_score, 1.0, child_scores),
                **counts,
            }
            computed[(unit.id, period_id)] = row
            rows.append(row)
    return rows


def _write_rows(session: Session, model: type[Base], rows: list[dict[str, Any]], *, upsert: bool) -> None:
    """Insert rows (a rebuild, into empty tables) or upsert them (an incremental refresh)."""
    table = model.__table__
    statement = table.insert()
    if upsert:
        dialect = session.get_bind().dialect.name
        statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
        keys = [c.name for c in table.primary_key.columns]
        statement = statement.on_conflict_do_update(
            index_elements=keys, set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
        )
    for start in range(0, len(rows), CHUNK):
        session.connection().execute(statement, rows[start : start + CHUNK])


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _lock_in_order(session: Session, namespace: int, ids: Iterable[int]) -> None:
    """Take transaction-scoped advisory locks on these ids, lowest first (PostgreSQL only).

    The ids are sorted inside a subquery so the locks are taken row by row in that order; a fixed
    order across all writers is what rules out deadlocks between them.
    """
    ordered = sorted(set(ids))
    if not ordered or not _is_postgres(session):
        return
    wanted = func.unnest(bindparam("ids", ordered, type_=ARRAY(INTEGER))).label("id")
    in_order = select(wanted).order_by(wanted).subquery()
    session.execute(select(func.count(func.pg_advisory_xact_lock(namespace, in_order.c.id))))


def _enter_gate(session: Session, *, exclusive: bool) -> None:
    """The rebuild gate: writers hold it shared while they recompute, a rebuild holds it alone."""
    if _is_postgres(session):
        lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
        session.execute(select(lock(LOCK_REBUILD, 0)))


_UNIT_COLUMNS = (OrgUnit.id, OrgUnit.parent_id, OrgUnit.depth, OrgUnit.weight, OrgUnit.valid_from, OrgUnit.valid_to)


def _period_spans(session: Session) -> dict[int, tuple[date, date]]:
    return {
        row.id: (row.start_date, row.end_date)
        for row in session.execute(select(PeriodRow.id, PeriodRow.start_date, PeriodRow.end_date))
    }


def _with_ancestors(session: Session, unit_ids: Iterable[int]) -> set[int]:
    ids = set(unit_ids)
    if not ids:
        return set()
    paths = session.execute(select(OrgUnit.path).where(OrgUnit.id.in_(ids))).scalars()
    # A unit deleted in this transaction has no path any more; its id still names rows to remove.
    return ids | {int(part) for path in paths for part in path.strip("/").split("/") if part}


# --- public API ---------------------------------------------------------------------------


def rebuild_all(session: Session, *, today: date) -> dict[str, int]:
    """Recompute every rollup from the raw tables, in the caller's transaction."""
    tol = tolerances(session)
    _enter_gate(session, exclusive=True)
    session.execute(delete(UnitRollup))
    session.execute(delete(IndicatorRollup))
    n_indicator_rows = _compute_indicators(session, None, today=today, tol=tol)
    period_ids = list(session.execute(select(PeriodRow.id)).scalars())
    units = session.execute(select(*_UNIT_COLUMNS)).all()
    children: dict[int, list[Any]] = defaultdict(list)
    for unit in units:
        if unit.parent_id is not None:
            children[unit.parent_id].append(unit)
    own = _own_figures(session, None, period_ids, today=today)
    rows = _roll_up_units(units, period_ids, own, children, {}, _period_spans(session))
    _write_rows(session, UnitRollup, rows, upsert=False)
    return {"indicator_rollups": n_indicator_rows, "unit_rollups": len(rows)}


def refresh(session: Session, indicator_ids: Iterable[int], unit_ids: Iterable[int], *, today: date) -> int:
    """Recompute the rollups of these indicators, of these units and the indicators' units, and of all
    their ancestors, after locking them (see the module's note on concurrency). Returns the unit rows."""
    indicators = sorted(set(indicator_ids))
    owners = set(session.execute(select(Indicator.unit_id).where(Indicator.id.in_(indicators))).scalars())
    units = _with_ancestors(session, set(unit_ids) | owners)
    _enter_gate(session, exclusive=False)
    _lock_in_order(session, LOCK_INDICATOR, indicators)
    _lock_in_order(session, LOCK_UNIT, units)
    _refresh_indicators(session, indicators, today=today)
    return _refresh_units(session, units, today=today)


def _refresh_indicators(session: Session, ids: list[int], *, today: date) -> None:
    if not ids:
        return
    # Only approved (published) indicators have rollups: a draft one counts nowhere until its plan is approved.
    existing = session.execute(
        select(Indicator.id, PeriodRow.year)
        .join(PeriodRow, PeriodRow.id == Indicator.period_id)
        .where(Indicator.id.in_(ids), Indicator.published.is_(True))
    ).all()
    if existing:
        _compute_indicators(session, sorted(row.id for row in existing), today=today, tol=tolerances(session))
    # Rows that no longer belong: deleted or unpublished indicators, and periods of a year the indicator left.
    gone = set(ids) - {row.id for row in existing}
    if gone:
        session.execute(delete(IndicatorRollup).where(IndicatorRollup.indicator_id.in_(sorted(gone))))
    periods = _load_periods(session)
    by_year: dict[int, list[int]] = defaultdict(list)
    for row in existing:
        by_year[row.year].append(row.id)
    for year, of_year in by_year.items():
        session.execute(
            delete(IndicatorRollup).where(
                IndicatorRollup.indicator_id.in_(of_year),
                IndicatorRollup.period_id.not_in([info.id for info in periods.get(year, [])]),
            )
        )


def _refresh_units(session: Session, affected: set[int], *, today: date) -> int:
    """Recompute the rollups of these units (a set closed under ancestors)."""
    if not affected:
        return 0
    units = session.execute(select(*_UNIT_COLUMNS).where(OrgUnit.id.in_(affected))).all()
    all_children = session.execute(select(*_UNIT_COLUMNS).where(OrgUnit.parent_id.in_(affected))).all()
    children: dict[int, list[Any]] = defaultdict(list)
    for child in all_children:
        children[child.parent_id].append(child)
    outside = [c.id for c in all_children if c.id not in affected]
    existing: dict[tuple[int, int], dict[str, Any]] = {}
    if outside:
        # Plain rows, not ORM objects: a city has thousands of children's rollups to read on every write.
        names = ("score", *COUNT_FIELDS)
        columns = [getattr(UnitRollup, name) for name in names]
        for row in session.execute(
            select(UnitRollup.unit_id, UnitRollup.period_id, *columns).where(UnitRollup.unit_id.in_(outside))
        ):
            existing[(row[0], row[1])] = dict(zip(names, row[2:], strict=True))
    period_ids = list(session.execute(select(PeriodRow.id)).scalars())
    own = _own_figures(session, sorted(affected), period_ids, today=today)
    rows = _roll_up_units(units, period_ids, own, children, existing, _period_spans(session))
    _write_rows(session, UnitRollup, rows, upsert=True)
    # Rows that no longer belong: units deleted in this transaction, periods deleted.
    present = [u.id for u in units]
    gone = [u for u in affected if u not in set(present)]
    if gone:
        session.execute(delete(UnitRollup).where(UnitRollup.unit_id.in_(gone)))
    if present:
        session.execute(
            delete(UnitRollup).where(UnitRollup.unit_id.in_(present), UnitRollup.period_id.not_in(period_ids))
        )
    return len(rows)


# --- session hooks ------------------------------------------------------------------------


@dataclass
class _Dirty:
    indicators: set[int] = field(default_factory=set)
    units: set[int] = field(default_factory=set)
    changed: bool = False


def _dirty(session: Session) -> _Dirty:
    return session.info.setdefault(DIRTY_KEY, _Dirty())


def _old_value(obj: Any, name: str) -> Any:
    from sqlalchemy import inspect as sa_inspect

    history = sa_inspect(obj).attrs[name].history
    return history.deleted[0] if history.deleted else None


def _note(session: Session, obj: Any) -> None:
    if not isinstance(obj, DASHBOARD_DATA):
        return  # logins, sessions, notices and the like do not change what dashboards show
    dirty = _dirty(session)
    dirty.changed = True
    if isinstance(obj, (Measurement, TrajectoryPoint, Milestone)):
        dirty.indicators.add(obj.indicator_id)
        if (old := _old_value(obj, "indicator_id")) is not None:
            dirty.indicators.add(old)
    elif isinstance(obj, Indicator):
        dirty.indicators.add(obj.id)
        dirty.units.add(obj.unit_id)
        if (old := _old_value(obj, "unit_id")) is not None:
            dirty.units.add(old)
    elif isinstance(obj, Objective):
        dirty.units.add(obj.unit_id)
    elif isinstance(obj, Task):
        dirty.units.add(obj.assignee_unit_id)
        if (old := _old_value(obj, "assignee_unit_id")) is not None:
            dirty.units.add(old)
    elif isinstance(obj, OrgUnit):
        dirty.units.add(obj.id)
        if obj.parent_id is not None:
            dirty.units.add(obj.parent_id)


def _after_flush(session: Session, _context: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        _note(session, obj)


def _before_commit(session: Session) -> None:
    session.flush()
    dirty = session.info.pop(DIRTY_KEY, None)
    if dirty is None or not dirty.changed:
        return
    refresh(session, dirty.indicators, dirty.units, today=clock_today())
    changes.bump(session)
    session.info.pop(DIRTY_KEY, None)  # the refresh itself flushed nothing of interest


def _after_rollback(session: Session) -> None:
    session.info.pop(DIRTY_KEY, None)


def install(factory: sessionmaker[Session]) -> None:
    """Keep rollups and the data version current in every transaction of sessions from this factory."""
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_soft_rollback", lambda session, _tx: _after_rollback(session))

"""A unit's plan from Excel: the plan export (data_access.exports.plan_workbook) is the template. Its
three sheets (objectives, key results, trajectories) are read into one import job of kind "plan", every
row is checked and reported, and only when the author chooses to import the valid rows do they go into
the unit's plan for the year, as drafts (data_access.commands.plan_imports). The job's life is
data_access.import_jobs.

Only someone who may write that unit's plan may upload (refused and audited before the file is read),
and the right is asked again inside every chunk's transaction. A file is refused whole, with nothing
written, when it is too large, a zip bomb, unreadable, not the plan's three sheets with their columns,
or has no objective. A row that cannot be used is reported with what to fix and left out; a key result
whose objective is left out is left out too, and so are the points of a key result left out.

Rows are checked against the whole file at once (a plan is at most a few thousand rows), so the check
runs in one chunk; the import goes in chunks, objectives first, then key results with their points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from data_access import import_jobs, xlsx_reader
from data_access.commands.common import refuse
from data_access.commands.plan_imports import (
    CREATE,
    UNCHANGED,
    Target,
    key,
    key_result_verdict,
    load_target,
    objective_verdict,
    owner_id,
    parent_id,
    plan_problems,
    write_key_result,
    write_objective,
)
from data_access.db import Store
from data_access.errors import Invalid
from data_access.import_jobs import Chunk, JobState, Report
from data_access.models import ImportJob, OrgUnit
from data_access.viewer import Viewer
from domain.indicators import Accumulation
from domain.kinds import DataSource, Frequency
from domain.plan_cycle import may_author
from domain.plan_imports import (
    KEY_RESULT_COLUMNS,
    KEY_RESULTS,
    OBJECTIVE_COLUMNS,
    OBJECTIVES,
    TRAJECTORY,
    TRAJECTORY_COLUMNS,
    cell_problems,
    file_problems,
    owning_row,
    record,
    trajectory_of,
)
from domain.plan_items import IndicatorDraft, ObjectiveDraft

KIND = "plan"  # ImportJob.kind of this module's jobs
MAX_ROWS = 3_000
MAX_BYTES = 10 * 1024 * 1024
CHUNK = 200  # rows written per transaction (each with its audit entry)
READER_LIMITS = xlsx_reader.Limits(max_bytes=MAX_BYTES, max_rows=2 * MAX_ROWS)
# (sheet, rows of headers above the data, columns); the header row's cells must all be filled.
SHEETS = (
    (OBJECTIVES, 2, len(OBJECTIVE_COLUMNS)),
    (KEY_RESULTS, 1, len(KEY_RESULT_COLUMNS)),
    (TRAJECTORY, 1, len(TRAJECTORY_COLUMNS)),
)


def ensure_may_import(store: Store, *, viewer: Viewer, unit_id: int | None) -> None:
    """Refuse (audited) a viewer who may not write this unit's plan, before their file is even decoded."""
    with store.read() as session:
        unit = session.get(OrgUnit, unit_id) if isinstance(unit_id, int) else None
        allowed = unit is not None and may_author(viewer, unit.path)
    if not allowed:
        raise refuse(
            store,
            viewer,
            action="import.stage",
            entity="import_job",
            entity_id="-",
            detail=f"{viewer.role.value} may not import the plan of unit {unit_id}",
        )


def _filled(cells: tuple[Any, ...]) -> bool:
    return any(cell is not None and cell != "" for cell in cells)


def read_rows(content: bytes, labels: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows of the three sheets as plain records (domain.plan_imports.record), in the order they
    are written: objectives, key results, trajectory points. `labels` turns the words of the choice
    columns (in any of the app's languages) back into stored codes.

    The bounded reader refuses a bomb or an oversized sheet before it costs memory or time; a sheet
    missing, or a header row that is not the template's columns, refuses the file as "wrong_columns".
    """
    rows: list[dict[str, Any]] = []
    for index, (sheet, header_rows, width) in enumerate(SHEETS):
        try:
            for number, cells in xlsx_reader.read_sheet(content, index=index, columns=width + 1, limits=READER_LIMITS):
                if number == header_rows:
                    if not all(isinstance(c, str) and c.strip() for c in cells[:width]) or cells[width] not in (
                        None,
                        "",
                    ):
                        raise Invalid({"file": "wrong_columns"})
                    continue
                if number < header_rows or not _filled(cells[:width]):
                    continue
                if len(rows) >= MAX_ROWS:
                    raise Invalid({"file": "too_many_rows"}, limit=MAX_ROWS)
                rows.append(record(sheet, number, cells[:width], labels))
        except Invalid as problem:
            if problem.problems.get("file") == "no_such_sheet":
                raise Invalid({"file": "wrong_columns"}) from None
            raise
    if not any(row["sheet"] == OBJECTIVES for row in rows):
        raise Invalid({"file": "no_objectives"})
    return rows


def stage(
    store: Store,
    *,
    viewer: Viewer,
    unit_id: int | None,
    period_code: str,
    filename: str,
    content: bytes,
    labels: Mapping[str, Mapping[str, Any]],
) -> JobState:
    """Read an uploaded plan and keep its rows for checking; nothing is imported yet."""
    ensure_may_import(store, viewer=viewer, unit_id=unit_id)
    rows = [{**row, "unit_id": unit_id, "period": period_code} for row in read_rows(content, labels)]
    audited = {"unit_id": unit_id, "period": period_code}
    return import_jobs.create(store, viewer=viewer, flow=FLOW, kind=KIND, filename=filename, rows=rows, audited=audited)


# --- what each row would do ---------------------------------------------------------------------


@dataclass
class Verdict:
    """One row: what stops it, what it would do, and what it would write."""

    problems: dict[str, str]
    action: str = ""  # create, update or unchanged (a trajectory point follows its key result)
    draft: ObjectiveDraft | IndicatorDraft | None = None
    owner: int | None = None  # the row it depends on: a key result's objective, a point's key result


def _number(value: Any, default: float | None = None) -> float | None:
    return value if isinstance(value, float) else default


def _verdict(
    action: str,
    rules: dict[str, str],
    own: dict[str, str],
    draft: ObjectiveDraft | IndicatorDraft,
    above: int | None = None,
) -> Verdict:
    """A row the same as the plan changes nothing: what the rules would say of the plan's own item
    (seeded before a rule, say) is not this file's problem; what the file itself gets wrong still is."""
    return Verdict({**own} if action == UNCHANGED else {**rules, **own}, action, draft, above)


def _objective(target: Target, row: Mapping[str, Any], problems: dict[str, str]) -> Verdict:
    owner, owner_problems = owner_id(target, row.get("owner"))
    parent, parent_problems = parent_id(target, row.get("parent"))
    draft = ObjectiveDraft(
        title=row.get("title") or "",
        source_kind=row.get("source_kind") or "",
        source_ref=row.get("source_ref") or None,
        weight=_number(row.get("weight"), 1.0) or 0.0,
        owner_person_id=owner,
        parent_objective_id=parent,
    )
    action, found = objective_verdict(target, draft)
    return _verdict(action, {**found, **owner_problems, **parent_problems}, problems, draft)


def _key_result(
    session: Session,
    target: Target,
    rows: list[dict[str, Any]],
    index: int,
    verdicts: list[Verdict | None],
    left_out: set[int],
    problems: dict[str, str],
) -> Verdict:
    row = rows[index]
    above = owning_row(rows, index)
    objective = verdicts[above] if above is not None else None
    if objective is None or objective.problems:
        return Verdict({**problems, "objective": problems.get("objective", "objective_left_out")}, owner=above)
    assert isinstance(objective.draft, ObjectiveDraft)
    existing = target.objectives.get(key(objective.draft.title))
    owner, owner_problems = owner_id(target, row.get("owner"))
    kept = target.key_results.get((existing.id, key(row.get("name")))) if existing else None
    draft = IndicatorDraft(
        name=row.get("name") or "",
        direction=row.get("direction") or "",
        unit_of_measure=row.get("unit_of_measure") or "",
        baseline=_number(row.get("baseline")),
        target=_number(row.get("target")),
        band_low=_number(row.get("band_low")),
        band_high=_number(row.get("band_high")),
        milestones_total=kept.milestones_total if kept is not None else None,
        min_value=_number(row.get("min_value")),
        max_value=_number(row.get("max_value")),
        weight=_number(row.get("weight"), 1.0) or 0.0,
        accumulation=row.get("accumulation") or Accumulation.LAST.value,
        frequency=row.get("frequency") or Frequency.MONTHLY.value,
        owner_person_id=owner,
        evidence_required=row.get("evidence_required") is True,
        data_source=row.get("data_source") or DataSource.ENTERED.value,
        trajectory=trajectory_of(rows, index, left_out),
    )
    action, found = key_result_verdict(session, target, existing.id if existing else None, draft)
    return _verdict(action, {**found, **owner_problems}, problems, draft, above)


def examine(session: Session, viewer: Viewer, rows: list[dict[str, Any]]) -> tuple[Target, list[Verdict]]:
    """Every row's verdict against the plan as it stands (loaded and authorised in this transaction)."""
    target = load_target(session, viewer, unit_id=rows[0]["unit_id"], period_code=rows[0]["period"])
    locked = plan_problems(target)
    in_file = file_problems(rows)
    own = [{**cell_problems(row), **in_file.get(i, {})} for i, row in enumerate(rows)]
    left_out = {i for i, row in enumerate(rows) if row["sheet"] == TRAJECTORY and own[i]}
    verdicts: list[Verdict | None] = [None] * len(rows)
    for i, row in enumerate(rows):
        if row["sheet"] == OBJECTIVES:
            verdicts[i] = _objective(target, row, own[i])
    for i, row in enumerate(rows):
        if row["sheet"] == KEY_RESULTS:
            verdicts[i] = _key_result(session, target, rows, i, verdicts, left_out, own[i])
    for i, row in enumerate(rows):
        if row["sheet"] == TRAJECTORY:
            above = owning_row(rows, i)
            kr = verdicts[above] if above is not None else None
            problems = dict(own[i])
            if not problems and (kr is None or kr.problems):
                problems["name"] = "key_result_left_out"
            verdicts[i] = Verdict(problems, kr.action if kr else "", owner=above)
    found = [v if v is not None else Verdict({"file": "unreadable_row"}) for v in verdicts]
    for verdict in found:
        if verdict.action != UNCHANGED:  # a plan waiting for its decision takes no change
            verdict.problems.update(locked)
    return target, found


def _label(row: Mapping[str, Any]) -> str:
    if row["sheet"] == OBJECTIVES:
        return str(row.get("title") or "")
    if row["sheet"] == KEY_RESULTS:
        return str(row.get("name") or "")
    return f"{row.get('name') or ''} · {row.get('at') or ''}"


def _check(session: Session, viewer: Viewer, job: ImportJob, rows: list[Any], report: Report, chunk: int) -> None:
    """Every row checked in one go: the rules need the whole file, and a plan is small."""
    _target, verdicts = examine(session, viewer, rows)
    for row, verdict in zip(rows, verdicts, strict=True):
        report.append(
            {
                "row": row["row"],
                "sheet": row["sheet"],
                "label": _label(row),
                "problems": verdict.problems,
                "action": verdict.action,
            }
        )


def _write(session: Session, viewer: Viewer, chunk: Chunk) -> dict[str, Any]:
    """Write the valid rows start..end, each checked again against the plan as it now stands: an
    objective, a key result (with its points), or a point (written with its key result)."""
    rows, report = chunk.rows, chunk.report
    target, verdicts = examine(session, viewer, rows)
    written: dict[int, int] = {}  # row position -> id of what it wrote in this chunk
    counts = {"objectives": 0, "key_results": 0, "unchanged": 0, "refused": 0}
    for index in range(chunk.start, chunk.end):
        entry, verdict, row = report[index], verdicts[index], rows[index]
        if entry["problems"]:
            continue
        if verdict.problems:
            entry["problems"], counts["refused"] = verdict.problems, counts["refused"] + 1
            continue
        if row["sheet"] == TRAJECTORY:
            kr = report[verdict.owner] if verdict.owner is not None else {}
            entry["imported" if kr.get("imported") else "unchanged"] = True
            continue
        if verdict.action == UNCHANGED:
            entry["unchanged"], counts["unchanged"] = True, counts["unchanged"] + 1
            continue
        if isinstance(verdict.draft, ObjectiveDraft):
            written[index] = write_objective(session, viewer, target, verdict.draft)
            counts["objectives"] += 1
        elif isinstance(verdict.draft, IndicatorDraft) and verdict.owner is not None:
            objective_id = written.get(verdict.owner) or _objective_id(target, rows[verdict.owner])
            if objective_id is None:  # its objective went in no earlier chunk: said, never guessed
                entry["problems"], counts["refused"] = {"objective": "objective_left_out"}, counts["refused"] + 1
                continue
            written[index] = write_key_result(session, viewer, target, objective_id, verdict.draft)
            counts["key_results"] += 1
        entry["imported"] = True
        entry["action"] = verdict.action if verdict.action else CREATE
    return {**counts, "unit_id": rows[0]["unit_id"], "period": rows[0]["period"]}


def _objective_id(target: Target, row: Mapping[str, Any]) -> int | None:
    found = target.objectives.get(key(row.get("title")))
    return found.id if found is not None else None


FLOW = import_jobs.Flow(
    kinds=(KIND,),
    check=_check,
    write=_write,
    check_chunk=MAX_ROWS,
    import_chunk=CHUNK,
    name="plan import",
)


# The job's steps, bound to this flow (import_jobs holds them): what the page and the tests call.
start_import = partial(import_jobs.start_import, flow=FLOW)
step = partial(import_jobs.step, flow=FLOW)
run = partial(import_jobs.run, flow=FLOW)
job_report = partial(import_jobs.job_report, flow=FLOW)
cancel = partial(import_jobs.cancel, flow=FLOW)

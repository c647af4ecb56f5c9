"""Indicator values from a spreadsheet: a template of the viewer's indicators, then an upload that is
staged, checked row by row and imported in chunks, so a large file shows its progress and a crash
half-way leaves a job that knows exactly which rows went in. The job's life (ownership, chunks,
cancel, time-out) is data_access.import_jobs; this module reads the file, checks and writes values.

Nothing is written to the measurements until the user chooses to import the valid rows; each chunk
of the import is one transaction (values, audit entries, rollups and the job's counter together),
and each row is checked again as it goes in, since a period may have been locked meanwhile.
Only the user who uploaded a job may see or continue it, and only someone who may enter values
may upload at all: the screen account and users who own no indicator are refused before the file
is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import today as clock_today
from data_access import import_jobs, xlsx_reader
from data_access.commands.common import refuse
from data_access.commands.measurements import ValueDraft, add_values, draft_problems, prefetch
from data_access.db import Store
from data_access.errors import Invalid
from data_access.import_jobs import AT_WORK, STALE_AFTER, Chunk, JobState, Report
from data_access.models import ImportJob, Indicator
from data_access.queries.entry import entry_indicators
from data_access.spreadsheets import Sheet, workbook_bytes
from data_access.viewer import Viewer
from domain.cells import cell_date
from domain.kinds import WRITER_ROLES

__all__ = ["AT_WORK", "STALE_AFTER", "JobState"]  # kept here for the callers that knew them here

MAX_ROWS = 20_000
CHUNK = 500
MAX_BYTES = 10 * 1024 * 1024
MAX_ID = 2**31 - 1  # the largest id an integer column holds on both backends
# Rows walked may be twice the rows with values: the template lists indicators left empty.
READER_LIMITS = xlsx_reader.Limits(max_bytes=MAX_BYTES, max_rows=2 * MAX_ROWS)
# Column order of the template; the reader relies on it (id, date, value, comment are read back).
TEMPLATE_KEYS = ("id", "code", "indicator", "unit", "unit_of_measure", "allowed", "date", "value", "comment")
ID_COLUMN, DATE_COLUMN, VALUE_COLUMN, COMMENT_COLUMN = 0, 6, 7, 8
KIND = "values"  # ImportJob.kind of this module's jobs


def template_workbook(
    session: Session,
    *,
    viewer: Viewer,
    year: int,
    headers: dict[str, str],
    title: str,
    guide_title: str,
    guide: list[str],
) -> bytes:
    """An .xlsx listing the viewer's indicators of the year, with empty date, value and comment columns to fill."""
    rows: list[Sequence[object]] = [[headers[k] for k in TEMPLATE_KEYS]]
    for indicator in entry_indicators(session, viewer=viewer, year=year):
        rows.append(
            [
                indicator.id,
                indicator.code,
                indicator.name,
                indicator.unit,
                indicator.unit_of_measure,
                _allowed(indicator),
                None,
                None,
                None,
            ]
        )
    return workbook_bytes(
        [
            Sheet(
                title,
                rows,
                widths=(8, 14, 48, 30, 12, 14, 14, 12, 40),
                freeze="C2",
                shaded_columns=(DATE_COLUMN, VALUE_COLUMN, COMMENT_COLUMN),
            ),
            Sheet(guide_title, [[line] for line in guide], header_rows=0),
        ]
    )


def _allowed(indicator: Any) -> str:
    if indicator.direction == "done":
        return "0 / 1"
    if indicator.direction == "milestones" and indicator.milestones_total:
        return f"0 – {indicator.milestones_total}"
    low = "" if indicator.min_value is None else f"{indicator.min_value:g}"
    high = "" if indicator.max_value is None else f"{indicator.max_value:g}"
    return f"{low} – {high}" if low or high else ""


def _indicator_id(raw: Any) -> int | None:
    """The id column as a database id, or None: 1e30, "²", -1 or 1.5 name no indicator (and must never
    reach the database, where 10**30 overflows an integer column)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        if not raw.is_integer():
            return None
        raw = int(raw) if abs(raw) <= MAX_ID else None
    elif isinstance(raw, str):
        text = raw.strip()
        raw = int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None
    return raw if isinstance(raw, int) and 0 < raw <= MAX_ID else None


def _cell_value(raw: Any) -> Any:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    return "" if raw is None else str(raw)[:40]


def read_rows(content: bytes) -> list[dict[str, Any]]:
    """The filled rows of an uploaded template (rows with neither date nor value are skipped).

    The file goes through the bounded reader: a bomb or a file too wide or too long is refused
    before it costs memory or time; XML with a DOCTYPE (XXE, billion laughs) is "unreadable".
    """
    rows: list[dict[str, Any]] = []
    for number, cells in xlsx_reader.read_first_sheet(content, columns=len(TEMPLATE_KEYS), limits=READER_LIMITS):
        if number == 1:
            continue  # the header
        raw_value, raw_date = cells[VALUE_COLUMN], cells[DATE_COLUMN]
        if (raw_value is None or raw_value == "") and (raw_date is None or raw_date == ""):
            continue
        if len(rows) >= MAX_ROWS:
            raise Invalid({"file": "too_many_rows"}, limit=MAX_ROWS)
        rows.append(
            {
                "row": number,
                "indicator_id": _indicator_id(cells[ID_COLUMN]),
                "measured_on": cell_date(raw_date),
                "value": _cell_value(raw_value),
                "comment": "" if cells[COMMENT_COLUMN] is None else str(cells[COMMENT_COLUMN])[:1000],
            }
        )
    if not rows:
        raise Invalid({"file": "no_rows"})
    return rows


def _may_import(session: Session, viewer: Viewer) -> bool:
    """Someone who may enter some value: a leader, manager or administrator, or the owner of an indicator.
    The screen account is read-only."""
    if viewer.role.value == "screen":
        return False
    if viewer.role in WRITER_ROLES:
        return True
    if viewer.person_id is None:
        return False
    owned = (
        select(Indicator.id)
        .where((Indicator.owner_person_id == viewer.person_id) | (Indicator.reporter_person_id == viewer.person_id))
        .limit(1)
    )
    return session.execute(owned).first() is not None


def ensure_may_import(store: Store, *, viewer: Viewer) -> None:
    """Refuse (audited) a viewer who may enter no value, before their file is even decoded."""
    with store.read() as session:
        allowed = _may_import(session, viewer)
    if not allowed:
        raise refuse(
            store, viewer, action="import.stage", entity="import_job", entity_id="-", detail="may enter no values"
        )


def stage(store: Store, *, viewer: Viewer, filename: str, content: bytes) -> JobState:
    """Read an uploaded file and keep its rows for checking; nothing is imported yet.

    Permission comes first: a viewer who may enter nothing never gets their file parsed.
    """
    ensure_may_import(store, viewer=viewer)
    rows = read_rows(content)
    return import_jobs.create(store, viewer=viewer, flow=FLOW, kind=KIND, filename=filename, rows=rows, audited={})


def _draft(row: dict[str, Any]) -> ValueDraft | dict[str, str]:
    """A row as a value to check, or its problems when the row itself cannot be read."""
    if row["indicator_id"] is None:
        return {"indicator": "unknown_indicator"}
    raw_date = row["measured_on"]
    if raw_date is not None and raw_date.startswith("!"):
        return {"measured_on": "required_date"}
    measured_on = date.fromisoformat(raw_date) if raw_date else None
    return ValueDraft(row["indicator_id"], row["value"], measured_on, row["comment"])


def _check(session: Session, viewer: Viewer, job: ImportJob, rows: list[Any], report: Report, chunk: int) -> None:
    """Check the next chunk of rows (read-only for the measurements), one report entry per row."""
    seen = {(r["indicator_id"], r["measured_on"]) for r in report if not r["problems"]}
    windows: dict[tuple[int, int], Any] = {}
    codes: dict[int, str] = {}
    todo = rows[len(report) : len(report) + chunk]  # the report holds one entry per row checked so far
    prefetch(session, (r["indicator_id"] for r in todo))
    for row in todo:
        try:
            draft = _draft(row)
            if isinstance(draft, dict):
                problems, number = draft, None
            else:
                problems, number = draft_problems(session, viewer, draft, today=clock_today(), windows=windows)
                if problems.get("indicator") == "unknown_choice":
                    problems["indicator"] = "unknown_indicator"
        except (ValueError, TypeError, ArithmeticError):
            # A cell no rule foresaw is this row's problem, never the whole job's.
            problems, number = {"file": "unreadable_row"}, None
        key = (row["indicator_id"], row["measured_on"])
        if not problems and key in seen:
            problems = {"measured_on": "duplicate_row"}
        seen.add(key)
        if row["indicator_id"] is not None and row["indicator_id"] not in codes:
            indicator = session.get(Indicator, row["indicator_id"])
            codes[row["indicator_id"]] = indicator.code if indicator and "indicator" not in problems else ""
        report.append(
            {
                "row": row["row"],
                "indicator_id": row["indicator_id"],
                "code": codes.get(row["indicator_id"], ""),
                "value": number if number is not None else row["value"],
                "measured_on": row["measured_on"],
                "comment": row["comment"],
                "problems": problems,
            }
        )


def _write(session: Session, viewer: Viewer, chunk: Chunk) -> dict[str, Any]:
    """Write the valid rows start..end; each is checked again (a period may have been locked meanwhile)
    and a row that became invalid is reported, not written."""
    windows: dict[tuple[int, int], Any] = {}
    entries = chunk.report[chunk.start : chunk.end]
    prefetch(session, (e["indicator_id"] for e in entries if not e["problems"]))
    checked = []
    for entry in entries:
        if entry["problems"]:
            continue
        draft = ValueDraft(
            entry["indicator_id"],
            entry["value"],
            date.fromisoformat(entry["measured_on"]),
            entry.get("comment", ""),
        )
        problems, number = draft_problems(session, viewer, draft, today=clock_today(), windows=windows)
        if problems:
            entry["problems"] = problems
            continue
        checked.append((draft, number))
        entry["imported"] = True
    add_values(session, viewer, checked)  # type: ignore[arg-type]
    return {"written": len(checked)}


FLOW = import_jobs.Flow(kinds=(KIND,), check=_check, write=_write, check_chunk=CHUNK, import_chunk=CHUNK, name="import")


def check_next(store: Store, *, viewer: Viewer, job_id: int, chunk: int = CHUNK) -> JobState:
    """Check the next chunk of rows (read-only for the measurements); returns the progress."""
    moved = import_jobs.check_chunk(store, viewer, FLOW, job_id, chunk)
    return moved or import_jobs.current(store, viewer, FLOW, job_id)


def start_import(store: Store, *, viewer: Viewer, job_id: int) -> JobState:
    """The user chose to import the valid rows of a checked file."""
    return import_jobs.start_import(store, viewer=viewer, flow=FLOW, job_id=job_id)


def import_next(store: Store, *, viewer: Viewer, job_id: int, chunk: int = CHUNK) -> JobState:
    """Import the next chunk of valid rows in one transaction; rows that became invalid are reported, not written."""
    moved = import_jobs.import_chunk(store, viewer, FLOW, job_id, chunk)
    return moved or import_jobs.current(store, viewer, FLOW, job_id)


def job_report(session: Session, *, viewer: Viewer, job_id: int) -> tuple[JobState, Report]:
    """The job's progress and its row-by-row report (problems as codes, for the page to translate)."""
    return import_jobs.job_report(session, viewer=viewer, flow=FLOW, job_id=job_id)


def step(store: Store, *, viewer: Viewer, job_id: int, chunk: int = CHUNK) -> JobState | None:
    """Move a job at work on by one chunk (import_jobs.step); None when this call moved nothing."""
    return import_jobs.step(store, viewer=viewer, flow=FLOW, job_id=job_id, chunk=chunk)


def cancel(store: Store, *, viewer: Viewer, job_id: int) -> JobState:
    """The owner stops a job: a chunk already running finishes (chunks are whole), nothing more is written."""
    return import_jobs.cancel(store, viewer=viewer, flow=FLOW, job_id=job_id)

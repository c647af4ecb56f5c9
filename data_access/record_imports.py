"""People and units from a file, in bulk: the staged flow of data_access.import_jobs for the
interchange shapes. An upload (interchange JSON, or an Excel sheet such as the page's template) is
read and kept as an import job of kind "people" or "units"; its records are then checked a chunk at a
time against the six qualities (domain.records), Pulse's own needs (domain.records.imports) and the
importer's subtree, so the page can show a progress bar and a report; nothing is written until the
importer chooses to import the valid records, again a chunk per transaction.

Only an administrator may upload (refused and audited before the file is read), only inside their
own subtree, and only the uploader sees or moves the job. A file is refused whole, with a message in
the user's language and nothing written, when it is over 10 MB (checked before it is decoded),
unreadable, a zip bomb, not the shape, or over `MAX_ROWS` records.

Checking runs the validator over the whole file for every chunk, keeping the problems of that chunk's
records: in-file duplicates and parents need the whole file, and the validator is pure and quick
(20,000 records in well under a second); only the store facts are loaded per chunk. The job's life
(ownership, chunks, cancel, time-out) is data_access.import_jobs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from config.clock import today as clock_today
from data_access import import_jobs, record_files
from data_access.commands.common import refuse
from data_access.commands.record_imports import Outcome, add_people, add_units, link_successors
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.import_jobs import Chunk, JobState, Report
from data_access.models import ImportJob, OrgUnit, Position
from data_access.record_facts import load_facts, people_as_stored
from data_access.record_files import RecordFileError
from data_access.spreadsheets import Sheet, workbook_bytes
from data_access.viewer import Viewer, in_scope
from domain.admin_access import covers, may_administer
from domain.records import Problem, Quality, RecordFacts, validate_profiles, validate_units
from domain.records.imports import (
    blocks,
    matched_by_citizen_id,
    merged,
    orphaned,
    parents_first,
    placement_problem,
)

KINDS = {"people": "profiles", "units": "units"}  # ImportJob.kind -> the interchange shape
MAX_BYTES = record_files.MAX_BYTES
MAX_ROWS = 20_000
CHECK_CHUNK = 1_000
IMPORT_CHUNK = 250  # each record written has its own audit entry: a chunk stays around a second
KEY_FIELD = {"profiles": "citizen_id", "units": "code"}
NAME_FIELD = {"profiles": "full_name", "units": "name"}


def ensure_may_import(store: Store, *, viewer: Viewer) -> None:
    """Refuse (audited) anyone but an administrator, before their file is even decoded."""
    if not may_administer(viewer.role.value, viewer.scope_kind):
        raise refuse(
            store,
            viewer,
            action="import.stage",
            entity="import_job",
            entity_id="-",
            detail=f"role {viewer.role.value} may not import people or units",
        )


def too_large(encoded_length: int) -> bool:
    """True when a base64 upload of this length decodes to more than MAX_BYTES: refused before decoding."""
    return encoded_length * 3 // 4 > MAX_BYTES + 2


def stage(store: Store, *, viewer: Viewer, kind: str, filename: str, content: bytes) -> JobState:
    """Read an uploaded file and keep its records for checking; nothing is imported yet."""
    ensure_may_import(store, viewer=viewer)
    if kind not in KINDS:
        raise Invalid({"kind": "unknown_choice"})
    read = record_files.read_record_bytes(content, shape=KINDS[kind])
    if not read.records:
        raise RecordFileError("file_empty")
    if len(read.records) > MAX_ROWS:
        raise RecordFileError("file_too_many_records", limit=MAX_ROWS)
    rows = [
        {"row": read.rows[index] if read.rows else None, "record": record} for index, record in enumerate(read.records)
    ]
    return import_jobs.create(
        store, viewer=viewer, flow=FLOW, kind=kind, filename=filename, rows=rows, audited={"kind": kind}
    )


def job_kind(session: Session, *, viewer: Viewer, job_id: int) -> str:
    return import_jobs.own_job(session, viewer, FLOW, job_id).kind


def job_report(session: Session, *, viewer: Viewer, job_id: int) -> tuple[JobState, Report]:
    """The job's progress and its report: per record its row, key, name and problems (as codes)."""
    return import_jobs.job_report(session, viewer=viewer, flow=FLOW, job_id=job_id)


# --- checking -------------------------------------------------------------------------------------


def _facts(session: Session, shape: str, chunk: Sequence[object]) -> RecordFacts:
    if shape != "profiles":
        return load_facts(session)
    mappings = [r for r in chunk if isinstance(r, dict)]
    return load_facts(
        session,
        citizen_ids=[str(r.get("citizen_id", "")).strip() for r in mappings],
        civil_servant_codes=[str(r.get("civil_servant_code", "")).strip() for r in mappings],
    )


def _text(record: object, name: str) -> str | None:
    value = record.get(name) if isinstance(record, Mapping) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _store_units(session: Session, codes: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """Store units named by code or official code -> (path, kind, name)."""
    wanted = sorted(set(codes))
    found: dict[str, tuple[str, str, str]] = {}
    if not wanted:
        return found
    rows = session.execute(
        select(OrgUnit.code, OrgUnit.official_code, OrgUnit.path, OrgUnit.kind, OrgUnit.name).where(
            or_(OrgUnit.code.in_(wanted), OrgUnit.official_code.in_(wanted))
        )
    )
    for code, official, path, kind, name in rows:
        if official:
            found.setdefault(official, (path, kind, name))
        found[code] = (path, kind, name)
    return found


def placement_problems(
    session: Session, shape: str, records: Sequence[object], start: int, end: int, *, scope_path: str | None
) -> list[Problem]:
    """Where records start..end would go: inside the importer's subtree (when `scope_path` is given: the
    command line has no importer), and (units) under a parent of a kind that may hold them. A unit whose
    parent is in the file is placed by the first store unit up its line."""
    problems: list[Problem] = []
    if shape == "profiles":
        codes = {i: _text(records[i], "unit_code") for i in range(start, end)}
        units = _store_units(session, [c for c in codes.values() if c])
        for index, code in codes.items():
            if code in units and scope_path is not None and not covers(scope_path, units[code][0]):
                problems.append(Problem(index, "unit_code", "out_of_scope", Quality.CORRECT, {"code": code}))
        return problems
    in_file: dict[str, int] = {}
    for index, record in enumerate(records):
        code = _text(record, "code")
        if code is not None:
            in_file.setdefault(code, index)
    anchors: dict[int, str] = {}
    for index in range(start, end):
        parent, seen = _text(records[index], "parent_code"), set()
        while parent is not None and parent in in_file and parent not in seen:
            seen.add(parent)
            parent = _text(records[in_file[parent]], "parent_code")
        if parent is not None:
            anchors[index] = parent
    units = _store_units(session, list(anchors.values()))
    for index, anchor in anchors.items():
        if anchor in units and scope_path is not None and not covers(scope_path, units[anchor][0]):
            problems.append(Problem(index, "parent_code", "out_of_scope", Quality.CORRECT, {"code": anchor}))
            continue
        parent_code, kind = _text(records[index], "parent_code"), _text(records[index], "kind")
        if parent_code is None or kind is None:
            continue
        if parent_code in in_file:
            parent_kind = _text(records[in_file[parent_code]], "kind")
            parent_name = _text(records[in_file[parent_code]], "name") or parent_code
        elif parent_code in units:
            _path, parent_kind, parent_name = units[parent_code]
        else:
            continue
        if parent_kind is not None and placement_problem(parent_kind, kind):
            problems.append(Problem(index, "kind", "not_under_parent", Quality.CORRECT, {"parent": parent_name}))
    return problems


Validator = Callable[..., list[Problem]]


def _check(session: Session, viewer: Viewer, job: ImportJob, rows: list[Any], report: Report, chunk: int) -> None:
    """Check the next chunk of records: the whole file through the validator, this chunk's problems kept."""
    shape = KINDS[job.kind]
    records = [row["record"] for row in rows]
    start, end = len(report), min(len(rows), len(report) + chunk)
    validator: Validator = validate_profiles if shape == "profiles" else validate_units
    found = merged(shape, records, validator(records, _facts(session, shape, records[start:end]), today=clock_today()))
    if shape == "profiles":  # an id already in Pulse with another name or birth date is a conflict
        ids = [r.get("citizen_id") for r in records if isinstance(r, dict)]
        found = matched_by_citizen_id(found, records, people_as_stored(session, ids))
    found += placement_problems(session, shape, records, start, end, scope_path=viewer.scope_path)
    by_record: dict[int, list[Problem]] = defaultdict(list)
    for problem in found:
        if start <= problem.record < end:
            by_record[problem.record].append(problem)
    for index in range(start, end):
        record = records[index]
        report.append(
            {
                "row": rows[index]["row"],
                "record": index,
                "key": _text(record, KEY_FIELD[shape]) or "",
                "name": _text(record, NAME_FIELD[shape]) or "",
                "problems": [_plain(p) for p in by_record[index]],
                "blocking": any(blocks(p) for p in by_record[index]),
            }
        )
    if len(report) >= job.total_rows and shape == "units":
        _keep_out_orphans(records, report)


def _keep_out_orphans(records: Sequence[object], report: list[dict[str, Any]]) -> None:
    """A unit whose parent in the file is kept out is kept out too, said in its report entry."""
    kept_out = {index for index, entry in enumerate(report) if entry["blocking"]}
    for index, parent in orphaned(records, kept_out).items():
        problem = Problem(index, "parent_code", "parent_left_out", Quality.CORRECT, {"code": parent})
        report[index]["problems"].append(_plain(problem))
        report[index]["blocking"] = True


def _plain(problem: Problem) -> dict[str, Any]:
    return {"field": problem.field, "code": problem.code, "quality": problem.quality.value, "params": problem.params}


# --- importing ------------------------------------------------------------------------------------


def _write(session: Session, viewer: Viewer, chunk: Chunk) -> dict[str, Any]:
    """Write the valid records at positions start..end: units parents first, people in file order."""
    job, report = chunk.job, chunk.report
    records = [row["record"] for row in chunk.rows]
    # `imported_rows` counts positions in this order.
    order = parents_first(records) if job.kind == "units" else list(range(len(records)))
    todo = [i for i in order[chunk.start : chunk.end] if not report[i]["blocking"]]
    write = add_people if job.kind == "people" else add_units
    outcomes: list[Outcome] = write(session, viewer, [records[i] for i in todo], today=clock_today())
    written = []
    for index, outcome in zip(todo, outcomes, strict=True):
        if outcome.written_id is not None:
            report[index]["imported"] = True
            written.append(outcome.written_id)
        else:
            report[index]["problems"] += outcome.problems
            report[index]["blocking"] = True
    links: list[int] = []
    if chunk.last and job.kind == "units":
        imported = [records[i] for i, entry in enumerate(report) if entry.get("imported")]
        links = link_successors(session, viewer, imported, today=clock_today())
    return {
        "written": len(written),
        "ids": written,
        "refused": len(todo) - len(written),
        **({"successions": links} if links else {}),
    }


FLOW = import_jobs.Flow(
    kinds=tuple(KINDS),
    check=_check,
    write=_write,
    check_chunk=CHECK_CHUNK,
    import_chunk=IMPORT_CHUNK,
    blocked=lambda entry: bool(entry["blocking"]),
    before_start=lambda store, viewer: ensure_may_import(store, viewer=viewer),
    describe=lambda job: {"kind": job.kind},
    name="people/units import",
)


def start_import(store: Store, *, viewer: Viewer, job_id: int) -> JobState:
    """The importer chose to import the valid records of a checked file (their role is asked again)."""
    return import_jobs.start_import(store, viewer=viewer, flow=FLOW, job_id=job_id)


def step(store: Store, *, viewer: Viewer, job_id: int) -> JobState | None:
    """Move a job at work on by one chunk (import_jobs.step); None when this call moved nothing."""
    return import_jobs.step(store, viewer=viewer, flow=FLOW, job_id=job_id)


def run(store: Store, *, viewer: Viewer, job_id: int) -> JobState:
    """Step a job until it rests (for the command line and tests; the page steps once per tick)."""
    return import_jobs.run(store, viewer=viewer, flow=FLOW, job_id=job_id)


def cancel(store: Store, *, viewer: Viewer, job_id: int) -> JobState:
    """The owner stops a job: chunks already written stay (each is whole), nothing more is written."""
    return import_jobs.cancel(store, viewer=viewer, flow=FLOW, job_id=job_id)


# --- the template ---------------------------------------------------------------------------------

# The template's columns per kind, in order: the interchange fields a person fills in by hand.
TEMPLATE_FIELDS = {
    "people": (
        "full_name",
        "citizen_id",
        "civil_servant_code",
        "date_of_birth",
        "gender",
        "unit_code",
        "position_code",
        "rank_code",
        "start_date",
        "email",
        "phone",
    ),
    "units": ("code", "name", "kind", "parent_code", "official_code", "valid_from", "valid_to", "successor_codes"),
}


def template_workbook(
    session: Session,
    *,
    viewer: Viewer,
    kind: str,
    headers: Mapping[str, str],
    title: str,
    guide_title: str,
    guide: Sequence[str],
    units_title: str,
    units_headers: Sequence[str],
) -> bytes:
    """An .xlsx to fill: row 1 the headers in the user's language, row 2 (hidden) the field names the
    reader goes by, so a template filled in Vietnamese, English or French reads the same; then a guide,
    and the units of the importer's subtree with their codes and position codes to copy from."""
    if not may_administer(viewer.role.value, viewer.scope_kind):
        raise NotFound("template", kind)
    fields = TEMPLATE_FIELDS.get(kind, ())
    units = session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.official_code, OrgUnit.name, OrgUnit.kind)
        .where(in_scope(viewer, OrgUnit.path), OrgUnit.active.is_(True))
        .order_by(OrgUnit.path)
        .limit(5_000)
    ).all()
    positions: dict[int, list[str]] = defaultdict(list)
    for unit_id, code in session.execute(
        select(Position.unit_id, Position.code)
        .where(Position.unit_id.in_([u.id for u in units]))
        .order_by(Position.code)
    ):
        positions[unit_id].append(code)
    listed = [[u.code, u.official_code or "", u.name, u.kind, ", ".join(positions[u.id])] for u in units]
    return workbook_bytes(
        [
            Sheet(
                title,
                [[headers[f] for f in fields], list(fields)],
                header_rows=2,
                widths=[22] * len(fields),
                freeze="A3",
                hidden_rows=(2,),
            ),
            Sheet(guide_title, [[line] for line in guide], header_rows=0, widths=(110,)),
            Sheet(units_title, [list(units_headers), *listed], widths=(28, 14, 48, 14, 40), freeze="A2"),
        ]
    )

"""Spreadsheet import of indicator values (SQLite and PostgreSQL): the template lists the viewer's
indicators; an upload is staged, checked row by row in chunks (progress visible), reported with a
problem code per field; nothing is written until the user imports the valid rows, chunk by chunk."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from config.clock import today
from data_access import imports
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import AuditEntry, ImportJob, Measurement, User
from data_access.seed import DEMO_USERNAMES
from data_access.viewer import Viewer, load_viewer
from tests.support import xlsx_files

HEADERS = {k: k for k in imports.TEMPLATE_KEYS}


def viewer_of(store: Store, role: str) -> Viewer:
    with store.read() as session:
        user_id = session.execute(select(User.id).where(User.username == DEMO_USERNAMES[role])).scalar_one()
        return load_viewer(session, user_id)


def measurement_count(store: Store) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(Measurement)).scalar_one()


def filled_template(
    store: Store, viewer: Viewer, fill: list[tuple[int, object, object, object]]
) -> tuple[bytes, list[list]]:
    """The template for 2026 with rows (n-th listed indicator, date, value, comment) written from row 2 on."""
    with store.read() as session:
        content = imports.template_workbook(
            session,
            viewer=viewer,
            year=2026,
            headers=HEADERS,
            title="Values",
            guide_title="Guide",
            guide=["Fill the date and the value."],
        )
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    listed = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    for offset, (nth, when, value, comment) in enumerate(fill):
        row = 2 + offset
        sheet.cell(row=row, column=1, value=listed[nth][0])
        sheet.cell(row=row, column=7, value=when)
        sheet.cell(row=row, column=8, value=value)
        sheet.cell(row=row, column=9, value=comment)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), listed


def test_template_lists_only_the_viewers_indicators(demo_store: Store) -> None:
    staff = viewer_of(demo_store, "staff")
    _content, listed = filled_template(demo_store, staff, [])
    with demo_store.read() as session:
        from data_access.models import Indicator, Period

        owned = set(
            session.execute(
                select(Indicator.id)
                .join(Period, Period.id == Indicator.period_id)
                .where(
                    (Indicator.owner_person_id == staff.person_id) | (Indicator.reporter_person_id == staff.person_id),
                    Period.year == 2026,
                )
            ).scalars()
        )
    assert {row[0] for row in listed} == owned and owned


def test_upload_is_checked_in_chunks_then_only_valid_rows_import(demo_store: Store) -> None:
    staff = viewer_of(demo_store, "staff")
    content, _listed = filled_template(
        demo_store,
        staff,
        [
            (0, today(), 75, "tháng 11"),  # valid
            (1, "20/11/2026", "abc", ""),  # not a number (the Vietnamese date is read)
            (0, today(), 76, "again"),  # the same indicator and date as row 2
            (1, date(2026, 12, 31), 10, ""),  # in the future
            (1, "19/11/2026", "42,5", ""),  # valid: a Vietnamese decimal comma
        ],
    )
    before = measurement_count(demo_store)
    state = imports.stage(demo_store, viewer=staff, filename="so-lieu.xlsx", content=content)
    assert (state.status, state.total, state.checked) == ("checking", 5, 0)
    progress = []
    while state.status == "checking":
        state = imports.check_next(demo_store, viewer=staff, job_id=state.job_id, chunk=1)
        progress.append(state.checked)
    assert progress == [1, 2, 3, 4, 5]  # one chunk at a time: the page shows each step
    with demo_store.read() as session:
        state, report = imports.job_report(session, viewer=staff, job_id=state.job_id)
    problems = {r["row"]: r["problems"] for r in report}
    assert problems == {
        2: {},
        3: {"value": "required_number"},
        4: {"measured_on": "duplicate_row"},
        5: {"measured_on": "future_date"},
        6: {},
    }
    assert (state.valid, state.invalid) == (2, 3)
    assert measurement_count(demo_store) == before  # nothing written by checking

    state = imports.start_import(demo_store, viewer=staff, job_id=state.job_id)
    while state.status == "importing":
        state = imports.import_next(demo_store, viewer=staff, job_id=state.job_id, chunk=2)
    assert state.status == "imported" and state.share_done == 1.0
    assert measurement_count(demo_store) == before + 2
    with demo_store.read() as session:
        latest = session.execute(select(Measurement).order_by(Measurement.id.desc())).scalars().first()
        chunks = session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import.chunk")
        ).scalar_one()
    assert latest.value == 42.5 and latest.measured_on == date(2026, 11, 19)
    assert latest.entered_by_id == staff.user_id and latest.status == "submitted"
    assert chunks == 3


def test_bad_files_are_refused_with_a_reason(demo_store: Store) -> None:
    staff = viewer_of(demo_store, "staff")
    with pytest.raises(Invalid) as raised:
        imports.stage(demo_store, viewer=staff, filename="x.xlsx", content=b"not a spreadsheet")
    assert raised.value.problems == {"file": "unreadable_file"}
    empty, _listed = filled_template(demo_store, staff, [])
    with pytest.raises(Invalid) as raised:
        imports.stage(demo_store, viewer=staff, filename="x.xlsx", content=empty)
    assert raised.value.problems == {"file": "no_rows"}


def test_someone_elses_job_does_not_exist_for_you(demo_store: Store) -> None:
    staff, manager = viewer_of(demo_store, "staff"), viewer_of(demo_store, "manager")
    content, _listed = filled_template(demo_store, staff, [(0, today(), 70, "")])
    state = imports.stage(demo_store, viewer=staff, filename="x.xlsx", content=content)
    with pytest.raises(NotFound):
        imports.check_next(demo_store, viewer=manager, job_id=state.job_id)
    with pytest.raises(Invalid):  # importing before checking is refused
        imports.start_import(demo_store, viewer=staff, job_id=state.job_id)


def test_a_row_that_became_invalid_is_reported_not_written(demo_store: Store) -> None:
    """The period is locked between the check and the import: the row is reported, nothing written."""
    from sqlalchemy import update

    from data_access.models import Period

    staff = viewer_of(demo_store, "staff")
    content, _listed = filled_template(demo_store, staff, [(0, today(), 70, "")])
    state = imports.stage(demo_store, viewer=staff, filename="x.xlsx", content=content)
    state = imports.check_next(demo_store, viewer=staff, job_id=state.job_id)
    assert state.valid == 1
    with demo_store.write() as session:
        session.execute(update(Period).where(Period.code == today().strftime("%Y-%m")).values(locked=True))
    before = measurement_count(demo_store)
    imports.start_import(demo_store, viewer=staff, job_id=state.job_id)
    state = imports.import_next(demo_store, viewer=staff, job_id=state.job_id)
    assert state.status == "imported" and state.invalid == 1
    assert measurement_count(demo_store) == before


def test_poison_rows_become_row_problems_and_the_job_finishes(demo_store: Store) -> None:
    """An id of 1e30 used to overflow the database driver on every tick and leave the job stuck in
    "checking"; "²" passed isdigit() and broke int(). Each is now a problem of its own row."""
    staff = viewer_of(demo_store, "staff")
    content, listed = filled_template(demo_store, staff, [(0, today(), 70, "")] * 6)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    dates = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"]
    poison = [(1e30, 5), ("²", 5), (-3, 5), (2**40, 5), (listed[0][0], "²"), (listed[0][0], 1e308)]
    for offset, ((raw_id, value), when) in enumerate(zip(poison, dates, strict=True)):
        sheet.cell(row=2 + offset, column=1, value=raw_id)
        sheet.cell(row=2 + offset, column=7, value=when)
        sheet.cell(row=2 + offset, column=8, value=value)
    out = io.BytesIO()
    book.save(out)
    state = imports.stage(demo_store, viewer=staff, filename="poison.xlsx", content=out.getvalue())
    state = imports.check_next(demo_store, viewer=staff, job_id=state.job_id)
    assert state.status == "checked"
    with demo_store.read() as session:
        _state, report = imports.job_report(session, viewer=staff, job_id=state.job_id)
    problems = {r["row"]: r["problems"] for r in report}
    assert problems == {
        2: {"indicator": "unknown_indicator"},
        3: {"indicator": "unknown_indicator"},
        4: {"indicator": "unknown_indicator"},
        5: {"indicator": "unknown_indicator"},
        6: {"value": "required_number"},
        7: {"value": "value_range"},
    }


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"PK" + b"\0" * (12 * 1024 * 1024), "file_too_large"),
        (xlsx_files.with_doctype(xlsx_files.XXE), "unreadable_file"),
        (xlsx_files.with_doctype(xlsx_files.BILLION_LAUGHS), "unreadable_file"),
        (xlsx_files.shared_string_bomb(150), "file_unpacks_too_large"),
    ],
    ids=["12 MB", "XXE", "billion laughs", "bomb"],
)
def test_oversized_and_hostile_files_are_refused_with_their_own_reason(
    demo_store: Store, content: bytes, code: str
) -> None:
    """A 12 MB file was told "too many rows"; XXE escaped as a ParseError (500). Nothing is staged."""
    staff = viewer_of(demo_store, "staff")
    with pytest.raises(Invalid) as raised:
        imports.stage(demo_store, viewer=staff, filename="x.xlsx", content=content)
    assert raised.value.problems == {"file": code}
    with demo_store.read() as session:
        staged = session.execute(select(func.count()).select_from(ImportJob)).scalar_one()
    assert staged == 0


def _staged(store: Store, viewer: Viewer, rows: int = 3) -> imports.JobState:
    fill = [(0, f"2026-11-{day:02d}", 10 + day, "") for day in range(1, rows + 1)]
    content, _listed = filled_template(store, viewer, fill)
    return imports.stage(store, viewer=viewer, filename="x.xlsx", content=content)


@pytest.mark.parametrize("who", ["screen", "staff without indicators"])
def test_who_may_enter_nothing_is_refused_before_the_file_is_read(demo_store: Store, who: str) -> None:
    """The screen account could stage jobs and make the server parse any file; now it is refused first
    (a bomb would be "Invalid" if it were read: it is "Forbidden"), and the refusal is audited."""
    from sqlalchemy import update

    from data_access.errors import Forbidden
    from data_access.models import Indicator

    viewer = viewer_of(demo_store, "screen" if who == "screen" else "staff")
    if who != "screen":
        with demo_store.write() as session:
            session.execute(
                update(Indicator).where(Indicator.owner_person_id == viewer.person_id).values(owner_person_id=None)
            )
            session.execute(  # nor delegated to them
                update(Indicator)
                .where(Indicator.reporter_person_id == viewer.person_id)
                .values(reporter_person_id=None)
            )
    with pytest.raises(Forbidden):
        imports.stage(demo_store, viewer=viewer, filename="x.xlsx", content=xlsx_files.shared_string_bomb(150))
    with demo_store.read() as session:
        staged = session.execute(select(func.count()).select_from(ImportJob)).scalar_one()
        denied = session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "import.stage", AuditEntry.outcome == "denied")
        ).scalar_one()
    assert (staged, denied) == (0, 1)


def test_a_job_at_rest_does_not_move_and_a_cancelled_job_never_does(demo_store: Store) -> None:
    staff = viewer_of(demo_store, "staff")
    state = _staged(demo_store, staff)
    state = imports.step(demo_store, viewer=staff, job_id=state.job_id, chunk=1)
    assert state is not None and (state.status, state.checked) == ("checking", 1)
    state = imports.cancel(demo_store, viewer=staff, job_id=state.job_id)
    assert (state.status, state.failure, state.saved) == ("failed", "cancelled", 0)
    assert imports.step(demo_store, viewer=staff, job_id=state.job_id) is None
    with pytest.raises(Invalid):
        imports.start_import(demo_store, viewer=staff, job_id=state.job_id)
    finished = _staged(demo_store, staff)
    while finished is not None and finished.at_work:
        finished = imports.step(demo_store, viewer=staff, job_id=finished.job_id)
    assert finished is not None and finished.status == "checked"
    assert imports.step(demo_store, viewer=staff, job_id=finished.job_id) is None  # at rest: nothing to do


def test_cancelling_an_import_keeps_the_chunks_already_saved_and_writes_no_more(demo_store: Store) -> None:
    staff = viewer_of(demo_store, "staff")
    state = _staged(demo_store, staff, rows=4)
    while state.at_work:
        state = imports.check_next(demo_store, viewer=staff, job_id=state.job_id)
    assert state.valid == 4
    before = measurement_count(demo_store)
    imports.start_import(demo_store, viewer=staff, job_id=state.job_id)
    imports.step(demo_store, viewer=staff, job_id=state.job_id, chunk=2)
    state = imports.cancel(demo_store, viewer=staff, job_id=state.job_id)
    assert (state.status, state.failure, state.saved) == ("failed", "cancelled", 2)
    assert imports.step(demo_store, viewer=staff, job_id=state.job_id, chunk=2) is None
    assert measurement_count(demo_store) == before + 2


def test_a_stuck_job_times_out_after_ten_minutes(demo_store: Store) -> None:
    """A job whose tab was closed mid-check stayed "checking" for ever; now it is closed when seen, and
    when its owner uploads again."""
    from datetime import timedelta

    from sqlalchemy import update

    from config.clock import now

    staff = viewer_of(demo_store, "staff")
    stuck, other = _staged(demo_store, staff), _staged(demo_store, staff)
    with demo_store.write() as session:
        session.execute(
            update(ImportJob)
            .where(ImportJob.id.in_([stuck.job_id, other.job_id]))
            .values(updated_at=now() - timedelta(minutes=11))
        )
    with demo_store.read() as session:
        shown, _report = imports.job_report(session, viewer=staff, job_id=stuck.job_id)
    assert (shown.status, shown.failure) == ("failed", "timed_out")
    state = imports.step(demo_store, viewer=staff, job_id=stuck.job_id)
    assert state is not None and (state.status, state.failure) == ("failed", "timed_out")
    _staged(demo_store, staff)  # a new upload closes the owner's other stuck jobs in the database
    with demo_store.read() as session:
        statuses = session.execute(
            select(ImportJob.status, ImportJob.failure).where(ImportJob.id.in_([stuck.job_id, other.job_id]))
        ).all()
    assert sorted(statuses) == [("failed", "timed_out"), ("failed", "timed_out")]


def test_an_unexpected_failure_fails_the_job_once_instead_of_every_tick(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = viewer_of(demo_store, "staff")
    state = _staged(demo_store, staff)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a fault no rule foresaw")

    monkeypatch.setattr(imports, "draft_problems", broken)
    state = imports.step(demo_store, viewer=staff, job_id=state.job_id)
    assert state is not None and (state.status, state.failure) == ("failed", "error")
    assert imports.step(demo_store, viewer=staff, job_id=state.job_id) is None


def test_an_administrator_without_a_person_gets_the_template_of_the_units_near_the_top(demo_store: Store) -> None:
    """The query built `False | clause` for a viewer with no person record and raised TypeError (a 500 on /entry)."""
    admin = viewer_of(demo_store, "admin")
    assert admin.person_id is None
    _content, listed = filled_template(demo_store, admin, [])
    assert listed and all(isinstance(row[0], int) for row in listed)

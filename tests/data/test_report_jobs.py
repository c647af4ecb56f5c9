"""Report jobs on the real store (SQLite and PostgreSQL): a request queued and audited, refused and audited
outside the viewer's scope, made into a file with a notice, retried after a failure and then reported failed
in the owner's language; a real huey consumer in another process makes a queued job."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from babel.numbers import format_percent
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from data_access import report_jobs
from data_access.commands.analyses import write_analysis
from data_access.commands.reports import request_report
from data_access.db import Store
from data_access.errors import Forbidden, Invalid
from data_access.models import AuditEntry, Indicator, IndicatorRollup, Notification, OrgUnit, Period, ReportJob
from data_access.queries.reports import report_file, unit_report
from server import jobs
from tests.support.viewers import viewer_of

ROOT = Path(__file__).resolve().parents[2]


def unit_id(store: Store, name: str) -> int:
    with store.read() as session:
        return session.execute(select(OrgUnit.id).where(OrgUnit.name == name)).scalar_one()


def job(store: Store, job_id: int) -> ReportJob:
    with store.read() as session:
        return session.execute(select(ReportJob).where(ReportJob.id == job_id)).scalar_one()


def test_a_ward_report_is_made_kept_and_announced(demo_store: Store) -> None:
    leader = viewer_of(demo_store, "lanhdao.hoankiem")
    ward = unit_id(demo_store, "Phường Hoàn Kiếm")
    job_id = request_report(demo_store, viewer=leader, unit_id=ward, period_code="2026-Q3", fmt="pdf", language="vi")
    assert job(demo_store, job_id).status == "queued"

    jobs.run_report_job(demo_store, job_id, retries_left=2)

    done = job(demo_store, job_id)
    assert (done.status, done.progress, done.attempts) == ("done", 100, 1)
    assert done.filename == "bao-cao-phuong-hoan-kiem-2026-Q3.pdf"
    with demo_store.read() as session:
        notice = session.execute(select(Notification).where(Notification.report_job_id == job_id)).scalar_one()
        assert (notice.user_id, notice.kind) == (leader.user_id, "report_ready")
        audited = session.execute(
            select(AuditEntry.action).where(AuditEntry.entity == "report", AuditEntry.entity_id == str(job_id))
        ).scalars()
        assert set(audited) == {"report.request", "report.done"}
        pdf = report_file(session, viewer=leader, job_id=job_id)
        figures = unit_report(session, viewer=leader, unit_id=ward, period="2026-Q3")
    reader = PdfReader(io.BytesIO(pdf.content))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    assert unicodedata.is_normalized("NFC", raw)
    text = " ".join(raw.split())  # table cells wrap names over lines
    owners = {kr.owner for block in figures.objectives for kr in block.key_results if kr.owner}
    assert owners and all(unicodedata.is_normalized("NFC", name) for name in owners)
    expected_texts = [
        "Báo cáo định kỳ: Phường Hoàn Kiếm",
        "Kỳ 2026-Q3",
        f"Trang 1 / {len(reader.pages)}",  # page numbers
        "Số liệu tính đến",
        format_percent(figures.figures.score, "#,##0.0%", locale="vi"),  # headline score, e.g. 97,4%
        format_percent(figures.expected, "#,##0.0%", locale="vi"),  # against what is expected by now
        f"{figures.figures.tasks_done_on_time} xong đúng hạn, {figures.figures.tasks_done_late} xong trễ hạn",
        *sorted(owners),
        *(block.title for block in figures.objectives if block.title),
    ]
    missing = [expected for expected in expected_texts if expected not in text]
    assert not missing
    fonts = {
        font.get_object()["/BaseFont"]: "/FontFile2" in font.get_object()["/DescendantFonts"][0]["/FontDescriptor"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVu-Sans" in str(name) for name in fonts) and all(fonts.values())  # embedded


def test_the_excel_report_has_translated_headers_and_numbers(demo_store: Store) -> None:
    leader = viewer_of(demo_store, "lanhdao.hoankiem")
    ward = unit_id(demo_store, "Phường Hoàn Kiếm")
    job_id = request_report(demo_store, viewer=leader, unit_id=ward, period_code="2026", fmt="xlsx", language="en")
    jobs.run_report_job(demo_store, job_id, retries_left=0)
    with demo_store.read() as session:
        content = report_file(session, viewer=leader, job_id=job_id).content
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "Summary",
        "Objectives and key results",
        "Lagging indicators",
        "The owners' analysis",
        "Late tasks",
    ]
    objectives = book["Objectives and key results"]
    assert [c.value for c in objectives[1]][:3] == ["Objective", "Owner", "Key result"]
    progress = objectives.cell(row=2, column=7)
    assert isinstance(progress.value, float) and progress.number_format == "0.0%"


def test_a_request_outside_the_scope_is_refused_and_audited(demo_store: Store) -> None:
    leader = viewer_of(demo_store, "lanhdao.hoankiem")
    with demo_store.read() as session:
        outside = session.execute(
            select(OrgUnit.id).where(~OrgUnit.path.startswith(leader.scope_path)).order_by(OrgUnit.id.desc()).limit(1)
        ).scalar_one()
    with pytest.raises(Forbidden):
        request_report(demo_store, viewer=leader, unit_id=outside, period_code="2026-Q3", fmt="pdf", language="vi")
    with pytest.raises(Invalid) as invalid:
        request_report(demo_store, viewer=leader, unit_id=outside, period_code="2026-Q9", fmt="doc", language="de")
    assert set(invalid.value.problems) == {"period", "format", "language"}
    with demo_store.read() as session:
        assert session.execute(select(ReportJob.id)).first() is None
        refusal = session.execute(
            select(AuditEntry).where(AuditEntry.action == "report.request", AuditEntry.outcome == "denied")
        ).scalar_one()
        assert refusal.user_id == leader.user_id


def test_a_failing_job_is_retried_then_reported_failed_in_the_owners_language(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader = viewer_of(demo_store, "lanhdao.hoankiem")
    ward = unit_id(demo_store, "Phường Hoàn Kiếm")
    job_id = request_report(demo_store, viewer=leader, unit_id=ward, period_code="2026-Q3", fmt="pdf", language="fr")

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise OSError("no browser")

    monkeypatch.setattr("reports.unit_report.unit_report_pdf", broken)
    for retries_left in (2, 1):
        with pytest.raises(OSError):
            jobs.run_report_job(demo_store, job_id, retries_left=retries_left)
        waiting = job(demo_store, job_id)
        assert waiting.status == "queued" and waiting.error
    jobs.run_report_job(demo_store, job_id, retries_left=0)
    failed = job(demo_store, job_id)
    assert (failed.status, failed.attempts) == ("failed", 3)
    assert failed.error == "Le rapport n’a pas pu être produit (OSError). Il a été essayé trois fois."
    with demo_store.read() as session:
        assert (
            session.execute(select(Notification.kind).where(Notification.report_job_id == job_id)).scalar_one()
            == "report_failed"
        )


def test_a_real_consumer_makes_a_queued_job(demo_url: str, demo_store: Store, tmp_path: Path) -> None:
    """The queue survives the web process: the job is put in huey's file, then a consumer started afterwards
    (as after a restart) makes it."""
    leader = viewer_of(demo_store, "lanhdao.hoankiem")
    ward = unit_id(demo_store, "Phường Hoàn Kiếm")
    job_id = request_report(demo_store, viewer=leader, unit_id=ward, period_code="2026-Q3", fmt="xlsx", language="vi")
    env = {**os.environ, "DATABASE_URL": demo_url, "PULSE_HUEY_FILE": str(tmp_path / "jobs.huey")}
    env.pop("REDIS_URL", None)
    enqueue = f"from server import jobs; jobs.enqueue_report({job_id})"
    subprocess.run([sys.executable, "-c", enqueue], env=env, cwd=ROOT, check=True, timeout=60)
    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "server.jobs.huey", "-w", "1", "-q"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and job(demo_store, job_id).status not in ("done", "failed"):
            time.sleep(0.3)
    finally:
        consumer.terminate()
        consumer.wait(timeout=20)
    assert job(demo_store, job_id).status == "done"


def test_a_job_cut_off_by_a_stopped_worker_is_queued_again(demo_store: Store) -> None:
    leader = viewer_of(demo_store, "lanhdao.hoankiem")
    ward = unit_id(demo_store, "Phường Hoàn Kiếm")
    job_id = request_report(demo_store, viewer=leader, unit_id=ward, period_code="2026-Q3", fmt="xlsx", language="vi")
    assert report_jobs.start(demo_store, job_id) is not None  # the worker took it, then stopped
    assert report_jobs.requeue_interrupted(demo_store, older_than=timedelta(minutes=10)) == []  # may still run
    assert report_jobs.requeue_interrupted(demo_store, older_than=timedelta(0)) == [job_id]
    assert (job(demo_store, job_id).status, job(demo_store, job_id).progress) == ("queued", 0)
    jobs.run_report_job(demo_store, job_id, retries_left=2)
    assert (job(demo_store, job_id).status, job(demo_store, job_id).attempts) == ("done", 2)


def test_lagging_indicators_come_with_their_follow_ups_in_the_readers_language(demo_store: Store) -> None:
    """The city leader's English report of Phường Từ Liêm for 2026-Q3: each lagging indicator's name, owner
    and follow-up tasks, with the figures as the report data holds them."""
    leader = viewer_of(demo_store, "lanhdao.thanhpho")
    ward = unit_id(demo_store, "Phường Từ Liêm")
    job_id = request_report(demo_store, viewer=leader, unit_id=ward, period_code="2026-Q3", fmt="pdf", language="en")
    jobs.run_report_job(demo_store, job_id, retries_left=0)
    with demo_store.read() as session:
        content = report_file(session, viewer=leader, job_id=job_id).content
        data = unit_report(session, viewer=leader, unit_id=ward, period="2026-Q3")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
    assert data.lagging and any(line.follow_ups for line in data.lagging)
    assert "Periodic report: Phường Từ Liêm" in text
    assert "Lagging indicators and their follow-up" in text
    first = next(line for line in data.lagging if line.follow_ups)
    for expected in (first.indicator, first.owner, first.follow_ups[0].title, first.follow_ups[0].assignee):
        assert expected in text
    assert format_percent(data.figures.score, "#,##0.0%", locale="en") in text


@pytest.mark.parametrize("period", ["2026-09", "2026-Q3", "2026"])
def test_month_quarter_and_year_reports(demo_store: Store, period: str) -> None:
    leader = viewer_of(demo_store, "lanhdao.hoankiem")
    ward = unit_id(demo_store, "Phường Hoàn Kiếm")
    job_id = request_report(demo_store, viewer=leader, unit_id=ward, period_code=period, fmt="xlsx", language="vi")
    jobs.run_report_job(demo_store, job_id, retries_left=0)
    with demo_store.read() as session:
        content = report_file(session, viewer=leader, job_id=job_id).content
    summary = load_workbook(io.BytesIO(content))["Tổng hợp"]
    assert (summary["A1"].value, summary["B1"].value) == ("Phường Hoàn Kiếm", period)
    assert summary["A3"].value == "Điểm %" and isinstance(summary["B3"].value, int | float)


ANALYSIS = {
    "what_happened": "Tỷ lệ hồ sơ trực tuyến giảm trong tháng Tám",
    "why": "Cổng dịch vụ công bảo trì mười ngày",
    "next_steps": "Hướng dẫn người dân nộp hồ sơ tại bộ phận một cửa",
}


def test_the_owners_analysis_is_in_the_pdf_and_the_workbook(demo_store: Store) -> None:
    """The leader of Phường Hoàn Kiếm writes the analysis of one of its indicators for 2026-Q3 (one for a
    month inside it is overtaken): the quarter's PDF and Excel reports carry it, diacritics intact."""
    leader = viewer_of(demo_store, "lanhdao.hoankiem")
    ward = unit_id(demo_store, "Phường Hoàn Kiếm")
    with demo_store.read() as session:
        quarter = session.execute(select(Period.id).where(Period.code == "2026-Q3")).scalar_one()
        indicator_id, name = session.execute(
            select(Indicator.id, Indicator.name)
            .join(IndicatorRollup, IndicatorRollup.indicator_id == Indicator.id)
            .where(IndicatorRollup.unit_id == ward, IndicatorRollup.period_id == quarter)
            .order_by(Indicator.id)
            .limit(1)
        ).one()
    write_analysis(
        demo_store,
        viewer=leader,
        indicator_id=indicator_id,
        period="2026-07",
        what_happened="Tháng Bảy ổn định",
        why="",
        next_steps="",
        version=None,
    )
    write_analysis(demo_store, viewer=leader, indicator_id=indicator_id, period="2026-Q3", version=None, **ANALYSIS)

    pdf_job = request_report(demo_store, viewer=leader, unit_id=ward, period_code="2026-Q3", fmt="pdf", language="vi")
    xlsx_job = request_report(demo_store, viewer=leader, unit_id=ward, period_code="2026-Q3", fmt="xlsx", language="vi")
    jobs.run_report_job(demo_store, pdf_job, retries_left=0)
    jobs.run_report_job(demo_store, xlsx_job, retries_left=0)
    with demo_store.read() as session:
        pdf = report_file(session, viewer=leader, job_id=pdf_job).content
        xlsx = report_file(session, viewer=leader, job_id=xlsx_job).content
    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(raw.split())
    for expected in ("Phân tích của người phụ trách", "Điều gì đã xảy ra", "Nguyên nhân", name, *ANALYSIS.values()):
        assert unicodedata.normalize("NFC", expected) in text
    assert "Tháng Bảy ổn định" not in text  # the month's analysis is overtaken by the quarter's

    sheet = load_workbook(io.BytesIO(xlsx))["Phân tích của người phụ trách"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Kết quả then chốt",
        "Người phụ trách",
        "Kỳ",
        "Điều gì đã xảy ra",
        "Nguyên nhân",
        "Giải pháp, việc sẽ làm",
    ]
    assert rows[1:] == [[name, rows[1][1], "2026-Q3", *ANALYSIS.values()]]

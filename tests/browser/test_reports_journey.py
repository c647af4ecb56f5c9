"""A ward leader asks for the ward's quarterly report on /reports; a real huey consumer (another process, as
`make run` starts it) makes it; the list shows it ready without a reload, and its download link gives the PDF
whose text names the ward. Screenshots: test-artifacts/reports-{390,1366,1920}.png."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.conftest import PROJECT_ROOT, LiveServer, log_in, screenshot, settled

pytestmark = pytest.mark.browser


@pytest.fixture
def consumer(live_server: LiveServer) -> Iterator[subprocess.Popen[bytes]]:
    """The job queue's worker on the live server's database and queue file."""
    env = {**live_server.env, "DATABASE_URL": live_server.database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "server.jobs.huey", "-w", "1", "-q"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_a_ward_leader_requests_the_quarter_report_and_downloads_it(  # type: ignore[no-untyped-def]
    new_page, live_server: LiveServer, consumer: subprocess.Popen[bytes]
) -> None:
    from playwright.sync_api import expect

    assert os.environ.get("PULSE_HUEY_FILE")  # the queue is the test's, not the checkout's
    page = new_page(1366, 900)
    log_in(page, live_server.url, "lanhdao.hoankiem")
    page.goto(f"{live_server.url}/reports")
    settled(page)
    expect(page.locator("#reports-unit")).to_contain_text("Phường Hoàn Kiếm")
    page.click("#reports-request")
    expect(page.locator(".reports-queued-note")).to_be_visible()
    download_link = page.locator(".reports-row.reports-done .reports-download").first
    expect(download_link).to_be_visible(timeout=120_000)  # the list polls while the worker makes it
    expect(page.locator(".reports-row").first).to_contain_text("2026-Q4")
    for width in (390, 1366, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"reports-{width}")

    with page.expect_download() as caught:
        download_link.click()
    download = caught.value
    assert download.suggested_filename == "bao-cao-phuong-hoan-kiem-2026-Q4.pdf"
    pdf = Path(download.path()).read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Báo cáo định kỳ: Phường Hoàn Kiếm" in text

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/notices")
    settled(page)
    expect(page.locator(".notice-report").first).to_have_text("bao-cao-phuong-hoan-kiem-2026-Q4.pdf")
    screenshot(page, "reports-notice-1366")

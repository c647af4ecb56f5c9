"""Issue 15, sections 3 and 4, in a real browser at 390x844 (phone) and 1366x768 (office laptop):
a ward official reports progress on a task with a photo from the phone and enters a KPI value with a photo
as evidence, a file that is not a photo is refused with its name, and the ward leader sees the photo's
thumbnail beside the value waiting for approval; a division manager assigns a task to a person of the
division, linked to an indicator, then rewords it. Screenshots: test-artifacts/evidence-*.png, assign-*.png.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from config.clock import today
from data_access.commands import tasks as commands
from data_access.db import Store
from data_access.models import Attachment, OrgUnit, Person, User
from tests.browser.conftest import LiveServer, choose, log_in, screenshot, settled
from tests.support.evidence_files import EXECUTABLE, image_bytes
from tests.support.viewers import viewer_of

pytestmark = pytest.mark.browser

SIZES = [pytest.param((390, 844), id="phone"), pytest.param((1366, 768), id="laptop")]


def _ward_task(database_url: str, title: str) -> int:
    """The city manager gives Phường Hoàn Kiếm a task (as the ward official's day would start)."""
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
        (task_id,) = commands.assign(
            store,
            viewer=viewer_of(store, "quanly.thanhpho"),
            title=title,
            due_date=today() + timedelta(days=10),
            unit_ids=[ward],
        )
        return task_id
    finally:
        store.dispose()


def _value_files(database_url: str) -> int:
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            return session.execute(
                select(func.count()).select_from(Attachment).where(Attachment.measurement_id.is_not(None))
            ).scalar_one()
    finally:
        store.dispose()


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    photo = tmp_path / "hien-truong.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(1600, 1200), colour=(40, 140, 90)))
    heic = tmp_path / "IMG_2041.HEIC"
    heic.write_bytes(image_bytes("HEIF", size=(1200, 900), colour=(200, 120, 30)))
    fake = tmp_path / "anh.jpg"
    fake.write_bytes(EXECUTABLE)
    return photo, heic, fake


def _thumbnail_loaded(page, locator) -> bool:  # type: ignore[no-untyped-def]
    """The thumbnail came through the access-checked route and decoded (not a broken image)."""
    return bool(locator.evaluate("img => img.complete && img.naturalWidth > 0"))


@pytest.mark.parametrize("size", SIZES)
def test_a_ward_official_reports_with_a_photo_and_enters_a_value_with_one(  # type: ignore[no-untyped-def]
    new_page, live_server: LiveServer, tmp_path: Path, size: tuple[int, int]
) -> None:
    width, height = size
    photo, heic, fake = _files(tmp_path)
    task_id = _ward_task(live_server.database_url, f"Kiểm tra vệ sinh môi trường {width}")
    page = new_page(width, height)
    log_in(page, live_server.url, "canbo.hoankiem")
    page.goto(f"{live_server.url}/task/{task_id}")
    settled(page)
    expect(page.locator("#task-title")).to_contain_text("Kiểm tra vệ sinh môi trường")

    # A file that is only named like a photo: refused with its name, nothing reported.
    page.locator(".task-evidence-upload input[type=file]").set_input_files(str(fake))
    expect(page.locator(".evidence-chosen")).to_contain_text("anh.jpg")
    page.locator(".task-progress-input").fill("40")
    page.get_by_role("button", name="Báo cáo tiến độ").click()
    refusal = page.locator("#task-message .alert")
    expect(refusal).to_contain_text("anh.jpg không phải là ảnh")
    expect(page.locator(".checkin-progress")).to_have_count(0)

    # The photo and an iPhone's HEIC: reported, shown as thumbnails under the check-in signed by the person.
    page.locator(".task-evidence-upload input[type=file]").set_input_files([str(photo), str(heic)])
    # The browser reads the two files side by side: either may be listed first.
    expect(page.locator(".evidence-chosen")).to_contain_text("hien-truong.jpg")
    expect(page.locator(".evidence-chosen")).to_contain_text("IMG_2041.HEIC")
    page.locator(".task-comment-input").fill("Đã kiểm tra 4/10 tổ dân phố, ảnh hiện trường kèm theo")
    page.get_by_role("button", name="Báo cáo tiến độ").click()
    expect(page.locator("#task-message .alert-success")).to_be_visible()
    checkin = page.locator(".checkin-progress").last
    expect(checkin).to_contain_text("40%")
    thumbs = checkin.locator("img.evidence-thumb")
    expect(thumbs).to_have_count(2)
    expect(checkin.locator(".evidence-name").nth(1)).to_contain_text("IMG_2041.jpg")  # converted to JPEG
    assert _thumbnail_loaded(page, thumbs.first) and _thumbnail_loaded(page, thumbs.nth(1))
    expect(checkin).not_to_contain_text("canbo.hoankiem")  # signed by the person, not the login
    settled(page)
    checkin.scroll_into_view_if_needed()
    screenshot(page, f"evidence-task-{width}")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    # A KPI value with a photo as evidence.
    before = _value_files(live_server.database_url)
    page.goto(f"{live_server.url}/entry")
    settled(page)
    page.locator("#entry-indicator").click()
    options = page.locator(".dash-dropdown-option")
    expect(options.first).to_be_visible()
    options.first.click()
    page.locator(".entry-value-input").fill("1")
    page.locator(".entry-evidence-upload input[type=file]").set_input_files(str(photo))
    expect(page.locator("#entry-evidence-names")).to_contain_text("hien-truong.jpg")
    page.click("#entry-submit")
    expect(page.locator("#entry-message .alert-success")).to_be_visible()
    expect(page.locator("#entry-evidence-names")).to_have_text("")  # the picker is emptied for the next value
    assert _value_files(live_server.database_url) == before + 1
    screenshot(page, f"evidence-entry-{width}")

    # The ward leader sees the photo beside the value waiting for approval.
    leader = new_page(width, height)
    log_in(leader, live_server.url, "lanhdao.hoankiem")
    leader.goto(f"{live_server.url}/entry")
    settled(leader)
    waiting = leader.locator(".pending-value", has=leader.locator(".pending-files img.evidence-thumb")).first
    expect(waiting).to_be_visible()
    thumb = waiting.locator("img.evidence-thumb").first
    thumb.scroll_into_view_if_needed()
    expect(thumb).to_be_visible()
    assert _thumbnail_loaded(leader, thumb)
    screenshot(leader, f"evidence-approval-{width}")


def _staff_name(database_url: str) -> str:
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            return session.execute(
                select(Person.full_name)
                .join(User, User.person_id == Person.id)
                .where(User.username == "chuyenvien.khcn")
            ).scalar_one()
    finally:
        store.dispose()


@pytest.mark.parametrize("size", SIZES)
def test_a_division_manager_assigns_a_task_linked_to_an_indicator(  # type: ignore[no-untyped-def]
    new_page, live_server: LiveServer, tmp_path: Path, size: tuple[int, int]
) -> None:
    width, height = size
    staff = _staff_name(live_server.database_url)
    page = new_page(width, height)
    log_in(page, live_server.url, "truongphong.khcn")
    page.goto(f"{live_server.url}/work")
    settled(page)
    page.get_by_role("button", name="Giao nhiệm vụ").click()
    # The division comes chosen, named with its department; its people are offered at once.
    expect(page.locator("#work-units")).to_contain_text("Phòng Quản lý công nghệ — Sở Khoa học và Công nghệ")
    title = f"Tổng hợp hồ sơ điện tử tuần {width}"
    page.locator("#work-title").fill(title)
    choose(page, "#work-person", staff.split()[-1].lower(), staff)
    choose(
        page,
        "#work-link",
        "ho so cong viec",  # typed without accents
        "Chỉ số: Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng (Phòng Quản lý công nghệ)",
    )
    guide = tmp_path / "huong-dan.jpg"
    guide.write_bytes(image_bytes("JPEG", colour=(90, 90, 200)))
    page.locator(".work-files-upload input[type=file]").set_input_files(str(guide))
    expect(page.locator("#work-file-names")).to_contain_text("huong-dan.jpg")
    screenshot(page, f"assign-form-{width}")
    page.click("#work-submit")
    opened = page.locator(".work-new-task")
    expect(opened).to_be_visible()
    opened.click()
    expect(page).to_have_url(re.compile(r"/task/\d+"))
    settled(page)
    expect(page.locator("#task-title")).to_have_text(title)
    facts = page.locator(".task-page .card").first
    expect(facts).to_contain_text("Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng")
    expect(facts).to_contain_text(staff)
    expect(facts).not_to_contain_text("truongphong.khcn")  # the assigner by name, with the unit
    expect(facts).to_contain_text("Phòng Quản lý công nghệ)")
    expect(page.locator(".task-files img.evidence-thumb")).to_have_count(1)

    # The assigner rewords the task; the page shows the new title.
    page.locator(".task-edit-open").click()
    page.locator(".task-edit-title").fill(f"{title} (bổ sung)")
    page.locator(".task-edit-save").click()
    expect(page.locator("#task-message .alert-success")).to_be_visible()
    expect(page.locator("#task-title")).to_have_text(f"{title} (bổ sung)")
    screenshot(page, f"assign-task-{width}")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_touched_pages_at_1920(new_page, live_server: LiveServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The task page with photos, the entry form and the assign form on the meeting room's 1920 px screen."""
    photo, _heic, _fake = _files(tmp_path)
    task_id = _ward_task(live_server.database_url, "Kiểm tra hiện trường 1920")
    page = new_page(1920, 1080)
    log_in(page, live_server.url, "canbo.hoankiem")
    page.goto(f"{live_server.url}/task/{task_id}")
    settled(page)
    page.locator(".task-evidence-upload input[type=file]").set_input_files(str(photo))
    page.locator(".task-progress-input").fill("20")
    page.get_by_role("button", name="Báo cáo tiến độ").click()
    expect(page.locator(".checkin-progress img.evidence-thumb")).to_have_count(1)
    screenshot(page, "evidence-task-1920")
    page.goto(f"{live_server.url}/entry")
    settled(page)
    expect(page.locator(".entry-evidence-upload")).to_be_visible()
    screenshot(page, "evidence-entry-1920")
    manager = new_page(1920, 1080)
    log_in(manager, live_server.url, "truongphong.khcn")
    manager.goto(f"{live_server.url}/work")
    settled(manager)
    manager.get_by_role("button", name="Giao nhiệm vụ").click()
    expect(manager.locator(".work-files-upload")).to_be_visible()
    settled(manager)
    screenshot(manager, "assign-form-1920")

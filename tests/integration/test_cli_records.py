"""`flask people validate` and `flask units validate` on the pilot demo store: JSON and Excel files,
the exact JSON report, the exit status (0 clean, 1 problems, 2 unreadable) and unreadable files
refused with a message in the user's language, never a traceback."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import select

from data_access.models import OrgUnit, Person, Position


def _run(server: Flask, *args: str) -> Any:
    return server.test_cli_runner().invoke(args=list(args))


def _write_json(path: Path, records: list[Any]) -> str:
    path.write_text(json.dumps({"source": "test", "records": records}, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def store_facts(server: Flask) -> dict[str, Any]:
    """A position code of Hoan Kiem's first division, and one person already in the store."""
    with server.extensions["pulse"]["store"].read() as session:
        division, position = session.execute(
            select(OrgUnit.code, Position.code)
            .join(Position, Position.unit_id == OrgUnit.id)
            .where(OrgUnit.code.like("W00070-%"))
            .order_by(OrgUnit.code)
            .limit(1)
        ).one()
        existing = session.execute(select(Person.citizen_id).order_by(Person.id).limit(1)).scalar_one()
    return {"division": division, "position": position, "existing": existing}


def _person(facts: dict[str, Any], **changes: Any) -> dict[str, Any]:
    record = {
        "citizen_id": "001185001234",  # Ha Noi, female born in the 1900s, 85
        "civil_servant_code": "TEST-0001",
        "full_name": "Nguyễn Thị Lan",
        "date_of_birth": "1985-03-02",
        "gender": "female",
        "unit_code": facts["division"],
        "position_code": facts["position"],
        "rank_code": "01.003",
        "start_date": "2010-09-01",
        "active": True,
        "updated_at": "2026-10-01T08:00:00+07:00",
    }
    record.update(changes)
    return record


def test_people_validate_prints_the_exact_json_report(server: Flask, store_facts: dict, tmp_path: Path) -> None:
    path = _write_json(
        tmp_path / "people.json",
        [
            _person(store_facts),
            _person(store_facts, citizen_id="003185001235", civil_servant_code="TEST-0002"),
            _person(store_facts, citizen_id=store_facts["existing"], civil_servant_code="TEST-0003"),
        ],
    )
    result = _run(server, "people", "validate", path, "--format", "json", "--language", "en")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"records", "problems"} and report["records"] == 3
    assert [(p["record"], p["field"], p["code"], p["quality"]) for p in report["problems"]][:1] == [
        (1, "citizen_id", "citizen_id_province", "correct")
    ]
    assert report["problems"][0]["message"] == (
        "The first three digits, 003, are not a province code of birth registration."
    )
    assert (2, "citizen_id", "duplicate_in_store", "clean") in [
        (p["record"], p["field"], p["code"], p["quality"]) for p in report["problems"]
    ]
    assert {p["record"] for p in report["problems"]} <= {1, 2}
    for problem in report["problems"]:
        assert set(problem) == {"record", "field", "code", "quality", "message"}


def test_a_clean_file_exits_0_and_messages_follow_the_language(
    server: Flask, store_facts: dict, tmp_path: Path
) -> None:
    clean = _write_json(tmp_path / "clean.json", [_person(store_facts)])
    result = _run(server, "people", "validate", clean, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"records": 1, "problems": []}

    bad = _write_json(tmp_path / "bad.json", [_person(store_facts, gender="nữ")])
    vietnamese = _run(server, "people", "validate", bad, "--format", "json", "--language", "vi")
    assert json.loads(vietnamese.stdout)["problems"][0]["message"] == "Giới tính phải là male (nam) hoặc female (nữ)."
    french = _run(server, "people", "validate", bad, "--language", "fr")
    assert french.exit_code == 1 and "Le sexe doit être male (homme) ou female (femme)." in french.stdout


def test_people_validate_reads_an_excel_sheet(server: Flask, store_facts: dict, tmp_path: Path) -> None:
    """Vietnamese headers, a citizen id Excel turned into a number, dates as date cells, "Nữ" for the gender."""
    book = Workbook()
    guide = book.active
    guide.title = "Hướng dẫn"
    guide.append(["Điền mỗi người một dòng ở trang sau."])
    sheet = book.create_sheet("Hồ sơ")
    sheet.append(["Số định danh cá nhân", "Mã số công chức", "Họ và tên", "Ngày sinh", "Giới tính", "Mã đơn vị",
                  "Mã vị trí việc làm", "Mã ngạch", "Ngày bắt đầu", "Cập nhật lúc"])  # fmt: skip
    division, position = store_facts["division"], store_facts["position"]
    sheet.append([1185001234, "TEST-0001", "Nguyễn Thị Lan", date(1985, 3, 2), "Nữ", division, position, "01.003",
                  date(2010, 9, 1), "2026-10-01"])  # fmt: skip
    sheet.append([None] * 10)  # an empty row is skipped, not a record
    sheet.append(["079203000007", "TEST-0002", "Trần Văn Minh 2", "31/12/2003", "Nam", division, position, "01.003",
                  "05/01/2026", "2026-10-01"])  # fmt: skip
    path = tmp_path / "people.xlsx"
    book.save(path)

    as_json = _run(server, "people", "validate", str(path), "--format", "json", "--language", "en")
    assert as_json.exit_code == 1, as_json.output
    report = json.loads(as_json.stdout)
    assert report["records"] == 2
    assert [(p["record"], p["field"], p["code"]) for p in report["problems"]] == [(1, "full_name", "name_digits")]

    as_text = _run(server, "people", "validate", str(path), "--language", "vi")
    assert as_text.exit_code == 1
    assert (
        "Bản ghi 1 (dòng 4 của trang tính) · full_name · sạch: Họ tên người không được chứa chữ số." in as_text.stdout
    )


def _zip_bomb(path: Path) -> None:
    """200 MB of zeros behind a workbook's file names, about 200 KB on disk."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"0" * (1024 * 1024)
            for _ in range(200):
                member.write(block)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"records": [', "Tệp không phải JSON hợp lệ cũng không phải sổ tính Excel (.xlsx)."),
        (b'[{"citizen_id": "001185001234"}]', 'JSON không theo định dạng trao đổi: cần có dạng {"records": [...]}.'),
        (b"[" * 100_000 + b"]" * 100_000, "Tệp không phải JSON hợp lệ"),
        (b"PK\x03\x04 not really a zip", "Không đọc được tệp dưới dạng sổ tính Excel (.xlsx)."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Không đọc được tệp Excel cũ (.xls)"),
        (b" " * (10 * 1024 * 1024 + 1), "Tệp lớn hơn 10 MB."),
        ("bomb", "Sổ tính khi giải nén lớn hơn 60 MB"),
        (None, "Không mở được tệp."),
    ],
    ids=[
        "malformed-json",
        "not-the-shape",
        "deep-nesting",
        "not-a-zip",
        "old-xls",
        "over-10-mb",
        "zip-bomb",
        "missing",
    ],
)
def test_unreadable_files_exit_2_with_a_clear_message(
    server: Flask, tmp_path: Path, content: bytes | str | None, expected: str
) -> None:
    path = tmp_path / "upload.xlsx"
    if content == "bomb":
        _zip_bomb(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    for shape in ("people", "units"):
        result = _run(server, shape, "validate", str(path), "--format", "json", "--language", "vi")
        assert result.exit_code == 2, result.output
        assert expected in result.stderr and "Traceback" not in result.output
        assert result.stdout == ""  # scripts reading the JSON get nothing rather than half a report


def test_units_validate_against_the_store_and_the_official_divisions(server: Flask, tmp_path: Path) -> None:
    records = [
        # a new division under Hoan Kiem: fine
        {"code": "W00070-P9", "name": "Phòng Văn hóa - Xã hội", "kind": "division", "parent_code": "W00070",
         "valid_from": "2026-01-01", "updated_at": "2026-10-01T00:00:00Z"},
        # Phuong Sai Gon (26740) is in Ho Chi Minh City, not under Hanoi
        {"code": "W26740", "official_code": "26740", "name": "Phường Sài Gòn", "kind": "ward", "parent_code": "HN",
         "valid_from": "2025-07-01"},
        # Hoan Kiem closed while its people are still active
        {"code": "W00070", "official_code": "00070", "name": "Phường Hoàn Kiếm", "kind": "ward", "parent_code": "HN",
         "valid_from": "2025-07-01", "valid_to": "2026-10-31"},
    ]  # fmt: skip
    path = _write_json(tmp_path / "units.json", records)
    result = _run(server, "units", "validate", path, "--format", "json", "--language", "en")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["records"] == 3
    found = [(p["record"], p["field"], p["code"], p["quality"]) for p in report["problems"]]
    assert (1, "parent_code", "parent_not_province", "unified") in found
    assert (2, "valid_to", "closed_with_people", "live") in found
    assert (2, "code", "duplicate_in_store", "clean") in found
    assert not [f for f in found if f[0] == 0]
    assert "Thành phố Hồ Chí Minh" in next(
        p["message"] for p in report["problems"] if p["code"] == "parent_not_province"
    )

    good = _write_json(tmp_path / "good.json", records[:1])
    assert _run(server, "units", "validate", good).exit_code == 0


def test_help_of_the_validate_commands(server: Flask) -> None:
    for group in ("people", "units"):
        result = _run(server, group, "validate", "--help")
        assert result.exit_code == 0 and "--format" in result.output


def test_people_validate_reads_the_import_template_and_reports_as_the_import_does(
    server: Flask, tmp_path: Path
) -> None:
    """The /admin/import template's shape (translated headers in row 1, field names hidden in row 2): the
    command line finds the same 5 bad rows the import page does, with the same codes."""
    from tests.support.people_files import people_file, ward_positions

    made = people_file(ward_positions(server.extensions["pulse"]["store"]))
    path = tmp_path / "nhan-su.xlsx"
    path.write_bytes(made.xlsx_bytes(["Họ và tên (đầy đủ)", "Số định danh cá nhân (12 chữ số)"]))
    result = _run(server, "people", "validate", str(path), "--format", "json", "--language", "vi")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["records"] == 50
    assert {p["record"]: (p["field"], p["code"]) for p in report["problems"]} == made.bad
    as_text = _run(server, "people", "validate", str(path), "--language", "vi")
    assert "Bản ghi 30 (dòng 33 của trang tính) · civil_servant_code · đủ: Pulse bắt buộc phải có" in as_text.stdout

    # A missing rank is worth reporting but does not keep the person out of an import.
    made.records[0].pop("rank_code")
    _write_json(tmp_path / "people.json", made.records[:1])
    as_text = _run(server, "people", "validate", str(tmp_path / "people.json"), "--language", "en")
    assert "rank_code" in as_text.stdout and "(does not stop an import)" in as_text.stdout

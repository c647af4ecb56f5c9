"""Profiles and org-unit files read into plain records: the interchange JSON, or an Excel sheet with
one column per field. Bounded: 10 MB on disk, 100 MB unpacked (a zip bomb stops here, before
openpyxl inflates anything), 50,000 records.

Reading never judges the values (the validators do); it only turns Excel cells into the JSON
shape: dates to YYYY-MM-DD, a citizen id Excel stored as a number back to its 12 digits,
"Nam"/"Nữ" to male/female, "x"/"có" to true.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from data_access.errors import PulseError
from domain.records import org_units, profiles
from domain.records.qualities import FieldSpec

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
MAX_RECORDS = 50_000
SHAPES: dict[str, tuple[FieldSpec, ...]] = {"profiles": profiles.FIELDS, "units": org_units.FIELDS}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy .xls container

# Sheet headers people write instead of the field names (Vietnamese templates; any case, any spacing).
HEADER_ALIASES = {
    "số định danh cá nhân": "citizen_id",
    "số cccd": "citizen_id",
    "cccd": "citizen_id",
    "mã số công chức": "civil_servant_code",
    "họ và tên": "full_name",
    "họ tên": "full_name",
    "ngày sinh": "date_of_birth",
    "giới tính": "gender",
    "mã đơn vị": "unit_code",
    "mã vị trí việc làm": "position_code",
    "mã vị trí": "position_code",
    "mã ngạch": "rank_code",
    "lãnh đạo": "is_leader",
    "ngày bắt đầu": "start_date",
    "thư điện tử": "email",
    "điện thoại": "phone",
    "đang công tác": "active",
    "cập nhật lúc": "updated_at",
    "mã": "code",
    "mã chính thức": "official_code",
    "tên": "name",
    "tên đơn vị": "name",
    "loại": "kind",
    "mã đơn vị cấp trên": "parent_code",
    "hiệu lực từ": "valid_from",
    "hiệu lực đến": "valid_to",
    "mã đơn vị kế thừa": "successor_codes",
}
_GENDERS = {"nam": "male", "nữ": "female", "nu": "female", "homme": "male", "femme": "female"}
_TRUE = {"x", "có", "co", "yes", "true", "oui", "1"}
_FALSE = {"không", "khong", "no", "false", "non", "0"}
_DATE_FIELDS = {"date_of_birth", "start_date", "valid_from", "valid_to"}


class RecordFileError(PulseError):
    """The file cannot be read as records; `code` names the message (domain.records.messages)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, **params)
        self.code = code


@dataclass(frozen=True)
class RecordFile:
    """The records of a file, and for a sheet the row number each came from (for the report)."""

    records: list[Any]
    rows: list[int] | None = None


def read_record_file(path: str | Path, *, shape: str) -> RecordFile:
    """Read a file from disk, refusing it before reading when it is over the size cap."""
    try:
        with open(path, "rb") as handle:
            content = handle.read(MAX_BYTES + 1)
    except OSError:
        raise RecordFileError("file_missing") from None
    return read_record_bytes(content, shape=shape)


def read_record_bytes(content: bytes, *, shape: str) -> RecordFile:
    """The records of an uploaded or read file: JSON, or the first sheet with known column headers."""
    if len(content) > MAX_BYTES:
        raise RecordFileError("file_too_large", limit=MAX_BYTES // (1024 * 1024))
    if content.startswith(b"PK\x03\x04"):
        return _read_workbook(content, SHAPES[shape])
    if content.startswith(_OLE):
        raise RecordFileError("file_old_excel")
    return _read_json(content)


def _read_json(content: bytes) -> RecordFile:
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RecordFileError("file_not_json") from None
    if not isinstance(document, dict) or not isinstance(document.get("records"), list):
        raise RecordFileError("file_no_records")
    records = document["records"]
    if len(records) > MAX_RECORDS:
        raise RecordFileError("file_too_many_records", limit=MAX_RECORDS)
    return RecordFile(records=records)


def _check_archive(content: bytes) -> None:
    """Refuse a workbook that would inflate past the cap. zipfile stops at each member's declared size,
    so the declared sizes bound what openpyxl can ever unpack."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise RecordFileError("file_not_workbook") from None
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise RecordFileError("file_unpacks_too_large", limit=MAX_UNPACKED // (1024 * 1024))


def _read_workbook(content: bytes, specs: tuple[FieldSpec, ...]) -> RecordFile:
    _check_archive(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, zlib.error, OSError, ValueError, KeyError, TypeError, EOFError):
        raise RecordFileError("file_not_workbook") from None
    try:
        return _read_sheets(book, specs)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, KeyError, TypeError, EOFError):
        raise RecordFileError("file_not_workbook") from None
    finally:
        book.close()


def _read_sheets(book: Any, specs: tuple[FieldSpec, ...]) -> RecordFile:
    by_name = {spec.name: spec for spec in specs}
    for sheet in book.worksheets:
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        found = {index: _field(cell, by_name) for index, cell in enumerate(header)}
        columns = {index: name for index, name in found.items() if name is not None}
        if len(columns) < 2:
            continue  # a guide or a lookup sheet
        records: list[Any] = []
        rows: list[int] = []
        width = max(columns) + 1
        for number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
            record = {name: _cell(cells[index], by_name[name]) for index, name in columns.items() if index < len(cells)}
            record = {name: value for name, value in record.items() if value is not None}
            if not record:
                continue
            if len(records) >= MAX_RECORDS:
                raise RecordFileError("file_too_many_records", limit=MAX_RECORDS)
            records.append(record)
            rows.append(number)
        return RecordFile(records=records, rows=rows)
    example = ", ".join(spec.name for spec in specs if spec.required)
    raise RecordFileError("file_no_columns", example=example)


def _field(header: object, by_name: dict[str, FieldSpec]) -> str | None:
    if not isinstance(header, str):
        return None
    text = " ".join(header.strip().casefold().split())
    key = text.replace(" ", "_").replace("-", "_")
    if key in by_name:
        return key
    alias = HEADER_ALIASES.get(text)
    return alias if alias in by_name else None


def _cell(value: object, spec: FieldSpec) -> Any:
    """A cell as the JSON shape would hold it; values that cannot be converted stay as they are, for the validator."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        return True if text in _TRUE else False if text in _FALSE else str(value)
    if spec.kind == "text_list":
        return [part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()]
    if isinstance(value, datetime):
        return value.date().isoformat() if spec.name in _DATE_FIELDS else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        if float(value).is_integer():
            text = str(int(value))
            # Every province code starts with 0, so a citizen id stored as a number lost exactly its
            # leading zeros: padding back to 12 digits restores it.
            if spec.name == "citizen_id" and len(text) < 12:
                return text.zfill(12)
            # Likewise a mobile number typed as a number lost its leading 0.
            return "0" + text if spec.name == "phone" and len(text) == 9 else text
        return str(value)
    text = str(value)
    if spec.name == "gender":
        return _GENDERS.get(text.strip().casefold(), text)
    if spec.name in _DATE_FIELDS:
        return _day_month_year(text)
    return text


def _day_month_year(text: str) -> str:
    """20/11/2026 as 2026-11-20 (how dates are typed in Vietnam); any other text unchanged."""
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            continue
    return text

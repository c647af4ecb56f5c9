"""Profiles and org-unit files read into plain records: the interchange JSON, or an Excel sheet with
one column per field (named in the first or second row). Bounded: 10 MB on disk, 50,000 records, and
an .xlsx goes through the bounded reader (data_access/xlsx_reader.py), which refuses a zip bomb or a
sheet of millions of empty rows before it costs memory or time.

Reading never judges the values (the validators do); it only turns Excel cells into the JSON
shape: dates to YYYY-MM-DD, a citizen id Excel stored as a number back to its 12 digits,
"Nam"/"Nữ" to male/female, "x"/"có" to true.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from data_access import xlsx_reader
from data_access.errors import Invalid, PulseError
from domain.records import org_units, profiles
from domain.records.qualities import FieldSpec

MAX_BYTES = 10 * 1024 * 1024
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
    "e-mail": "email",
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


# The bounded reader's limits for a records file: 10 MB on the wire, 64 columns (the widest shape has 14
# fields), rows as many as records allowed plus a few header and blank rows.
READER_LIMITS = xlsx_reader.Limits(max_bytes=MAX_BYTES, max_rows=MAX_RECORDS + 1_000)
SHEETS_TRIED = 3  # a guide or a lookup sheet may come first; the records are on one of the first three
HEADER_ROWS = 2  # the header is the first or second row (Pulse's templates hide the field names in row 2)
# The reader's refusals as the records' message codes (domain.records.messages).
_READER_CODES = {
    "file_too_large": ("file_too_large", "mb"),
    "file_unpacks_too_large": ("file_unpacks_too_large", "mb"),
    "too_many_rows": ("file_too_many_records", "limit"),
    "too_many_columns": ("file_too_many_columns", "n"),
}


def _read_workbook(content: bytes, specs: tuple[FieldSpec, ...]) -> RecordFile:
    """The first of the first sheets whose first or second row names at least two fields.

    Through the bounded reader (data_access/xlsx_reader.py): a zip bomb, a sheet of millions of empty
    rows or thousands of columns, a DTD is refused before it costs memory or time."""
    by_name = {spec.name: spec for spec in specs}
    for index in range(SHEETS_TRIED):
        try:
            found = _read_sheet(content, index, by_name)
        except Invalid as refusal:
            code = next(iter(refusal.problems.values()), "")
            if code == "no_such_sheet":
                break
            mapped, param = _READER_CODES.get(code, ("file_not_workbook", ""))
            limit = refusal.params.get(param)
            if mapped == "file_too_many_records":
                limit = MAX_RECORDS
            raise RecordFileError(mapped, **({"limit": limit} if limit is not None else {})) from None
        if found is not None:
            return found
    example = ", ".join(spec.name for spec in specs if spec.required)
    raise RecordFileError("file_no_columns", example=example)


def _read_sheet(content: bytes, index: int, by_name: dict[str, FieldSpec]) -> RecordFile | None:
    columns: dict[int, str] = {}
    header_row = 0
    records: list[Any] = []
    rows: list[int] = []
    for number, cells in xlsx_reader.read_sheet(content, index=index, columns=READER_LIMITS.max_columns,
                                                limits=READER_LIMITS):  # fmt: skip
        if number <= HEADER_ROWS:
            found = {i: name for i, name in ((i, _field(cell, by_name)) for i, cell in enumerate(cells)) if name}
            if len(found) >= 2 and len(found) >= len(columns):
                columns, header_row = found, number
                records, rows = [], []
                continue
        if not columns:
            if number > HEADER_ROWS:
                return None  # a guide or a lookup sheet
            continue
        if number <= header_row:
            continue
        record = {name: _cell(cells[i], by_name[name]) for i, name in columns.items() if i < len(cells)}
        record = {name: value for name, value in record.items() if value is not None}
        if not record:
            continue
        if len(records) >= MAX_RECORDS:
            raise RecordFileError("file_too_many_records", limit=MAX_RECORDS)
        records.append(record)
        rows.append(number)
    return RecordFile(records=records, rows=rows) if columns else None


def _field(header: object, by_name: dict[str, FieldSpec]) -> str | None:
    if not isinstance(header, str):
        return None
    text = " ".join(header.strip().casefold().split())
    # "Date of birth (YYYY-MM-DD)", "Ngày sinh (YYYY-MM-DD)": a hint in brackets is not part of the name.
    text = re.sub(r"\s*\([^)]*\)$", "", text)
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

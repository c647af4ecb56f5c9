"""A bounded reader for the first sheet of an uploaded .xlsx: the work is capped before and while parsing.

openpyxl loads the whole shared-strings part into memory and walks every cell of every row, so a
1 MB upload holding one 1 GiB string took a worker to 2.4 GB, and 200 rows x 16,000 columns cost
127 s. This reader instead:

- checks the zip's central directory first: the compressed size, every member's declared
  uncompressed size, the total and the compression ratio (a bomb is refused before one byte is
  inflated; zipfile never inflates more than the declared size);
- streams each XML part through expat in small chunks, refusing any DOCTYPE (so no entity, no
  XXE, no billion laughs), and counts as it goes: rows walked (empty or not), cells walked, the
  sheet's declared dimension, shared strings and the characters kept of each;
- keeps only the first ``columns`` columns and at most ``max_text`` characters of any cell.

Every refusal is an `Invalid` with a problem code the page translates.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from data_access.errors import Invalid

MIB = 1024 * 1024
CHUNK = 64 * 1024
REL_SHARED_STRINGS = "/sharedStrings"
REL_STYLES = "/styles"
REL_WORKSHEET = "/worksheet"
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{0,7})")
_INTEGER = re.compile(r"-?[0-9]{1,15}")
EXCEL_MAX_ROW, EXCEL_MAX_COLUMN = 1_048_576, 16_384


@dataclass(frozen=True)
class Limits:
    """How much work one upload may cost. The defaults hold a filled template of 20,000 rows with room to spare
    (a real one unpacks to about 6 MB, at a ratio near 10:1)."""

    max_bytes: int = 10 * MIB  # the upload itself
    max_unpacked: int = 60 * MIB  # all members together, as declared
    max_member: int = 40 * MIB  # any one member
    max_shared_strings: int = 16 * MIB  # the shared-strings part
    max_ratio: int = 200  # uncompressed / compressed, for members above `ratio_floor`
    ratio_floor: int = 1 * MIB
    max_members: int = 1_000
    max_rows: int = 40_000  # rows walked, with or without values
    max_columns: int = 64  # the highest column a cell may sit in
    max_cells: int = 480_000  # cells walked in the sheet
    max_strings: int = 400_000  # shared strings kept
    max_text: int = 1_000  # characters kept of any one cell


DEFAULT_LIMITS = Limits()


def unreadable() -> Invalid:
    return Invalid({"file": "unreadable_file"})


def _unpacks_too_large(limits: Limits) -> Invalid:
    return Invalid({"file": "file_unpacks_too_large"}, mb=limits.max_unpacked // MIB)


def _local(name: str) -> str:
    """The local part of an expat name ("namespace local" with namespace processing on)."""
    return name.rpartition(" ")[2]


def _attribute(attributes: dict[str, str], local: str) -> str | None:
    for key, value in attributes.items():
        if _local(key) == local:
            return value
    return None


class _Parts:
    """The zip archive, checked against the limits before anything is inflated."""

    def __init__(self, content: bytes, limits: Limits) -> None:
        if len(content) > limits.max_bytes:
            raise Invalid({"file": "file_too_large"}, mb=limits.max_bytes // MIB)
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(content))
            members = self.archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, NotImplementedError, OSError, EOFError):
            raise unreadable() from None
        if len(members) > limits.max_members:
            raise unreadable()
        total = 0
        self.sizes: dict[str, int] = {}
        for member in members:
            if member.flag_bits & 0x1 or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise unreadable()  # encrypted, or a compression Excel never writes
            size = member.file_size
            total += size
            if size > limits.max_member or total > limits.max_unpacked:
                raise _unpacks_too_large(limits)
            if size > limits.ratio_floor and size > limits.max_ratio * max(member.compress_size, 1):
                raise _unpacks_too_large(limits)
            self.sizes[member.filename] = size
        if "xl/vbaProject.bin" in self.sizes:
            raise unreadable()  # a macro-enabled workbook is not the template
        self.limits = limits

    def parse(
        self,
        name: str,
        start: Callable[..., None],
        end: Callable[[str], None] | None = None,
        text: Callable[[str], None] | None = None,
        *,
        max_size: int | None = None,
    ) -> Iterator[None]:
        """Stream one member through expat; yields after each chunk so a caller can hand out what it found."""
        if name not in self.sizes:
            raise unreadable()
        if max_size is not None and self.sizes[name] > max_size:
            raise _unpacks_too_large(self.limits)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

        def no_doctype(*_args: object) -> None:
            raise unreadable()  # no DTD in a spreadsheet part: no entities, no XXE, no billion laughs

        parser.StartDoctypeDeclHandler = no_doctype
        parser.EntityDeclHandler = no_doctype
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if text is not None:
            parser.CharacterDataHandler = text
        parser.buffer_text = True
        try:
            with self.archive.open(name) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    yield
            parser.Parse(b"", True)
        except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError, RecursionError):
            raise unreadable() from None
        yield

    def run(
        self,
        name: str,
        start: Callable[..., None],
        end: Callable[[str], None] | None = None,
        text: Callable[[str], None] | None = None,
        *,
        max_size: int | None = None,
    ) -> None:
        for _ in self.parse(name, start, end, text, max_size=max_size):
            pass


def _relationships(parts: _Parts, owner: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, member name) of a part's relationships."""
    folder, base = posixpath.split(owner)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if rels_name not in parts.sizes:
        return found

    def start(name: str, attributes: dict[str, str]) -> None:
        if _local(name) == "Relationship" and len(found) < 1_000:
            target = attributes.get("Target", "")
            member = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            )
            found[attributes.get("Id", "")] = (attributes.get("Type", ""), member)

    parts.run(rels_name, start, max_size=MIB)
    return found


@dataclass
class _Book:
    sheet: str
    shared_strings: str | None
    styles: str | None
    epoch: datetime


def _book(parts: _Parts, index: int = 0) -> _Book:
    listed: list[str] = []
    epoch = [CALENDAR_WINDOWS_1900]

    def start(name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local == "sheet" and len(listed) <= index:
            listed.append(_attribute(attributes, "id") or "")
        elif local == "workbookPr" and attributes.get("date1904") in ("1", "true"):
            epoch[0] = CALENDAR_MAC_1904

    parts.run("xl/workbook.xml", start, max_size=4 * MIB)
    relations = _relationships(parts, "xl/workbook.xml")
    if index > 0 and len(listed) <= index:
        raise Invalid({"file": "no_such_sheet"})
    if len(listed) <= index or listed[index] not in relations:
        raise unreadable()
    kind, sheet = relations[listed[index]]
    if not kind.endswith(REL_WORKSHEET):
        raise unreadable()  # the first sheet is a chart sheet or something else
    by_kind = {k.rpartition("/")[2]: m for k, m in relations.values()}
    shared = by_kind.get("sharedStrings")
    styles = by_kind.get("styles")
    return _Book(
        sheet,
        shared if shared in parts.sizes else None,
        styles if styles in parts.sizes else None,
        epoch[0],
    )


def _date_styles(parts: _Parts, name: str | None) -> frozenset[int]:
    """Indexes of the cell styles that show a date (their numbers are read as dates)."""
    if name is None:
        return frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    where: list[str] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = _local(tag)
        if local == "numFmt":
            with contextlib.suppress(ValueError):
                custom[int(attributes.get("numFmtId", ""))] = attributes.get("formatCode", "")[:200]
        elif local == "cellXfs":
            where.append("xfs")
        elif local == "xf" and where and len(formats) < 65_000:
            try:
                formats.append(int(attributes.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            where.clear()

    parts.run(name, start, end, max_size=8 * MIB)
    dated = set()
    for index, fmt in enumerate(formats):
        code = custom.get(fmt, BUILTIN_FORMATS.get(fmt))
        if code is not None and is_date_format(code):
            dated.add(index)
    return frozenset(dated)


def _shared_strings(parts: _Parts, name: str | None, limits: Limits) -> list[str]:
    """The shared strings, each cut to `max_text` characters; phonetic runs are left out."""
    if name is None:
        return []
    strings: list[str] = []
    current: list[str] = []
    kept = [0]
    depth = {"t": 0, "rPh": 0}

    def start(tag: str, _attributes: dict[str, str]) -> None:
        local = _local(tag)
        if local == "si":
            current.clear()
            kept[0] = 0
        elif local in depth:
            depth[local] += 1

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "si":
            if len(strings) >= limits.max_strings:
                raise _unpacks_too_large(limits)
            strings.append("".join(current))
        elif local in depth:
            depth[local] -= 1

    def text(data: str) -> None:
        if depth["t"] and not depth["rPh"] and kept[0] < limits.max_text:
            piece = data[: limits.max_text - kept[0]]
            current.append(piece)
            kept[0] += len(piece)

    parts.run(name, start, end, text, max_size=limits.max_shared_strings)
    return strings


class _SheetWalker:
    """Expat handlers for a worksheet: collects finished rows, counts everything walked."""

    def __init__(
        self, columns: int, strings: list[str], dated: frozenset[int], epoch: datetime, limits: Limits
    ) -> None:
        self.columns, self.strings, self.dated, self.epoch, self.limits = columns, strings, dated, epoch, limits
        self.done: list[tuple[int, tuple[Any, ...]]] = []
        self.rows = self.cells = 0
        self.row_number = 0
        self.values: list[Any] | None = None  # made at the row's first kept value: most rows walked are empty
        self.names: dict[str, str] = {}  # expat name -> local name, for the few names a sheet uses
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.text: list[str] | None = None
        self.kept = 0
        self.in_phonetic = 0
        self.in_cell = False

    def _name(self, tag: str) -> str:
        local = self.names.get(tag)
        if local is None:
            local = _local(tag)
            if len(self.names) < 256:
                self.names[tag] = local
        return local

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        local = self._name(tag)
        if local == "c":
            self._start_cell(attributes)
        elif local == "row":
            self._start_row(attributes)
        elif self.in_cell and local in ("v", "t") and not self.in_phonetic:
            if self.text is None:
                self.text = []
        elif local == "rPh":
            self.in_phonetic += 1
        elif local == "dimension":
            self._check_dimension(attributes.get("ref", ""))

    def end(self, tag: str) -> None:
        local = self._name(tag)
        if local == "c":
            self._end_cell()
        elif local == "row":
            if self.values is not None:
                self.done.append((self.row_number, tuple(self.values)))
                self.values = None
        elif local == "rPh":
            self.in_phonetic -= 1

    def data(self, text: str) -> None:
        if self.text is not None and not self.in_phonetic and self.kept <= self.limits.max_text:
            piece = text[: self.limits.max_text + 1 - self.kept]
            self.text.append(piece)
            self.kept += len(piece)

    def _check_dimension(self, ref: str) -> None:
        last = ref.partition(":")[2] or ref
        match = _CELL_REF.fullmatch(last.replace("$", ""))
        if match is None:
            return  # a malformed dimension is only a hint: the walk itself is counted
        if _column_index(match.group(1)) > self.limits.max_columns:
            raise Invalid({"file": "too_many_columns"}, n=self.limits.max_columns)
        if match.group(2) and int(match.group(2)) > self.limits.max_rows:
            raise Invalid({"file": "too_many_rows"}, limit=self.limits.max_rows // 2)

    def _start_row(self, attributes: dict[str, str]) -> None:
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise Invalid({"file": "too_many_rows"}, limit=self.limits.max_rows // 2)
        raw = attributes.get("r")
        number = int(raw) if raw is not None and raw.isascii() and raw.isdigit() else self.row_number + 1
        if not 0 < number <= EXCEL_MAX_ROW:
            raise unreadable()
        self.row_number = number
        self.values = None
        self.column = 0

    def _start_cell(self, attributes: dict[str, str]) -> None:
        self.cells += 1
        if self.cells > self.limits.max_cells:
            raise Invalid({"file": "too_many_columns"}, n=self.limits.max_columns)
        ref = attributes.get("r")
        match = _CELL_REF.fullmatch(ref) if ref else None
        self.column = _column_index(match.group(1)) if match else self.column + 1
        if not 0 < self.column <= EXCEL_MAX_COLUMN:
            raise unreadable()
        if self.column > self.limits.max_columns:
            raise Invalid({"file": "too_many_columns"}, n=self.limits.max_columns)
        self.kind = attributes.get("t", "n")
        style = attributes.get("s", "0")
        self.style = int(style) if style.isascii() and style.isdigit() and len(style) < 7 else 0
        self.text = None
        self.kept = 0
        self.in_cell = True

    def _end_cell(self) -> None:
        self.in_cell = False
        if self.column > self.columns or self.text is None or self.row_number == 0:
            return
        value = self._value("".join(self.text))
        if value is None:
            return
        if self.values is None:
            self.values = [None] * self.columns
        self.values[self.column - 1] = value

    def _value(self, raw: str) -> Any:
        kind = self.kind
        if kind == "s":
            index = int(raw) if raw.strip().isascii() and raw.strip().isdigit() else -1
            if not 0 <= index < len(self.strings):
                raise unreadable()
            return self.strings[index]
        if kind in ("inlineStr", "str", "e"):
            return raw[: self.limits.max_text]
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw[:40]
        text = raw.strip()
        if not text:
            return None
        if _INTEGER.fullmatch(text):
            number: int | float = int(text)
        else:
            try:
                number = float(text)
            except ValueError:
                return text[:40]
        if self.style in self.dated:
            try:
                return from_excel(number, self.epoch)
            except (OverflowError, ValueError, TypeError):
                return number  # the row check reports a date it cannot read
        return number


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


def read_first_sheet(
    content: bytes, *, columns: int, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, the first `columns` values) of each row of the first sheet that holds a value.

    Values are str, int, float, bool or datetime; a missing cell is None. Raises `Invalid` with
    "file_too_large", "file_unpacks_too_large", "too_many_rows", "too_many_columns" or
    "unreadable_file".
    """
    return read_sheet(content, index=0, columns=columns, limits=limits)


def read_sheet(
    content: bytes, *, index: int, columns: int, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """As `read_first_sheet`, for the sheet at `index` (0 the first); "no_such_sheet" past the last one."""
    parts = _Parts(content, limits)
    book = _book(parts, index)
    strings = _shared_strings(parts, book.shared_strings, limits)
    walker = _SheetWalker(columns, strings, _date_styles(parts, book.styles), book.epoch, limits)
    for _ in parts.parse(book.sheet, walker.start, walker.end, walker.data, max_size=limits.max_member):
        yield from walker.done
        walker.done.clear()

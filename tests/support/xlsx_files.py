"""Spreadsheets for import tests: a hand-built minimal .xlsx, and the hostile ones the security review
used (a shared string that unpacks to 1 GiB, 3,000,000 empty rows, 16,008 columns, XXE, billion
laughs), each small on the wire."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<sheets><sheet name="Values" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Id</t></is></c>'
    '<c r="G1" t="inlineStr"><is><t>Date</t></is></c><c r="H1" t="inlineStr"><is><t>Value</t></is></c></row>'
)


def _sheet_head(dimension: str = "A1:I3") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>'.encode()


SHEET_TAIL = b"</sheetData></worksheet>"


def build(
    sheet_parts: Iterable[bytes],
    *,
    shared_strings: Iterable[bytes] = (b'<sst xmlns="' + MAIN.encode() + b'"/>',),
    workbook: str = WORKBOOK,
) -> bytes:
    """An .xlsx whose sheet and shared-strings parts are streamed from the given pieces (deflated at level 9)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            for piece in sheet_parts:
                stream.write(piece)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
            for piece in shared_strings:
                stream.write(piece)
    return out.getvalue()


def one_row(indicator_id: object, when: str, value: object) -> bytes:
    """A file with the header and one row (id, date as text, value), cells written inline."""
    row = (
        f'<row r="2"><c r="A2"><v>{indicator_id}</v></c>'
        f'<c r="G2" t="inlineStr"><is><t>{when}</t></is></c><c r="H2"><v>{value}</v></c></row>'
    )
    return build([_sheet_head(), HEADER_ROW.encode(), row.encode(), SHEET_TAIL])


def shared_string_bomb(mib: int) -> bytes:
    """One shared string of `mib` MiB of "A" (1,024 MiB fits in about 1 MB): the review's F1 reproducer."""
    block = b"A" * (16 * 1024 * 1024)
    sixteenths, rest = divmod(mib, 16)

    def strings() -> Iterable[bytes]:
        yield f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        for _ in range(sixteenths):
            yield block
        yield b"A" * (rest * 1024 * 1024)
        yield b"</t></si></sst>"

    sheet = [_sheet_head(), HEADER_ROW.encode(), b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>', SHEET_TAIL]
    return build(sheet, shared_strings=strings())


def empty_rows(count: int, *, dimension: str = "A1:I1") -> bytes:
    """`count` empty rows after the header (the review's 3,000,000-row CPU bomb)."""

    def rows() -> Iterable[bytes]:
        yield _sheet_head(dimension)
        yield HEADER_ROW.encode()
        batch = 10_000
        for start in range(2, count + 2, batch):
            yield b"".join(b'<row r="%d"/>' % n for n in range(start, min(start + batch, count + 2)))
        yield SHEET_TAIL

    return build(rows())


def wide_rows(rows: int, columns: int, *, dimension: str = "A1:I1") -> bytes:
    """`rows` rows of `columns` numeric cells (the review's 200 x 16,008 CPU bomb)."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(n) for n in range(1, columns + 1)]

    def parts() -> Iterable[bytes]:
        yield _sheet_head(dimension)
        for row in range(1, rows + 1):
            yield (f'<row r="{row}">' + "".join(f'<c r="{c}{row}"><v>1</v></c>' for c in letters) + "</row>").encode()
        yield SHEET_TAIL

    return build(parts())


def with_doctype(doctype: str) -> bytes:
    """A workbook part that declares a DTD (XXE, billion laughs): parsers must refuse it, not expand it."""
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + doctype
        + WORKBOOK.split("?>", 1)[1].replace('name="Values"', 'name="&x;"')
    )
    return build([_sheet_head(), HEADER_ROW.encode(), SHEET_TAIL], workbook=workbook)


XXE = '<!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
BILLION_LAUGHS = (
    '<!DOCTYPE workbook [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">'
    '<!ENTITY x "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>'
)


def table(rows: Iterable[Iterable[object]]) -> bytes:
    """A one-sheet workbook of the given rows (row 1 first); text as inline strings, numbers as numbers,
    None as an empty cell. What a person's spreadsheet program writes, minus the styling."""
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    def cell(ref: str, value: object) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'

    def parts() -> Iterable[bytes]:
        yield _sheet_head("A1:Z1")
        for number, row in enumerate(rows, start=1):
            cells = "".join(
                cell(f"{get_column_letter(column)}{number}", value)
                for column, value in enumerate(row, start=1)
                if value is not None
            )
            yield f'<row r="{number}">{cells}</row>'.encode()
        yield SHEET_TAIL

    return build(parts())

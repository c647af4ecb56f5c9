"""Rules for evidence files (a photo or a scan taken on a phone): which kinds are accepted, how large,
and what a file is, judged from its first bytes and never from its name or the type the browser claims.

A phone's camera gives JPEG, PNG or HEIC (iPhones); a scanned paper is a PDF. Anything else (an
executable renamed .jpg, an HTML page, a zip) is refused before a byte of it is stored.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a phone photo is 2 to 5 MB, a scanned page under 1 MB
MAX_FILES = 5  # per check-in, value or task
NAME_MAX = 120
THUMB_SIZE = 320  # pixels on the longer side: sharp in a 160 px box on a 2x phone screen
# base64 grows by 4/3; the header of a data URL adds a few dozen characters
MAX_ENCODED = (MAX_BYTES + 2) // 3 * 4 + 200


class EvidenceKind(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    HEIC = "heic"
    PDF = "pdf"


MIME_TYPES = {
    EvidenceKind.JPEG: "image/jpeg",
    EvidenceKind.PNG: "image/png",
    EvidenceKind.PDF: "application/pdf",
}
# The ISO base media "ftyp" brands of HEIF still images as phones write them.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


def sniff(head: bytes) -> EvidenceKind | None:
    """The kind of a file from its first bytes (at least 12), or None when it is none we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return EvidenceKind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return EvidenceKind.PNG
    if head.startswith(b"%PDF-"):
        return EvidenceKind.PDF
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return EvidenceKind.HEIC
    return None


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it: its name and its bytes."""

    filename: str
    content: bytes


class EvidenceProblem(ValueError):
    """A file that cannot be evidence; `code` says why (a problem code the pages translate)."""

    def __init__(self, code: str, filename: str = "") -> None:
        super().__init__(f"{code}: {filename}")
        self.code = code
        self.filename = filename


def decode_data_url(contents: str, filename: str) -> Upload:
    """The bytes of a browser upload ("data:<type>;base64,<data>"), refusing an oversize one before decoding
    it (the length of the text bounds the size of the file, so 10 MB is never exceeded in memory twice)."""
    if not isinstance(contents, str) or "," not in contents[:300]:
        raise EvidenceProblem("unreadable_evidence", filename)
    if len(contents) > MAX_ENCODED:
        raise EvidenceProblem("evidence_too_large", filename)
    header, data = contents.split(",", 1)
    if not header.endswith(";base64"):
        raise EvidenceProblem("unreadable_evidence", filename)
    try:
        content = base64.b64decode(data, validate=True)
    except ValueError:
        raise EvidenceProblem("unreadable_evidence", filename) from None
    return check_upload(Upload(clean_filename(filename), content))


def check_upload(upload: Upload) -> Upload:
    """The upload itself when its size and its content's kind are acceptable; EvidenceProblem otherwise."""
    if not upload.content:
        raise EvidenceProblem("empty_evidence", upload.filename)
    if len(upload.content) > MAX_BYTES:
        raise EvidenceProblem("evidence_too_large", upload.filename)
    if sniff(upload.content[:32]) is None:
        raise EvidenceProblem("evidence_type", upload.filename)
    return upload


def clean_filename(name: object) -> str:
    """A name safe to show and to put in a header: printable, no path, at most NAME_MAX characters."""
    text = unicodedata.normalize("NFC", name if isinstance(name, str) else "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(c for c in text if c.isprintable() and c not in '"<>')
    return text.strip()[:NAME_MAX] or "file"


def stored_name(filename: str, kind: EvidenceKind) -> str:
    """The name a converted file keeps: a HEIC photo becomes a JPEG, so its extension says so."""
    if kind is EvidenceKind.HEIC:
        stem = filename.rsplit(".", 1)[0] if "." in filename else filename
        return f"{stem}.jpg"
    return filename


def ascii_filename(filename: str) -> str:
    """The name for a Content-Disposition header's plain parameter (the UTF-8 one carries the real name)."""
    bare = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in bare if c.isascii() and (c.isalnum() or c in "._- "))
    return text.strip() or "evidence"

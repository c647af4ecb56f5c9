"""An accepted upload made ready to store: its kind proved by opening it (Pillow for photos, pypdf for PDF),
a HEIC photo converted to JPEG (browsers do not show HEIC), and a small JPEG thumbnail of a photo.

Nothing is written here: `prepare` only reads and converts, so a bad file leaves no trace anywhere.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from domain.evidence import MIME_TYPES, THUMB_SIZE, EvidenceKind, EvidenceProblem, Upload, sniff, stored_name

# A 48-megapixel phone photo is within; a "decompression bomb" (a tiny file that unpacks to gigabytes) is not.
MAX_PIXELS = 64_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

try:  # HEIC support comes from pillow-heif (a wheel with libheif inside)
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - the requirement is pinned; this keeps JPEG, PNG and PDF working
    HEIC_SUPPORTED = False


@dataclass(frozen=True)
class Prepared:
    """What is stored for one accepted file."""

    filename: str
    mime: str
    kind: EvidenceKind
    content: bytes
    thumbnail: bytes | None  # a JPEG for photos; None for a PDF (the page shows a document badge)


def prepare(upload: Upload) -> Prepared:
    """The file to keep and its thumbnail; EvidenceProblem when the content is not what its first bytes claim."""
    kind = sniff(upload.content[:32])
    if kind is None:
        raise EvidenceProblem("evidence_type", upload.filename)
    if kind is EvidenceKind.PDF:
        _check_pdf(upload)
        return Prepared(upload.filename, MIME_TYPES[kind], kind, upload.content, None)
    if kind is EvidenceKind.HEIC and not HEIC_SUPPORTED:
        raise EvidenceProblem("evidence_type", upload.filename)
    image = _open_image(upload)
    content = upload.content
    if kind is EvidenceKind.HEIC:
        converted = io.BytesIO()
        ImageOps.exif_transpose(image).convert("RGB").save(converted, format="JPEG", quality=88)
        content = converted.getvalue()
    mime = MIME_TYPES[EvidenceKind.PNG if kind is EvidenceKind.PNG else EvidenceKind.JPEG]
    return Prepared(stored_name(upload.filename, kind), mime, kind, content, _thumbnail(image))


def _open_image(upload: Upload) -> Image.Image:
    """The decoded image: Pillow must read every pixel, so a truncated or forged file is refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload.content))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise EvidenceProblem("evidence_too_large", upload.filename)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EvidenceProblem("evidence_too_large", upload.filename) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise EvidenceProblem("unreadable_evidence", upload.filename) from None
    return image


def _thumbnail(image: Image.Image) -> bytes:
    small = ImageOps.exif_transpose(image).convert("RGB")  # the phone's rotation applied, so it stands upright
    small.thumbnail((THUMB_SIZE, THUMB_SIZE))
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _check_pdf(upload: Upload) -> None:
    """A PDF must open and have a page (a file that only starts with %PDF- is refused)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(io.BytesIO(upload.content), strict=False).pages)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise EvidenceProblem("unreadable_evidence", upload.filename) from None
    if pages < 1:
        raise EvidenceProblem("unreadable_evidence", upload.filename)

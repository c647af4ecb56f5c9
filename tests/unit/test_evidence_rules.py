"""Evidence rules: a file's kind comes from its bytes, not its name; sizes are bounded before decoding;
names are made safe to show."""

from __future__ import annotations

import base64

import pytest

from data_access.evidence_files import prepare
from domain.evidence import (
    MAX_BYTES,
    EvidenceKind,
    EvidenceProblem,
    Upload,
    ascii_filename,
    clean_filename,
    decode_data_url,
    sniff,
)
from tests.support.evidence_files import EXECUTABLE, HTML_PAGE, data_url, image_bytes, pdf_bytes


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (image_bytes("JPEG"), EvidenceKind.JPEG),
        (image_bytes("PNG"), EvidenceKind.PNG),
        (image_bytes("HEIF"), EvidenceKind.HEIC),
        (pdf_bytes(), EvidenceKind.PDF),
        (EXECUTABLE, None),
        (HTML_PAGE, None),
        (b"", None),
    ],
)
def test_the_kind_comes_from_the_first_bytes(content: bytes, kind: EvidenceKind | None) -> None:
    assert sniff(content[:32]) == kind


def test_a_program_named_like_a_photo_is_refused() -> None:
    with pytest.raises(EvidenceProblem) as problem:
        decode_data_url(data_url(EXECUTABLE, "image/jpeg"), "photo.jpg")
    assert problem.value.code == "evidence_type"


def test_an_oversize_upload_is_refused_from_its_length_before_decoding() -> None:
    # Not even valid base64: the length alone refuses it, so nothing 10 MB large is decoded.
    too_long = "data:image/jpeg;base64," + "A" * (MAX_BYTES // 3 * 4 + 4000)
    with pytest.raises(EvidenceProblem) as problem:
        decode_data_url(too_long, "big.jpg")
    assert problem.value.code == "evidence_too_large"


def test_a_file_just_over_ten_megabytes_is_refused() -> None:
    content = b"\xff\xd8\xff" + b"\x00" * MAX_BYTES
    with pytest.raises(EvidenceProblem) as problem:
        decode_data_url("data:image/jpeg;base64," + base64.b64encode(content).decode(), "big.jpg")
    assert problem.value.code == "evidence_too_large"


def test_a_truncated_photo_is_refused_when_opened() -> None:
    photo = image_bytes("JPEG", size=(800, 600))
    with pytest.raises(EvidenceProblem) as problem:
        prepare(Upload("cut.jpg", photo[: len(photo) // 3]))
    assert problem.value.code == "unreadable_evidence"


def test_a_fake_pdf_is_refused_when_opened() -> None:
    with pytest.raises(EvidenceProblem) as problem:
        prepare(Upload("scan.pdf", b"%PDF-1.7\nnot a pdf at all"))
    assert problem.value.code == "unreadable_evidence"


def test_a_heic_photo_becomes_a_jpeg_with_a_thumbnail() -> None:
    ready = prepare(Upload("IMG_0042.HEIC", image_bytes("HEIF", size=(1200, 900))))
    assert ready.mime == "image/jpeg"
    assert ready.filename == "IMG_0042.jpg"
    assert sniff(ready.content[:32]) == EvidenceKind.JPEG
    assert ready.thumbnail is not None and sniff(ready.thumbnail[:32]) == EvidenceKind.JPEG


def test_a_pdf_has_no_thumbnail_and_keeps_its_bytes() -> None:
    content = pdf_bytes()
    ready = prepare(Upload("biên bản.pdf", content))
    assert (ready.mime, ready.content, ready.thumbnail) == ("application/pdf", content, None)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("C:\\Users\\a\\ảnh hiện trường.jpg", "ảnh hiện trường.jpg"),
        ("../../etc/passwd", "passwd"),
        ('a"<b>.png', "ab.png"),
        ("", "file"),
        (None, "file"),
    ],
)
def test_names_are_made_safe_to_show(given: object, shown: str) -> None:
    assert clean_filename(given) == shown


def test_the_plain_header_name_is_ascii() -> None:
    assert ascii_filename("Biên bản đội.pdf") == "Bien ban doi.pdf"


def test_files_are_listed_as_thumbnails_and_document_badges() -> None:
    from components.evidence_views import attachment_list
    from data_access.queries.attachments import AttachmentView

    shown = attachment_list(
        [
            AttachmentView(7, "ảnh.jpg", "image/jpeg", 2_400_000, True),
            AttachmentView(8, "biên bản.pdf", "application/pdf", 51_200, False),
        ]
    )
    assert shown is not None
    photo, scan = shown.children
    assert photo.href == "/evidence/7" and photo.children[0].src == "/evidence/7/thumb"
    assert scan.href == "/evidence/8" and scan.children[0].children == "PDF"
    assert attachment_list([]) is None

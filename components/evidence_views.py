"""Builders for evidence files: the picker a phone opens its camera or gallery from, and the list of files
already given (a thumbnail for a photo, a document badge for a PDF), each a link that opens the file through
the access-checked /evidence route. Pure: data in, components out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from components.i18n import _, format_number
from domain.evidence import MAX_BYTES, MAX_FILES

ACCEPT = "image/jpeg,image/png,image/heic,image/heif,.heic,.heif,application/pdf"
# One callback request carries the chosen files as base64 text; the server takes requests up to 20 MB.
MAX_REQUEST_TEXT = 19 * 1024 * 1024


def picker_texts() -> dict[str, Any]:
    """What the browser-side check says, in the user's language, with the limits it applies."""
    return {
        "max_files": MAX_FILES,
        "max_bytes": MAX_BYTES,
        "max_total": MAX_REQUEST_TEXT,
        "chosen": _("Chosen: %(names)s", names="%s"),
        "too_many": _("Choose at most %(n)s files at once.", n=MAX_FILES),
        "too_large": _("Larger than %(n)s MB, not added: %(names)s", n=MAX_BYTES // (1024 * 1024), names="%s"),
        "too_much": _("These files together are too large for one report: send some of them in another report."),
    }


def evidence_picker(upload_id: Any, names_id: Any, texts_id: Any, *, class_name: str) -> html.Div:
    """A tap target that opens the phone's camera or gallery (photos and PDFs), and the names chosen."""
    return html.Div(
        [
            dcc.Upload(
                html.Div(
                    [
                        html.I(className="bi bi-camera me-2", **{"aria-hidden": "true"}),
                        _("Add a photo or PDF (up to %(n)s MB)", n=MAX_BYTES // (1024 * 1024)),
                    ]
                ),
                id=upload_id,
                accept=ACCEPT,
                multiple=True,
                className=f"evidence-upload pulse-tap {class_name}",
            ),
            html.Div(id=names_id, className="evidence-chosen small text-secondary mt-1", role="status"),
            dcc.Store(id=texts_id, data=picker_texts()),
        ],
        className="evidence-picker mb-2",
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{format_number(n / (1024 * 1024), 1)} MB"
    return f"{format_number(max(n / 1024, 0.1), 0 if n >= 10240 else 1)} KB"


def attachment_list(attachments: Sequence[Any], *, class_name: str = "") -> html.Div | None:
    """Thumbnails of photos and badges of PDFs, each opening the file in a new tab."""
    if not attachments:
        return None
    items = []
    for a in attachments:
        if a.has_thumbnail:
            face: Any = html.Img(src=f"/evidence/{a.id}/thumb", alt=a.filename, className="evidence-thumb")
        else:
            face = html.Span("PDF", className="evidence-doc")
        items.append(
            html.A(
                [
                    face,
                    html.Span(a.filename, className="evidence-name"),
                    html.Span(_size(a.size_bytes), className="evidence-size text-secondary"),
                ],
                href=f"/evidence/{a.id}",
                target="_blank",
                rel="noopener noreferrer",
                className="evidence-file",
                title=a.filename,
            )
        )
    return html.Div(items, className=f"evidence-files {class_name}".strip())

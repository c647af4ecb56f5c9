"""Small real files of each accepted kind, and a few that only pretend to be one, for evidence tests."""

from __future__ import annotations

import base64
import io

from PIL import Image


def image_bytes(fmt: str, size: tuple[int, int] = (640, 480), colour: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    """A photo in a Pillow format ("JPEG", "PNG", "HEIF")."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def pdf_bytes() -> bytes:
    """A one-page PDF."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def data_url(content: bytes, mime: str = "application/octet-stream") -> str:
    """What dcc.Upload sends for a file."""
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows program, named photo.jpg by the tests
HTML_PAGE = b"<html><script>alert(1)</script></html>"

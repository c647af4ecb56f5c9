"""Text rules shared by searches: Vietnamese names matched with or without accents."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, accents and đ removed, spaces collapsed: "Phường Hoàn Kiếm" -> "phuong hoan kiem"."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())

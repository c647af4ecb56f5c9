"""Append new messages to the vi, en and fr catalogs from a JSON file.

Usage: python scripts/add_translations.py FILE.json
FILE.json maps each English msgid to {"vi": ..., "en": ..., "fr": ...}. Entries already in a
catalog are left alone; new ones are appended at the end of each .po file (never re-sorted), so
two branches that add messages merge cleanly (.gitattributes marks the catalogs merge=union).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGS = Path(__file__).resolve().parent.parent / "config" / "translations"
LANGUAGES = ("vi", "en", "fr")


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def add(entries: dict[str, dict[str, str]]) -> dict[str, int]:
    """Append missing entries to each catalog; return how many were added per language."""
    added: dict[str, int] = {}
    for language in LANGUAGES:
        path = CATALOGS / language / "LC_MESSAGES" / "messages.po"
        with path.open(encoding="utf-8") as handle:
            present = {m.id for m in read_po(handle) if m.id and m.string}
        blocks = []
        for msgid, translations in entries.items():
            if msgid in present:
                continue
            text = translations.get(language) or (msgid if language == "en" else "")
            if not text:
                raise SystemExit(f"{language}: no translation for {msgid!r}")
            blocks.append(f"\nmsgid {_quote(msgid)}\nmsgstr {_quote(text)}\n")
        if blocks:
            with path.open("a", encoding="utf-8") as handle:
                handle.write("".join(blocks))
        added[language] = len(blocks)
    return added


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(add(json.loads(Path(name).read_text(encoding="utf-8"))))

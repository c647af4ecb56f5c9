"""Append new messages to the vi, en and fr catalogs from a JSON file.

Usage: python scripts/add_translations.py FILE.json
       python scripts/add_translations.py --dedupe   (after merging branches: keep each message's first entry)
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


def entries(text: str) -> list[list[str]]:
    """A .po file as its entries (the header first), each its lines: comments, msgctxt, msgid, msgstr and
    their continuation lines. Blank lines are not relied on: a union merge can drop the one between entries."""
    found: list[list[str]] = []
    current: list[str] = []
    in_msgstr = False
    for line in text.splitlines():
        if not line.strip():
            continue
        if in_msgstr and line.startswith(("#", "msgctxt ", "msgid ")):  # the previous entry is complete
            found.append(current)
            current, in_msgstr = [], False
        current.append(line)
        in_msgstr = in_msgstr or line.startswith("msgstr")
    if current:
        found.append(current)
    return found


def _key(entry: list[str]) -> str | None:
    """The msgctxt and msgid lines of an entry; None for the header (msgid "")."""
    key = [line for line in entry if not line.startswith("#")]
    key = key[: next((i for i, line in enumerate(key) if line.startswith("msgstr")), len(key))]
    return None if key[:1] == ['msgid ""'] and len(key) == 1 else "\n".join(key)


def dedupe() -> dict[str, list[str]]:
    """Drop every entry whose msgid an earlier entry already has (two branches that added the same
    message both appended it; the union merge keeps both). Returns, per language, the msgids whose
    duplicates said something different: same words, two meanings, to be given separate msgids."""
    conflicts: dict[str, list[str]] = {}
    for language in LANGUAGES:
        path = CATALOGS / language / "LC_MESSAGES" / "messages.po"
        seen: dict[str, list[str]] = {}
        kept: list[list[str]] = []
        for entry in entries(path.read_text(encoding="utf-8")):
            key = _key(entry)
            if key is None or key not in seen:
                if key is not None:
                    seen[key] = entry
                kept.append(entry)
            elif [x for x in seen[key] if not x.startswith("#")] != [x for x in entry if not x.startswith("#")]:
                conflicts.setdefault(language, []).append(key)
        path.write_text("\n\n".join("\n".join(entry) for entry in kept) + "\n", encoding="utf-8")
    return conflicts


if __name__ == "__main__":
    if sys.argv[1:] == ["--dedupe"]:
        print(dedupe() or "no conflicting duplicates")
    for name in sys.argv[1:]:
        if name != "--dedupe":
            print(add(json.loads(Path(name).read_text(encoding="utf-8"))))

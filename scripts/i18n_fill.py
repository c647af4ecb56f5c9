"""Fill catalog entries from a JSON file of translations, then list what is still untranslated.

    .venv/bin/python scripts/i18n_fill.py translations.json   # {"msgid": {"vi": "...", "fr": "..."}}
    .venv/bin/python scripts/i18n_fill.py --missing           # print the msgids still untranslated, as JSON
    .venv/bin/python scripts/i18n_fill.py --revive-obsolete   # keep translated entries the extraction marked obsolete

English entries take the msgid itself. Run scripts/i18n-extract.sh first so new strings are in the catalogs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGS = Path(__file__).resolve().parent.parent / "config" / "translations"
LANGUAGES = ("vi", "en", "fr")


def _path(language: str) -> Path:
    return CATALOGS / language / "LC_MESSAGES" / "messages.po"


def _load(language: str):  # type: ignore[no-untyped-def]
    with open(_path(language), encoding="utf-8") as handle:
        return read_po(handle, locale=language)


def _save(language: str, catalog) -> None:  # type: ignore[no-untyped-def]
    with open(_path(language), "wb") as handle:
        write_po(handle, catalog, width=120, omit_header=False)


def fill(translations: dict[str, dict[str, str]]) -> None:
    for language in LANGUAGES:
        catalog = _load(language)
        for message in catalog:
            if not message.id or isinstance(message.id, tuple):
                continue
            if language == "en" and not message.string:
                message.string = message.id
            elif message.id in translations and language in translations[message.id]:
                message.string = translations[message.id][language]
            message.flags.discard("fuzzy")
        _save(language, catalog)


def revive_obsolete() -> int:
    """Bring translated obsolete entries back (work in progress elsewhere in the tree may still use them)."""
    revived = 0
    for language in LANGUAGES:
        catalog = _load(language)
        for key, message in list(catalog.obsolete.items()):
            if message.string:
                catalog[message.id] = message
                del catalog.obsolete[key]
                revived += 1
        _save(language, catalog)
    return revived


def missing() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for language in LANGUAGES:
        for message in _load(language):
            if message.id and not isinstance(message.id, tuple) and not message.string:
                out.setdefault(message.id, []).append(language)
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["--revive-obsolete"]:
        print(f"{revive_obsolete()} entries revived")
    elif sys.argv[1:] == ["--missing"]:
        print(json.dumps(missing(), ensure_ascii=False, indent=1))
    else:
        fill(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
        print(f"{len(missing())} msgids still untranslated somewhere")

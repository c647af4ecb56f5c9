"""Every string the code shows has a translation in each catalog (vi, en, fr)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from config.settings import PROJECT_ROOT

CATALOGS = PROJECT_ROOT / "config" / "translations"
SKIP_DIRS = {".venv", "tests", "bench", "migrations", ".git", "node_modules", "data", "test-artifacts"}
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("server/templates/**.html", "jinja2")]


def _used_strings() -> set[str]:
    found: set[str] = set()

    def keep(dirname: str) -> bool:
        return (
            not (set(Path(dirname).relative_to(PROJECT_ROOT).parts) & SKIP_DIRS)
            if dirname != str(PROJECT_ROOT)
            else True
        )

    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map=METHODS, keywords=KEYWORDS, directory_filter=keep
    ):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.add(text)
    return found


@pytest.fixture(scope="module")
def used() -> set[str]:
    strings = _used_strings()
    assert "Sign in" in strings and "Wrong user name or password." in strings  # the extraction itself works
    return strings


@pytest.mark.parametrize("language", ["vi", "en", "fr"])
def test_catalog_translates_every_string_in_use(used: set[str], language: str) -> None:
    with open(CATALOGS / language / "LC_MESSAGES" / "messages.po", encoding="utf-8") as handle:
        catalog = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(used - translated)
    assert not missing, f"{language}: {len(missing)} untranslated, e.g. {missing[:10]}"


def test_vietnamese_is_really_vietnamese() -> None:
    with open(CATALOGS / "vi" / "LC_MESSAGES" / "messages.po", encoding="utf-8") as handle:
        catalog = read_po(handle)
    assert catalog.get("Sign in").string == "Đăng nhập"
    assert catalog.get("Wrong user name or password.").string.startswith("Sai")


def test_no_translation_hides_inside_an_f_string() -> None:
    """Babel's extractor does not look inside f-strings: a _("...") there would never reach the catalogs."""
    import re

    inside = re.compile(r"""f["'][^"'\n]*\{\s*_\(""")
    offenders = []
    for path in PROJECT_ROOT.rglob("*.py"):
        if set(path.relative_to(PROJECT_ROOT).parts) & SKIP_DIRS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if inside.search(line):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{number}")
    assert not offenders, offenders


@pytest.mark.parametrize("language", ["vi", "en", "fr"])
def test_each_message_is_in_a_catalog_once(language: str) -> None:
    """Two branches that add the same message both append it (the catalogs merge as a union); the
    compiled catalog then keeps one of them at random. `scripts/add_translations.py --dedupe` fixes it,
    and a message with two meanings needs two msgids."""
    import collections

    from babel.messages.pofile import read_po as read

    path = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    text = path.read_text(encoding="utf-8")
    ids = collections.Counter(line for line in text.splitlines() if line.startswith("msgid ") and line != 'msgid ""')
    repeated = sorted(msgid for msgid, n in ids.items() if n > 1)
    assert not repeated, f"{language}: {repeated[:10]}"
    with path.open(encoding="utf-8") as handle:
        assert len(read(handle)) > 100

"""Accent-free matching in SQL: `contains_folded(column, text)` is true when the column, folded as
domain.text.fold folds (lower case, no accents, đ -> d), contains the folded text, so that "hoan kiem"
finds "Hoàn Kiếm" on both backends.

SQLite folds each row with the Python function the engine registers (pulse_fold, a str.translate).
PostgreSQL matches a regular expression instead, each letter of the text a class of all its accented
and capital forms ("hung" -> "[hH...][uùúủũụưừứửữự...U...][nN][gG]"): translate() with the ~490
accented letters took a second over 31,000 names, the expression ~20 ms; lower() alone folds ASCII
only under the C locale. Both scan the rows they filter.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, String, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from domain.text import fold


def _letters() -> dict[str, str]:
    """Accented Latin letter (Latin-1, Extended-A/B, Extended Additional) -> its folded base letter."""
    bases = {}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        letter = chr(code)
        base = fold(letter)
        if len(base) == 1 and base.isascii() and base.isalpha() and base != letter:
            bases[letter] = base
    return bases


_BASES = _letters()
# For SQLite's Python function: str.translate is some ten times faster than fold's decomposition.
_TABLE = str.maketrans("".join(_BASES), "".join(_BASES.values()))
# For PostgreSQL: each base letter's class of forms, capitals included.
_FORMS: dict[str, str] = {}
for _letter, _base in sorted(_BASES.items()):
    _FORMS.setdefault(_base, _base + _base.upper())
    _FORMS[_base] += _letter


def sqlite_fold(text: object) -> str | None:
    """What SQLite's pulse_fold returns (NULL stays NULL)."""
    return text.translate(_TABLE).lower() if isinstance(text, str) else None


def folded_pattern(text: str) -> str:
    """A PostgreSQL regular expression matching, anywhere, every accented or capital form of the folded
    text; characters other than letters, digits and spaces stand for themselves in a bracket."""
    parts = []
    for char in fold(text):
        if char in _FORMS:
            parts.append(f"[{_FORMS[char]}]")
        elif char.isascii() and (char.isalpha() or char.isdigit()):
            parts.append(f"[{char}{char.upper()}]")
        elif char == " ":
            parts.append(" ")
        else:
            parts.append(re.escape(char) if char not in "]\\^-" else f"\\{char}")
    return "".join(parts)


class _FoldedContains(FunctionElement[bool]):
    """(column, folded text for LIKE, pattern for a regular expression), compiled per backend."""

    inherit_cache = True
    name = "folded_contains"


@compiles(_FoldedContains)
def _contains_default(element: _FoldedContains, compiler: SQLCompiler, **kw: Any) -> str:
    column, _like, pattern = list(element.clauses)
    return f"({compiler.process(column, **kw)} ~ {compiler.process(pattern, **kw)})"


@compiles(_FoldedContains, "sqlite")
def _contains_sqlite(element: _FoldedContains, compiler: SQLCompiler, **kw: Any) -> str:
    column, like, _pattern = list(element.clauses)
    return f"(pulse_fold({compiler.process(column, **kw)}) LIKE {compiler.process(like, **kw)} ESCAPE '/')"


def contains_folded(column: Any, text: str) -> ColumnElement[bool]:
    """The column contains the text, both folded (accents and case ignored); values are bound parameters."""
    folded = fold(text)
    like = "%" + folded.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    return _FoldedContains(
        column,
        bindparam(None, like, type_=String, unique=True),
        bindparam(None, folded_pattern(text), type_=String, unique=True),
    )

"""Accent-free matching in SQL: `folded(column)` is the column as domain.text.fold writes it (lower case,
no accents, đ -> d), so that "hoan kiem" finds "Hoàn Kiếm" on both backends.

SQLite calls the Python fold the engine registers (pulse_fold); PostgreSQL maps every accented Latin
letter to its base with translate() and lowers the result (lower() alone folds ASCII only under the C
locale). Both scan the rows they filter: a province's people (tens of thousands) take milliseconds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from domain.text import fold


def _letters() -> tuple[str, str]:
    """Accented Latin letters (Latin-1, Extended-A/B, Extended Additional) and their folded bases."""
    source, target = [], []
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        letter = chr(code)
        base = fold(letter)
        if len(base) == 1 and base.isascii() and base.isalpha() and base != letter:
            source.append(letter)
            target.append(base)
    return "".join(source), "".join(target)


_SOURCE, _TARGET = _letters()  # constants of this module: no quote can reach the SQL text
# The same mapping for SQLite's Python function: str.translate is some ten times faster than fold's
# decomposition, and SQLite calls it once per row searched.
_TABLE = str.maketrans(_SOURCE, _TARGET)


class folded(GenericFunction[str]):  # noqa: N801 (an SQL function name)
    """The column folded like domain.text.fold (accents off, lower case)."""

    type = String()
    inherit_cache = True


@compiles(folded)
def _folded_default(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower(translate({compiler.process(element.clauses, **kw)}, '{_SOURCE}', '{_TARGET}'))"


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"pulse_fold({compiler.process(element.clauses, **kw)})"


def sqlite_fold(text: object) -> str | None:
    """What SQLite's pulse_fold returns, the same as PostgreSQL's translate and lower (NULL stays NULL)."""
    return text.translate(_TABLE).lower() if isinstance(text, str) else None

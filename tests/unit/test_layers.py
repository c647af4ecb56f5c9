"""The arrows that must never exist in the import graph (DESIGN.md, Architecture), checked on the source.

A page that imports another page makes Dash register that page's callbacks twice; components that import
server/ make the two folders depend on each other both ways; rules that import SQL or screens are no
longer pure.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    """The modules a file imports (absolute names, as written)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.py"))


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("domain", ("sqlalchemy", "dash", "flask", "data_access", "pages", "components", "server")),
        ("components", ("data_access", "pages", "server")),
        ("data_access", ("pages", "components", "server", "dash")),
        ("data_access/queries", ("pages", "components", "server", "dash", "data_access.commands")),
    ],
)
def test_a_layer_never_imports_what_sits_above_it(folder: str, forbidden: tuple[str, ...]) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} -> {name}"
        for path in _files(folder)
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    }
    assert not wrong


def test_no_page_imports_another_page() -> None:
    # Helpers shared by pages live in pages/_*.py, which Dash does not register as pages.
    wrong = {
        f"{path.name} -> {name}"
        for path in _files("pages")
        for name in _imports(path)
        if name.startswith("pages.") and not name.split(".")[1].startswith("_")
    }
    assert not wrong

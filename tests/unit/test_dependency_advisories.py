"""The advisory check (scripts/check_advisories.py, run by `make test`): it audits exact pins, fails
on a known vulnerability, and says "NOT RUN" instead of "clean" when PyPI's advisory API is out of reach."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_advisories", ROOT / "scripts" / "check_advisories.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


check = _script()
SKIPPED = {"name": "dash", "skip_reason": "Dependency not found on PyPI and could not be audited: dash (4.4.1)"}
CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.4",
    "vulns": [{"id": "GHSA-q2x7-8rv6-6q7h", "fix_versions": ["3.1.5"], "aliases": [], "description": "sandbox"}],
}


@pytest.mark.parametrize("name", check.REQUIREMENTS)
def test_every_requirement_is_an_exact_pin(name: str) -> None:
    """pip-audit can only vouch for a version it is told; a range would be checked as whatever resolves."""
    lines = [line.split("#")[0].strip() for line in (ROOT / name).read_text().splitlines()]
    loose = [
        line
        for line in lines
        if line and not line.startswith("-r ") and not re.fullmatch(r"[\w.\-\[\]]+==[\w.]+", line)
    ]
    assert loose == []


def test_the_tools_are_pinned_for_make_test() -> None:
    dev = (ROOT / "requirements-dev.txt").read_text()
    assert re.search(r"^bandit==", dev, re.M) and re.search(r"^pip-audit==", dev, re.M)


def test_every_ignored_advisory_says_why() -> None:
    assert all(len(reason.split()) >= 5 for reason in check.IGNORED.values())


def test_classify_separates_vulnerable_clean_and_unchecked() -> None:
    found = check.classify({"dependencies": [SKIPPED, CLEAN, VULNERABLE]})
    assert found.vulnerable == ["jinja2 3.1.4: GHSA-q2x7-8rv6-6q7h (fixed in 3.1.5)"]
    assert (found.not_audited, found.audited) == (["dash"], 2)


@pytest.mark.parametrize(
    ("report", "required", "code", "says"),
    [
        ({"dependencies": [CLEAN, VULNERABLE]}, "0", 1, "Known vulnerabilities"),
        ({"dependencies": [CLEAN, SKIPPED]}, "1", 0, "1 pinned packages checked"),
        ({"dependencies": [SKIPPED]}, "0", 0, "NOT RUN"),
        ({"dependencies": [SKIPPED]}, "1", 2, "NOT RUN"),
        (None, "1", 2, "NOT RUN: pip-audit failed"),
    ],
)
def test_outcome_of_a_run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    report: dict | None,
    required: str,
    code: int,
    says: str,
) -> None:
    monkeypatch.setattr(check, "run_pip_audit", lambda: report)
    monkeypatch.setenv("REQUIRE_ADVISORIES", required)
    assert check.main() == code
    assert says in capsys.readouterr().out


def test_an_ignored_advisory_no_longer_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(check.IGNORED, "GHSA-q2x7-8rv6-6q7h", "Pulse never renders user templates in the sandbox")
    assert check.classify({"dependencies": [VULNERABLE]}).vulnerable == []

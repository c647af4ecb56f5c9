"""Known-vulnerability check of the pinned requirements (pip-audit against PyPI's advisory data).

Exit 0: no known vulnerability, or the advisory service could not be reached (then a loud
"NOT RUN" banner says so; REQUIRE_ADVISORIES=1 turns that into exit 2, as REQUIRE_POSTGRES does
for the PostgreSQL pass). Exit 1: a pinned package has a known vulnerability not listed in
IGNORED below with its reason.

pip-audit asks PyPI's per-release JSON API; a machine that reaches only PyPI's package index
(as some mirrors and closed networks do) gets "not found" for every package: that is reported
as "not run", never as "clean".
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")

# Advisory id -> why it does not apply to Pulse. Each entry needs a reason a reviewer can check.
IGNORED: dict[str, str] = {}


@dataclass(frozen=True)
class Findings:
    """What one pip-audit run found: vulnerable pins, packages it could not check, and how many it checked."""

    vulnerable: list[str]
    not_audited: list[str]
    audited: int


def classify(report: dict) -> Findings:
    """Sort pip-audit's JSON report into vulnerable, not audited and audited packages."""
    vulnerable, not_audited, audited = [], [], 0
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            not_audited.append(dependency["name"])
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            if vuln["id"] in IGNORED:
                continue
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
            vulnerable.append(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    return Findings(vulnerable=vulnerable, not_audited=not_audited, audited=audited)


def run_pip_audit() -> dict | None:
    """pip-audit's JSON report for the pinned files, or None when it could not produce one."""
    arguments = [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps", "-f", "json"]
    arguments += ["--progress-spinner", "off"]
    for name in REQUIREMENTS:
        arguments += ["-r", str(ROOT / name)]
    # A fixed argument list, no shell.
    done = subprocess.run(arguments, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603 # nosec B603
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        print(done.stderr.strip()[-2000:], file=sys.stderr)
        return None


def main() -> int:
    report = run_pip_audit()
    findings = classify(report) if report is not None else None
    if findings is not None and findings.vulnerable:
        print("Known vulnerabilities in pinned requirements:")
        for line in findings.vulnerable:
            print("  " + line)
        print("Upgrade the pin, or add the advisory to IGNORED in scripts/check_advisories.py with its reason.")
        return 1
    if findings is None or findings.audited == 0:
        reason = "pip-audit failed" if findings is None else "PyPI's advisory API answered for no package"
        print(f"*** Advisory check NOT RUN: {reason} (no network to it from here?). Nothing was checked. ***")
        return 2 if os.environ.get("REQUIRE_ADVISORIES") == "1" else 0
    if findings.not_audited:
        print(f"Advisories: could not check {', '.join(findings.not_audited)}.")
    print(f"Advisories: {findings.audited} pinned packages checked, no known vulnerability.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

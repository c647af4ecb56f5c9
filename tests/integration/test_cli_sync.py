"""`flask sync ...` from the command line: an operator builds a dry run, signs it with a PKCS#12 file, and
reads the status per unit."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from tests.support.cert_authority import PASSWORD, CertAuthority  # noqa: E402


def test_build_sign_and_status_from_the_command_line(server: Flask, tmp_path: Path) -> None:
    runner = server.test_cli_runner()
    assert "No sync batches yet." in runner.invoke(args=["sync", "status"]).output
    made = runner.invoke(args=["sync", "build", "--unit", "W00070", "--dry-run", "unit:W00070"])
    assert made.exit_code == 0, made.output
    match = re.search(r"Batch (\d+) \(\w+\): 1 record", made.output)
    assert match, made.output
    p12, _ = CertAuthority().issue("Nguyễn Thị Lan")
    (tmp_path / "officer.p12").write_bytes(p12)
    signed = runner.invoke(
        args=["sync", "sign", match.group(1), "--p12", str(tmp_path / "officer.p12"), "--password", PASSWORD.decode()]
    )
    assert signed.exit_code == 0 and "signed" in signed.output, signed.output
    status = runner.invoke(args=["sync", "status"]).output
    line = next(row for row in status.splitlines() if row.startswith("W00070"))
    assert line.split()[:5] == ["W00070", "0", "1", "0", "0"] and "never" in line  # built, not sent yet
    refused = runner.invoke(args=["sync", "build", "--unit", "W00070", "--dry-run", "unit:NOPE"])
    assert refused.exit_code != 0 and "records: unknown_choice" in refused.output

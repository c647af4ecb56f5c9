"""`flask --app app audit verify`: prove the audit log's hash chain; exit 1 naming the first broken entry."""

from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup

from data_access.audit_chain import verify_chain
from server.context import current_store

audit_cli = AppGroup("audit", help="The audit log: prove it has not been edited.")

REASONS = {
    "content": "its content no longer matches its hash (the entry was edited after it was written)",
    "link": "it does not point at the entry before it (an entry was removed, inserted or reordered before it)",
}


@audit_cli.command("verify")
def verify_command() -> None:
    """Recompute every entry's hash in order; exit code 0 if the chain holds, 1 at the first broken link."""
    started = time.perf_counter()
    with current_store().read() as session:
        verdict = verify_chain(session)
    elapsed = time.perf_counter() - started
    if verdict.first_break is None:
        click.echo(f"Audit chain intact: {verdict.checked} entries in {elapsed:.1f} s; tail hash {verdict.tail_hash}.")
        return
    broken = verdict.first_break
    click.echo(
        f"Audit chain BROKEN at entry #{broken.entry_id}: {REASONS[broken.reason]}. "
        f"The {verdict.checked} entries before it hold (last good hash {verdict.tail_hash}).",
        err=True,
    )
    sys.exit(1)

"""`flask --app app backup [PATH]` and `flask --app app restore PATH` (see README.md, "Backups")."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from config.clock import now
from config.settings import PROJECT_ROOT
from data_access import backups
from data_access.audit_chain import verify_chain
from data_access.db import Store
from server.context import current_settings

DEFAULT_DIRECTORY = PROJECT_ROOT / "data" / "backups"


@click.command("backup")
@with_appcontext
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path | None) -> None:
    """Write a consistent snapshot of the database to PATH (default data/backups/pulse-<time>) and PATH.sha256."""
    url = current_settings().database_url
    target = path or backups.default_path(url, DEFAULT_DIRECTORY, now())
    started = time.perf_counter()
    try:
        written = backups.backup(url, target)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Backup written to {written.path} ({written.size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s); "
        f"SHA-256 {written.sha256} in {written.checksum_path.name}."
    )


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Load the backup at PATH into the configured database, which must be empty; then prove the audit chain."""
    url = current_settings().database_url
    started = time.perf_counter()
    try:
        backups.restore(url, path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    store = Store.connect(url)
    try:
        with store.read() as session:
            verdict = verify_chain(session)
    finally:
        store.dispose()
    click.echo(f"Restored {path} in {time.perf_counter() - started:.1f} s.")
    if verdict.first_break is not None:
        raise click.ClickException(
            f"The restored audit chain is BROKEN at entry #{verdict.first_break.entry_id}; "
            "run `flask --app app audit verify` for details."
        )
    click.echo(f"Audit chain intact: {verdict.checked} entries; tail hash {verdict.tail_hash}.")

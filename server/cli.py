"""Admin commands: `flask --app app db upgrade`, `seed`, `rollups rebuild`, `notices sweep`, `audit verify`,
`backup`, `restore` (each has --help)."""

from __future__ import annotations

import time
from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup
from tqdm import tqdm

from config.clock import today
from config.settings import PROJECT_ROOT
from data_access.migrate import upgrade_to_head
from server.cli_audit import audit_cli
from server.cli_backup import backup_command, restore_command
from server.cli_records import register as register_records
from server.cli_sync import sync_cli
from server.cli_tokens import tokens_cli
from server.cli_users import users_cli
from server.context import current_settings, current_store

DEMO_PASSWORD_FILE = PROJECT_ROOT / "data" / "demo-password.txt"
ADMIN_PASSWORD_FILE = PROJECT_ROOT / "data" / "admin-password.txt"

db_cli = AppGroup("db", help="Database schema.")
rollups_cli = AppGroup("rollups", help="Precomputed dashboard figures.")
notices_cli = AppGroup("notices", help="In-app notices.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations up to the newest revision."""
    upgrade_to_head(current_settings().database_url)
    click.echo("Database is at the newest revision.")


class _ProgressBars:
    """Turns seed progress callbacks into one tqdm bar per stage."""

    def __init__(self) -> None:
        self._bar: tqdm | None = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self.close()
            self._stage = stage
            self._bar = tqdm(total=total, desc=stage, unit="row", leave=True)
        if self._bar is not None:
            self._bar.n = done
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@click.command("seed")
@click.option(
    "--scale",
    type=click.Choice(["empty", "pilot", "hanoi"]),
    default="pilot",
    show_default=True,
    help="empty: a real agency's start (official tree, periods, one administrator); "
    "pilot: demo, 4 units, ~300 people; hanoi: demo, the whole city, >= 30,000 people.",
)
@click.option(
    "--province",
    default="01",
    show_default=True,
    help="With --scale empty: the province, by official code or name (accents optional).",
)
@click.option(
    "--seed", "seed_value", type=int, default=2026, show_default=True, help="Random seed (same seed, same data)."
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds data.")
@click.option("--today", "today_text", default=None, help="Pretend today is this date (YYYY-MM-DD).")
def seed_command(scale: str, province: str, seed_value: int, if_empty: bool, today_text: str | None) -> None:
    """Fill an empty database: a real agency's empty start, or demo data from Hanoi's real org tree."""
    import os

    from data_access.seed import DEMO_USERNAMES, database_is_empty, seed_demo

    store = current_store()
    if if_empty and not database_is_empty(store):
        click.echo("Data already present; nothing to do.")
        return
    if not database_is_empty(store):
        raise click.ClickException(
            "The database is not empty. Seed a fresh database (make clean-db) or use --if-empty."
        )
    as_of = date.fromisoformat(today_text) if today_text else today()
    if scale == "empty":
        _seed_empty_start(province, as_of)
        return
    bars = _ProgressBars()
    started = time.perf_counter()
    try:
        report = seed_demo(
            store,
            scale=scale,
            seed=seed_value,
            today=as_of,
            demo_password=os.environ.get("PULSE_DEMO_PASSWORD") or None,
            progress=bars,
        )
    finally:
        bars.close()
    elapsed = time.perf_counter() - started
    counts = ", ".join(f"{name}={count}" for name, count in report.counts.items())
    click.echo(f"Seeded scale={scale} seed={seed_value} in {elapsed:.1f} s: {counts}")
    click.echo("Demo accounts: " + ", ".join(f"{label}={name}" for label, name in DEMO_USERNAMES.items()))
    if report.demo_password and not os.environ.get("PULSE_DEMO_PASSWORD"):
        DEMO_PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        DEMO_PASSWORD_FILE.write_text(report.demo_password + "\n")
        DEMO_PASSWORD_FILE.chmod(0o600)
        click.echo(
            f"Demo password (shown once, also in {DEMO_PASSWORD_FILE.relative_to(PROJECT_ROOT)}): {report.demo_password}"
        )


def _seed_empty_start(province: str, as_of: date) -> None:
    """The empty start; the administrator's password is shown once and kept in a 0600 file."""
    import os

    from data_access.seed.empty import UnknownProvince, seed_empty

    given = os.environ.get("PULSE_ADMIN_PASSWORD") or None
    try:
        report = seed_empty(current_store(), province=province, today=as_of, admin_password=given)
    except UnknownProvince as error:
        raise click.BadParameter(f"no province matches {error.args[0]!r}", param_hint="--province") from error
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    counts = ", ".join(f"{name}={count}" for name, count in report.counts.items())
    click.echo(f"Empty start for {report.province} in {report.seconds:.1f} s: {counts}")
    if given is None:
        ADMIN_PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        ADMIN_PASSWORD_FILE.write_text(report.admin_password + "\n")
        ADMIN_PASSWORD_FILE.chmod(0o600)
        click.echo(
            f"Administrator {report.admin_username}, password (shown once, also in "
            f"{ADMIN_PASSWORD_FILE.relative_to(PROJECT_ROOT)}): {report.admin_password}"
        )
    else:
        click.echo(f"Administrator {report.admin_username}, password from PULSE_ADMIN_PASSWORD.")


@rollups_cli.command("rebuild")
@click.option("--today", "today_text", default=None, help="Compute as of this date (YYYY-MM-DD).")
def rollups_rebuild(today_text: str | None) -> None:
    """Recompute every rollup from the raw tables (the incremental updates must agree with this)."""
    from data_access.rollups import rebuild_all

    as_of = date.fromisoformat(today_text) if today_text else today()
    started = time.perf_counter()
    with current_store().write() as session:
        counts = rebuild_all(session, today=as_of)
    click.echo(f"Rollups rebuilt in {time.perf_counter() - started:.1f} s: {counts}")


@notices_cli.command("sweep")
@click.option("--today", "today_text", default=None, help="Sweep as of this date (YYYY-MM-DD).")
def notices_sweep(today_text: str | None) -> None:
    """Raise "due within three days" and "overdue" notices for open tasks (run daily; safe to repeat)."""
    from data_access.notifications import raise_deadline_notices

    as_of = date.fromisoformat(today_text) if today_text else today()
    with current_store().write() as session:
        created = raise_deadline_notices(session, today=as_of)
    click.echo(f"{created} new deadline notice(s).")


def register(server: Flask) -> None:
    """Attach every admin command to the Flask CLI."""
    server.cli.add_command(db_cli)
    server.cli.add_command(rollups_cli)
    server.cli.add_command(notices_cli)
    server.cli.add_command(seed_command)
    server.cli.add_command(users_cli)
    server.cli.add_command(tokens_cli)
    server.cli.add_command(sync_cli)
    register_records(server)
    server.cli.add_command(audit_cli)
    server.cli.add_command(backup_command)
    server.cli.add_command(restore_command)

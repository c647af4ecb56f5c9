"""`flask --app app sync ...`: build, sign and send batches for the national cadre database, their status
per unit, and the reference receiver."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from data_access.commands.sync import build_batch, send_batch, sign_batch
from data_access.errors import Invalid, NotFound
from data_access.queries.sync import sync_status
from server.context import current_store

sync_cli = AppGroup("sync", help="Signed synchronisation with the national cadre database.")


def _problems(error: Invalid) -> click.ClickException:
    return click.ClickException("; ".join(f"{field}: {problem}" for field, problem in error.problems.items()))


@sync_cli.command("build")
@click.option("--unit", "unit_code", required=True, help="Code of the unit whose subtree is synchronised.")
@click.option("--dry-run", "chosen", multiple=True, help="A record key for a dry run (1 to 10), e.g. unit:W00070.")
def build(unit_code: str, chosen: tuple[str, ...]) -> None:
    """Build a draft batch of what changed since the last accepted one; list what stays out and why."""
    try:
        built = build_batch(
            current_store(), actor=None, unit_code=unit_code, kind="dry_run" if chosen else "full", chosen=list(chosen)
        )
    except Invalid as error:
        raise _problems(error) from error
    click.echo(f"Batch {built.batch_id} ({built.batch_key}): {len(built.included)} record(s).")
    for key, reason in sorted(built.kept_out.items()):
        click.echo(f"kept out {key}: {reason}")


@sync_cli.command("sign")
@click.argument("batch_id", type=int)
@click.option("--p12", "p12_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.password_option("--password", envvar="PULSE_SYNC_P12_PASSWORD", confirmation_prompt=False)
def sign(batch_id: int, p12_path: Path, password: str) -> None:
    """Approve a draft batch with the officer's certificate and key (a PKCS#12 file)."""
    try:
        sign_batch(
            current_store(),
            actor=None,
            batch_id=batch_id,
            pkcs12_data=p12_path.read_bytes(),
            password=password.encode() if password else None,
        )
    except (Invalid, NotFound) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Batch {batch_id} signed.")


@sync_cli.command("send")
@click.argument("batch_id", type=int)
@click.option("--url", envvar="PULSE_SYNC_URL", required=True, help="The receiver's /batches endpoint (HTTPS).")
def send(batch_id: int, url: str) -> None:
    """Send a signed batch (retried with backoff) and record the receiver's answer per record."""
    try:
        status = send_batch(current_store(), actor=None, batch_id=batch_id, url=url)
    except (Invalid, NotFound) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Batch {batch_id}: {status}.")


@sync_cli.command("status")
def status() -> None:
    """Per unit: records synced, pending, rejected, kept out, and the last successful send (UTC)."""
    with current_store().read() as session:
        lines = sync_status(session)
    if not lines:
        click.echo("No sync batches yet.")
        return
    click.echo(f"{'unit':<10}{'synced':>8}{'pending':>9}{'rejected':>10}{'kept out':>10}  last success  name")
    for line in lines:
        last = f"{line.last_success:%Y-%m-%d %H:%M}" if line.last_success else "never"
        click.echo(
            f"{line.unit_code:<10}{line.synced:>8}{line.pending:>9}{line.rejected:>10}{line.kept_out:>10}"
            f"  {last:<16}{line.unit_name}"
        )


@sync_cli.command("receiver")
@click.option("--ca", "ca_path", envvar="PULSE_SYNC_CA", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--crl", "crl_path", envvar="PULSE_SYNC_CRL", type=click.Path(exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
def receiver(ca_path: Path, crl_path: Path | None, host: str, port: int) -> None:
    """Run the reference receiver (in memory) for agencies to try their batches against."""
    from data_access.sync_signing import TrustAnchor
    from server.sync_receiver import make_receiver

    anchor = TrustAnchor.from_pem(ca_path.read_bytes(), crl_path.read_bytes() if crl_path else None)
    make_receiver(anchor).run(host=host, port=port)

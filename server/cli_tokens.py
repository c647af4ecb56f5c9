"""`flask --app app tokens ...`: create, list and revoke the tokens of machines calling /api/v1."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from data_access.commands.api_tokens import create_token, revoke_token
from data_access.errors import Invalid, NotFound
from data_access.queries.api_tokens import list_tokens
from domain.api_tokens import DAYS_MAX, Scope
from server.context import current_store

tokens_cli = AppGroup("tokens", help="Tokens of machines calling /api/v1: create, list, revoke.")


@tokens_cli.command("create")
@click.option("--name", required=True, help="The system that will use it, e.g. 'HR system of ward Hoan Kiem'.")
@click.option(
    "--scopes",
    required=True,
    help="Space- or comma-separated: " + ", ".join(scope.value for scope in Scope),
)
@click.option("--unit", "unit_code", required=True, help="Code of the org unit whose subtree it reaches.")
@click.option("--days", default=365, show_default=True, type=int, help=f"Valid for this many days (1-{DAYS_MAX}).")
@click.option("--rate", default=120, show_default=True, type=int, help="Calls allowed per minute.")
def create(name: str, scopes: str, unit_code: str, days: int, rate: int) -> None:
    """Create a token and print it once: only its hash is kept."""
    try:
        new = create_token(
            current_store(), actor=None, name=name, scopes=scopes, unit_code=unit_code, days=days, rate_per_minute=rate
        )
    except Invalid as error:
        raise click.ClickException(
            "; ".join(f"{field}: {problem}" for field, problem in error.problems.items())
        ) from error
    click.echo(f"Created token {new.token_id} for {name}, valid until {new.expires_at:%Y-%m-%d %H:%M} UTC.")
    click.echo("Give this token to the system now; it is not shown again:")
    click.echo(new.secret)


@tokens_cli.command("list")
def list_command() -> None:
    """Every token with its scopes, unit, expiry, revocation and last use (UTC)."""
    with current_store().read() as session:
        rows = list_tokens(session)
    if not rows:
        click.echo("No tokens.")
        return
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else f"expires {row.expires_at:%Y-%m-%d}"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        click.echo(
            f"{row.token_id:<5}{row.name[:30]:<31}{row.prefix}…  {row.unit_code:<10}{state:<20}"
            f"last used {used:<17}{row.scopes}"
        )


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke a token at once."""
    try:
        revoke_token(current_store(), actor=None, token_id=token_id)
    except NotFound as error:
        raise click.ClickException(f"No token {token_id}.") from error
    click.echo(f"Revoked token {token_id}.")

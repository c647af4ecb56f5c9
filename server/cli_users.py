"""`flask --app app users ...`: create, deactivate, list and revoke the sessions of logins."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from config.clock import now
from data_access import accounts, session_admin
from data_access.errors import Invalid, NotFound
from domain.kinds import LANGUAGES, Language, Role
from server.auth import session_limits
from server.context import current_store

users_cli = AppGroup("users", help="Logins: create, deactivate, revoke sessions.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option(
    "--scope", "scope_code", required=True, help="Code of the org unit the user sees (its subtree), e.g. W00070."
)
@click.option(
    "--language", default=Language.VI.value, type=click.Choice([lang.value for lang in LANGUAGES]), show_default=True
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
def create_user(username: str, role: str, scope_code: str, language: str, password_stdin: bool) -> None:
    """Create a login; the password must have 8+ characters and not be a common one."""
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        with current_store().write() as session:
            user_id = accounts.create_user(
                session,
                actor=None,
                username=username,
                password=password,
                role=role,
                scope_code=scope_code,
                language=language,
            )
    except Invalid as error:
        raise click.ClickException(
            "; ".join(f"{field}: {problem}" for field, problem in error.problems.items())
        ) from error
    click.echo(f"Created user {username} (id {user_id}).")


@users_cli.command("deactivate")
@click.argument("username")
def deactivate(username: str) -> None:
    """Deactivate a login; its open sessions stop working at once."""
    _run(lambda session: accounts.set_active(session, actor=None, username=username, active=False))
    click.echo(f"Deactivated {username}.")


@users_cli.command("revoke-sessions")
@click.argument("username")
def revoke_sessions(username: str) -> None:
    """End every open session of a login (a lost phone, the meeting-room screen)."""
    _run(lambda session: accounts.revoke_all_sessions(session, actor=None, username=username))
    click.echo(f"Ended every session of {username}.")


@users_cli.command("sessions")
@click.option("--user", "username", default=None, help="Only this login's sessions.")
@click.option("--revoke", "handle", default=None, help="End the session with this id (as listed) at once.")
def sessions(username: str | None, handle: str | None) -> None:
    """List the sessions that still open the app (times in UTC), or end one with --revoke ID."""
    if handle is not None:
        try:
            with current_store().write() as session:
                owner = session_admin.revoke_session(session, actor=None, handle=handle, now=now())
        except NotFound as error:
            raise click.ClickException(f"No open session {handle}.") from error
        except Invalid as error:
            raise click.ClickException(
                f"{handle} names more than one session; revoke-sessions ends all of a user's."
                if error.problems.get("session") == "ambiguous_handle"
                else f"A session id has {session_admin.HANDLE_LENGTH} characters, as listed."
            ) from error
        click.echo(f"Ended session {handle} of {owner}.")
        return
    with current_store().read() as session:
        found = session_admin.open_sessions(session, actor=None, now=now(), limits=session_limits(), username=username)
    if not found:
        click.echo("No open sessions.")
        return
    click.echo(f"{'ID':<9}{'USER':<26}{'ROLE':<9}{'SINCE':<18}{'LAST SEEN':<18}{'ENDS':<18}BROWSER")
    for row in found:
        click.echo(
            f"{row.handle:<9}{row.username[:25]:<26}{row.role:<9}{row.created_at:%Y-%m-%d %H:%M}  "
            f"{row.last_seen_at:%Y-%m-%d %H:%M}  {row.ends_at:%Y-%m-%d %H:%M}  {row.user_agent[:60]}"
        )


def _run(action) -> None:  # type: ignore[no-untyped-def]
    try:
        with current_store().write() as session:
            action(session)
    except NotFound as error:
        raise click.ClickException(f"No user named {error.entity_id}.") from error

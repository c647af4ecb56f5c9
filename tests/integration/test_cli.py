"""Admin commands: users create/deactivate/revoke-sessions and rollups rebuild, through Flask's CLI."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from data_access.models import User
from tests.support.login import login


def test_users_commands(server: Flask) -> None:
    runner = server.test_cli_runner()
    weak = runner.invoke(
        args=["users", "create", "--username", "canbo.moi", "--role", "staff", "--scope", "W00070", "--password-stdin"],
        input="123\n",
    )
    assert weak.exit_code != 0 and "too_short" in weak.output
    made = runner.invoke(
        args=["users", "create", "--username", "canbo.moi", "--role", "staff", "--scope", "W00070", "--password-stdin"],
        input="Mat-khau-moi-2026\n",
    )
    assert made.exit_code == 0, made.output
    client = server.test_client()
    assert login(client, "canbo.moi", "Mat-khau-moi-2026").status_code == 302
    assert client.get("/_dash-layout").status_code == 200
    assert runner.invoke(args=["users", "revoke-sessions", "canbo.moi"]).exit_code == 0
    assert client.get("/_dash-layout").status_code == 401
    assert runner.invoke(args=["users", "deactivate", "canbo.moi"]).exit_code == 0
    with server.extensions["pulse"]["store"].read() as session:
        assert session.execute(select(User.active).where(User.username == "canbo.moi")).scalar_one() is False
    assert "No user named" in runner.invoke(args=["users", "deactivate", "nobody"]).output


def test_rollups_rebuild_and_help(server: Flask) -> None:
    runner = server.test_cli_runner()
    result = runner.invoke(args=["rollups", "rebuild", "--today", "2026-11-20"])
    assert result.exit_code == 0 and "unit_rollups" in result.output
    for command in (["seed", "--help"], ["users", "create", "--help"], ["db", "upgrade", "--help"]):
        assert runner.invoke(args=command).exit_code == 0


def test_notices_sweep_raises_deadline_notices_once(server: Flask) -> None:
    """The daily sweep: a ward's task due in two days is announced to its leader; a second run adds nothing."""
    from datetime import date

    from data_access.commands.tasks import assign
    from data_access.models import OrgUnit
    from data_access.viewer import load_viewer

    store = server.extensions["pulse"]["store"]
    with store.read() as session:
        manager = load_viewer(
            session, session.execute(select(User.id).where(User.username == "quanly.thanhpho")).scalar_one()
        )
        ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
    assign(store, viewer=manager, title="Báo cáo gấp", due_date=date(2026, 11, 22), unit_ids=[ward])
    runner = server.test_cli_runner()
    first = runner.invoke(args=["notices", "sweep", "--today", "2026-11-20"])
    assert first.exit_code == 0, first.output
    created = int(first.output.split()[0])
    assert created > 0
    again = runner.invoke(args=["notices", "sweep", "--today", "2026-11-20"])
    assert again.output.startswith("0 new deadline notice(s)")
    assert runner.invoke(args=["notices", "sweep", "--help"]).exit_code == 0


def test_a_ward_unit_administrator_from_the_command_line(server: Flask) -> None:
    runner = server.test_cli_runner()
    made = runner.invoke(
        args=["users", "create", "--username", "quantri.tuliem", "--role", "unit_admin", "--scope", "W00592"]
        + ["--password-stdin"],
        input="Mat-khau-quan-tri-2026\n",
    )
    assert made.exit_code == 0, made.output
    client = server.test_client()
    assert login(client, "quantri.tuliem", "Mat-khau-quan-tri-2026").status_code == 302
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/periods").status_code == 403

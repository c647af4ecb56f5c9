"""The shell: the navbar offers only the pages a role may open, and the period lives in the URL."""

from __future__ import annotations

import json

from flask import Flask

from server.shell import period_from_query
from tests.support.login import login


def _navbar_links(server: Flask, username: str) -> set[str]:
    client = server.test_client()
    login(client, username)
    layout = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    return {
        path
        for path in ("/rankings", "/lagging", "/evaluations", "/emulation", "/present")
        if f'"href": "{path}"' in layout or f'"href":"{path}"' in layout
    }


def test_the_navbar_shows_only_what_the_role_may_open(server: Flask) -> None:
    leader = _navbar_links(server, "lanhdao.thanhpho")
    staff = _navbar_links(server, "chuyenvien.khcn")
    assert {"/rankings", "/lagging", "/emulation", "/present"} <= leader
    assert "/rankings" not in staff and "/emulation" not in staff and "/present" not in staff
    assert "/lagging" in staff and "/evaluations" in staff


def test_the_period_comes_from_the_url() -> None:
    assert period_from_query("?period=2026-Q3") == "2026-Q3"
    assert period_from_query("?period=2026-7") == "2026-07"
    assert period_from_query("?period=nonsense") == period_from_query("")  # malformed: the default, never an error

"""/admin/sync through its callback, as the browser posts it: after a signed trial batch of 10 Hoàn Kiếm records
is accepted, a Từ Liêm batch is refused for tampering and a record is kept out, the administrator sees the
day's figures per unit and per day, who signed, and the records to fix in Vietnamese with links to fix them;
the ward's own administrator sees only the ward; staff are refused.
"""

from __future__ import annotations

import json
from typing import Any

import dash
from flask import Flask
from sqlalchemy import select, update

from config.clock import today
from data_access.commands.sync import build_batch, send_batch, sign_batch
from data_access.db import Store
from data_access.models import OrgUnit, Person, SyncBatch
from data_access.sync_signing import TrustAnchor
from server.sync_receiver import make_receiver
from tests.integration.test_admin_pages import body, logged_in, post
from tests.support.cert_authority import PASSWORD, CertAuthority
from tests.support.viewers import viewer_of

HOAN_KIEM = "W00070"
TU_LIEM = "W00592"
URL = "https://receiver.test/batches"
SIGNER = "Nguyễn Thị Lan"


def _post_to(app: Flask) -> Any:
    client = app.test_client()

    def post_batch(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        answer = client.post("/batches", data=data, headers=headers)
        return answer.status_code, answer.get_json()

    return post_batch


def _sync_history(store: Store) -> int:
    """Accepted: a trial of 10 Hoàn Kiếm records; refused: a Từ Liêm batch changed after signing; kept out: one
    Hoàn Kiếm person whose citizen id contradicts their birth date. Returns that person's id."""
    ca = CertAuthority()
    receiver = make_receiver(TrustAnchor.from_pem(ca.pem, ca.crl_pem()))
    p12, _cert = ca.issue(SIGNER)
    with store.write() as session:
        ward_path = session.execute(select(OrgUnit.path).where(OrgUnit.code == HOAN_KIEM)).scalar_one()
        person = session.execute(
            select(Person)
            .join(OrgUnit, OrgUnit.id == Person.unit_id)
            .where(OrgUnit.path.startswith(ward_path), Person.citizen_id.is_not(None), Person.birth_date.is_not(None))
            .order_by(Person.id)
            .limit(1)
        ).scalar_one()
        bad = person.citizen_id[:3] + "9" + person.citizen_id[4:]
        session.execute(update(Person).where(Person.id == person.id).values(citizen_id=bad))
        kept_out = person.id
    full = build_batch(store, actor=None, unit_code=HOAN_KIEM)
    trial = build_batch(store, actor=None, unit_code=HOAN_KIEM, kind="dry_run", chosen=full.included[:10])
    sign_batch(store, actor=None, batch_id=trial.batch_id, pkcs12_data=p12, password=PASSWORD)
    assert send_batch(store, actor=None, batch_id=trial.batch_id, url=URL, post=_post_to(receiver)) == "accepted"
    other = build_batch(store, actor=None, unit_code=TU_LIEM)
    other_trial = build_batch(store, actor=None, unit_code=TU_LIEM, kind="dry_run", chosen=other.included[:3])
    sign_batch(store, actor=None, batch_id=other_trial.batch_id, pkcs12_data=p12, password=PASSWORD)
    with store.write() as session:  # changed after signing
        batch = session.get(SyncBatch, other_trial.batch_id)
        assert batch is not None
        batch.content = batch.content.replace('"records"', '"records" ', 1)
    send_batch(store, actor=None, batch_id=other_trial.batch_id, url=URL, post=_post_to(receiver))
    return kept_out


def _render(server: Flask, username: str) -> Any:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    client = logged_in(server, username)  # the first request lets Dash finish its callback map
    key, spec = next((k, v) for k, v in app.callback_map.items() if k.startswith("admin-sync-body.children"))
    return post(client, body(key, spec))


def _text(response: Any) -> str:
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_the_administrator_sees_the_days_figures_and_what_to_fix(server: Flask) -> None:
    store: Store = server.extensions["pulse"]["store"]
    kept_out = _sync_history(store)
    assert logged_in(server, "admin").get("/admin/sync").status_code == 200
    response = _render(server, "admin")
    assert response.status_code == 200
    text = _text(response)
    page = response.get_json()["response"]["admin-sync-body"]["children"]
    # Per unit: both wards, Hoàn Kiếm with its 10 synced records.
    units = json.dumps(_find(page, "admin-sync-units"), ensure_ascii=False)
    assert "Hoàn Kiếm" in units and "Từ Liêm" in units
    hoan_kiem_row = next(r for r in _rows(_find(page, "admin-sync-units")) if "Hoàn Kiếm" in r[0])
    assert hoan_kiem_row[1] == "10"
    # Day by day: today, two batches sent, 10 records accepted, 3 refused.
    (day,) = _rows(_find(page, "admin-sync-days"))
    assert day[1:] == ["2", "10", "3"] and str(today().year) in day[0]
    # Who signed, and the refusal in words.
    assert SIGNER in text
    assert "nội dung đã bị thay đổi sau khi ký" in text
    # The kept-out person, linked to the page that fixes them, with the problem in Vietnamese (no raw codes).
    assert f"/admin/people?person={kept_out}" in text
    assert "(correct)" not in text and "citizen_id:" not in text


def test_a_ward_administrator_sees_only_the_ward_and_staff_are_refused(server: Flask) -> None:
    store: Store = server.extensions["pulse"]["store"]
    _sync_history(store)
    text = _text(_render(server, "quantri.hoankiem"))
    assert "Hoàn Kiếm" in text and "Từ Liêm" not in text
    assert viewer_of(store, "chuyenvien.khcn").role.value == "staff"
    assert _render(server, "chuyenvien.khcn").status_code == 403


def _find(tree: Any, class_name: str) -> Any:
    """The first component of a rendered layout whose className holds `class_name`."""
    if isinstance(tree, dict):
        props = tree.get("props", {})
        if class_name in str(props.get("className", "")).split():
            return tree
        children = props.get("children")
        return _find(children, class_name) if children is not None else None
    if isinstance(tree, list):
        for item in tree:
            found = _find(item, class_name)
            if found is not None:
                return found
    return None


def _rows(table: Any) -> list[list[str]]:
    """A rendered table's body rows as the texts of their cells."""
    body_rows = table["props"]["children"][1]["props"]["children"]
    return [[_cell_text(cell) for cell in row["props"]["children"]] for row in body_rows]


def _cell_text(node: Any) -> str:
    if isinstance(node, dict):
        return _cell_text(node.get("props", {}).get("children"))
    if isinstance(node, list):
        return "".join(_cell_text(n) for n in node)
    return "" if node is None else str(node)

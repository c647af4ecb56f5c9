"""Bad input never crashes a page: every server-side callback, posted with values of the wrong type in
every input and state (as a forged or broken client could send), answers without an internal error."""

from __future__ import annotations

import json
from typing import Any

import dash
import pytest
from flask import Flask

from tests.support.login import csrf_header, login

JUNK: list[Any] = [None, "zzz", -5, 10**12, "1000000000000", 1.5, True, {"x": 1}, [None, "a"], {"points": "x"}, ""]


@pytest.mark.parametrize("username", ["quanly.thanhpho", "chuyenvien.khcn"])
def test_no_callback_breaks_on_junk(server: Flask, username: str) -> None:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    client = server.test_client()
    assert login(client, username).status_code == 302
    client.get("/")
    headers = csrf_header(client)
    failures = []
    posted = 0
    for key, spec in app.callback_map.items():
        if "callback" not in spec:
            continue  # clientside: runs in the browser
        if key.startswith(".._pages_content."):
            continue  # Dash's own page router; a junk pathname there gets the generic error, no traceback (test_hardening)
        outputs = [{"id": o.split(".")[0], "property": o.split(".")[-1]} for o in key.strip(".").split("...")]
        for junk in JUNK:

            def item(entry: dict[str, Any], value: Any = junk) -> dict[str, Any]:
                entry_id = entry["id"]
                if isinstance(entry_id, dict):  # pattern-matching: one forged instance
                    entry_id = {**entry_id, **{k: 1 for k in entry_id if k != "type"}}
                    return {"id": entry_id, "property": entry["property"], "value": value}
                return {"id": entry_id, "property": entry["property"], "value": value}

            inputs = [[item(i)] if isinstance(i["id"], dict) else item(i) for i in spec.get("inputs", [])]
            state = [[item(s)] if isinstance(s["id"], dict) else item(s) for s in spec.get("state", [])]
            first = spec["inputs"][0] if spec.get("inputs") else None
            body = {
                "output": key,
                "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": inputs,
                "state": state,
                "changedPropIds": [
                    f"{json.dumps(first['id']) if isinstance(first['id'], dict) else first['id']}.{first['property']}"
                ]
                if first
                else [],
            }
            response = client.post(
                "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=headers
            )
            posted += 1
            if response.status_code >= 500:
                failures.append((key[:80], repr(junk)[:20], response.status_code))
    assert posted > 100
    assert not failures, sorted({f[0] for f in failures})

"""No input gets a 500: generated bodies posted to every callback and generated paths sent to every route.

Hypothesis draws the bodies (wrong types, unicode digits such as "²" and "①", huge integers, deep
nesting, nulls, malformed ``changedPropIds``, broken envelopes). The seed is derandomised so a CI
run is repeatable, and the runs together send well over 1,000 requests. A failure is any 5xx, or a
traceback in a response body.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dash
import pytest
from dash._utils import split_callback_id
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.login import csrf_header, login

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)

# Values that broke callbacks before (the review's F8) or sit on a parser's edge.
NASTY: list[Any] = [
    "²",
    "①",
    "1²",
    "٣",
    "unit:9223372036854775808",
    "unit:²",
    "9223372036854775808",
    10**30,
    -(2**63),
    1e308,
    "",
    "\x00",
    "{not json",
    "../../etc/passwd",
    "2026-02-30",
    "2026-Q9",
    "99999",
    [],
    {},
    None,
    True,
    {"slides": ["unit:9223372036854775808"], "startRow": "²", "endRow": 10**30},
]
PER_CALLBACK = 20  # generated bodies per callback and run (about 900 in all)
NAMES = ["points", "slides", "unit", "id", "index", "action", "startRow", "endRow", "sortModel", "filterModel", "type"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(NASTY),
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


@dataclass
class Prober:
    """Sends requests and keeps every response that breaks the rule (5xx or a traceback)."""

    client: FlaskClient
    sent: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)

    def post_callback(self, body: Any, *, raw: bytes | None = None, content_type: str = "application/json") -> Any:
        data = raw if raw is not None else json.dumps(body)
        response = self.client.post(
            "/_dash-update-component", data=data, content_type=content_type, headers=csrf_header(self.client)
        )
        self.check(response, (raw or data)[:160] if isinstance(data, bytes) else data[:160])
        return response

    def get(self, path: str, method: str = "GET") -> Any:
        response = self.client.open(path, method=method)
        self.check(response, f"{method} {path}"[:160])
        return response

    def report(self) -> str:
        return f"{len(self.failures)} of {self.sent} failed: {sorted(set(self.failures))[:20]}"

    def check(self, response: Any, what: Any) -> None:
        self.sent += 1
        text = response.get_data().decode("utf-8", "replace")
        if response.status_code >= 500 or "Traceback" in text or 'File "' in text:
            self.failures.append((response.status_code, str(what)))


def _server_callbacks(server: Flask) -> dict[str, dict[str, Any]]:
    app: dash.Dash = server.extensions["pulse"]["dash"]
    return {key: spec for key, spec in sorted(app.callback_map.items()) if "callback" in spec}


def _is_multi(raw_id: str) -> bool:
    return raw_id.startswith("{") and any(v in (["ALL"], ["ALLSMALLER"]) for v in json.loads(raw_id).values())


def _concrete(raw_id: str, filler: Any) -> Any:
    """A concrete component id for a declared one: pattern ids get ``filler`` for each wildcard."""
    if not raw_id.startswith("{"):
        return raw_id
    declared = json.loads(raw_id)
    return {k: (filler if isinstance(v, list) else v) for k, v in declared.items()}


def _prop_id(component_id: Any, prop: str) -> str:
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":")) + "." + prop
    return f"{component_id}.{prop}"


def body_for(key: str, spec: dict[str, Any], value: Any, filler: Any = 1) -> dict[str, Any]:
    """The envelope Dash's renderer would send for this callback, with ``value`` in every input and state."""

    def entry(declared: dict[str, Any]) -> Any:
        item = {"id": _concrete(declared["id"], filler), "property": declared["property"], "value": value}
        return [item] if _is_multi(declared["id"]) else item

    outputs = []
    for part in split_callback_id(key) if key.startswith("..") else [split_callback_id(key)]:
        item = {"id": _concrete(part["id"], filler), "property": part["property"]}
        outputs.append([item] if _is_multi(part["id"]) else item)
    inputs = [entry(i) for i in spec["inputs"]]
    first = spec["inputs"][0]
    body: dict[str, Any] = {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "changedPropIds": [_prop_id(_concrete(first["id"], filler), first["property"])],
    }
    if spec.get("state"):
        body["state"] = [entry(s) for s in spec["state"]]
    return body


@pytest.fixture
def manager(server: Flask) -> Iterator[Prober]:
    client = server.test_client()
    assert login(client, "truongphong.khcn").status_code == 302
    client.get("/")
    yield Prober(client)


def test_every_callback_survives_every_nasty_value(server: Flask, manager: Prober) -> None:
    """Each server callback, with each value that broke one before in every input and state."""
    callbacks = _server_callbacks(server)
    assert len(callbacks) > 40
    for key, spec in callbacks.items():
        for value in NASTY:
            manager.post_callback(body_for(key, spec, value, filler=value if isinstance(value, str | int) else 1))
    assert manager.sent >= len(callbacks) * len(NASTY)
    assert not manager.failures, manager.report()


def test_generated_bodies_to_every_callback(server: Flask) -> None:
    """Random values in every input, random triggers, as a manager and as the read-only screen."""
    probers = []
    for username in ("truongphong.khcn", "manhinh.phonghop"):
        client = server.test_client()
        assert login(client, username).status_code == 302
        client.get("/")
        probers.append(Prober(client))
    callbacks = _server_callbacks(server)  # after the first request: Dash registers the pages' callbacks then
    keys = list(callbacks)
    assert len(keys) > 40

    junk_triggers = st.one_of(
        st.lists(st.text(max_size=20), max_size=2),
        st.sampled_from([["{not json.n_clicks"], ['{"type":"evaluation-action"}.n_clicks'], ["."], [""]]),
    )
    # Mostly triggers that name a sent input, so most bodies reach the callback with their values.
    trigger_kinds = st.sampled_from(["first", "any", "any", "none", "junk"])
    fillers = st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70), st.text(max_size=8), st.sampled_from(NASTY[:9])
    )
    statuses: list[int] = []

    @settings(FUZZ, max_examples=PER_CALLBACK)
    @given(data=st.data(), who=st.integers(min_value=0, max_value=1))
    def post(key: str, data: st.DataObject, who: int) -> None:
        spec = callbacks[key]
        body = body_for(key, spec, None, filler=data.draw(fillers))
        for group in ("inputs", "state"):
            for item in body.get(group, []):
                for one in item if isinstance(item, list) else [item]:
                    one["value"] = data.draw(values)
        kind = data.draw(trigger_kinds)
        if kind == "any":
            item = data.draw(st.sampled_from(body["inputs"]))
            item = item[0] if isinstance(item, list) and item else item
            body["changedPropIds"] = [_prop_id(item["id"], item["property"])] if isinstance(item, dict) else []
        elif kind == "none":
            body["changedPropIds"] = []
        elif kind == "junk":
            body["changedPropIds"] = data.draw(junk_triggers)
        statuses.append(probers[who].post_callback(body).status_code)

    for key in keys:  # each callback gets its own examples (one draw over all favoured the first key)
        post(key)
    failures = probers[0].failures + probers[1].failures
    assert len(statuses) >= PER_CALLBACK * len(keys)
    assert not failures, f"{len(failures)} failures: {sorted(set(failures))[:20]}"
    assert sum(s != 400 for s in statuses) > len(statuses) // 2  # most reached the callback itself


MALFORMED_RAW: list[tuple[bytes, str]] = [
    (b"", "application/json"),
    (b"null", "application/json"),
    (b"[]", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"output"', "application/json"),
    (b"\xef\xbb\xbf{}", "application/json"),
    (b"{not json", "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, "application/json"),
]


@pytest.mark.parametrize(("raw", "content_type"), MALFORMED_RAW, ids=range(len(MALFORMED_RAW)))
def test_raw_bodies_that_are_no_envelope_answer_400(manager: Prober, raw: bytes, content_type: str) -> None:
    response = manager.post_callback(None, raw=raw, content_type=content_type)
    assert response.status_code == 400
    assert response.is_json and "error" in response.get_json()
    assert not manager.failures


@pytest.mark.parametrize(
    ("raw", "content_type"), [(b'{"output": "x"}', "text/plain"), (b"output=x", "application/x-www-form-urlencoded")]
)
def test_bodies_that_are_not_json_answer_415(manager: Prober, raw: bytes, content_type: str) -> None:
    response = manager.post_callback(None, raw=raw, content_type=content_type)
    assert response.status_code == 415
    assert response.is_json and "error" in response.get_json()
    assert not manager.failures


def _mutations(body: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid envelope with one part broken: a key dropped, or a part of the wrong type or shape."""
    junk = st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=8),
        st.just({}),
        st.just([]),
        st.just([None]),
        st.just([{"id": 1}]),
        st.just([{"property": "x"}]),
        st.just([{"id": {"type": [1]}, "property": "n_clicks"}]),
        st.just({"id": "x", "property": "y"}),
        st.just([[{"id": None, "property": None}]]),
        st.just(["{not json.n_clicks"]),
    )
    keys = st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds"])

    def drop(key: str) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k != key}

    def replace(key: str, value: Any) -> dict[str, Any]:
        return {**body, key: value}

    return st.one_of(keys.map(drop), st.builds(replace, keys, junk))


def test_broken_envelopes_answer_400(server: Flask, manager: Prober) -> None:
    """An envelope that could not come from Dash's renderer is refused before Dash reads it."""
    callbacks = _server_callbacks(server)
    valid = {key: body_for(key, spec, None) for key, spec in callbacks.items()}
    statuses: list[int] = []

    @settings(FUZZ, max_examples=250)
    @given(broken=st.sampled_from(sorted(valid)).flatmap(lambda key: _mutations(valid[key])))
    def post(broken: dict[str, Any]) -> None:
        statuses.append(manager.post_callback(broken).status_code)

    post()
    assert not manager.failures, manager.report()
    assert statuses.count(400) > len(statuses) // 2  # most mutations are malformed; the rest are valid no-ops


def _routes(server: Flask) -> list[tuple[str, str]]:
    rules = []
    for rule in server.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"OPTIONS"}):
            rules.append((rule.rule, method))
    return sorted(rules)


segment = st.one_of(
    st.sampled_from(["²", "①", "..", "%2e%2e", "..%2f..", "9223372036854775808", "0", "-1", "%00", "a;b", "1", "vi"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"), min_size=1, max_size=10),
)


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "manager"])
def test_every_route_with_generated_paths(server: Flask, logged_in: bool) -> None:
    """Every route and method, with generated path parameters and queries, anonymous and logged in."""
    client = server.test_client()
    if logged_in:
        assert login(client, "truongphong.khcn").status_code == 302
    prober = Prober(client)
    routes = _routes(server) + [
        (f"/{p['path_template'] or p['path']}".replace("//", "/"), "GET") for p in dash.page_registry.values()
    ]

    @settings(FUZZ, max_examples=150)
    @given(
        route=st.sampled_from(routes),
        parts=st.lists(segment, min_size=1, max_size=3),
        query=st.lists(segment, max_size=2),
    )
    def visit(route: tuple[str, str], parts: list[str], query: list[str]) -> None:
        rule, method = route
        path = rule
        for name in ("<path:path>", "<path:filename>", "<path:fingerprinted_path>"):
            path = path.replace(name, "/".join(parts))
        while "<" in path:
            start, end = path.index("<"), path.index(">")
            path = path[:start] + parts[0] + path[end + 1 :]
        if query:
            path += "?" + "&".join(
                f"{name}={value}" for name, value in zip(["unit", "period", "next"], query, strict=False)
            )
        prober.get(path, method)

    visit()
    assert prober.sent >= 150
    assert not prober.failures, prober.report()


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/dash/../../_dash-layout",
        "/_dash-component-suites/dash/%2e%2e/%2e%2e/_dash-layout",
        "/_dash-component-suites/dash/../../../../etc/passwd",
        "/_dash-component-suites/dash/..%2f..%2fapp.py",
        "/_dash-component-suites/nosuchpackage/x.js",
        "/_dash-component-suites/os/path.py",
        "/_dash-component-suites/dash/deps/../../../app.py",
    ],
)
def test_component_suite_traversal_is_404_without_traceback(
    server: Flask, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = server.test_client()
    with caplog.at_level(logging.DEBUG):
        response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], [
        r.getMessage()[:200] for r in caplog.records
    ]

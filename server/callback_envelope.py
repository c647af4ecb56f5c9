"""Requests to Dash's own endpoints, checked before Dash reads them.

Dash trusts the envelope of ``/_dash-update-component`` (output, outputs, inputs, state,
changedPropIds): a body its renderer would never send (a list instead of a dict, ``state: null``, an
unknown output, a trigger that names no input, nesting thousands deep) raised inside Dash and became
a 500. Here such a body gets a 400 JSON answer, and the callbacks only ever see envelopes shaped
like their declaration. The values inside stay free: each callback reads its own defensively
(pages/_inputs.py), except the router's location, which Dash itself needs as text.

A callback registered by a page module answers only the roles that may open that page (403
otherwise, as the page itself): staff refused /rankings cannot read its figures by posting to its
callback (server.security.callback_allows).

Component-suite requests for files Dash did not register (``dash/../../x``) get a quiet 404
instead of Dash's DependencyException, whose message lists every registered path in the log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from dash.fingerprint import check_fingerprint
from flask import Flask, abort, jsonify, request

log = logging.getLogger("pulse.envelope")

UPDATE_PATH = "/_dash-update-component"
SUITES_RULE = "/_dash-component-suites/"
MAX_DEPTH = 48  # the deepest real value (a figure's clickData, an ag-grid request) is under 10
WILDCARDS = (["ALL"], ["MATCH"], ["ALLSMALLER"])
ROUTER = "_pages_location"  # Dash's page router reads these as text and fails on anything else


class Malformed(ValueError):
    """The body is not an envelope Dash's renderer could have sent; the message says which part."""


def _depth_ok(value: Any) -> bool:
    """Whether nesting stays within MAX_DEPTH (walked without recursion, so any depth is safe)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def _declared_id(raw: str) -> Any:
    return json.loads(raw) if raw.startswith("{") else raw


def _is_multi(declared: Any) -> bool:
    return isinstance(declared, dict) and any(v in (["ALL"], ["ALLSMALLER"]) for v in declared.values())


def _id_matches(declared: Any, given: Any) -> bool:
    """A concrete id fits its declaration: equal text, or the same keys with scalars in the wildcards."""
    if not isinstance(declared, dict):
        return isinstance(given, str) and given == declared
    if not isinstance(given, dict) or set(given) != set(declared):
        return False
    for key, expected in declared.items():
        value = given[key]
        if expected in WILDCARDS:
            if not isinstance(value, str | int | float | bool) or (isinstance(value, str) and len(value) > 200):
                return False
        elif value != expected:
            return False
    return True


def _check_item(item: Any, declared_id: Any, prop: str, part: str, *, has_value: bool) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("property"), str):
        raise Malformed(f"{part}: not an id and property")
    if not _id_matches(declared_id, item.get("id")) or item["property"].split("@")[0] != prop.split("@")[0]:
        raise Malformed(f"{part}: not the declared component")
    if has_value and item.get("id") == ROUTER:
        value = item.get("value")
        text_ok = isinstance(value, str) and (value.startswith("/") if prop == "pathname" else True)
        if not (text_ok or (prop == "search" and value is None)):
            raise Malformed(f"{part}: the page location is not text")


def _check_group(given: Any, declared: list[dict[str, Any]], part: str, *, has_value: bool) -> list[dict[str, Any]]:
    """Check a list of inputs/state/outputs against its declaration; return the concrete items."""
    if not isinstance(given, list) or len(given) != len(declared):
        raise Malformed(f"{part}: expected {len(declared)} entries")
    items: list[dict[str, Any]] = []
    for entry, spec in zip(given, declared, strict=True):
        declared_id = _declared_id(spec["id"])
        if _is_multi(declared_id):
            if not isinstance(entry, list):
                raise Malformed(f"{part}: expected a list for a pattern")
            group = entry
        else:
            group = [entry]
        for item in group:
            _check_item(item, declared_id, spec["property"], part, has_value=has_value)
        items.extend(group)
    return items


def _declared_outputs(key: str) -> list[dict[str, Any]]:
    """The outputs named by a callback key ("a.b" or "..a.b...c.d..")."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    outputs = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        outputs.append({"id": component, "property": prop})
    return outputs


def _check_triggers(changed: Any, inputs: list[dict[str, Any]]) -> None:
    """Each changed prop id must name one of the inputs sent (callbacks read ``ctx.triggered_id``)."""
    # As many triggers as inputs sent at most: a pattern-matching input (a tree of 127 wards' buttons)
    # names every instance that appeared at once, so a fixed cap refused real pages.
    if not isinstance(changed, list) or len(changed) > max(len(inputs), 1):
        raise Malformed("changedPropIds: not a list")
    sent = [(item["id"], item["property"]) for item in inputs]
    for prop_id in changed:
        if not isinstance(prop_id, str) or "." not in prop_id:
            raise Malformed("changedPropIds: not a prop id")
        component, _, prop = prop_id.rpartition(".")
        try:
            parsed = json.loads(component) if component.startswith("{") else component
        except ValueError as error:
            raise Malformed("changedPropIds: unreadable id") from error
        if (parsed, prop) not in sent:
            raise Malformed("changedPropIds: names no input")


def check_envelope(body: Any, callback_map: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise Malformed unless ``body`` is an envelope for one of the app's server-side callbacks."""
    if not isinstance(body, dict):
        raise Malformed("not an object")
    if not _depth_ok(body):
        raise Malformed("nested too deep")
    key = body.get("output")
    spec = callback_map.get(key) if isinstance(key, str) else None
    if spec is None or "callback" not in spec:
        raise Malformed("unknown output")
    declared_outputs = _declared_outputs(key)
    if not spec.get("no_output"):
        outputs = body.get("outputs")
        _check_group(outputs if key.startswith("..") else [outputs], declared_outputs, "outputs", has_value=False)
    inputs = _check_group(body.get("inputs"), spec.get("inputs", []), "inputs", has_value=True)
    _check_group(body.get("state", []), spec.get("state", []), "state", has_value=True)  # absent when none declared
    _check_triggers(body.get("changedPropIds", []), inputs)


def _read_body() -> Any:
    if not request.is_json:
        raise Malformed("not JSON")
    try:
        return json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError) as error:  # RecursionError: nesting beyond the parser's stack
        raise Malformed("unreadable JSON") from error


def _refused_by_role(callback: Any) -> Any:
    """403 when the callback belongs to a page the viewer's role may not open (the guard let the request
    through: the user is logged in); None to go on."""
    from flask_login import current_user

    from server.security import _scope_kind, callback_allows

    role = getattr(getattr(current_user, "role", None), "value", None)
    if role is None or callback_allows(callback, role, _scope_kind):
        return None
    log.info("refused a callback of a page closed to the role %s", role)
    _audit_refusal(role, getattr(callback, "__module__", "?"))
    return jsonify(error="forbidden"), 403


def _audit_refusal(role: str, module: str) -> None:
    """The refusal in the audit log, in its own transaction, as the pages' own refusals are (SECURITY.md)."""
    from flask_login import current_user

    from data_access import audit
    from server.context import current_store

    with current_store().write() as session:
        audit.record(
            session,
            user_id=getattr(current_user, "id", None),
            action="read",
            entity="scope",
            outcome="denied",
            detail=f"role {role} posted to a callback of {module}, a page closed to it",
        )


def install(server: Flask, dash_app: Any) -> None:
    """Check callback envelopes and component-suite paths before Dash handles them.

    Install after the security guard, so an anonymous client still hears 401 and a missing CSRF
    token 400 before anything about the body.
    """

    @server.before_request
    def check_dash_request() -> Any:
        if request.path == UPDATE_PATH and request.method == "POST":
            if not request.is_json:
                abort(415)  # not a body Dash reads at all: "unsupported media type", as JSON (security.http_error)
            try:
                body = _read_body()
                check_envelope(body, dash_app.callback_map)
            except Malformed as problem:
                log.info("refused a callback request: %s", problem)
                return jsonify(error="malformed callback request"), 400
            refused = _refused_by_role(dash_app.callback_map[body["output"]].get("callback"))
            if refused is not None:
                return refused
        elif request.path.startswith(SUITES_RULE) and request.view_args:
            package = request.view_args.get("package_name")
            path, _ = check_fingerprint(str(request.view_args.get("fingerprinted_path", "")))
            if path not in dash_app.registered_paths.get(package, ()):
                abort(404)
        return None

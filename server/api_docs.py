"""/admin/api: the API's reference for administrators, read from the OpenAPI document and drawn on
the server (no Swagger UI from a CDN, no script at all)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from domain.admin_access import ADMIN_ROLES
from domain.api_tokens import Scope

bp = Blueprint("api_docs", __name__)
METHODS = ("get", "post", "put", "patch", "delete")


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                found.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": operation.get("summary", ""),
                        "description": operation.get("description", ""),
                        "parameters": operation.get("parameters", []),
                        "responses": sorted(operation.get("responses", {}).items()),
                    }
                )
    return found


@bp.get("/admin/api")
def reference() -> Any:
    """The guard has already asked for a session; only administrators (who hand out the tokens) see the reference."""
    if current_user.role.value not in ADMIN_ROLES:
        return render_template("error.html", code=403), 403
    spec = current_app.spec  # type: ignore[attr-defined]
    return render_template(
        "api_docs.html",
        operations=_operations(spec if isinstance(spec, dict) else {}),
        scopes=[scope.value for scope in Scope],
    )

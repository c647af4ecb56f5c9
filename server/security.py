"""Deny by default, CSRF, security headers, and failure pages that leak nothing.

Every route except the login form, static assets and /health needs a valid session: Dash and
JSON endpoints answer 401, pages redirect to /login. Pages registered with `roles=[...]` are
also refused (403) to other roles, on the server.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import dash
from flask import Flask, Response, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from config.settings import Settings
from domain.admin_access import may_administer
from server.i18n import _

log = logging.getLogger("pulse.security")

# The public page and its two files (server.public.ROUTES) are the only anonymous reads of data.
PUBLIC_EXACT = frozenset(
    {"/login", "/health", "/favicon.ico", "/_favicon.ico", "/public", "/public.csv", "/public.json"}
)
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
# What a user who must replace a reset password may still reach (besides the public routes).
PASSWORD_OPEN = frozenset({"/password", "/logout"})
# The machine API authenticates each call by its bearer token (server.api), never by the session.
MACHINE_API_PREFIX = "/api/v1/"
MACHINE_API_BLUEPRINTS = frozenset({"api_v1", "openapi"})  # the API's routes and APIFlask's OpenAPI document
API_PREFIXES = ("/_dash-", "/_reload-hash", "/_alive", "/api/")
CSRF_COOKIE = "_csrf_token"
# Errors that mean "the database is not answering" (down, restarting, locked, pool exhausted): 503.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 10


def _is_public(path: str) -> bool:
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def _wants_json(path: str) -> bool:
    return path.startswith(API_PREFIXES) or request.is_json or request.accept_mimetypes.best == "application/json"


def _page_of(path: str) -> dict[str, Any] | None:
    """The Dash page serving this path, if any."""
    for page in dash.page_registry.values():
        template = page.get("path_template")
        if page.get("path") == path or (template and re.fullmatch(re.sub(r"<[^>]+>", "[^/]+", template), path)):
            return page
    return None


def page_allows(page: dict[str, Any], role: str, scope_kind: str) -> bool:
    """Whether a page registered with `roles=[...]` (and, for administration pages, `admin=True`: a
    leader administers only with a ward's, commune's or department's scope) opens for this viewer."""
    roles = page.get("roles")
    if roles is not None and role not in roles:
        return False
    return not page.get("admin") or may_administer(role, scope_kind)


EVERY_PAGE = "pulse_every_page"  # marks a callback of a page module that serves every page (the navbar's)


def every_page(func: Any) -> Any:
    """Mark a callback that lives in a page module but serves the shell on every page (the navbar's work
    badge): the page's role limit does not apply to it. Put it under ``@callback``."""
    setattr(func, EVERY_PAGE, True)
    return func


def callback_allows(callback: Any, role: str, scope_kind: Any) -> bool:
    """Whether the viewer may run a server callback: a callback registered by a page module answers only
    the roles that may open that page (a page refused with 403 must not answer through its callbacks).
    ``scope_kind`` is called only for administration pages. Callbacks of the shell and clientside ones
    belong to no page."""
    page = dash.page_registry.get(getattr(callback, "__module__", None) or "")
    if page is None or getattr(callback, EVERY_PAGE, False):
        return True
    roles = page.get("roles")
    needs_scope = page.get("admin") and (roles is None or role in roles)
    return page_allows(page, role, scope_kind() if needs_scope else "")


def _scope_kind() -> str:
    from server.context import current_viewer  # loaded once per request, kept for the callbacks

    return current_viewer().scope_kind


def _as_anonymous() -> None:
    """Go on as an anonymous visitor for the rest of this request, without asking the database again."""
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]


def _signed_in() -> bool:
    """Whether the request comes from a logged-in user; False when the database cannot say."""
    try:
        return bool(getattr(current_user, "is_authenticated", False))
    except DATABASE_DOWN:  # /health and error pages must still answer while the database is down
        _as_anonymous()
        return False


def init_security(server: Flask, settings: Settings) -> CSRFProtect:
    """Install the guard, CSRF protection, headers and error pages; returns the CSRF protection."""
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="pulse_session",
        # Send the cookie only when the session changes: re-sending it on every request let a slow
        # callback that started before a language switch put the old language back. Expiry is
        # enforced server-side (user_sessions), so nothing needs the refresh.
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the login session
        WTF_CSRF_SSL_STRICT=settings.secure_cookies,
        PROPAGATE_EXCEPTIONS=False,
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
    )

    @server.before_request
    def deny_by_default() -> Any:
        path = request.path
        if _is_public(path) or (path.startswith(MACHINE_API_PREFIX) and request.blueprint in MACHINE_API_BLUEPRINTS):
            return None
        if not getattr(current_user, "is_authenticated", False):
            if _wants_json(path):
                return jsonify(error="authentication required"), 401
            return redirect(url_for("auth.login_form", next=request.full_path.rstrip("?")))
        if getattr(current_user, "must_change_password", False) and path not in PASSWORD_OPEN:
            # Enforced here, not only by a redirect: no page, callback or API answers until the reset
            # password is replaced (the administrator who read it out must not be able to use it).
            if _wants_json(path) or request.method != "GET":
                return jsonify(error="password change required"), 403
            return redirect(url_for("auth.password_form", next=request.full_path.rstrip("?")))
        page = _page_of(path) if request.method == "GET" and not path.startswith(API_PREFIXES) else None
        if page is not None:
            role = current_user.role.value
            roles = page.get("roles")
            # The role alone decides most pages; only an administration page needs the scope's kind (one read).
            scope_kind = _scope_kind() if page.get("admin") and (roles is None or role in roles) else ""
            if not page_allows(page, role, scope_kind):
                return render_template("error.html", code=403), 403
        return None

    csrf = CSRFProtect(server)  # after the guard: an anonymous client hears 401 before anything else

    @server.after_request
    def headers(response: Response) -> Response:
        dash_app = server.extensions["pulse"].get("dash")
        script_hashes = " ".join(dash_app.csp_hashes()) if dash_app is not None else ""
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' {script_hashes}; "
            "style-src 'self' 'unsafe-inline'; "  # plotly and dash-ag-grid set inline styles
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if settings.secure_cookies:
            # Served over HTTPS (that is what Secure cookies say): browsers must never try plain HTTP
            # again, where the first request could be intercepted. A year, this host only.
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if _signed_in() or request.path == "/login":
            # Dash's renderer sends this cookie back as the X-CSRFToken header.
            response.set_cookie(
                CSRF_COOKIE, generate_csrf(), samesite="Lax", secure=settings.secure_cookies, httponly=False
            )
        if request.path.startswith(("/_dash-", "/login")) or response.mimetype == "application/json":
            response.headers["Cache-Control"] = "no-store"
        return response

    @server.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        if _wants_json(request.path):
            return jsonify(error="invalid or missing CSRF token"), 400
        return render_template("error.html", code=400), 400

    @server.errorhandler(404)
    def not_found(_error: Exception) -> Any:
        if _wants_json(request.path):
            return jsonify(error="not found"), 404
        return render_template("error.html", code=404), 404

    def database_down(error: Exception) -> Any:
        log.error("database unavailable: %s", error.__class__.__name__)
        # Finding out who the user is needs the database, the very thing that failed: render (and set the
        # headers) as an anonymous visitor. The session cookie is left alone, so the user is still logged
        # in once the database is back.
        if "_login_user" not in g:
            _as_anonymous()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if _wants_json(request.path):
            message = _(
                "The database cannot be reached right now. Pulse will work again as soon as it is back; "
                "try again in a minute."
            )
            return jsonify(error="database unavailable", message=message), 503, headers
        return render_template("error.html", code=503), 503, headers

    for error_class in DATABASE_DOWN:
        server.register_error_handler(error_class, database_down)

    @server.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        """413, 400, 415 and the like: JSON for JSON clients (Dash's renderer cannot read Werkzeug's HTML)."""
        if _wants_json(request.path):
            return jsonify(error=(error.name or "error").lower()), error.code or 500
        return error

    @server.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        # Only HTTPException (above) passes through: an XML ParseError also has an integer `code`, and
        # returning it as a response turned a bad upload into a 500 from Flask itself.
        log.exception("unexpected error")
        if _wants_json(request.path):
            return jsonify(error="internal error"), 500
        return render_template("error.html", code=500), 500

    return csrf

"""Login and logout: a plain Flask form (CSRF-protected), flask-login, server-side sessions.

The login page is not a Dash page, so every Dash endpoint can deny anonymous clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, login_user, logout_user

from config.clock import now, today
from data_access import accounts
from data_access.errors import Invalid
from data_access.notifications import raise_deadline_notices
from data_access.viewer import landing_of
from domain.kinds import Role
from server.context import best_effort_write, current_settings, current_store, extension
from server.i18n import COOKIE, LANGUAGES, SESSION_KEY, _

bp = Blueprint("auth", __name__, template_folder="templates")
SESSION_ID = "sid"
SESSION_EPOCH = "epoch"
ICON_FOLDER = Path(__file__).resolve().parent.parent / "assets"


def too_many_attempts() -> str:
    """The refusal shown when the throttle says no (the login form and the /account password form)."""
    return _("Too many failed attempts for this account. Wait five minutes and try again.")


@dataclass
class SessionUser(UserMixin):
    """What flask-login keeps for the request; the Viewer is built from it in server.context."""

    id: int
    role: Role
    language: str
    must_change_password: bool = False

    def get_id(self) -> str:
        return str(self.id)


def init_login(server: Flask) -> None:
    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = None  # our server-side session check replaces it

    @manager.user_loader
    def load_user(user_id: str) -> SessionUser | None:
        return _valid_session_user(user_id)

    server.register_blueprint(bp)


def session_limits() -> accounts.SessionLimits:
    """The session time limits of this app's settings (the screen account's are in SessionLimits)."""
    settings = current_settings()
    return accounts.SessionLimits(
        idle=timedelta(minutes=settings.session_idle_minutes), absolute=timedelta(hours=settings.session_absolute_hours)
    )


def _valid_session_user(user_id: str) -> SessionUser | None:
    """The user of this cookie if its server-side session is still open and valid."""
    session_id, epoch = session.get(SESSION_ID), session.get(SESSION_EPOCH)
    if not session_id or epoch is None or not user_id.isdigit():
        return None
    store = current_store()
    moment = now()
    with store.read() as db:
        state = accounts.check_session(
            db, session_id=session_id, user_id=int(user_id), epoch=int(epoch), now=moment, limits=session_limits()
        )
    if state is None:
        g.pulse_session_ended = True
        return None
    if state.needs_touch:  # best-effort: a locked database must not turn a read page into a 503
        best_effort_write(lambda db: accounts.touch_session(db, session_id=session_id, now=moment))
    return SessionUser(
        id=state.user_id, role=state.role, language=state.language, must_change_password=state.must_change_password
    )


def current_session_id() -> str | None:
    """The server-side session id of this request's cookie (None when logged out)."""
    value = session.get(SESSION_ID)
    return value if isinstance(value, str) else None


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _throttle():  # type: ignore[no-untyped-def]
    return extension("throttle")


@bp.get("/login")
def login_form() -> Response:
    language = request.args.get("lang")
    response = make_response(
        render_template("login.html", error=None, next=_safe_next(request.args.get("next")), languages=LANGUAGES)
    )
    if language in LANGUAGES:
        response.set_cookie(
            COOKIE, language, max_age=365 * 86400, samesite="Lax", secure=current_settings().secure_cookies
        )
    return response


@bp.post("/login")
def login_submit() -> Response:
    username = (request.form.get("username") or "").strip().lower()[:80]
    password = request.form.get("password") or ""
    target = _safe_next(request.form.get("next"))
    if not username:
        return _login_error(_("Wrong user name or password."), 401, target)
    if not password_check_allowed(username):
        return _login_error(too_many_attempts(), 429, target)
    store = current_store()
    with store.read() as db:
        login = accounts.authenticate(db, username=username, password=password)
    opened = None
    if login is not None:
        with store.write() as db:
            opened = accounts.open_session(db, login=login, now=now(), user_agent=request.headers.get("User-Agent"))
            if opened is not None:
                # Deadlines that came near since the last visit become notices now (also swept daily by the CLI).
                raise_deadline_notices(db, today=today(), user_id=opened.user_id)
    if opened is None:
        return _login_error(_("Wrong user name or password."), 401, target)
    password_check_passed(username)
    session.clear()  # a new session at every login: no fixation
    session[SESSION_ID] = opened.session_id
    session[SESSION_EPOCH] = opened.epoch
    session[SESSION_KEY] = opened.language
    session.permanent = True
    login_user(SessionUser(id=opened.user_id, role=opened.role, language=opened.language))
    if target == "/":  # no page asked for: land where the person's work is
        with store.read() as db:
            target = landing_of(db, opened.user_id)
    return redirect(target)


def client_address() -> str:
    """The address the request came from (the client's, when a ProxyFix in front says so)."""
    return request.remote_addr or "unknown"


def password_check_allowed(username: str) -> bool:
    """Count a password check for this account from this address; False: refuse it unchecked."""
    return bool(_throttle().attempt(username, client_address()))


def password_check_passed(username: str) -> None:
    """The password was right: the check does not count as a failure."""
    _throttle().succeeded(username, client_address())


def _login_error(message: str, status: int, target: str) -> Response:
    response = make_response(render_template("login.html", error=message, next=target, languages=LANGUAGES), status)
    return response


PASSWORD_PATH = "/password"  # noqa: S105 (a route, not a secret)


def must_change_password() -> bool:
    """Whether this request's user still has to replace a password an administrator reset."""
    from flask_login import current_user

    return bool(getattr(current_user, "must_change_password", False))


def _password_messages() -> dict[str, str]:
    return {
        "wrong_password": _("The current password is not right."),
        "too_short": _("The new password needs at least 8 characters."),
        "too_common": _("The new password is too common; choose a less guessable one."),
        "same_password": _("The new password must differ from the current one."),
        "mismatch": _("The two new passwords are not the same."),
    }


def _password_page(error: str | None, target: str, status: int = 200) -> Response:
    return make_response(
        render_template("password.html", error=error, next=target, forced=must_change_password()), status
    )


@bp.get(PASSWORD_PATH)
def password_form() -> Response:
    """Choose a new password: where the guard sends a user whose password an administrator reset.
    A plain form, like the login, so that it works while every Dash endpoint is closed to this user."""
    return _password_page(None, _safe_next(request.args.get("next")))


@bp.post(PASSWORD_PATH)
def password_submit() -> Response:
    from server.context import current_viewer

    target = _safe_next(request.form.get("next"))
    current = request.form.get("current") or ""
    new = request.form.get("new") or ""
    if new != (request.form.get("repeat") or ""):
        return _password_page(_password_messages()["mismatch"], target, 400)
    viewer = current_viewer()
    # Checks count like logins: a stolen session must not become a way to guess the password.
    if not password_check_allowed(viewer.username):
        return _password_page(too_many_attempts(), target, 429)
    try:
        with current_store().write() as db:
            accounts.change_password(
                db, viewer=viewer, current=current, new=new, now=now(), keep_session_id=current_session_id()
            )
    except Invalid as error:
        if "current" not in error.problems:
            password_check_passed(viewer.username)
        code = next(iter(error.problems.values()))
        return _password_page(_password_messages().get(code, _("The password was not changed.")), target, 400)
    password_check_passed(viewer.username)
    return redirect(target)


@bp.post("/logout")
def logout() -> Response:
    """POST with the CSRF token only: a link on another site must not end the user's session."""
    session_id = session.get(SESSION_ID)
    if session_id:
        with current_store().write() as db:
            accounts.close_session(db, session_id=session_id, now=now())
    logout_user()
    session.clear()
    response = redirect(url_for("auth.login_form"))
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.post("/language/<code>")
def switch_language(code: str) -> Response:
    """Remember the chosen language for this user (and this browser), then go back.

    POST with the CSRF token only: it writes the user's record, which a cross-site link must not do.
    """
    from flask_login import current_user

    from server.context import current_viewer

    if code in LANGUAGES:
        session[SESSION_KEY] = code
        if getattr(current_user, "is_authenticated", False):
            with current_store().write() as db:
                accounts.set_language(db, viewer=current_viewer(), language=code)
    response = redirect(_safe_next(request.form.get("next") or request.args.get("next")))
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=365 * 86400, samesite="Lax", secure=current_settings().secure_cookies)
    return response


@bp.get("/logout")
@bp.get("/language/<code>")
def post_only(code: str | None = None) -> Response:
    """Say so plainly (405) rather than let Dash's catch-all route answer these with its index page."""
    abort(405, valid_methods=["POST"])


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The real icon: otherwise Dash's catch-all route served its whole index page here, to anyone."""
    return send_from_directory(ICON_FOLDER, "favicon.ico", mimetype="image/x-icon", max_age=7 * 86400)

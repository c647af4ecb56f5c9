"""Pulse: create_app() builds the Flask server, binds the store, login, i18n and throttling, and
mounts the Dash pages behind one deny-by-default guard. `python app.py` serves for development;
production runs `gunicorn 'app:create_app()'`. Flask's CLI finds the factory too:
`flask --app app seed`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash
from apiflask import APIFlask
from flask import Flask

from config.settings import Settings, load_settings
from data_access.cache import ScopedCache, database_namespace
from data_access.db import Store
from data_access.evidence_store import FolderStore
from server import (
    api,
    api_docs,
    auth,
    callback_envelope,
    cli,
    context,
    evidence_download,
    health,
    public,
    reports_download,
    security,
    shell,
)
from server.api_rate import ApiRateLimit
from server.i18n import init_i18n
from server.redis_client import connect as connect_redis
from server.signals import ChangeSignal
from server.throttle import DatabaseThrottle, PublicRate, RedisThrottle

ROOT = Path(__file__).resolve().parent
VENDOR_CSS = ["/assets/vendor/bootstrap/bootstrap.min.css", "/assets/vendor/bootstrap-icons/bootstrap-icons.min.css"]

# No inline scripts (CSP), no version banner.
INDEX = """<!DOCTYPE html>
<html lang="vi">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""

HIDDEN_CONFIG_KEYS = ("python_version", "dash_version", "plotly_version", "ddk_version", "dash_version_url")


class PulseDash(dash.Dash):
    """Dash without the version details its front-end config would otherwise publish."""

    def _config(self) -> dict[str, Any]:
        config = super()._config()
        for key in HIDDEN_CONFIG_KEYS:
            config.pop(key, None)
        return config


def create_app(settings: Settings | None = None) -> Flask:
    """Build the whole app for the given settings (environment settings by default).

    Returns the Flask server; the Dash app hangs off it as ``server.extensions["pulse"]["dash"]``.
    """
    settings = (settings or load_settings()).validate()
    # APIFlask is Flask that also writes the OpenAPI document of the /api/v1 blueprint; the app's own
    # error pages stay (json_errors=False), and its routes stay out of the document (AUTO_200_RESPONSE).
    server = APIFlask(
        __name__,
        title="Pulse API",
        version="1",
        spec_path=f"{api.PREFIX}/openapi.json",
        docs_path=None,
        json_errors=False,
        static_folder=None,
        template_folder=str(ROOT / "server" / "templates"),
    )
    server.config.update(
        SECRET_KEY=settings.secret_key,
        DEBUG=False,
        TESTING=settings.env == "test",
        AUTO_200_RESPONSE=False,
        SECURITY_SCHEMES={api.SECURITY: {"type": "http", "scheme": "bearer"}},
    )
    store = Store.connect(settings.database_url, echo=settings.sql_echo, tolerances=settings.tolerances)
    redis = connect_redis(settings.redis_url)
    database_throttle = DatabaseThrottle(
        store, max_failures=settings.login_max_failures, window_seconds=settings.login_window_seconds
    )
    throttle = (
        RedisThrottle(
            redis,
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_window_seconds,
            fallback=database_throttle,
        )
        if redis is not None
        else database_throttle
    )
    namespace = database_namespace(settings.database_url)
    cache = ScopedCache(connect_redis(settings.redis_url, text=False), namespace=namespace)
    signal = ChangeSignal(redis, namespace=namespace)
    signal.install(store)
    api_rate = ApiRateLimit(store, redis, prefix=f"pulse:api:{namespace}")
    public_rate = PublicRate(ApiRateLimit(store, redis, prefix=f"pulse:public:{namespace}"))
    context.install(
        server,
        settings=settings,
        store=store,
        redis=redis,
        throttle=throttle,
        cache=cache,
        signal=signal,
        api_rate=api_rate,
        public_rate=public_rate,
        evidence_store=FolderStore(settings.evidence_dir),
    )
    init_i18n(server, settings)
    auth.init_login(server)
    csrf = security.init_security(server, settings)
    server.register_blueprint(health.bp)
    server.register_blueprint(api.bp)
    server.spec_processor(api.complete_spec)
    csrf.exempt(api.bp)  # bearer tokens, never cookies: nothing for a forged cross-site request to ride on
    server.register_blueprint(api_docs.bp)
    server.register_blueprint(reports_download.bp)
    server.register_blueprint(public.bp)
    server.register_blueprint(evidence_download.bp)
    cli.register(server)

    app = PulseDash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        assets_ignore=r"vendor/.*",
        external_stylesheets=VENDOR_CSS,
        index_string=INDEX,
        title="Pulse",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        enable_mcp=False,  # never expose callbacks as MCP tools, whatever DASH_MCP_ENABLED says
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.layout = shell.serve_layout
    shell.register_shell_callbacks(app)
    server.extensions[context.EXTENSION_KEY]["dash"] = app
    callback_envelope.install(server, app)
    return server


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=8050, debug=False)

"""Pulse: create_app() builds the Flask server, binds the store, login, i18n and cache, and
mounts the Dash pages behind one deny-by-default guard. `python app.py` serves for development;
production runs `gunicorn 'app:create_app()'`. Flask's CLI finds the factory too:
`flask --app app seed`.
"""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from flask import Flask

from config.settings import Settings, load_settings
from data_access.db import Store
from server import cli, context

ROOT = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> Flask:
    """Build the whole app for the given settings (environment settings by default).

    Returns the Flask server; the Dash app hangs off it as ``server.extensions["pulse"]["dash"]``.
    """
    settings = (settings or load_settings()).validate()
    server = Flask(__name__, static_folder=None)
    server.config.update(SECRET_KEY=settings.secret_key, DEBUG=False, TESTING=settings.env == "test")
    store = Store.connect(settings.database_url, echo=settings.sql_echo)
    context.install(server, settings=settings, store=store)
    cli.register(server)

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        title="Pulse",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        external_stylesheets=[],
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.layout = lambda: dbc.Container(dash.page_container, fluid=True)
    server.extensions[context.EXTENSION_KEY]["dash"] = app
    return server


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=8050, debug=False)

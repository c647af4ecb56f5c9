"""The reader's language outside a web request: the worker has no request, so it opens an app context on
a small Flask app bound to the same catalogs and forces the report's locale."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from flask import Flask
from flask_babel import Babel, force_locale

from components.i18n import ZONE_CONFIG
from config.settings import PROJECT_ROOT, load_settings


@cache
def _app() -> Flask:
    app = Flask("pulse-reports")
    app.config["BABEL_DEFAULT_LOCALE"] = "vi"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "config" / "translations")
    app.config[ZONE_CONFIG] = load_settings().timezone
    Babel(app)
    return app


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Within this block gettext, format_number and format_date speak `language`."""
    with _app().app_context(), force_locale(language):
        yield

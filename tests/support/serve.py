"""Serve the app for browser tests: `python -m tests.support.serve PORT` with settings from the environment.

One process serves a whole test session. Between tests the harness POSTs another database URL to
SWITCH_PATH (with the token it put in the environment) and the app is rebuilt by the same factory
production uses, on that database: nothing of the previous test survives (store, cache, throttle,
signals), while the ~4 s of process start and imports are paid once instead of once per test.
"""

from __future__ import annotations

import contextvars
import hmac
import os
import sys
import threading
from collections.abc import Iterable
from typing import Any

from flask import Flask
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

from app import create_app
from config.settings import load_settings, normalise_database_url

SWITCH_PATH = "/__pulse_test__/database"
TOKEN_ENV = "PULSE_TEST_SWITCH_TOKEN"
TOKEN_HEADER = "X-Pulse-Test-Token"


class SwitchableApp:
    """The Pulse app, rebuilt on another database when the test harness asks for it."""

    def __init__(self, token: str) -> None:
        self._token = token
        self._lock = threading.Lock()
        self.app: Flask = create_app()
        # Dash's register_page reads a context variable the first build set in this (main) thread's
        # context; request threads do not have it, so rebuilds run in a copy of this context.
        self._context = contextvars.copy_context()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == SWITCH_PATH:
            return self._switch(Request(environ))(environ, start_response)
        return self.app(environ, start_response)

    def _switch(self, request: Request) -> Response:
        if request.method != "POST" or not hmac.compare_digest(request.headers.get(TOKEN_HEADER, ""), self._token):
            return Response("forbidden", status=403)
        url = normalise_database_url(request.get_data(as_text=True).strip())
        with self._lock:
            fresh = self._context.run(create_app, load_settings().with_overrides(database_url=url))
            previous, self.app = self.app, fresh
        previous.extensions["pulse"]["store"].dispose()
        return Response("switched", status=200)


if __name__ == "__main__":
    run_simple(
        "127.0.0.1",
        int(sys.argv[1]),
        SwitchableApp(os.environ[TOKEN_ENV]),
        threaded=True,
        use_reloader=False,
        use_debugger=False,
    )

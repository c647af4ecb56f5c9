"""Serve the app for browser tests: `python -m tests.support.serve PORT` with settings from the environment."""

from __future__ import annotations

import sys

from werkzeug.serving import run_simple

from app import create_app

if __name__ == "__main__":
    run_simple("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True, use_reloader=False, use_debugger=False)

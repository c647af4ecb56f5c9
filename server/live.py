"""Real-time refresh: every open page polls the data version (a Redis GET when REDIS_URL is set,
else one primary-key read: server/signals.py) and its data callbacks, which take the version as an
input, recompute only when it moved. Polling pauses while the tab is hidden.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html, no_update

from server.context import current_settings, current_store, extension

LIVE_TICK_ID = "pulse-live-tick"
LIVE_VISIBLE_TICK_ID = "pulse-live-visible-tick"
LIVE_VERSION_ID = "pulse-live-version"


def live_components() -> html.Div:
    """The interval and stores every page shares (placed once in the shell)."""
    return html.Div(
        [
            dcc.Interval(id=LIVE_TICK_ID, interval=current_settings().refresh_interval_ms, n_intervals=0),
            dcc.Store(id=LIVE_VISIBLE_TICK_ID, storage_type="memory"),
            dcc.Store(id=LIVE_VERSION_ID, storage_type="memory"),
        ]
    )


def register_live_callbacks(app: dash.Dash) -> None:
    # Hidden tabs do not poll the server at all.
    app.clientside_callback(
        "function(n) { return document.hidden ? window.dash_clientside.no_update : n; }",
        Output(LIVE_VISIBLE_TICK_ID, "data"),
        Input(LIVE_TICK_ID, "n_intervals"),
    )

    @app.callback(Output(LIVE_VERSION_ID, "data"), Input(LIVE_VISIBLE_TICK_ID, "data"), State(LIVE_VERSION_ID, "data"))
    def poll_version(_tick: int | None, known: int | None):  # type: ignore[no-untyped-def]
        version = extension("signal").current(current_store())  # Redis when configured, else the database
        return no_update if version == known else version

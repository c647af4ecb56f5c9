"""The upload box of a staged import, with its progress bar, status line, "import" and "cancel" buttons
and report area: one layout for every import (KPI values on /entry, people and units on /admin/import,
a plan on /plan/<unit>). The callbacks that move it are in pages/_import.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

HIDDEN = {"display": "none"}
SHOWN = {"display": "inline-block"}


@dataclass(frozen=True)
class ImportIds:
    """The ids of one import panel (each page owns its constants; the tests know them by these)."""

    upload: str
    job: str
    tick: str
    progress: str
    status: str
    report: str
    import_button: str
    cancel_button: str
    upload_class: str  # the upload box's own class, for the browser tests' locators


def import_panel(
    ids: ImportIds,
    *,
    drop_text: str,
    choose_text: str,
    accept: str,
    max_size: int,
    import_text: str,
    cancel_text: str,
) -> list[Any]:
    """The upload box, the bar (empty until a file comes), the status, the buttons (hidden until a job
    needs them), the report and the job's store and tick."""
    return [
        dcc.Upload(
            id=ids.upload,
            children=html.Div([drop_text, html.A(choose_text)]),
            accept=accept,
            max_size=max_size,
            className=f"{ids.upload_class} border border-2 rounded p-3 text-center mb-2",
            style={"borderStyle": "dashed"},
        ),
        dbc.Progress(
            id=ids.progress, value=0, striped=True, animated=True, className="mb-2", style={"height": "1.25rem"}
        ),
        html.Div(id=ids.status, className="mb-2"),
        html.Div(
            [
                dbc.Button(
                    import_text, id=ids.import_button, color="success", className="mb-2 me-2", n_clicks=0, style=HIDDEN
                ),
                dbc.Button(
                    cancel_text,
                    id=ids.cancel_button,
                    color="secondary",
                    outline=True,
                    className="mb-2",
                    n_clicks=0,
                    style=HIDDEN,
                ),
            ]
        ),
        html.Div(id=ids.report),
        dcc.Store(id=ids.job),
        dcc.Interval(id=ids.tick, interval=300, disabled=True),
    ]

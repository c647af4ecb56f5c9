"""The callbacks of an import panel (components/import_panel.py), shared by every page with one: the
upload stages the file, each tick moves the job on by one chunk, "import" starts writing the valid
rows, "cancel" stops. What differs between imports (which data_access module, who the viewer must be,
the texts, the report) comes in an `ImportPage`; `register` wires the four callbacks once, from the
page module that owns the panel (Dash runs a page module once per process).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html, no_update
from dash.exceptions import PreventUpdate

from components.import_panel import HIDDEN, SHOWN, ImportIds
from data_access.db import Store
from data_access.errors import PulseError
from data_access.import_jobs import JobState
from data_access.viewer import Viewer
from pages._inputs import as_id, as_text
from server.context import current_store, current_viewer
from server.i18n import _

Report = list[dict[str, Any]]


@dataclass(frozen=True)
class ImportPage:
    """One page's import: its panel's ids and what to call for each step."""

    ids: ImportIds
    # Before the file is decoded, let alone parsed: refuse (audited) a viewer who may not import
    # (given the page's extra states, which may say where the file goes).
    ensure: Callable[[Store, Viewer, Sequence[Any]], None]
    # (store, viewer, filename, content, the page's extra states) -> the staged job.
    stage: Callable[[Store, Viewer, str, bytes, Sequence[Any]], JobState]
    step: Callable[..., JobState | None]
    job_report: Callable[..., tuple[JobState, Report]]
    cancel: Callable[..., JobState]
    start_import: Callable[..., JobState]
    # The status line, the report and the import button's words, given the job's kind.
    progress_text: Callable[[JobState, str], str]
    report: Callable[[Report, str], Any]
    import_text: Callable[[JobState], str]
    # A refusal or a failure as a message in the user's language; a file that is not base64 at all.
    alert: Callable[[Exception], dbc.Alert]
    unreadable: Callable[[], Exception]
    status_class: str
    viewer: Callable[[], Viewer] = current_viewer
    # Refuse an upload too large from the length of its base64 text, before decoding it.
    check_size: Callable[[int], None] = lambda _length: None
    # The job's kind, when the page has several (people or units).
    kind_of: Callable[[Store, Viewer, int], str] = lambda _store, _viewer, _job: ""
    extra_states: tuple[State, ...] = ()


def one_more(ticks: Any) -> int:
    """The interval fires once more, then waits for this answer's successor to allow the next tick: ticks never
    overlap. (Overlapping ticks made Dash drop every answer but the latest, and ran chunks concurrently.)"""
    return (ticks if isinstance(ticks, int) and not isinstance(ticks, bool) and ticks >= 0 else 0) + 1


def _progress(page: ImportPage, state: JobState, kind: str) -> tuple[int, str, Any]:
    share = round(100 * state.share_done)
    return share, f"{share}%", html.Div(page.progress_text(state, kind), className=page.status_class)


def _at(page: ImportPage, state: JobState, kind: str, report: Report | None, ticks: Any) -> tuple[Any, ...]:
    """The panel for a job's state: whether the ticks go on, the text, the report, the buttons, the bar."""
    share, label, status = _progress(page, state, kind)
    return (
        not state.at_work,  # the interval runs while the job is at work and stops at rest
        status,
        page.report(report, kind) if report is not None else no_update,
        SHOWN if state.status == "checked" and state.valid else HIDDEN,
        share,
        label,
        page.import_text(state),
        SHOWN if state.at_work or state.status == "checked" else HIDDEN,
        one_more(ticks) if state.at_work else no_update,
        state.at_work,  # the stripes move only while something happens
    )


def _tick_outputs(ids: ImportIds) -> tuple[Output, ...]:
    return (
        Output(ids.tick, "disabled", allow_duplicate=True),
        Output(ids.status, "children", allow_duplicate=True),
        Output(ids.report, "children", allow_duplicate=True),
        Output(ids.import_button, "style", allow_duplicate=True),
        Output(ids.progress, "value", allow_duplicate=True),
        Output(ids.progress, "label", allow_duplicate=True),
        Output(ids.import_button, "children"),
        Output(ids.cancel_button, "style", allow_duplicate=True),
        Output(ids.tick, "max_intervals", allow_duplicate=True),
        Output(ids.progress, "animated", allow_duplicate=True),
    )


def register(page: ImportPage) -> None:
    """Wire the panel's callbacks: upload, tick, cancel and start."""
    ids = page.ids
    tick_outputs = _tick_outputs(ids)

    def stopped(problem: Exception) -> tuple[Any, ...]:
        """The panel at rest with the problem said: no bar, no buttons (the button's words unchanged)."""
        return (True, page.alert(problem), None, HIDDEN, 0, "", HIDDEN, no_update, False)

    def stopped_tick(problem: Exception) -> tuple[Any, ...]:
        at_rest = stopped(problem)
        return (*at_rest[:6], no_update, *at_rest[6:])

    @callback(
        Output(ids.job, "data"),
        Output(ids.tick, "disabled"),
        Output(ids.status, "children"),
        Output(ids.report, "children"),
        Output(ids.import_button, "style"),
        Output(ids.progress, "value"),
        Output(ids.progress, "label"),
        Output(ids.cancel_button, "style"),
        Output(ids.tick, "max_intervals"),
        Output(ids.progress, "animated"),
        Input(ids.upload, "contents"),
        State(ids.upload, "filename"),
        State(ids.tick, "n_intervals"),
        *page.extra_states,
        prevent_initial_call=True,
    )
    def upload(contents: Any, filename: Any, ticks: Any, *extra: Any) -> tuple[Any, ...]:
        """Stage the uploaded file; the ticks then check it chunk by chunk. The size is judged on the
        encoded text and the viewer's right to import before anything is decoded or parsed."""
        viewer = page.viewer()
        if not isinstance(contents, str) or "," not in contents:
            raise PreventUpdate
        store = current_store()
        try:
            page.ensure(store, viewer, extra)
            encoded = contents.split(",", 1)[1]
            page.check_size(len(encoded))
            content = base64.b64decode(encoded, validate=True)
            state = page.stage(store, viewer, as_text(filename), content, extra)
            kind = page.kind_of(store, viewer, state.job_id)
        except (binascii.Error, ValueError):
            return (None, *stopped(page.unreadable()))
        except PulseError as problem:
            return (None, *stopped(problem))
        share, label, status = _progress(page, state, kind)
        return state.job_id, False, status, None, HIDDEN, share, label, SHOWN, one_more(ticks), True

    @callback(*tick_outputs, Input(ids.tick, "n_intervals"), State(ids.job, "data"), prevent_initial_call=True)
    def advance(ticks: Any, job_id: Any) -> tuple[Any, ...]:
        """One chunk of checking or importing per tick; the tick that brings the job to rest sends its report,
        once, and stops the interval. A tick that finds the job already at rest only stops the interval."""
        viewer = page.viewer()
        job = as_id(job_id)
        at_rest = (True, *(no_update,) * (len(tick_outputs) - 1))
        if job is None:
            return at_rest
        store = current_store()
        try:
            state = page.step(store, viewer=viewer, job_id=job)
            if state is None:
                return at_rest
            report = None
            if not state.at_work:
                with store.read() as session:
                    state, report = page.job_report(session, viewer=viewer, job_id=job)
            kind = page.kind_of(store, viewer, job)
        except PulseError as problem:
            return stopped_tick(problem)
        return _at(page, state, kind, report, ticks)

    @callback(*tick_outputs, Input(ids.cancel_button, "n_clicks"), State(ids.job, "data"), prevent_initial_call=True)
    def cancel(n_clicks: Any, job_id: Any) -> tuple[Any, ...]:
        """Stop the job: what was saved stays saved (each chunk is whole), nothing more is written."""
        viewer = page.viewer()
        job = as_id(job_id)
        if not n_clicks or job is None:
            raise PreventUpdate
        store = current_store()
        try:
            state = page.cancel(store, viewer=viewer, job_id=job)
            kind = page.kind_of(store, viewer, job)
        except PulseError as problem:
            return stopped_tick(problem)
        return _at(page, state, kind, None, None)

    @callback(
        Output(ids.tick, "disabled", allow_duplicate=True),
        Output(ids.import_button, "style", allow_duplicate=True),
        Output(ids.status, "children", allow_duplicate=True),
        Output(ids.tick, "max_intervals", allow_duplicate=True),
        Input(ids.import_button, "n_clicks"),
        State(ids.job, "data"),
        State(ids.tick, "n_intervals"),
        prevent_initial_call=True,
    )
    def start(n_clicks: Any, job_id: Any, ticks: Any) -> tuple[Any, Any, Any, Any]:
        viewer = page.viewer()
        job = as_id(job_id)
        if not n_clicks or job is None:
            raise PreventUpdate
        try:
            page.start_import(current_store(), viewer=viewer, job_id=job)
        except PulseError as problem:
            return True, HIDDEN, page.alert(problem), no_update
        return False, HIDDEN, no_update, one_more(ticks)


def rows_progress(state: JobState, *, stopped: Mapping[str, str], done: str) -> str:
    """The status line of an import counted in rows: checking, checked, importing, then how it ended;
    `stopped` says what was saved when it was cancelled, timed out or failed (key "error")."""
    if state.status == "checking":
        return _("Checking: %(done)s of %(total)s rows", done=state.checked, total=state.total)
    if state.status == "checked":
        return _(
            "%(valid)s valid row(s), %(invalid)s with problems. Nothing has been saved yet.",
            valid=state.valid,
            invalid=state.invalid,
        )
    if state.status == "importing":
        return _("Importing: %(done)s of %(total)s rows", done=state.imported, total=state.total)
    if state.status == "failed":
        return stopped.get(state.failure or "", stopped["error"])
    return done

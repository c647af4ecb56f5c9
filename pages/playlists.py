"""/playlists: leaders and administrators save the meeting-room wall's playlists (slides and their order,
units, interval, theme, period) under a name; the screen account opens /present/<name> and the chair
steers it from /present/companion?playlist=<name>. Nobody types a URL before a meeting.
Data: data_access.queries.playlists; writes: data_access.commands.playlists (validated, authorised by
role and scope, version-checked, audited).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.work_views import problem_alert
from data_access.commands.playlists import PlaylistForm, save_playlist
from data_access.errors import Invalid, PulseError
from data_access.queries.playlists import SavedPlaylist, editable_playlists
from data_access.queries.reports import report_units
from domain.playlists import DEFAULT_INTERVAL, EDITOR_ROLES, MAX_INTERVAL, MIN_INTERVAL
from pages._inputs import as_id, next_count
from server.context import current_store, current_viewer
from server.i18n import _, lazy_gettext
from server.walls import forget

dash.register_page(
    __name__,
    path="/playlists",
    name="Playlists",
    order=79,
    nav_label=lazy_gettext("Big-screen playlists"),
    nav_group=lazy_gettext("Meetings and reports"),
    title="Pulse",
    roles=sorted(EDITOR_ROLES),
)

REFRESH = "playlists-refresh"
LIST = "playlists-list"
EDITING = "playlists-editing"
FORM_TITLE = "playlists-form-title"
TITLE = "playlists-title"
NAME = "playlists-name"
SLIDES = "playlists-slides"
UNITS = "playlists-units"
INTERVAL = "playlists-interval"
THEME = "playlists-theme"
PERIOD = "playlists-period"
SAVE = "playlists-save"
NEW = "playlists-new"
MESSAGE = "playlists-message"
EDIT = "playlists-edit"  # pattern-matching: {"type": EDIT, "index": playlist id}


def _slide_options() -> list[dict[str, str]]:
    return [
        {"label": _("Overview"), "value": "overview"},
        {"label": _("Lagging indicators"), "value": "lagging"},
        {"label": _("Ranking of units"), "value": "rankings"},
    ]


def _field(label: str, control: Any, target: str, hint: str | None = None) -> dbc.Col:
    return dbc.Col(
        [dbc.Label(label, html_for=target), control, dbc.FormText(hint) if hint else None],
        md=6,
        className="mb-3",
    )


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=REFRESH, data=0),
            dcc.Store(id=EDITING, data=None),
            html.H1(_("Big-screen playlists"), className="h3"),
            html.P(
                _("Save what the meeting-room screen shows; the screen opens it by its address, the chair steers it."),
                className="text-muted",
            ),
            dbc.Card(
                [dbc.CardHeader(_("Saved playlists")), dbc.CardBody(html.Div(dbc.Spinner(color="primary"), id=LIST))],
                className="mb-3",
            ),
            dbc.Card(
                [
                    dbc.CardHeader(_("New playlist"), id=FORM_TITLE),
                    dbc.CardBody(
                        [
                            dbc.Row(
                                [
                                    _field(_("Playlist title"), dbc.Input(id=TITLE, maxLength=120), TITLE),
                                    _field(
                                        _("Address"),
                                        dbc.InputGroup(
                                            [dbc.InputGroupText("/present/"), dbc.Input(id=NAME, maxLength=40)]
                                        ),
                                        NAME,
                                        _("Lower-case letters, digits and hyphens, e.g. monday-briefing."),
                                    ),
                                    _field(
                                        _("Slides, in the order chosen"),
                                        dcc.Dropdown(
                                            id=SLIDES,
                                            options=_slide_options(),
                                            value=["overview", "lagging", "rankings"],
                                            multi=True,
                                        ),
                                        SLIDES,
                                    ),
                                    _field(
                                        _("A slide for each of these units, after them"),
                                        dcc.Dropdown(id=UNITS, options=[], value=[], multi=True),
                                        UNITS,
                                    ),
                                    _field(
                                        _("Seconds per slide"),
                                        dbc.Input(
                                            id=INTERVAL,
                                            type="number",
                                            min=MIN_INTERVAL,
                                            max=MAX_INTERVAL,
                                            step=1,
                                            value=DEFAULT_INTERVAL,
                                        ),
                                        INTERVAL,
                                    ),
                                    _field(
                                        _("Theme"),
                                        dbc.RadioItems(
                                            id=THEME,
                                            options=[
                                                {"label": _("Dark"), "value": "dark"},
                                                {"label": _("Light"), "value": "light"},
                                            ],
                                            value="dark",
                                            inline=True,
                                        ),
                                        THEME,
                                    ),
                                    _field(
                                        _("Period"),
                                        dbc.Input(id=PERIOD, placeholder="2026-Q3", maxLength=10),
                                        PERIOD,
                                        _("Empty: the current period whenever the screen runs."),
                                    ),
                                ]
                            ),
                            html.Div(
                                [
                                    dbc.Button(_("Save playlist"), id=SAVE, color="primary", className="me-2"),
                                    dbc.Button(_("New playlist"), id=NEW, color="secondary", outline=True),
                                ]
                            ),
                            html.Div(id=MESSAGE, className="mt-3"),
                        ]
                    ),
                ]
            ),
        ],
        className="playlists-page",
    )


def _slides_text(playlist: SavedPlaylist, unit_names: dict[int, str]) -> str:
    names = {o["value"]: o["label"] for o in _slide_options()}
    return " → ".join(names.get(s) or unit_names.get(as_id(s[5:]) or 0, _("Unit")) for s in playlist.slides)


@callback(Output(LIST, "children"), Output(UNITS, "options"), Input(REFRESH, "data"))
def render(_refresh: Any) -> tuple[Any, list[dict[str, Any]]]:
    viewer = current_viewer()
    with current_store().read() as session:
        playlists = editable_playlists(session, viewer=viewer)
        units = report_units(session, viewer=viewer)
    unit_names = {uid: name for uid, name, _depth in units}
    options = [{"label": "\u2003" * depth + name, "value": uid} for uid, name, depth in units]
    if not playlists:
        return html.P(_("No playlist yet: save the first one below."), className="text-muted"), options
    rows = [
        html.Tr(
            [
                html.Td(p.title),
                html.Td(html.A(f"/present/{p.name}", href=f"/present/{p.name}", target="_blank", rel="noopener")),
                html.Td(_slides_text(p, unit_names)),
                html.Td(f"{p.interval} s"),
                html.Td(p.period or _("Current")),
                html.Td(
                    [
                        html.A(
                            _("Companion"),
                            href=f"/present/companion?playlist={p.name}",
                            className="btn btn-outline-secondary btn-sm me-2",
                        ),
                        dbc.Button(
                            _("Edit"),
                            id={"type": EDIT, "index": p.id},
                            size="sm",
                            color="primary",
                            outline=True,
                            className=f"playlists-edit-{p.name}",
                        ),
                    ],
                    className="text-nowrap",
                ),
            ]
        )
        for p in playlists
    ]
    table = dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(_("Playlist title")),
                        html.Th(_("Address")),
                        html.Th(_("Slides")),
                        html.Th(_("Seconds per slide")),
                        html.Th(_("Period")),
                        html.Th(""),
                    ]
                )
            ),
            html.Tbody(rows),
        ],
        size="sm",
        hover=True,
        responsive=True,
        id="playlists-table",
    )
    return table, options


@callback(
    Output(EDITING, "data"),
    Output(FORM_TITLE, "children"),
    Output(TITLE, "value"),
    Output(NAME, "value"),
    Output(SLIDES, "value"),
    Output(UNITS, "value"),
    Output(INTERVAL, "value"),
    Output(THEME, "value"),
    Output(PERIOD, "value"),
    Input({"type": EDIT, "index": ALL}, "n_clicks"),
    Input(NEW, "n_clicks"),
    prevent_initial_call=True,
)
def fill_form(_edits: list[Any], _new: Any) -> tuple[Any, ...]:
    trigger = ctx.triggered_id
    if trigger == NEW:
        return None, _("New playlist"), "", "", ["overview", "lagging", "rankings"], [], DEFAULT_INTERVAL, "dark", ""
    # A redrawn table announces its buttons with no clicks: only a real click opens a playlist.
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    chosen = as_id(trigger.get("index"))
    with current_store().read() as session:
        playlist = next((p for p in editable_playlists(session, viewer=current_viewer()) if p.id == chosen), None)
    if playlist is None:
        raise PreventUpdate
    slides = [s for s in playlist.slides if not s.startswith("unit:")]
    units = [as_id(s[5:]) for s in playlist.slides if s.startswith("unit:")]
    return (
        {"id": playlist.id, "version": playlist.version, "name": playlist.name},
        _("Edit playlist: %(title)s", title=playlist.title),
        playlist.title,
        playlist.name,
        slides,
        units,
        playlist.interval,
        playlist.theme,
        playlist.period,
    )


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Output(EDITING, "data", allow_duplicate=True),
    Input(SAVE, "n_clicks"),
    State(EDITING, "data"),
    State(TITLE, "value"),
    State(NAME, "value"),
    State(SLIDES, "value"),
    State(UNITS, "value"),
    State(INTERVAL, "value"),
    State(THEME, "value"),
    State(PERIOD, "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def save(
    clicks: Any,
    editing: Any,
    title: Any,
    name: Any,
    slides: Any,
    units: Any,
    interval: Any,
    theme: Any,
    period: Any,
    refresh: Any,
) -> tuple[Any, ...]:
    if not clicks:
        raise PreventUpdate
    editing = editing if isinstance(editing, dict) else {}
    playlist_id = as_id(editing.get("id"))
    version = editing.get("version") if isinstance(editing.get("version"), int) else None
    seconds = int(interval) if isinstance(interval, int | float) and float(interval).is_integer() else interval
    form = PlaylistForm(
        name=name,
        title=title,
        slides=slides,
        units=units,
        interval=seconds,
        theme=theme,
        period=period,
        playlist_id=playlist_id,
        version=version,
    )
    try:
        saved = save_playlist(current_store(), current_viewer(), form)
    except Invalid as problem:
        return _invalid(problem), no_update, no_update
    except PulseError as problem:
        return problem_alert(problem, class_name="playlists-problem"), no_update, no_update
    old = editing.get("name") if isinstance(editing.get("name"), str) else None
    forget(*(n for n in (old, str(name).strip().lower()) if n))  # the walls read the saved playlist now
    address = f"/present/{str(name).strip().lower()}"
    message = dbc.Alert(
        [_("Saved. The screen opens it at %(address)s.", address=address)],
        color="success",
        className="playlists-saved",
    )
    return message, next_count(refresh), {"id": saved, "version": (version or 0) + 1, "name": name}


def _invalid(problem: Invalid) -> dbc.Alert:
    texts = {
        "name_format": _("The address takes 1 to 40 lower-case letters, digits and hyphens (not “companion”)."),
        "name_taken": _("Another playlist already has this address: choose another one."),
        "title_length": _("Give the playlist a title of at most 120 characters."),
        "slides_unknown": _("Choose the slides from the list offered."),
        "slides_count": _("Choose at least one slide or unit, and at most 30."),
        "interval_range": _("Seconds per slide: a whole number from 5 to 600."),
        "theme_unknown": _("Choose the dark or the light theme."),
        "period_format": _("Write the period as 2026, 2026-Q3 or 2026-07, or leave it empty."),
        "units_outside_scope": _("Choose units from the list offered (inside your scope)."),
    }
    return dbc.Alert(
        html.Ul([html.Li(texts.get(code, _("Please check this field."))) for code in problem.problems.values()]),
        color="warning",
        className="playlists-problem",
    )

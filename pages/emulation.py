"""/emulation: rankings of people within their position group and of units within their kind,
the year's emulation titles and reward proposals, and the Excel export of a unit's
classification list with its approval trail. For managers and leaders of the scope.
Data: data_access.queries.emulation, data_access.exports.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from components.evaluation_views import (
    group_label,
    problem_alert,
    proposals_table,
    quota_reason,
    ranking_table,
)
from components.i18n import dropdown_texts
from components.labels import level_label, unit_kind_label, unit_kinds_label
from data_access.errors import PulseError
from data_access.exports import classification_workbook
from data_access.queries import emulation
from data_access.queries import evaluations as queries
from domain.kinds import Role
from domain.periods import parse_period
from pages._common import page_period
from pages._inputs import as_id, chosen_id
from server.context import current_store, current_viewer
from server.i18n import _, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/emulation",
    name="Emulation",
    title="Pulse – Emulation",
    order=62,
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER],
    nav_label=lazy_gettext("Emulation"),
    nav_group=lazy_gettext("Evaluation and emulation"),
)

PERIOD = "emulation-period"
UNIT = "emulation-unit"
PEOPLE = "emulation-people"
UNITS = "emulation-units"
PROPOSALS = "emulation-proposals"
EXPORT_BUTTON = "emulation-export"
DOWNLOAD = "emulation-download"
MESSAGE = "emulation-message"


def layout(period: str | None = None, **_kwargs: Any) -> html.Div:
    return html.Div(
        [
            html.H1(_("Emulation and rewards"), className="h2"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(_("Period")),
                            html.Div(page_period(period), className="form-control-plaintext period-shown"),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [dbc.Label(_("Unit")), dcc.Dropdown(**dropdown_texts(), id=UNIT, options=[], clearable=False)],
                        md=5,
                    ),
                    dbc.Col(
                        dbc.Button(
                            _("Export the classification list (Excel)"),
                            id=EXPORT_BUTTON,
                            color="secondary",
                            className="mt-4",
                        ),
                        md=4,
                    ),
                ],
                className="mb-3",
            ),
            html.Div(id=MESSAGE),
            html.H3(_("People, ranked within their position group")),
            dcc.Loading(html.Div(id=PEOPLE)),
            html.H3(_("Units, ranked within their kind")),
            html.Div(id=UNITS),
            html.H3(_("Titles and reward proposals for the year")),
            html.Div(id=PROPOSALS),
            dcc.Download(id=DOWNLOAD),
            dcc.Store(id=PERIOD, data=page_period(period)),
        ],
        className="emulation-page",
    )


@callback(Output(UNIT, "options"), Output(UNIT, "value"), Input(PERIOD, "data"), State(UNIT, "value"))
def fill_units(_period: str, current: int | None) -> tuple[list[dict[str, Any]], int | None]:
    who = current_viewer()
    try:
        with current_store().read() as session:
            units = queries.units_for_picker(session, viewer=who)
    except PulseError:
        return [], None
    base = min((depth for _i, _n, depth in units), default=0)
    options = [{"label": "\u00a0\u00a0" * (depth - base) + name, "value": unit_id} for unit_id, name, depth in units]
    valid = {o["value"] for o in options}
    return options, chosen_id(current, valid, who.scope_unit_id)


def _grouped(rows: list[emulation.RankRow], label: Any) -> list[Any]:
    groups: dict[str, list[emulation.RankRow]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    return [
        html.Div([html.H5(label(group)), ranking_table(members)], className="ranking-group")
        for group, members in groups.items()
    ]


@callback(
    Output(PEOPLE, "children"),
    Output(UNITS, "children"),
    Output(PROPOSALS, "children"),
    Input(PERIOD, "data"),
    Input(UNIT, "value"),
    Input(LIVE_VERSION_ID, "data"),
)
def render(period: str | None, unit_id: int | None, _version: int | None) -> tuple[Any, Any, Any]:
    """Rankings for the period, titles and proposals for its year."""
    if not isinstance(period, str) or not period:
        raise PreventUpdate
    unit_id = as_id(unit_id)
    try:
        parsed = parse_period(period)
    except ValueError as error:
        raise PreventUpdate from error
    period, year = parsed.code, parsed.year  # the parsed code, never the forged text, goes to the database
    who = current_viewer()
    try:
        with current_store().read() as session:
            people = emulation.rank_people(session, viewer=who, period_code=period, unit_id=unit_id)
            units = emulation.rank_units(session, viewer=who, period_code=period)
            proposals = emulation.titles_and_proposals(session, viewer=who, year=year, unit_id=unit_id)
    except PulseError as problem:
        alert = problem_alert(problem)
        return alert, "", ""
    people_view = _grouped(people, group_label) or html.P(_("No evaluations to rank."), className="text-muted")
    units_view = _grouped(units, unit_kinds_label) or html.P(_("No unit evaluations to rank."), className="text-muted")
    return people_view, units_view, proposals_table(proposals)


@callback(
    Output(DOWNLOAD, "data"),
    Output(MESSAGE, "children"),
    Input(EXPORT_BUTTON, "n_clicks"),
    State(PERIOD, "data"),
    State(UNIT, "value"),
    prevent_initial_call=True,
)
def export(clicks: int | None, period: str | None, unit_id: int | None) -> tuple[Any, Any]:
    """The unit's classification list and approval trail as an Excel file."""
    if not clicks or not isinstance(period, str) or not period:
        raise PreventUpdate
    period = page_period(period)
    unit_id = as_id(unit_id)
    who = current_viewer()
    try:
        with current_store().read() as session:
            content = classification_workbook(
                session,
                viewer=who,
                period_code=period,
                unit_id=unit_id,
                translate=_,
                level_name=level_label,
                quota_text=quota_reason,
                kind_name=unit_kind_label,
            )
    except PulseError as problem:
        return dash.no_update, problem_alert(problem)
    return dcc.send_bytes(content, f"classification-{period}-{unit_id or 'all'}.xlsx"), ""

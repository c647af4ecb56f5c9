"""/admin/periods: the agency's reporting calendar, for administrators only: every year with its
quarters and months, whether each is locked and its grace days; open the next year, lock or unlock a
period, set its grace days (0 to 60).
Data: data_access.queries.admin_periods.period_rows; writes: data_access.commands.admin_periods.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.tables import grid_locale
from components.work_views import done_alert
from config.clock import today
from data_access.commands import admin_periods as commands
from data_access.errors import PulseError
from data_access.queries import admin_periods as queries
from domain.periods import GRACE_DAYS_MAX, GRACE_DAYS_MIN, year_to_open
from pages._admin import PERIODS_PATH, admin_alert, admin_menu, admin_periods_viewer
from pages._inputs import as_id, next_count
from server.context import current_store
from server.i18n import _, format_date

dash.register_page(
    __name__, path=PERIODS_PATH, name="Periods", order=93, nav_label=None, title="Pulse", roles=["admin"]
)

GRID = "admin-periods-grid"
REFRESH = "admin-periods-refresh"
OPEN_YEAR = "admin-periods-open-year"
NEXT_YEAR = "admin-periods-next-year"
LOCK = "admin-periods-lock"
UNLOCK = "admin-periods-unlock"
GRACE = "admin-periods-grace"
SAVE_GRACE = "admin-periods-save-grace"
MESSAGE = "admin-periods-message"


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=REFRESH, data=0),
            dcc.Store(id=NEXT_YEAR),
            html.H1(_("Periods"), className="h3"),
            admin_menu(PERIODS_PATH),
            html.P(
                _(
                    "Values and check-ins go into a month until its end plus its grace days; a locked period "
                    "takes none. Lock a period once its reports are final."
                ),
                className="text-secondary",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Button(_("Open the next year"), id=OPEN_YEAR, color="success", n_clicks=0),
                        xs=12,
                        md="auto",
                    ),
                    dbc.Col(
                        [
                            dbc.Button(_("Lock"), id=LOCK, color="primary", outline=True, n_clicks=0),
                            dbc.Button(
                                _("Unlock"), id=UNLOCK, color="primary", outline=True, n_clicks=0, className="ms-2"
                            ),
                        ],
                        xs=12,
                        md="auto",
                    ),
                    dbc.Col(
                        dbc.InputGroup(
                            [
                                dbc.InputGroupText(_("Grace days")),
                                dbc.Input(
                                    id=GRACE, type="number", min=GRACE_DAYS_MIN, max=GRACE_DAYS_MAX, step=1, value=10
                                ),
                                dbc.Button(_("Save"), id=SAVE_GRACE, color="primary", n_clicks=0),
                            ],
                            className="admin-periods-grace-group",
                        ),
                        xs=12,
                        md=4,
                        lg=3,
                    ),
                ],
                className="mb-2 g-2 align-items-center",
            ),
            html.Div(id=MESSAGE),
            dag.AgGrid(
                id=GRID,
                rowData=[],
                columnDefs=_columns(),
                defaultColDef={"resizable": True, "minWidth": 90, "sortable": False},
                dashGridOptions={
                    "rowSelection": "single",
                    "domLayout": "autoHeight",
                    "animateRows": False,
                    "pagination": True,
                    "paginationPageSize": 17,  # one year: the year, four quarters and twelve months
                    "paginationPageSizeSelector": False,
                    "localeText": {**grid_locale(), "noRowsToShow": _("No periods yet: open a year.")},
                },
                getRowId="params.data.id",
                className="ag-theme-alpine admin-periods-grid",
            ),
        ],
        className="admin-periods-page",
    )


def _columns() -> list[dict[str, Any]]:
    return [
        # State and grace days before the dates: on a phone the first columns are what shows.
        {"field": "label", "headerName": _("Period"), "flex": 2, "minWidth": 156},
        {"field": "state", "headerName": _("State"), "flex": 1, "minWidth": 96},
        {
            "field": "grace_days",
            "headerName": _("Grace days"),
            "headerTooltip": _("Grace days"),
            "flex": 1,
            "minWidth": 110,
            "type": "rightAligned",
        },
        {"field": "dates", "headerName": _("Dates"), "flex": 2, "minWidth": 190},
    ]


def _label(row: queries.PeriodRow) -> str:
    if row.kind == "year":
        return _("Year %(year)s", year=row.year)
    if row.kind == "quarter":
        return "\u2003" + _("Quarter %(number)s/%(year)s", number=row.number, year=row.year)
    return "\u2003\u2003" + _("Month %(number)s/%(year)s", number=row.number, year=row.year)


@callback(
    Output(GRID, "rowData"),
    Output(NEXT_YEAR, "data"),
    Output(OPEN_YEAR, "children"),
    Input(REFRESH, "data"),
)
def render(_refresh: Any) -> tuple[Any, ...]:
    """Every period, the newest year first; the button names the year it would open."""
    viewer = admin_periods_viewer()
    with current_store().read() as session:
        rows = queries.period_rows(session, viewer=viewer)
    data = [
        {
            "id": str(r.id),
            "version": r.version,
            "kind": r.kind,
            "label": _label(r),
            "dates": f"{format_date(r.start)} – {format_date(r.end)}",
            "state": _("Locked") if r.locked else _("Open"),
            "grace_days": r.grace_days,
        }
        for r in rows
    ]
    next_year = year_to_open({r.year for r in rows}, today())
    return data, next_year, _("Open the year %(year)s", year=next_year)


@callback(Output(GRACE, "value"), Input(GRID, "selectedRows"), prevent_initial_call=True)
def show_grace(selected: Any) -> Any:
    admin_periods_viewer()
    row = selected[0] if isinstance(selected, list) and selected and isinstance(selected[0], dict) else None
    value = row.get("grace_days") if row else None
    return value if isinstance(value, int) and not isinstance(value, bool) else no_update


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Output(GRID, "selectedRows"),
    Input(OPEN_YEAR, "n_clicks"),
    Input(LOCK, "n_clicks"),
    Input(UNLOCK, "n_clicks"),
    Input(SAVE_GRACE, "n_clicks"),
    State(GRID, "selectedRows"),
    State(GRACE, "value"),
    State(NEXT_YEAR, "data"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def act(
    _open: Any, _lock: Any, _unlock: Any, _grace: Any, selected: Any, grace: Any, next_year: Any, refresh: Any
) -> tuple[Any, ...]:
    """Open the year the button named, or act on the selected period with the version the grid showed."""
    viewer = admin_periods_viewer()
    trigger = ctx.triggered_id
    if trigger not in (OPEN_YEAR, LOCK, UNLOCK, SAVE_GRACE) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    store = current_store()
    try:
        if trigger == OPEN_YEAR:
            year = next_year if isinstance(next_year, int) and not isinstance(next_year, bool) else None
            opened = commands.open_next_year(store, viewer=viewer, year=year)
            text = (
                _("Year %(year)s opened with its quarters and months.", year=opened.year)
                if opened.created
                else _("Year %(year)s was already open.", year=opened.year)
            )
            return done_alert(text, class_name="admin-periods-done"), next_count(refresh), []
        row = selected[0] if isinstance(selected, list) and selected and isinstance(selected[0], dict) else None
        period_id = as_id(row.get("id")) if row else None
        if row is None or period_id is None:
            return (
                dbc.Alert(_("Choose a period in the list first."), color="info", className="admin-periods-problem"),
                no_update,
                no_update,
            )
        version = row.get("version") if isinstance(row.get("version"), str) else None
        if trigger == LOCK:
            commands.lock_period(store, viewer=viewer, period_id=period_id, version=version)
            text = _("Period locked: it takes no more entries.")
        elif trigger == UNLOCK:
            commands.unlock_period(store, viewer=viewer, period_id=period_id, version=version)
            text = _("Period unlocked.")
        else:
            commands.set_grace_days(store, viewer=viewer, period_id=period_id, version=version, grace_days=grace)
            text = _("Grace days saved.")
    except PulseError as problem:
        return admin_alert(problem, class_name="admin-periods-problem"), no_update, no_update
    return done_alert(text, class_name="admin-periods-done"), next_count(refresh), []

"""/admin/quality: for administrators (delegated ones included, in their subtree): per unit, how many of
its records (the unit's own and its people's) fail each of the six qualities of the interchange README
(correct, sufficient, clean, live, unified, shared), a page of units at a time; pick a unit to see what
to fix in each record, with a link to the page where it is fixed.
Data: data_access.queries.quality (checks by domain.records, the same rules as `flask people validate`).
"""

from __future__ import annotations

import math
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from dash.exceptions import PreventUpdate

from components.tables import grid_locale
from config.clock import today
from data_access.queries import quality as queries
from domain.admin_access import ADMIN_PAGE_ROLES
from domain.records import Quality, message
from pages._admin import PEOPLE_PATH, QUALITY_PATH, UNITS_PATH, admin_menu, admin_viewer
from pages._inputs import as_id, as_text
from server.context import current_store
from server.i18n import _, gettext

dash.register_page(
    __name__,
    path=QUALITY_PATH,
    name="Data quality",
    order=94,
    nav_label=None,
    title="Pulse",
    roles=list(ADMIN_PAGE_ROLES),
    admin=True,
)

GRID = "admin-quality-grid"
SEARCH = "admin-quality-search"
PAGES = "admin-quality-pages"
COUNT = "admin-quality-count"
DETAIL = "admin-quality-detail"


def quality_labels() -> dict[str, str]:
    """The six qualities by their value, in the user's language."""
    return {
        Quality.CORRECT.value: _("correct"),
        Quality.SUFFICIENT.value: _("sufficient"),
        Quality.CLEAN.value: _("clean"),
        Quality.LIVE.value: _("live"),
        Quality.UNIFIED.value: _("unified"),
        Quality.SHARED.value: _("shared"),
    }


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            html.H1(_("Data quality"), className="h3"),
            admin_menu(QUALITY_PATH),
            html.P(
                _(
                    "How many records of each unit (the unit itself and its people) fail each quality. "
                    "Choose a unit to see what to fix."
                ),
                className="text-secondary",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Input(
                            id=SEARCH,
                            type="search",
                            placeholder=_("Search a unit by name"),
                            debounce=0.4,
                            maxLength=queries.SEARCH_MAX,
                        ),
                        md=5,
                    ),
                    dbc.Col(html.Span(id=COUNT, className="text-secondary"), md=7, className="align-self-center"),
                ],
                className="mb-2 g-2",
            ),
            html.Div(
                dag.AgGrid(
                    id=GRID,
                    rowData=[],
                    columnDefs=_columns(),
                    defaultColDef={"resizable": True, "sortable": False, "minWidth": 88},
                    dashGridOptions={
                        "rowSelection": "single",
                        "domLayout": "autoHeight",
                        "animateRows": False,
                        "localeText": {**grid_locale(), "noRowsToShow": _("No units here.")},
                    },
                    getRowId="params.data.id",
                    className="ag-theme-alpine admin-quality-grid",
                ),
                className="admin-quality-scroll",
            ),
            dbc.Pagination(id=PAGES, max_value=1, active_page=1, fully_expanded=False, className="mt-2"),
            html.Div(id=DETAIL, className="mt-3"),
        ],
        className="admin-quality-page",
    )


def _columns() -> list[dict[str, Any]]:
    labels = quality_labels()
    counts = [
        {
            "field": quality.value,
            "headerName": labels[quality.value].capitalize(),
            "flex": 1,
            "minWidth": 96,
            "type": "rightAligned",
            "cellClassRules": {"admin-quality-bad": "params.value > 0"},
        }
        for quality in Quality
    ]
    return [
        {"field": "unit", "headerName": _("Unit"), "flex": 3, "minWidth": 200, "tooltipField": "unit"},
        # What to fix first: on a phone only the first columns show without scrolling.
        {"field": "to_fix", "headerName": _("Records to fix"), "flex": 1, "minWidth": 140, "type": "rightAligned"},
        {"field": "people", "headerName": _("People"), "flex": 1, "minWidth": 90, "type": "rightAligned"},
        *counts,
    ]


@callback(
    Output(GRID, "rowData"),
    Output(PAGES, "max_value"),
    Output(COUNT, "children"),
    Input(SEARCH, "value"),
    Input(PAGES, "active_page"),
)
def render(search: Any, page: Any) -> tuple[Any, ...]:
    """One page of units with their counts, checked now (the records of these units only)."""
    viewer = admin_viewer()
    page = page if isinstance(page, int) and not isinstance(page, bool) and 0 < page < 100_000 else 1
    with current_store().read() as session:
        rows, total = queries.quality_page(session, viewer=viewer, today=today(), search=as_text(search), page=page)
    data = [
        {
            "id": str(r.unit_id),
            "unit": "\u2003" * min(r.depth, 6) + r.name,
            "people": r.people,
            **r.failing,
            "to_fix": r.records_failing,
        }
        for r in rows
    ]
    pages = max(1, math.ceil(total / queries.PAGE_SIZE))
    return data, pages, _("%(n)s units", n=total)


@callback(Output(DETAIL, "children"), Input(GRID, "selectedRows"), prevent_initial_call=True)
def show_unit(selected: Any) -> Any:
    """What to fix in the chosen unit's records, each with a link to where it is fixed."""
    viewer = admin_viewer()
    row = selected[0] if isinstance(selected, list) and selected and isinstance(selected[0], dict) else None
    unit_id = as_id(row.get("id")) if row else None
    if unit_id is None:
        raise PreventUpdate
    with current_store().read() as session:
        issues = queries.unit_issues(session, viewer=viewer, unit_id=unit_id, today=today())
    if not issues:
        return dbc.Alert(_("Every record of this unit passes the six qualities."), color="success")
    labels = quality_labels()
    lines = []
    for issue in issues:
        href = f"{PEOPLE_PATH}?person={issue.record_id}" if issue.record_kind == "person" else UNITS_PATH
        lines.append(
            html.Tr(
                [
                    html.Td(dcc.Link(issue.name or "–", href=href)),
                    html.Td(html.Code(issue.field) if issue.field else "–"),
                    html.Td(dbc.Badge(labels.get(issue.quality, issue.quality), color="warning", text_color="dark")),
                    html.Td(message(issue.code, issue.params, gettext)),
                ]
            )
        )
    return html.Div(
        [
            html.H2(_("What to fix"), className="h5"),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr(
                            [html.Th(_("Record")), html.Th(_("Field")), html.Th(_("Quality")), html.Th(_("Problem"))]
                        )
                    ),
                    html.Tbody(lines),
                ],
                size="sm",
                striped=True,
                responsive=True,
                className="admin-quality-issues",
            ),
        ]
    )

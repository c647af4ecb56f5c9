"""/lagging: every at-risk or off-track indicator in the viewer's scope (or under ?unit=<id>),
sortable and filterable by any column; each row links to its indicator, its unit and its owner.
For leaders preparing a meeting.

The grid uses AG Grid's infinite row model: the browser asks for one block of rows at a time with
its sort and filter model, and the server sorts, filters and pages in SQL (a city has thousands
of lagging indicators; sending them all cost 1.4 MB and ~200 ms per refresh). When the data
version moves, the grid refetches its blocks and keeps the user's sort, filters and page.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from components.labels import source_label, status_label, unit_kind_label
from components.tables import grid_locale, md_link, number_format
from data_access.errors import Forbidden, Invalid, NotFound
from data_access.queries.lagging import (
    LAGGING,
    MAX_BLOCK,
    NUMBER_OPERATORS,
    TEXT_OPERATORS,
    ColumnFilter,
    Condition,
    LaggingLabels,
    SortKey,
    lagging_all,
    lagging_count,
    lagging_page,
)
from domain.analysis import summary
from domain.kinds import Role, SourceKind, UnitKind
from pages._common import audit_refusal, cached, guarded, page_period, source_text, updated_at
from pages._inputs import as_id
from pages._lagging_export import lagging_workbook
from server.context import current_store, current_viewer
from server.i18n import _, current_language, format_number, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/lagging",
    name="Lagging",
    order=20,
    nav_label=lazy_gettext("Lagging indicators"),
    title="Pulse",
    roles=[Role.ADMIN, Role.UNIT_ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF, Role.SCREEN],
)

PERIOD_ID = "lagging-period"
UNIT_ID = "lagging-unit"
GRID_ID = "lagging-grid"
HEADER_ID = "lagging-header"
COUNT_ID = "lagging-count"
REFRESHED_ID = "lagging-refreshed"
EXPORT_ID = "lagging-export"
DOWNLOAD_ID = "lagging-download"
BLOCK = 100  # rows per request; two pages of the grid
PAGE_SIZE = 50
EMPTY: dict[str, Any] = {"rowData": [], "rowCount": 0}


def layout(
    period: str | None = None, unit: str | None = None, status: str | None = None, **_kwargs: object
) -> html.Div:
    # ?status=at_risk (the overview's cards link here) opens the list filtered by that status, as if typed.
    filters = (
        {"status": {"filterType": "text", "type": "equals", "filter": status_label(status)}}
        if status in LAGGING
        else {}
    )
    return html.Div(
        [
            dcc.Store(id=PERIOD_ID, data=page_period(period)),
            dcc.Store(id=UNIT_ID, data=unit if unit and unit.isdigit() else None),
            dcc.Store(id=REFRESHED_ID),
            dcc.Download(id=DOWNLOAD_ID),
            html.Div(
                [
                    html.Div(id=HEADER_ID, className="flex-grow-1"),
                    # Exports what the grid lists now: its filters and its sort.
                    dbc.Button(
                        [html.I(className="bi bi-download me-1", **{"aria-hidden": "true"}), _("Download as Excel")],
                        id=EXPORT_ID,
                        color="secondary",
                        outline=True,
                        size="sm",
                        n_clicks=0,
                    ),
                ],
                className="d-flex flex-wrap align-items-start gap-2 mb-3",
            ),
            dag.AgGrid(
                id=GRID_ID,
                rowModelType="infinite",
                columnDefs=_columns(),
                style={"height": "70vh"},
                # Headers wrap instead of being cut (a 1366 px laptop shows every column whole).
                defaultColDef={
                    "sortable": True,
                    "floatingFilter": True,
                    "resizable": True,
                    "wrapHeaderText": True,
                    "autoHeaderHeight": True,
                },
                dashGridOptions={
                    "localeText": grid_locale(),
                    "pagination": True,
                    "paginationPageSize": PAGE_SIZE,
                    "paginationPageSizeSelector": False,
                    "cacheBlockSize": BLOCK,
                    "maxBlocksInCache": 20,
                    "animateRows": False,
                },
                getRowId="params.data.indicator_id",
                filterModel=filters,
            ),
        ]
    )


@callback(
    Output(HEADER_ID, "children"), Input(LIVE_VERSION_ID, "data"), Input(PERIOD_ID, "data"), State(UNIT_ID, "data")
)
def render_header(_version: int | None, period: object, unit: object) -> object:
    chosen = _period(period)

    def count(viewer) -> int:  # type: ignore[no-untyped-def]
        unit_id = _unit_id(unit)
        return cached(
            "lagging-count",
            viewer,
            chosen,
            lambda s: lagging_count(s, viewer=viewer, period=chosen, unit_id=unit_id),
            unit_id,
        )

    result = guarded(count)
    if not isinstance(result, int):
        return result
    return html.Div(
        [
            html.H1(_("Lagging indicators"), className="h3 mb-0"),
            html.Span(_("%(n)s indicators at risk or off track", n=format_number(result, 0)), id=COUNT_ID),
            updated_at(),
        ],
        className="d-flex flex-wrap justify-content-between align-items-baseline gap-3",
    )


@callback(
    Output(GRID_ID, "getRowsResponse"),
    Input(GRID_ID, "getRowsRequest"),
    State(PERIOD_ID, "data"),
    State(UNIT_ID, "data"),
    prevent_initial_call=True,
)
def fetch_rows(request: object, period: object, unit: object) -> dict[str, Any]:
    """One block of rows for the grid; anything malformed or out of scope gets an empty block."""
    viewer = current_viewer()
    chosen = _period(period)
    try:
        query = GridQuery.parse(request)
        unit_id = _unit_id(unit)
        labels = _labels()
        page = cached(
            "lagging-block",
            viewer,
            chosen,
            lambda s: lagging_page(
                s,
                viewer=viewer,
                period=chosen,
                unit_id=unit_id,
                sort=query.sort,
                filters=query.filters,
                offset=query.offset,
                limit=query.limit,
                labels=labels,
            ),
            unit_id,
            current_language(),
            query.key,
        )
    except Forbidden as refusal:
        audit_refusal(viewer, str(refusal))
        return EMPTY
    except (Invalid, NotFound):
        return EMPTY
    return {"rowData": _rows(page.rows, chosen, follow_up=viewer.can_write), "rowCount": page.total}


@callback(
    Output(DOWNLOAD_ID, "data"),
    Input(EXPORT_ID, "n_clicks"),
    State(GRID_ID, "getRowsRequest"),
    State(PERIOD_ID, "data"),
    State(UNIT_ID, "data"),
    prevent_initial_call=True,
)
def export(n_clicks: int | None, request: object, period: object, unit: object) -> object:
    """The filtered, sorted list as an .xlsx: the grid's last request carries its filter and sort models."""
    if not n_clicks:
        return dash.no_update
    viewer = current_viewer()
    chosen = _period(period)
    try:
        query = GridQuery.parse(request or {})
        unit_id = _unit_id(unit)
        labels = _labels()
        with current_store().read() as session:
            frame = lagging_all(
                session,
                viewer=viewer,
                period=chosen,
                unit_id=unit_id,
                sort=query.sort,
                filters=query.filters,
                labels=labels,
            )
    except Forbidden as refusal:
        audit_refusal(viewer, str(refusal))
        return dash.no_update
    except (Invalid, NotFound):
        return dash.no_update
    return dcc.send_bytes(lagging_workbook(frame), f"pulse-lagging-{chosen}.xlsx")


# The grid keeps its sort, filters and page and refetches the blocks it holds.
clientside_callback(
    """
    function(version) {
        var grids = window.dash_ag_grid;
        if (grids && grids.getApiAsync) {
            grids.getApiAsync('lagging-grid').then(function(api) { api.refreshInfiniteCache(); }).catch(function() {});
        }
        return version;
    }
    """,
    Output(REFRESHED_ID, "data"),
    Input(LIVE_VERSION_ID, "data"),
    prevent_initial_call=True,
)


class GridQuery(NamedTuple):
    """What an infinite-model grid asks for: a block of rows under a sort and a filter model.

    (A NamedTuple: Dash loads page modules outside sys.modules, where dataclasses cannot resolve.)
    """

    sort: tuple[SortKey, ...]
    filters: tuple[ColumnFilter, ...]
    offset: int
    limit: int

    @property
    def key(self) -> str:
        return json.dumps(
            [
                [(k.field, k.descending) for k in self.sort],
                [(f.field, f.join, [(c.operator, c.value, c.value_to) for c in f.conditions]) for f in self.filters],
                self.offset,
                self.limit,
            ],
            ensure_ascii=False,
        )

    @classmethod
    def parse(cls, request: object) -> GridQuery:
        """Read the request's shape; fields, operators and values are checked by the data layer.

        The request comes from the browser and may be forged: anything unexpected raises Invalid.
        """
        if not isinstance(request, dict):
            raise Invalid({"request": "malformed"})
        start, end = request.get("startRow", 0), request.get("endRow", BLOCK)
        if not (_is_int(start) and _is_int(end) and 0 <= start < end and end - start <= MAX_BLOCK):
            raise Invalid({"rows": "out_of_range"})
        sort_model = request.get("sortModel") or []
        filter_model = request.get("filterModel") or {}
        if not isinstance(sort_model, list) or not isinstance(filter_model, dict):
            raise Invalid({"request": "malformed"})
        sort = []
        for item in sort_model:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("colId"), str)
                or item.get("sort") not in ("asc", "desc")
            ):
                raise Invalid({"sort": "malformed"})
            sort.append(SortKey(item["colId"], descending=item["sort"] == "desc"))
        filters = []
        for name, model in filter_model.items():
            if not isinstance(model, dict):
                raise Invalid({"filter": "malformed"})
            conditions = model.get("conditions") if "conditions" in model else [model]
            if not isinstance(conditions, list):
                raise Invalid({"filter": "malformed"})
            filters.append(
                ColumnFilter(str(name), tuple(_condition(c) for c in conditions), str(model.get("operator", "AND")))
            )
        return cls(tuple(sort), tuple(filters), start, end - start)


def _condition(model: object) -> Condition:
    if not isinstance(model, dict) or not isinstance(model.get("type"), str):
        raise Invalid({"filter": "malformed"})
    return Condition(model["type"], model.get("filter"), model.get("filterTo"))  # type: ignore[arg-type]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _period(period: object) -> str:
    return page_period(period if isinstance(period, str) else None)  # the stores' values come from the browser


def _unit_id(unit: object) -> int | None:
    if unit is None:
        return None
    chosen = as_id(unit) if isinstance(unit, str) else None
    if chosen is None:
        raise Invalid({"unit": "malformed"})
    return chosen


def _labels() -> LaggingLabels:
    """The labels the grid shows, so that a filter typed by the user matches what the user sees."""
    return LaggingLabels(
        unit_kinds={k.value: unit_kind_label(k.value) for k in UnitKind},
        statuses={k: status_label(k) for k in LAGGING},
        sources={k.value: source_label(k.value) for k in SourceKind},
        no_source=source_label(None),
        no_owner="–",
    )


def _rows(frame, period: str, *, follow_up: bool = False) -> list[dict]:  # type: ignore[no-untyped-def]
    """Grid rows; leaders and managers also get a link that opens a follow-up task prefilled for the owner."""
    # Labels are looked up once per block, not once per row.
    follow = _("Follow up")
    statuses = {k: status_label(k) for k in frame["status"].unique()}
    kinds = {k: unit_kind_label(k) for k in frame["unit_kind"].unique()}
    sources = {
        (k, r): source_text(k, r)
        for k, r in frame[["source_kind", "source_ref"]].drop_duplicates().itertuples(index=False)
    }
    return [
        {
            "indicator_id": str(int(r.indicator_id)),
            "indicator": md_link(r.indicator, f"/indicator/{int(r.indicator_id)}?period={period}"),
            "unit": md_link(r.unit, f"/unit/{int(r.unit_id)}?period={period}"),
            "unit_kind": kinds[r.unit_kind],
            "source": sources[(r.source_kind, r.source_ref)],
            "owner": md_link(r.owner, f"/person/{int(r.owner_id)}?period={period}")
            if isinstance(r.owner, str)
            else "–",
            "status": statuses[r.status],
            "progress": float(r.progress_pct),
            "expected": float(r.expected_pct),
            "gap": float(r.gap),  # points of percent, like its neighbours
            "analysis": summary(_text(r.why), _text(r.what_happened)),
            "follow_up": md_link(follow, f"/indicator/{int(r.indicator_id)}?period={period}&followup=1")
            if follow_up
            else "",
        }
        for r in frame.itertuples()
    ]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None  # a missing analysis comes out of the frame as NaN


def _columns() -> list[dict]:
    link = {"cellRenderer": "markdown"}
    text = {
        "filter": "agTextColumnFilter",
        "filterParams": {"filterOptions": list(TEXT_OPERATORS), "maxNumConditions": 2},
    }
    number = {
        "filter": "agNumberColumnFilter",
        "type": "rightAligned",
        "filterParams": {"filterOptions": list(NUMBER_OPERATORS), "maxNumConditions": 2},
        "valueFormatter": number_format(1),
        "minWidth": 92,
    }
    return [
        {"field": "indicator", "headerName": _("Indicator"), "flex": 3, "minWidth": 180, **link, **text},
        {
            "field": "unit",
            "headerName": _("Unit"),
            "headerTooltip": _("Filtering by a unit lists the units under it too."),
            "flex": 2,
            "minWidth": 120,
            **link,
            **text,
        },
        {"field": "unit_kind", "headerName": _("Kind"), "flex": 1, "minWidth": 100, **text},
        {"field": "source", "headerName": _("Source"), "flex": 2, "minWidth": 110, **text},
        {"field": "owner", "headerName": _("Owner"), "flex": 2, "minWidth": 110, **link, **text},
        {"field": "status", "headerName": _("Status"), "flex": 1, "minWidth": 110, **text},
        {"field": "progress", "headerName": _("Progress %"), "flex": 1, **number},
        {"field": "expected", "headerName": _("Expected %"), "flex": 1, **number},
        {
            "field": "gap",
            "headerName": _("Weighted gap %"),
            "headerTooltip": _("Weight × (expected − progress), in percentage points: the biggest come first."),
            "flex": 1,
            "sort": "desc",
            **number,
            "minWidth": 118,  # its header is the longest of the numbers
        },
        # The owner's "why" for the period, as written on the indicator page (not sortable: free text).
        {
            "field": "analysis",
            "headerName": _("Owner's analysis"),
            "flex": 3,
            "minWidth": 120,
            "sortable": False,
            "filter": False,
            "tooltipField": "analysis",
        },
        {
            "field": "follow_up",
            "headerName": _("Action"),
            "minWidth": 170,  # "Giao việc khắc phục" whole
            "flex": 1,
            "sortable": False,
            "filter": False,
            **link,
        },
    ]

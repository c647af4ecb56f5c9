"""/lagging: every at-risk or off-track indicator in the viewer's scope (or under ?unit=<id>),
sortable and filterable by unit kind, source programme and owner; each row links to its
indicator page and its owner. For leaders preparing a meeting.
"""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import Input, Output, State, callback, dcc, html
from flask_babel import lazy_gettext

from components.tables import md_link
from data_access.queries import dashboard
from pages._common import cached, guarded, page_period, source_text, status_label, unit_kind_label, updated_at
from server.i18n import _
from server.live import LIVE_VERSION_ID

dash.register_page(__name__, path="/lagging", name="Lagging", order=20, nav_label=lazy_gettext("Lagging indicators"),
                   title="Pulse", roles=["admin", "leader", "manager", "staff", "screen"])

PERIOD_ID = "lagging-period"
UNIT_ID = "lagging-unit"
GRID_ID = "lagging-grid"
HEADER_ID = "lagging-header"
def layout(period: str | None = None, unit: str | None = None, **_kwargs: object) -> html.Div:
    return html.Div([
        dcc.Store(id=PERIOD_ID, data=page_period(period)),
        dcc.Store(id=UNIT_ID, data=unit if unit and unit.isdigit() else None),
        html.Div(id=HEADER_ID),
        dag.AgGrid(id=GRID_ID, rowData=[], columnDefs=[], style={"height": "70vh"},
                   defaultColDef={"sortable": True, "filter": True, "floatingFilter": True, "resizable": True},
                   dashGridOptions={"pagination": True, "paginationPageSize": 50, "animateRows": False},
                   getRowId="params.data.indicator_id"),
    ])


@callback(Output(GRID_ID, "rowData"), Output(GRID_ID, "columnDefs"), Output(HEADER_ID, "children"),
          Input(LIVE_VERSION_ID, "data"), Input(PERIOD_ID, "data"), State(UNIT_ID, "data"))
def render(_version: int | None, period: str, unit: str | None) -> tuple:
    result = guarded(lambda viewer: _rows(viewer, page_period(period), int(unit) if unit else None))
    if not isinstance(result, list):
        return [], [], result
    header = html.Div([html.H1(_("Lagging indicators"), className="h3 mb-0"),
                       html.Span(_("%(n)s indicators at risk or off track", n=len(result)), id="lagging-count"), updated_at()],
                      className="d-flex justify-content-between align-items-baseline mb-3 gap-3")
    return result, _columns(), header


def _rows(viewer, period: str, unit_id: int | None) -> list[dict]:  # type: ignore[no-untyped-def]
    frame = cached("lagging", viewer, period,
                   lambda s: dashboard.lagging_indicators(s, viewer=viewer, period=period, unit_id=unit_id), unit_id)
    # Labels are looked up once per call, not once per row: a city has thousands of lagging rows.
    statuses = {k: status_label(k) for k in ("at_risk", "off_track")}
    kinds = {k: unit_kind_label(k) for k in frame["unit_kind"].unique()}
    sources = {(k, r): source_text(k, r) for k, r in frame[["source_kind", "source_ref"]].drop_duplicates().itertuples(index=False)}
    return [{
        "indicator_id": str(int(r.indicator_id)),
        "indicator": md_link(r.indicator, f"/indicator/{int(r.indicator_id)}?period={period}"),
        "unit": md_link(r.unit, f"/unit/{int(r.unit_id)}?period={period}"),
        "unit_kind": kinds[r.unit_kind],
        "source": sources[(r.source_kind, r.source_ref)],
        "owner": md_link(r.owner, f"/person/{int(r.owner_id)}?period={period}") if r.owner else "–",
        "status": statuses[r.status],
        "progress": round(float(r.progress or 0) * 100, 1),
        "expected": round(float(r.expected or 0) * 100, 1),
        "gap": round(float(r.gap or 0), 3),
    } for r in frame.itertuples()]


def _columns() -> list[dict]:
    link = {"cellRenderer": "markdown"}
    return [
        {"field": "indicator", "headerName": _("Indicator"), "flex": 3, **link},
        {"field": "unit", "headerName": _("Unit"), "flex": 2, **link},
        {"field": "unit_kind", "headerName": _("Kind"), "flex": 1},
        {"field": "source", "headerName": _("Source"), "flex": 2},
        {"field": "owner", "headerName": _("Owner"), "flex": 2, **link},
        {"field": "status", "headerName": _("Status"), "flex": 1},
        {"field": "progress", "headerName": _("Progress %"), "flex": 1, "filter": "agNumberColumnFilter"},
        {"field": "expected", "headerName": _("Expected %"), "flex": 1, "filter": "agNumberColumnFilter"},
        {"field": "gap", "headerName": _("Weighted gap"), "flex": 1, "sort": "desc", "filter": "agNumberColumnFilter"},
    ]

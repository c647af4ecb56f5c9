"""/indicator/<indicator_id>: one indicator for leaders and its owner: values against the planned
trajectory, the forecast to the year's end ("on course" or "will miss by X"), and the
measurement history with who entered what and when, with their comments.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from components import charts
from components.kpi_card import kpi_card
from components.status import STATUS_COLOURS, status_badge
from components.tables import column, data_grid
from data_access.queries import dashboard
from pages._common import DetailIds, cached, detail_layout, render_detail, status_label, updated_at
from server.i18n import _, format_date, format_number, format_percent
from server.live import LIVE_VERSION_ID

dash.register_page(__name__, path_template="/indicator/<indicator_id>", name="Indicator", order=6, nav_label=None,
                   title="Pulse", roles=["admin", "leader", "manager", "staff", "screen"])

IDS = DetailIds("indicator")


def layout(indicator_id: str | None = None, period: str | None = None, **_kwargs: object) -> html.Div:
    return detail_layout(IDS, indicator_id, period)


@callback(Output(IDS.body, "children"), Input(LIVE_VERSION_ID, "data"), Input(IDS.period, "data"), State(IDS.item, "data"))
def render(_version: int | None, period: str, indicator_id: str | None) -> object:
    return render_detail(indicator_id, period, _render)


def _render(viewer, indicator_id: int, period: str) -> html.Div:  # type: ignore[no-untyped-def]
    detail = cached("indicator", viewer, period,
                    lambda s: dashboard.indicator_detail(s, viewer=viewer, indicator_id=indicator_id, period=period), indicator_id)
    counted = detail.measurements[detail.measurements["status"] == "approved"]
    if detail.on_course is None:
        forecast = "–"
    elif detail.on_course:
        forecast = _("on course")
    else:
        forecast = _("will miss by %(gap)s", gap=f"{format_number(detail.forecast_miss_by)} {detail.unit_of_measure}")
    figure = charts.indicator_history(counted, detail.trajectory, target=detail.target, forecast_value=detail.forecast_value,
                                      year_end=f"{detail.year}-12-31",
                                      labels=(_("Values"), _("Planned trajectory"), _("Target"), _("Forecast")))
    history = [{"date": format_date(r.measured_on), "value": float(r.value), "status": _measurement_status(r.status),
                "by": r.entered_by or "–", "at": format_date(r.entered_at, with_time=True),
                "comment": r.comment if isinstance(r.comment, str) else ""}
               for r in detail.measurements.iloc[::-1].itertuples()]
    history_columns = [column("date", _("Date")), column("value", _("Value"), numeric=True), column("status", _("Status")),
                       column("by", _("Entered by")), column("at", _("Entered at")), column("comment", _("Comment"), flex=3)]
    return html.Div([
        html.A(f"← {detail.unit}", href=f"/unit/{detail.unit_id}?period={period}"),
        html.Div([html.H1(detail.name, className="h3 mb-0", id="indicator-title"), updated_at()],
                 className="d-flex justify-content-between align-items-baseline my-2"),
        html.P([_("Owner: "), html.A(detail.owner, href=f"/person/{detail.owner_id}?period={period}") if detail.owner else "–"]),
        dbc.Row([
            dbc.Col(kpi_card(_("Progress"), format_percent(detail.progress),
                             detail=_("expected %(share)s", share=format_percent(detail.expected))), md=3),
            dbc.Col(kpi_card(_("Status"), status_label(detail.status), colour=STATUS_COLOURS.get(detail.status)), md=3),
            dbc.Col(kpi_card(_("Target"), f"{format_number(detail.target)} {detail.unit_of_measure}"), md=3),
            dbc.Col(kpi_card(_("Forecast at year end"), forecast, card_id="indicator-forecast",
                             colour=STATUS_COLOURS["on_track" if detail.on_course else "at_risk"]), md=3),
        ], className="g-3 mb-3"),
        dbc.Card([dbc.CardHeader(_("Values against the plan")), dbc.CardBody(dcc.Graph(figure=figure, config={"displaylogo": False}))],
                 className="mb-3"),
        dbc.Card([dbc.CardHeader(_("Measurement history")),
                  dbc.CardBody(data_grid("indicator-history", history, history_columns))]),
        html.Span(status_badge(detail.status, status_label(detail.status)), className="d-none"),
    ])


def _measurement_status(status: str) -> str:
    labels = {"draft": _("draft"), "submitted": _("waiting for approval"), "approved": _("approved"), "rejected": _("rejected")}
    return labels.get(status, status)

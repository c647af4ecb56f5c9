"""/ (overview): for leaders. The viewer's scope at a glance for the period in the URL: headline
score and trend, indicator statuses, overdue tasks, best and worst units, the ten most lagging
indicators, and the org tree coloured by score. Reads rollups only; refreshes by itself.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from components import charts, definitions
from components.kpi_card import info_icon, kpi_card, lagging_words
from components.labels import status_label, unit_kind_label, unit_kinds_label
from components.status import STATUS_COLOURS, score_colour
from components.tables import column, data_grid, md_link
from config.clock import today
from data_access.queries.units import overview
from domain.expectation import expected_by, expected_trend, peer_kind, weakest_by_kind
from domain.indicators import Status
from domain.kinds import Role
from domain.periods import parse_period
from pages._common import cached, guarded, page_period, updated_at
from pages._inputs import as_id
from server.i18n import _, format_percent, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/",
    name="Overview",
    order=0,
    nav_label=lazy_gettext("Overview"),
    title="Pulse",
    roles=[Role.ADMIN, Role.UNIT_ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF, Role.SCREEN],
)

PERIOD_ID = "overview-period"
BODY_ID = "overview-body"
TREE_ID = "overview-tree"
TREE_LINK_ID = "overview-tree-link"


def layout(period: str | None = None, **_kwargs: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=PERIOD_ID, data=page_period(period)),
            html.Div(dbc.Spinner(color="primary"), id=BODY_ID),
        ]
    )


@callback(Output(BODY_ID, "children"), Input(LIVE_VERSION_ID, "data"), Input(PERIOD_ID, "data"))
def render(_version: int | None, period: str) -> object:
    return guarded(lambda viewer: _render(viewer, page_period(period)))


def _render(viewer, period: str) -> html.Div:  # type: ignore[no-untyped-def]
    data = cached("overview", viewer, period, lambda session: overview(session, viewer=viewer, period=period))
    root = data.root
    counted = root.n_indicators - root.n_no_data
    labels = {k: status_label(k) for k in STATUS_COLOURS}
    counts = {
        "done": root.n_done,
        "on_track": root.n_on_track,
        "at_risk": root.n_at_risk,
        "off_track": root.n_off_track,
        "no_data": root.n_no_data,
    }
    on_track_share = (root.n_done + root.n_on_track) / counted if counted else None
    title = html.Div(
        [html.H1(root.name, className="h3 mb-0", id="overview-title"), updated_at()],
        className="d-flex justify-content-between align-items-baseline mb-3",
    )
    if root.n_indicators == 0 and root.tasks_open == 0:
        # A new organisation: empty charts and "nothing lags" would mislead; say what is missing.
        return html.Div(
            [
                title,
                dbc.Alert(
                    _(
                        "No indicator and no task in this scope for this period yet: the figures appear here once "
                        "the plan's indicators are set and values are entered."
                    ),
                    color="info",
                    id="overview-empty",
                ),
            ]
        )
    expected = expected_by(parse_period(period), today())
    behind = root.score is not None and root.score < expected
    return html.Div(
        [
            title,
            dbc.Row(
                [
                    dbc.Col(
                        kpi_card(
                            _("Score"),
                            format_percent(root.score),
                            colour=score_colour(root.score),
                            href=f"/unit/{root.unit_id}?period={period}",
                            card_id="overview-score",
                            expected=_("Expected by now: %(share)s", share=format_percent(expected)),
                            detail=_("Behind schedule") if behind else None,
                            definition=definitions.score() + " " + definitions.expected(),
                        ),
                        md=6,
                        xl=3,
                    ),
                    dbc.Col(
                        kpi_card(
                            _("On track or done"),
                            format_percent(on_track_share),
                            detail=_("%(n)s of %(total)s indicators", n=root.n_done + root.n_on_track, total=counted),
                            colour=STATUS_COLOURS["on_track"],
                            href=f"/lagging?period={period}",
                            card_id="overview-on-track",
                            definition=definitions.on_track_share(),
                        ),
                        md=6,
                        xl=3,
                    ),
                    dbc.Col(
                        kpi_card(
                            _("At risk / off track"),
                            lagging_words(root.n_at_risk, root.n_off_track, f"/lagging?period={period}", "overview"),
                            card_id="overview-lagging-count",
                            definition=definitions.lagging(),
                        ),
                        md=6,
                        xl=3,
                    ),
                    dbc.Col(
                        kpi_card(
                            _("Overdue tasks"),
                            str(root.tasks_overdue),
                            detail=_("%(n)s open", n=root.tasks_open),
                            colour=STATUS_COLOURS["at_risk"],
                            card_id="overview-overdue",
                            definition=definitions.overdue(),
                        ),
                        md=6,
                        xl=3,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Card(
                            [
                                _header(_("Score month by month"), "overview-trend", definitions.trend()),
                                dbc.CardBody(
                                    dcc.Graph(
                                        id="overview-trend",
                                        figure=charts.score_trend(
                                            _with_expected(data.trend),
                                            label=_("Score"),
                                            expected_label=_("Expected by now"),
                                        ),
                                        config=charts.graph_config(),
                                    )
                                ),
                            ]
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        dbc.Card(
                            [
                                _header(_("Indicators by status"), "overview-statuses", definitions.statuses()),
                                dbc.CardBody(
                                    dcc.Graph(
                                        id="overview-statuses",
                                        figure=charts.status_bars(counts, labels),
                                        config=charts.graph_config(),
                                    )
                                ),
                            ]
                        ),
                        lg=6,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _ranking_card(
                            _header(_("Best units"), "overview-best", definitions.best_units()), data.best, period
                        ),
                        lg=6,
                    ),
                    dbc.Col(_support_card(data.children, period), lg=6),
                ],
                className="g-3 mb-3",
            ),
            dbc.Card(
                [
                    _header(
                        _("The ten most lagging indicators, by importance"),
                        "overview-lagging",
                        definitions.lagging_table(),
                    ),
                    dbc.CardBody(_lagging_table(data.lagging, period)),
                ],
                className="mb-3",
            ),
            dbc.Card(
                [
                    dbc.CardHeader(_("Organisation by score: click a sector to drill down")),
                    dbc.CardBody(
                        [
                            dcc.Graph(id=TREE_ID, figure=charts.org_sunburst(data.tree), config=charts.graph_config()),
                            _score_legend(),
                            html.Div(id=TREE_LINK_ID, className="mt-2"),
                        ]
                    ),
                ]
            ),
        ]
    )


def _score_legend() -> html.Ul:
    """What the sunburst's colours mean: one swatch per score band, in words."""
    bands = [
        (_("90 % and more"), STATUS_COLOURS[Status.DONE]),
        (_("70 to 90 %"), STATUS_COLOURS[Status.ON_TRACK]),
        (_("50 to 70 %"), STATUS_COLOURS[Status.AT_RISK]),
        (_("under 50 %"), STATUS_COLOURS[Status.OFF_TRACK]),
        (_("no score yet"), STATUS_COLOURS[Status.NO_DATA]),
    ]
    return html.Ul(
        [
            html.Li(
                [html.Span(className="pulse-swatch", style={"backgroundColor": colour}), text],
                className="d-flex align-items-center gap-1",
            )
            for text, colour in bands
        ],
        id="overview-tree-legend",
        className="list-unstyled d-flex flex-wrap gap-3 small mb-0",
        **{"aria-label": _("Score colours")},
    )


def _header(title: str, key: str, definition: str) -> dbc.CardHeader:
    """A card header with an info icon that defines what the card shows."""
    return dbc.CardHeader([title, info_icon(f"{key}-info", definition)])


def _with_expected(trend: pd.DataFrame) -> pd.DataFrame:
    """The monthly scores with the score expected at each month's end beside them."""
    months = [parse_period(code) for code in trend["period"]]
    return trend.assign(expected=expected_trend(months, today()))


def _score_rows(items, kinds: dict[str, str], period: str) -> list[html.Tr]:  # type: ignore[no-untyped-def]
    return [
        html.Tr(
            [
                html.Td(html.A(r.name, href=f"/unit/{r.unit_id}?period={period}")),
                html.Td(kinds[r.kind]),
                html.Td(format_percent(r.score), className="text-end fw-bold", style={"color": score_colour(r.score)}),
            ]
        )
        for r in items
    ]


def _ranking_card(header: dbc.CardHeader, frame, period: str) -> dbc.Card:  # type: ignore[no-untyped-def]
    kinds = {k: unit_kind_label(k) for k in frame["kind"].unique()}
    rows = _score_rows(frame.itertuples(), kinds, period)
    body = dbc.Table([html.Tbody(rows)], size="sm", className="mb-0") if rows else html.P(_("No data yet."))
    return dbc.Card([header, dbc.CardBody(body)], className="h-100")


def _support_card(children, period: str) -> dbc.Card:  # type: ignore[no-untyped-def]
    """The weakest units of each kind: a ward is compared with wards, a department with departments."""
    groups = weakest_by_kind(children, score=lambda c: c.score, kind=lambda c: peer_kind(c.kind))
    kinds = {c.kind: unit_kind_label(c.kind) for c in children}
    blocks = [
        html.Div(
            [
                html.H3(unit_kinds_label(kind), className="h6 mt-2 text-secondary"),
                dbc.Table([html.Tbody(_score_rows(items, kinds, period))], size="sm", className="mb-0"),
            ],
            className="support-group",
        )
        for kind, items in groups
    ]
    header = _header(_("Units that need support"), "overview-support", definitions.weakest_units())
    body: list[html.Div] | html.P = blocks or html.P(_("No data yet."))
    return dbc.Card([header, dbc.CardBody(body)], className="h-100", id="overview-support")


def _lagging_table(frame, period: str) -> object:  # type: ignore[no-untyped-def]
    if frame.empty:
        return html.P(_("No lagging indicator: everything is on track."))
    statuses = {k: status_label(k) for k in frame["status"].unique()}
    rows = [
        {
            "indicator": md_link(r.indicator, f"/indicator/{r.indicator_id}?period={period}"),
            "unit": md_link(r.unit, f"/unit/{r.unit_id}?period={period}"),
            # NaN, not None, where an indicator has no owner (pandas): NaN is truthy.
            "owner": md_link(r.owner, f"/person/{int(r.owner_id)}?period={period}")
            if isinstance(r.owner, str) and r.owner_id == r.owner_id
            else "–",
            "progress": round(float(r.progress or 0) * 100, 1),
            "expected": round(float(r.expected or 0) * 100, 1),
            "status": statuses[r.status],
        }
        for r in frame.itertuples()
    ]
    columns = [
        column("indicator", _("Indicator"), flex=3, link=True),
        column("unit", _("Unit"), flex=2, link=True),
        column("owner", _("Owner"), flex=2, link=True),
        column("progress", _("Progress %"), numeric=True, digits=1, headerTooltip=definitions.progress()),
        column("expected", _("Expected %"), numeric=True, digits=1, headerTooltip=definitions.expected()),
        column("status", _("Status")),
    ]
    return data_grid("overview-lagging-table", rows, columns)


@callback(
    Output(TREE_LINK_ID, "children"), Input(TREE_ID, "clickData"), State(PERIOD_ID, "data"), prevent_initial_call=True
)
def tree_link(click: dict | None, period: str) -> object:
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points else None
    unit_id = as_id(point.get("customdata") or point.get("id")) if isinstance(point, dict) else None
    if unit_id is None:  # clickData comes from the browser: anything else is ignored
        return dash.no_update
    label = point.get("label") if isinstance(point.get("label"), str) else ""
    return html.A(
        _("Open %(name)s", name=label),
        href=f"/unit/{unit_id}?period={page_period(period)}",
        className="btn btn-outline-primary btn-sm",
        id="overview-open-unit",
    )

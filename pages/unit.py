"""/unit/<unit_id>: any level of the org tree, for leaders and managers. Breadcrumbs to the top of
the viewer's scope, what a reorganised unit became or was formed from (with links to their history),
children with their scores, the unit's objectives and indicators (progress,
status, forecast), its task summary, and its people with their tasks on time.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from components import definitions
from components.breadcrumbs import breadcrumbs
from components.kpi_card import info_icon, kpi_card, lagging_words
from components.labels import status_label, unit_kind_label
from components.lineage import lineage_note
from components.progress import outlook_text, progress_text
from components.status import STATUS_COLOURS, score_colour, status_badge
from components.tables import column, data_grid, md_link
from config.clock import today
from data_access.queries.reorganisations import lineage
from data_access.queries.units import ancestors, children_figures, unit_figures, unit_indicators, unit_people
from domain.expectation import expected_by
from domain.kinds import Role
from domain.periods import parse_period
from pages._common import DetailIds, cached, detail_layout, render_detail, source_text, updated_at
from server.i18n import _, format_percent
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path_template="/unit/<unit_id>",
    name="Unit",
    order=5,
    nav_label=None,
    title="Pulse",
    roles=[Role.ADMIN, Role.UNIT_ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF, Role.SCREEN],
)

IDS = DetailIds("unit")


def layout(unit_id: str | None = None, period: str | None = None, **_kwargs: object) -> html.Div:
    return detail_layout(IDS, unit_id, period)


@callback(
    Output(IDS.body, "children"), Input(LIVE_VERSION_ID, "data"), Input(IDS.period, "data"), State(IDS.item, "data")
)
def render(_version: int | None, period: str, unit_id: str | None) -> object:
    return render_detail(unit_id, period, _render)


def _render(viewer, unit_id: int, period: str) -> html.Div:  # type: ignore[no-untyped-def]
    def load(session):  # type: ignore[no-untyped-def]
        return (
            ancestors(session, viewer=viewer, unit_id=unit_id),
            unit_figures(session, viewer=viewer, unit_id=unit_id, period=period),
            children_figures(session, viewer=viewer, unit_id=unit_id, period=period),
            unit_indicators(session, viewer=viewer, unit_id=unit_id, period=period),
            unit_people(session, viewer=viewer, unit_id=unit_id, period=period),
            lineage(session, viewer=viewer, unit_id=unit_id),
        )

    trail, figures, children, indicators, people, history = cached("unit", viewer, period, load, unit_id)
    expected = expected_by(parse_period(period), today())
    behind = figures.score is not None and figures.score < expected
    crumbs = breadcrumbs([(name, f"/unit/{uid}?period={period}") for uid, name in trail])
    return html.Div(
        [
            crumbs,
            html.Div(
                [html.H1(figures.name, className="h3 mb-0", id="unit-title"), updated_at()],
                className="d-flex justify-content-between align-items-baseline mb-3",
            ),
            lineage_note(history),
            dbc.Row(
                [
                    dbc.Col(
                        kpi_card(
                            _("Score"),
                            format_percent(figures.score),
                            colour=score_colour(figures.score),
                            card_id="unit-score",
                            expected=_("Expected by now: %(share)s", share=format_percent(expected)),
                            detail=_("Behind schedule") if behind else None,
                            definition=definitions.score() + " " + definitions.expected(),
                        ),
                        md=6,
                        xl=3,
                    ),
                    dbc.Col(
                        kpi_card(
                            _("At risk / off track"),
                            lagging_words(
                                figures.n_at_risk,
                                figures.n_off_track,
                                f"/lagging?unit={unit_id}&period={period}",
                                "unit",
                            ),
                            card_id="unit-lagging-count",
                            definition=definitions.lagging(),
                        ),
                        md=6,
                        xl=3,
                    ),
                    dbc.Col(
                        kpi_card(
                            _("Open tasks"),
                            str(figures.tasks_open),
                            detail=_("%(n)s overdue", n=figures.tasks_overdue),
                            colour=STATUS_COLOURS["at_risk"],
                            card_id="unit-open-tasks",
                            definition=definitions.overdue(),
                        ),
                        md=6,
                        xl=3,
                    ),
                    dbc.Col(
                        kpi_card(
                            _("Done on time"),
                            str(figures.tasks_done_on_time),
                            detail=_("%(n)s done late", n=figures.tasks_done_late),
                            colour=STATUS_COLOURS["done"],
                            card_id="unit-done-on-time",
                            definition=definitions.done_on_time(),
                        ),
                        md=6,
                        xl=3,
                    ),
                ],
                className="g-3 mb-3",
            ),
            _children(children, period) if children else None,
            _objectives(indicators, period),
            _people(people, period),
        ]
    )


def _children(children, period: str) -> dbc.Card:  # type: ignore[no-untyped-def]
    rows = [
        {
            "unit": md_link(c.name, f"/unit/{c.unit_id}?period={period}"),
            "kind": unit_kind_label(c.kind),
            "score": None if c.score is None else round(c.score * 100, 1),
            "at_risk": c.n_at_risk,
            "off_track": c.n_off_track,
            "overdue": c.tasks_overdue,
        }
        for c in sorted(children, key=lambda c: (c.score is None, -(c.score or 0)))
    ]
    columns = [
        column("unit", _("Unit"), flex=3, link=True),
        column("kind", _("Kind")),
        column("score", _("Score %"), numeric=True, digits=1),
        column("at_risk", _("At risk"), numeric=True),
        column("off_track", _("Off track"), numeric=True),
        column("overdue", _("Overdue tasks"), numeric=True),
    ]
    return dbc.Card(
        [
            dbc.CardHeader([_("Units below"), info_icon("unit-children-info", definitions.units_below())]),
            dbc.CardBody(data_grid("unit-children", rows, columns)),
        ],
        className="mb-3",
    )


def _objectives(frame, period: str) -> dbc.Card:  # type: ignore[no-untyped-def]
    if frame.empty:
        return dbc.Card(
            [dbc.CardHeader(_("Objectives and indicators")), dbc.CardBody(html.P(_("No indicators for this unit.")))],
            className="mb-3",
        )
    blocks: list[html.Div] = []
    for objective, group in frame.groupby("objective", sort=False, dropna=False):
        first = group.iloc[0]
        title = objective if isinstance(objective, str) else _("Standing indicators")
        rows = [
            html.Tr(
                [
                    html.Td(html.A(r.indicator, href=f"/indicator/{r.indicator_id}?period={period}")),
                    html.Td(progress_text(r), className="unit-progress"),
                    html.Td(status_badge(r.status, status_label(r.status))),
                    html.Td(_forecast_text(r)),
                ]
            )
            for r in group.itertuples()
        ]
        head = html.Thead(
            html.Tr(
                [
                    html.Th(_("Indicator")),
                    html.Th([_("Progress"), info_icon(f"unit-progress-info-{len(blocks)}", definitions.progress())]),
                    html.Th(_("Status")),
                    html.Th(_("Forecast")),
                ]
            )
        )
        blocks.append(
            html.Div(
                [
                    html.H3(
                        [
                            title,
                            html.Small(
                                f" · {source_text(first.source_kind, first.source_ref)}", className="text-secondary"
                            ),
                        ],
                        className="h6 mt-3",
                    ),
                    dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True, className="mb-0"),
                ]
            )
        )
    return dbc.Card([dbc.CardHeader(_("Objectives and indicators")), dbc.CardBody(blocks)], className="mb-3")


def _forecast_text(row) -> str:  # type: ignore[no-untyped-def]
    # Decided with the status: never "at risk" beside a plain "on course".
    miss = row.forecast_miss_by if row.forecast_miss_by == row.forecast_miss_by else None  # NaN: none
    return outlook_text(row.status, row.on_course, miss, row.unit_of_measure)


def _people(frame, period: str) -> dbc.Card:  # type: ignore[no-untyped-def]
    rows = [
        {
            "name": md_link(r.name, f"/person/{r.person_id}?period={period}"),
            "position": r.position or "–",
            "unit": r.unit,
            "tasks": int(r.tasks),
            "on_time": None if r.on_time_share != r.on_time_share else round(r.on_time_share * 100, 1),
        }
        for r in frame.itertuples()
    ]
    columns = [
        column("name", _("Name"), flex=2, link=True),
        column("position", _("Position"), flex=2),
        column("unit", _("Unit"), flex=2),
        column("tasks", _("Tasks due"), numeric=True),
        column("on_time", _("Done on time %"), numeric=True, digits=1),
    ]
    return dbc.Card(
        [
            dbc.CardHeader([_("People and positions"), info_icon("unit-people-info", definitions.people())]),
            dbc.CardBody(data_grid("unit-people", rows, columns)),
        ]
    )

"""/person/<person_id>: one civil servant, for their managers and themselves: position, tasks of
the period (open, late, done), indicators they own, and the task score so far (Decree 335).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from components.kpi_card import kpi_card
from components.labels import status_label
from components.progress import progress_text
from components.status import STATUS_COLOURS, status_badge
from components.tables import column, data_grid
from config.clock import today
from data_access.queries.people import person_detail
from domain.kinds import Role
from pages._common import DetailIds, cached, detail_layout, render_detail, updated_at
from server.i18n import _, format_date, format_number
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path_template="/person/<person_id>",
    name="Person",
    order=7,
    nav_label=None,
    title="Pulse",
    roles=[Role.ADMIN, Role.UNIT_ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF, Role.SCREEN],
)

IDS = DetailIds("person")


def layout(person_id: str | None = None, period: str | None = None, **_kwargs: object) -> html.Div:
    return detail_layout(IDS, person_id, period)


@callback(
    Output(IDS.body, "children"), Input(LIVE_VERSION_ID, "data"), Input(IDS.period, "data"), State(IDS.item, "data")
)
def render(_version: int | None, period: str, person_id: str | None) -> object:
    return render_detail(person_id, period, _render)


def _colleague(detail, period: str) -> html.Div:  # type: ignore[no-untyped-def]
    """A colleague's page: who they are and where they work, nothing of their tasks or points."""
    return html.Div(
        [
            html.A(f"← {detail.unit}", href=f"/unit/{detail.unit_id}?period={period}"),
            html.H1(detail.name, className="h3 my-2", id="person-title"),
            html.P(detail.position or "–", className="text-secondary person-position"),
            html.P(
                _("A colleague's tasks and points are shown only to them and to those who manage them."),
                className="text-muted small person-limited",
            ),
        ]
    )


def _render(viewer, person_id: int, period: str) -> html.Div:  # type: ignore[no-untyped-def]
    detail = cached(
        "person",
        viewer,
        period,
        lambda s: person_detail(s, viewer=viewer, person_id=person_id, period=period, today=today()),
        person_id,
    )
    if detail.limited or detail.task_points is None:
        return _colleague(detail, period)
    tasks = detail.tasks[detail.tasks["status"] != "cancelled"]
    result = detail.task_points
    counts = tasks["state"].value_counts().to_dict() if len(tasks) else {}
    state_labels = {"open": _("open"), "late": _("late"), "done": _("done")}
    rows = [
        {
            "title": r.title,
            "due": format_date(r.due_date),
            "state": state_labels.get(r.state, r.state),
            "delays": int(r.delays),
            "errors": int(r.major_errors),
            "coefficient": float(r.coefficient),
        }
        for r in tasks.itertuples()
    ]
    columns = [
        column("title", _("Task"), flex=4),
        column("due", _("Due")),
        column("state", _("State")),
        column("delays", _("Delays"), numeric=True),
        column("errors", _("Major errors"), numeric=True),
        column("coefficient", _("Coefficient"), numeric=True, digits=2),
    ]
    indicator_rows = [
        html.Tr(
            [
                html.Td(html.A(r.indicator, href=f"/indicator/{r.indicator_id}?period={period}")),
                html.Td(progress_text(r), className="person-progress"),
                html.Td(status_badge(r.status, status_label(r.status))),
            ]
        )
        for r in detail.indicators.itertuples()
    ]
    return html.Div(
        [
            html.A(f"← {detail.unit}", href=f"/unit/{detail.unit_id}?period={period}"),
            html.Div(
                [html.H1(detail.name, className="h3 mb-0", id="person-title"), updated_at()],
                className="d-flex justify-content-between align-items-baseline my-2",
            ),
            html.P(detail.position or "–", className="text-secondary"),
            dbc.Row(
                [
                    dbc.Col(
                        kpi_card(
                            _("Task points so far (of 70)"),
                            format_number(result.points),
                            card_id="person-points",
                            detail=_(
                                "quantity %(q)s, quality %(ql)s, progress %(p)s",
                                q=format_number(result.quantity, 0),
                                ql=format_number(result.quality, 0),
                                p=format_number(result.progress, 0),
                            ),
                        ),
                        md=3,
                    ),
                    dbc.Col(
                        kpi_card(_("Open tasks"), str(counts.get("open", 0)), colour=STATUS_COLOURS["on_track"]), md=3
                    ),
                    dbc.Col(
                        kpi_card(_("Late tasks"), str(counts.get("late", 0)), colour=STATUS_COLOURS["off_track"]), md=3
                    ),
                    dbc.Col(kpi_card(_("Done tasks"), str(counts.get("done", 0)), colour=STATUS_COLOURS["done"]), md=3),
                ],
                className="g-3 mb-3",
            ),
            dbc.Card(
                [dbc.CardHeader(_("Tasks of the period")), dbc.CardBody(data_grid("person-tasks", rows, columns))],
                className="mb-3",
            ),
            dbc.Card(
                [
                    dbc.CardHeader(_("Indicators owned")),
                    dbc.CardBody(
                        dbc.Table([html.Tbody(indicator_rows)], size="sm", className="mb-0")
                        if indicator_rows
                        else html.P(_("None."))
                    ),
                ]
            ),
        ]
    )

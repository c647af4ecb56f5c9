"""/rankings: for leaders. Departments, wards and party boards ranked separately (like against
like) for the period in the URL, with the change since the previous period and the indicator
that lifted or dragged each unit most; people of a unit ranked within their position group by
task points (Decree 335); everything downloadable as Excel.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from components import definitions
from components.kpi_card import info_icon
from components.labels import task_group_label, unit_kind_label
from components.tables import column, data_grid, md_link
from config.clock import today
from data_access.queries.people import people_rankings
from data_access.queries.rankings import unit_rankings
from data_access.spreadsheets import Sheet, workbook_bytes
from domain.access import may_see_people_rankings
from domain.expectation import expected_by
from domain.kinds import Role
from domain.periods import parse_period
from domain.rankings import SAME_DATE_LAST_YEAR, compared_with, rank_within_groups
from pages._common import cached, guarded, page_period, updated_at
from pages._inputs import as_id
from server.i18n import _, format_number, format_percent, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/rankings",
    name="Rankings",
    order=10,
    nav_label=lazy_gettext("Rankings"),
    nav_group=lazy_gettext("Evaluation and emulation"),
    title="Pulse",
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.SCREEN],
)

PERIOD_ID = "rankings-period"
UNIT_ID = "rankings-unit"
BODY_ID = "rankings-body"
DOWNLOAD_ID = "rankings-download"
EXPORT_ID = "rankings-export"


def layout(period: str | None = None, unit: str | None = None, **_kwargs: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=PERIOD_ID, data=page_period(period)),
            dcc.Store(id=UNIT_ID, data=unit if unit and unit.isdigit() else None),
            dcc.Download(id=DOWNLOAD_ID),
            html.Div(dbc.Spinner(color="primary"), id=BODY_ID),
        ]
    )


def _unit_frames(viewer, period: str) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    day = today()
    ranked = cached(
        "rankings", viewer, period, lambda s: unit_rankings(s, viewer=viewer, period=period, today=day), day.isoformat()
    )
    return {kind: pd.DataFrame([r.__dict__ for r in rows]) for kind, rows in ranked.items()}


def _people_frame(viewer, period: str, unit_id: int) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    raw = cached(
        "people-rankings",
        viewer,
        period,
        lambda s: people_rankings(s, viewer=viewer, unit_id=unit_id, period=period),
        unit_id,
    )
    rows = [
        {
            "person_id": r.person_id,
            "name": r.name,
            "group": r.task_group or "–",
            "position": r.position or "–",
            "points": r.points,
        }
        for r in raw.itertuples()
    ]
    placed = [
        {**place.item, "rank": place.rank}
        for _group, places in rank_within_groups(
            rows, group=lambda r: r["group"], score=lambda r: r["points"], name=lambda r: r["name"]
        )
        for place in places
    ]
    return pd.DataFrame(placed, columns=["person_id", "name", "group", "position", "points", "rank"])


@callback(Output(BODY_ID, "children"), Input(LIVE_VERSION_ID, "data"), Input(PERIOD_ID, "data"), State(UNIT_ID, "data"))
def render(_version: int | None, period: str, unit: str | None) -> object:
    return guarded(lambda viewer: _render(viewer, page_period(period), as_id(unit) or viewer.scope_unit_id))


def _render(viewer, period: str, unit_id: int) -> html.Div:  # type: ignore[no-untyped-def]
    frames = _unit_frames(viewer, period)
    expected = expected_by(parse_period(period), today())
    sections = [
        html.Div(
            [
                html.H1(_("Rankings"), className="h3 mb-0"),
                updated_at(),
                dbc.Button(_("Download as Excel"), id=EXPORT_ID, color="secondary", outline=True, size="sm"),
            ],
            className="d-flex justify-content-between align-items-baseline mb-3 gap-3",
        ),
        html.P(
            [
                _("Expected by now: %(share)s", share=format_percent(expected)),
                info_icon("rankings-expected-info", definitions.expected()),
            ],
            className="fw-semibold",
            id="rankings-expected",
        ),
    ]
    titles = {"department": _("Departments"), "ward": _("Wards and communes"), "party_board": _("Party boards")}
    for kind, frame in frames.items():
        rows = [
            {
                "rank": int(r.rank) if r.rank == r.rank and r.rank is not None else None,
                "unit": md_link(r.name, f"/unit/{r.unit_id}?period={period}"),
                "score": None if r.score is None or r.score != r.score else round(r.score * 100, 1),
                "against": None if r.score is None or r.score != r.score else round((r.score - expected) * 100, 1),
                "change": _change(r.score, r.previous),
                "lifted": r.lifted_by or "–",
                "dragged": r.dragged_by or "–",
            }
            for r in frame.itertuples()
        ]
        columns = [
            column("rank", "#", numeric=True, maxWidth=80),
            column("unit", _("Unit"), flex=3, link=True),
            column("score", _("Score %"), numeric=True, digits=1, headerTooltip=definitions.score()),
            column(
                "against",
                _("Against expected (points)"),
                numeric=True,
                digits=1,
                minWidth=190,  # the header is the explanation: not cut at 1366 px
                headerTooltip=_("Score minus the score expected by now, in percentage points: below 0 is behind."),
            ),
            column("change", change_header(period), minWidth=170, headerTooltip=change_definition(period)),
            column("lifted", _("Lifted most by"), flex=3),
            column("dragged", _("Dragged most by"), flex=3),
        ]
        sections.append(
            dbc.Card(
                [dbc.CardHeader(titles[kind]), dbc.CardBody(data_grid(f"rankings-{kind}", rows, columns))],
                className="mb-3",
            )
        )
    if not may_see_people_rankings(viewer):
        return html.Div(sections)  # the wall shows units; people's points are for managers and leaders
    people = _people_frame(viewer, period, unit_id)
    people_rows = [
        {
            "group": task_group_label(r.group),
            "rank": int(r.rank) if r.rank == r.rank else None,
            "name": md_link(r.name, f"/person/{r.person_id}?period={period}"),
            "position": r.position,
            "points": None if r.points is None or r.points != r.points else round(r.points, 2),
        }
        for r in people.itertuples()
    ]
    people_columns = [
        column("group", _("Position group"), flex=2),
        column("rank", "#", numeric=True, maxWidth=80),
        column("name", _("Name"), flex=2, link=True),
        column("position", _("Position"), flex=2),
        column("points", _("Task points (of 70)"), numeric=True, digits=2),
    ]
    sections.append(
        dbc.Card(
            [
                dbc.CardHeader(_("People, ranked within their position group")),
                dbc.CardBody(data_grid("rankings-people", people_rows, people_columns)),
            ]
        )
    )
    return html.Div(sections)


def _comparison(period: object) -> str:
    """What the change compares with; a period that is not a valid code counts as the page's default."""
    return compared_with(parse_period(page_period(period)), today())[1]


def change_header(period: str) -> str:
    """The "change" column says what it compares with (like with like: domain.rankings.compared_with)."""
    if _comparison(period) == SAME_DATE_LAST_YEAR:
        return _("Change since the same date last year (points)")
    return _("Change since the previous period (points)")


def change_definition(period: str) -> str:
    if _comparison(period) == SAME_DATE_LAST_YEAR:
        return _("Score now minus the score at the same point last year (end of the same month), in percentage points.")
    return _("Score minus the previous period's score, in percentage points.")


def compared_header(period: str) -> str:
    if _comparison(period) == SAME_DATE_LAST_YEAR:
        return _("Score at the same date last year")
    return _("Previous period")


def _change(score: float | None, previous: float | None) -> str:
    if score is None or previous is None or previous != previous:
        return "–"
    delta = (score - previous) * 100
    arrow = "▲" if delta > 0.05 else "▼" if delta < -0.05 else "="
    return f"{arrow} {format_number(abs(delta))}"


@callback(
    Output(DOWNLOAD_ID, "data"),
    Input(EXPORT_ID, "n_clicks"),
    State(PERIOD_ID, "data"),
    State(UNIT_ID, "data"),
    prevent_initial_call=True,
)
def export(n_clicks: int | None, period: str, unit: str | None) -> object:
    if not n_clicks:
        return dash.no_update

    def build(viewer):  # type: ignore[no-untyped-def]
        # Read everything first: a refusal must not leave a half-written workbook behind.
        units = _unit_frames(viewer, page_period(period))
        people = (
            _people_frame(viewer, page_period(period), as_id(unit) or viewer.scope_unit_id)
            if may_see_people_rankings(viewer)
            else None
        )
        unit_header = [
            "#",
            _("Unit"),
            _("Score"),
            compared_header(page_period(period)),
            _("Lifted most by"),
            _("Dragged most by"),
        ]
        sheets = [
            Sheet(
                unit_kind_label(kind),
                [unit_header, *frame[["rank", "name", "score", "previous", "lifted_by", "dragged_by"]].to_numpy()],
                number_formats={2: "0.0%", 3: "0.0%"},  # fractions shown as 72.5 %, not 0.7248374485596708
            )
            for kind, frame in units.items()
        ]
        if people is not None:
            people_header = [_("Position group"), "#", _("Name"), _("Position"), _("Task points (of 70)")]
            people_rows = [
                [task_group_label(r.group), r.rank, r.name, r.position, r.points] for r in people.itertuples()
            ]
            sheets.append(Sheet(_("People"), [people_header, *people_rows], number_formats={4: "0.00"}))
        # The one writer keeps names that start like a formula as text (pandas' to_excel made them live).
        return dcc.send_bytes(workbook_bytes(sheets), f"pulse-rankings-{page_period(period)}.xlsx")

    result = guarded(build)
    return result if isinstance(result, dict) else dash.no_update

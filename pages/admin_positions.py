"""/admin/positions: the job positions (vi tri viec lam) of a unit, for administrators. Pick a unit of
one's subtree (searchable with or without accents), see its positions with how many people hold each,
create one, edit the selected one (name, code, group of similar tasks, evaluation criteria, leader),
or deactivate it when nobody active holds it.
Data: data_access.queries.admin_people.positions_of_unit; writes: data_access.commands.admin_positions.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.i18n import dropdown_labels
from components.tables import grid_locale
from components.work_views import done_alert
from config.rulesets import available_rulesets, load_ruleset
from data_access.commands import admin_positions as commands
from data_access.commands import position_kpis as kpi_commands
from data_access.errors import PulseError
from data_access.queries import admin as tree_queries
from data_access.queries import admin_people as queries
from data_access.queries import position_kpis as kpi_queries
from domain.admin_access import ADMIN_PAGE_ROLES
from domain.kinds import Frequency
from domain.position_kpis import TEMPLATE_DIRECTIONS, TemplateDraft
from domain.positions import DEFAULT_CRITERIA_SET
from pages._admin import POSITIONS_PATH, admin_alert, admin_menu, admin_viewer
from pages._inputs import as_id, as_text, next_count
from pages._plan import DIRECTION_TEXT, FREQUENCY_TEXT, _text, as_number, plan_alert
from server.context import current_store
from server.i18n import _, format_number

dash.register_page(
    __name__,
    path=POSITIONS_PATH,
    name="Positions",
    order=92,
    nav_label=None,
    title="Pulse",
    roles=list(ADMIN_PAGE_ROLES),
    admin=True,
)

UNIT = "admin-positions-unit"
GRID = "admin-positions-grid"
COUNT = "admin-positions-count"
REFRESH = "admin-positions-refresh"
SELECTED = "admin-positions-selected"
FORM_TITLE = "admin-positions-form-title"
NAME = "admin-positions-name"
CODE = "admin-positions-code"
GROUP = "admin-positions-group"
GROUPS = "admin-positions-groups"
CRITERIA = "admin-positions-criteria"
LEADER = "admin-positions-leader"
CREATE = "admin-positions-create"
SAVE = "admin-positions-save"
DEACTIVATE = "admin-positions-deactivate"
MESSAGE = "admin-positions-message"


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=REFRESH, data=0),
            dcc.Store(id=SELECTED, data=None),
            html.H1(_("Positions"), className="h3"),
            admin_menu(POSITIONS_PATH),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(_("Unit"), html_for=UNIT),
                            dcc.Dropdown(
                                labels=dropdown_labels(),
                                id=UNIT,
                                options=[],
                                placeholder=_("Search a unit by name (accents optional)"),
                                className="mb-2",
                            ),
                        ],
                        lg=6,
                    ),
                    dbc.Col(html.Span(id=COUNT, className="text-secondary"), lg=6, className="align-self-end mb-2"),
                ],
                className="g-2",
            ),
            html.Div(id=MESSAGE),
            dag.AgGrid(
                id=GRID,
                rowData=[],
                columnDefs=_columns(),
                defaultColDef={"resizable": True, "minWidth": 90, "sortable": True},
                dashGridOptions={
                    "rowSelection": "single",
                    "domLayout": "autoHeight",
                    "animateRows": False,
                    "localeText": {**grid_locale(), "noRowsToShow": _("Choose a unit to see its positions.")},
                },
                getRowId="params.data.id",
                className="ag-theme-alpine admin-positions-grid mb-3",
            ),
            dbc.Row([dbc.Col(_form(), xl=6, lg=8, className="mb-3"), dbc.Col(_kpi_card(), xl=6, lg=8)]),
        ],
        className="admin-positions-page",
    )


def _form() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("New position"), id=FORM_TITLE, className="h6"),
                html.P(
                    _("Click a position in the list to edit it; the form otherwise creates a new one in the unit."),
                    className="text-secondary small",
                ),
                dbc.Label(_("Position name"), html_for=NAME),
                dbc.Input(id=NAME, maxLength=200, className="mb-2"),
                dbc.Row(
                    [
                        dbc.Col(
                            [dbc.Label(_("Code"), html_for=CODE), dbc.Input(id=CODE, maxLength=40)],
                            sm=4,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(_("Group of similar tasks"), html_for=GROUP),
                                dbc.Input(id=GROUP, maxLength=80, list=GROUPS, placeholder="chuyen_vien_tong_hop"),
                                html.Datalist(id=GROUPS, children=[]),
                            ],
                            sm=8,
                        ),
                    ],
                    className="g-2 mb-2",
                ),
                dbc.Label(_("Evaluation criteria"), html_for=CRITERIA),
                dbc.Select(id=CRITERIA, options=[], value=DEFAULT_CRITERIA_SET, className="mb-2"),
                dbc.Checkbox(id=LEADER, label=_("Leader of the unit (heads it)"), value=False, className="mb-3"),
                html.Div(
                    [
                        dbc.Button(_("Create the position"), id=CREATE, color="success", n_clicks=0),
                        dbc.Button(_("Save changes"), id=SAVE, color="primary", n_clicks=0, disabled=True),
                        dbc.Button(
                            _("Deactivate"), id=DEACTIVATE, color="danger", outline=True, n_clicks=0, disabled=True
                        ),
                    ],
                    className="d-flex flex-wrap gap-2",
                ),
            ]
        ),
        className="admin-positions-form",
    )


# --- the position's KPI templates ----------------------------------------------------------------

KPI = {
    n: f"admin-positions-kpi-{n}"
    for n in (
        "card",
        "title",
        "list",
        "pick",
        "code",
        "name",
        "uom",
        "direction",
        "baseline",
        "target",
        "weight",
        "frequency",
        "save",
        "deactivate",
        "tokens",
        "refresh",
        "message",
    )
}
NEW = "new"


def _kpi_card() -> dbc.Card:
    """The KPIs every holder of the selected position carries (shown once a position is selected)."""
    directions = [{"label": _text(DIRECTION_TEXT, d), "value": d.value} for d in TEMPLATE_DIRECTIONS]
    frequencies = [{"label": _text(FREQUENCY_TEXT, f), "value": f.value} for f in Frequency]

    def field(label: str, component: Any, width: int) -> dbc.Col:
        return dbc.Col([dbc.Label(label, html_for=component.id), component], sm=width, className="mb-2")

    return dbc.Card(
        dbc.CardBody(
            [
                dcc.Store(id=KPI["tokens"], data={}),
                dcc.Store(id=KPI["refresh"], data=0),
                html.H2(_("KPIs of the position"), id=KPI["title"], className="h6"),
                html.P(
                    _(
                        "A person placed in this position gets these KPIs in the plan of their unit "
                        '(Plan page: "Give the position\'s KPIs").'
                    ),
                    className="text-secondary small",
                ),
                html.Div(id=KPI["list"], className="mb-2"),
                html.Div(id=KPI["message"]),
                dbc.Row(
                    [
                        field(_("Add or edit"), dbc.Select(id=KPI["pick"], options=[], value=NEW), 12),
                        field(_("Code"), dbc.Input(id=KPI["code"], maxLength=40), 4),
                        field(_("KPI"), dbc.Input(id=KPI["name"], maxLength=300), 8),
                        field(_("Unit of measure"), dbc.Input(id=KPI["uom"], maxLength=40), 4),
                        field(_("Direction"), dbc.Select(id=KPI["direction"], options=directions, value="increase"), 4),
                        field(_("Frequency"), dbc.Select(id=KPI["frequency"], options=frequencies, value="monthly"), 4),
                        field(_("Baseline"), dbc.Input(id=KPI["baseline"], type="number", step="any"), 4),
                        field(_("Target"), dbc.Input(id=KPI["target"], type="number", step="any"), 4),
                        field(_("Weight"), dbc.Input(id=KPI["weight"], type="number", min=0, step="any", value=1), 4),
                    ],
                    className="g-2",
                ),
                html.Div(
                    [
                        dbc.Button(_("Save the KPI"), id=KPI["save"], color="primary", n_clicks=0),
                        dbc.Button(_("Deactivate"), id=KPI["deactivate"], color="danger", outline=True, n_clicks=0),
                    ],
                    className="d-flex flex-wrap gap-2",
                ),
            ]
        ),
        id=KPI["card"],
        style={"display": "none"},
        className="admin-positions-kpis",
    )


def _kpi_table(rows: list[kpi_queries.TemplateRow]) -> Any:
    if not rows:
        return html.P(_("No KPI for this position yet."), className="text-secondary small")
    head = html.Thead(html.Tr([html.Th(_("Code")), html.Th(_("KPI")), html.Th(_("Target")), html.Th(_("Weight"))]))
    body = [
        html.Tr(
            [
                html.Td(r.code),
                html.Td([r.name, "" if r.active else " (" + _("Deactivated") + ")"]),
                html.Td(
                    _text(DIRECTION_TEXT, r.direction)
                    if r.target is None
                    else f"{format_number(r.target)} {r.unit_of_measure}".strip()
                ),
                html.Td(format_number(r.weight)),
            ],
            className="" if r.active else "text-secondary",
        )
        for r in rows
    ]
    return dbc.Table([head, html.Tbody(body)], size="sm", className="mb-0 admin-positions-kpi-table")


def _position_of(selected: Any) -> int | None:
    return as_id(selected.get("id")) if isinstance(selected, dict) else None


def _templates(position_id: int) -> list[kpi_queries.TemplateRow]:
    viewer = admin_viewer()
    with current_store().read() as session:
        return kpi_queries.templates_of_position(session, viewer=viewer, position_id=position_id)


@callback(
    Output(KPI["card"], "style"),
    Output(KPI["title"], "children"),
    Output(KPI["list"], "children"),
    Output(KPI["pick"], "options"),
    Output(KPI["tokens"], "data"),
    Input(SELECTED, "data"),
    Input(KPI["refresh"], "data"),
    State(NAME, "value"),
)
def render_kpis(selected: Any, _refresh: Any, name: Any) -> tuple[Any, ...]:
    """The selected position's KPI templates; no position (or one outside the subtree): no card."""
    admin_viewer()
    position_id = _position_of(selected)
    hidden: tuple[Any, ...] = ({"display": "none"}, "", None, [], {})
    if position_id is None:
        return hidden
    try:
        rows = _templates(position_id)
    except PulseError:
        return hidden
    options = [{"label": str(_("New KPI")), "value": NEW}] + [
        {"label": f"{r.code} · {r.name}", "value": str(r.id)} for r in rows
    ]
    title = _("KPIs of %(position)s", position=as_text(name)) if as_text(name) else _("KPIs of the position")
    return {}, title, _kpi_table(rows), options, {str(r.id): r.token for r in rows}


@callback(
    Output(KPI["code"], "value"),
    Output(KPI["name"], "value"),
    Output(KPI["uom"], "value"),
    Output(KPI["direction"], "value"),
    Output(KPI["frequency"], "value"),
    Output(KPI["baseline"], "value"),
    Output(KPI["target"], "value"),
    Output(KPI["weight"], "value"),
    Input(KPI["pick"], "value"),
    State(SELECTED, "data"),
    prevent_initial_call=True,
)
def fill_kpi(pick: Any, selected: Any) -> tuple[Any, ...]:
    """The picked template fills the form; "New KPI" empties it."""
    admin_viewer()
    position_id, template_id = _position_of(selected), as_id(pick)
    blank = ("", "", "", "increase", "monthly", None, None, 1)
    if position_id is None or template_id is None:
        return blank
    try:
        row = next((r for r in _templates(position_id) if r.id == template_id), None)
    except PulseError:
        return blank
    if row is None:
        return blank
    return (row.code, row.name, row.unit_of_measure, row.direction, row.frequency, row.baseline, row.target, row.weight)


@callback(
    Output(KPI["message"], "children"),
    Output(KPI["refresh"], "data"),
    Output(KPI["pick"], "value"),
    Input(KPI["save"], "n_clicks"),
    Input(KPI["deactivate"], "n_clicks"),
    State(SELECTED, "data"),
    State(KPI["pick"], "value"),
    State(KPI["tokens"], "data"),
    State(KPI["code"], "value"),
    State(KPI["name"], "value"),
    State(KPI["uom"], "value"),
    State(KPI["direction"], "value"),
    State(KPI["frequency"], "value"),
    State(KPI["baseline"], "value"),
    State(KPI["target"], "value"),
    State(KPI["weight"], "value"),
    State(KPI["refresh"], "data"),
    prevent_initial_call=True,
)
def act_kpi(
    _save: Any,
    _deactivate: Any,
    selected: Any,
    pick: Any,
    tokens: Any,
    code: Any,
    name: Any,
    uom: Any,
    direction: Any,
    frequency: Any,
    baseline: Any,
    target: Any,
    weight: Any,
    refresh: Any,
) -> tuple[Any, ...]:
    """Add a KPI to the selected position, or save or deactivate the picked one (with what the page saw)."""
    viewer = admin_viewer()
    trigger = ctx.triggered_id
    if trigger not in (KPI["save"], KPI["deactivate"]) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    position_id, template_id = _position_of(selected), as_id(pick)
    if position_id is None:
        return _choose(_("Choose a position in the list first.")), no_update, no_update
    token = tokens.get(str(template_id)) if isinstance(tokens, dict) and template_id is not None else None
    number = {"baseline": as_number(baseline), "target": as_number(target), "weight": as_number(weight)}
    draft = TemplateDraft(
        code=as_text(code),
        name=as_text(name),
        unit_of_measure=as_text(uom),
        direction=as_text(direction),
        frequency=as_text(frequency),
        baseline=number["baseline"],
        target=number["target"],
        weight=number["weight"] if number["weight"] is not None else float("nan"),
    )
    store = current_store()
    try:
        if trigger == KPI["deactivate"]:
            if template_id is None:
                return _choose(_("Choose a KPI first.")), no_update, no_update
            kpi_commands.deactivate_template(
                store, viewer=viewer, template_id=template_id, token=token if isinstance(token, str) else None
            )
            message = _("KPI deactivated: people placed from now on no longer get it.")
        elif template_id is None:
            kpi_commands.add_template(store, viewer=viewer, position_id=position_id, draft=draft)
            message = _("KPI added to the position.")
        else:
            kpi_commands.edit_template(
                store,
                viewer=viewer,
                template_id=template_id,
                token=token if isinstance(token, str) else None,
                draft=draft,
            )
            message = _("KPI saved.")
    except PulseError as problem:
        return plan_alert(problem), no_update, no_update
    return done_alert(message, class_name="admin-positions-kpi-done"), next_count(refresh), NEW


def _columns() -> list[dict[str, Any]]:
    return [
        {"field": "name", "headerName": _("Position"), "flex": 3, "minWidth": 200},
        {"field": "code", "headerName": _("Code"), "flex": 1},
        {"field": "task_group", "headerName": _("Group of similar tasks"), "flex": 2, "minWidth": 200},
        {"field": "criteria", "headerName": _("Evaluation criteria"), "flex": 2, "minWidth": 180},
        {"field": "leader", "headerName": _("Leader"), "flex": 1},
        {"field": "holders", "headerName": _("Holders"), "flex": 1, "type": "rightAligned"},
        {"field": "state", "headerName": _("State"), "flex": 1},
    ]


def _criteria_options() -> list[dict[str, str]]:
    """The unit's own rule set, or a named one (its official title, shortened before the parenthesis)."""
    options = [{"label": _("The unit's rule set"), "value": DEFAULT_CRITERIA_SET}]
    for name in available_rulesets():
        title = load_ruleset(name).title.split(" (")[0]
        options.append({"label": title, "value": name})
    return options


def _criteria_label(value: str) -> str:
    return next((o["label"] for o in _criteria_options() if o["value"] == value), value)


@callback(
    Output(UNIT, "options"),
    Output(CRITERIA, "options"),
    Output(GROUPS, "children"),
    Input(REFRESH, "data"),
)
def options(_refresh: Any) -> tuple[Any, ...]:
    """The open units of the administrator's subtree (searchable without accents) and the groups in use."""
    viewer = admin_viewer()
    with current_store().read() as session:
        tree = tree_queries.unit_tree(session, viewer=viewer)
        groups = queries.task_groups(session, viewer=viewer)
    units = [{"label": u.name, "value": u.id, "search": f"{u.name} {u.folded}"} for u in tree if u.active]
    return units, _criteria_options(), [html.Option(value=g) for g in groups]


@callback(
    Output(GRID, "rowData"),
    Output(COUNT, "children"),
    Input(UNIT, "value"),
    Input(REFRESH, "data"),
)
def render(unit: Any, _refresh: Any) -> tuple[Any, ...]:
    """The positions of the chosen unit; a unit outside the subtree shows nothing."""
    viewer = admin_viewer()
    unit_id = as_id(unit)
    if unit_id is None:
        return [], ""
    try:
        with current_store().read() as session:
            rows = queries.positions_of_unit(session, viewer=viewer, unit_id=unit_id)
    except PulseError:
        return [], ""
    data = [
        {
            "id": str(r.id),
            "version": r.version,
            "name": r.name,
            "code": r.code,
            "task_group": r.task_group,
            "criteria_set": r.criteria_set,
            "criteria": _criteria_label(r.criteria_set),
            "is_leader": r.is_leader,
            "leader": _("Yes") if r.is_leader else "",
            "holders": r.holders,
            "state": _("Active") if r.active else _("Deactivated"),
        }
        for r in rows
    ]
    return data, _("%(n)s positions", n=len(rows))


@callback(
    Output(SELECTED, "data"),
    Output(FORM_TITLE, "children"),
    Output(NAME, "value"),
    Output(CODE, "value"),
    Output(GROUP, "value"),
    Output(CRITERIA, "value"),
    Output(LEADER, "value"),
    Output(SAVE, "disabled"),
    Output(DEACTIVATE, "disabled"),
    Input(GRID, "selectedRows"),
    prevent_initial_call=True,
)
def pick(selected: Any) -> tuple[Any, ...]:
    """The selected position fills the form, with the version the grid showed."""
    admin_viewer()
    row = selected[0] if isinstance(selected, list) and selected and isinstance(selected[0], dict) else None
    position_id = as_id(row.get("id")) if row else None
    if row is None or position_id is None:
        raise PreventUpdate  # the selection went with a change: `act` has reset the form itself
    version = row.get("version") if isinstance(row.get("version"), int) else None
    return (
        {"id": position_id, "version": version},
        _("Edit %(name)s", name=as_text(row.get("name"))),
        as_text(row.get("name")),
        as_text(row.get("code")),
        as_text(row.get("task_group")),
        as_text(row.get("criteria_set")) or DEFAULT_CRITERIA_SET,
        row.get("is_leader") is True,
        False,
        False,
    )


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Output(GRID, "selectedRows"),
    Output(SELECTED, "data", allow_duplicate=True),
    Output(FORM_TITLE, "children", allow_duplicate=True),
    Output(NAME, "value", allow_duplicate=True),
    Output(CODE, "value", allow_duplicate=True),
    Output(GROUP, "value", allow_duplicate=True),
    Output(CRITERIA, "value", allow_duplicate=True),
    Output(LEADER, "value", allow_duplicate=True),
    Output(SAVE, "disabled", allow_duplicate=True),
    Output(DEACTIVATE, "disabled", allow_duplicate=True),
    Input(CREATE, "n_clicks"),
    Input(SAVE, "n_clicks"),
    Input(DEACTIVATE, "n_clicks"),
    State(UNIT, "value"),
    State(SELECTED, "data"),
    State(NAME, "value"),
    State(CODE, "value"),
    State(GROUP, "value"),
    State(CRITERIA, "value"),
    State(LEADER, "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def act(
    _create: Any,
    _save: Any,
    _deactivate: Any,
    unit: Any,
    selected: Any,
    name: Any,
    code: Any,
    group: Any,
    criteria: Any,
    leader: Any,
    refresh: Any,
) -> tuple[Any, ...]:
    """Create a position in the chosen unit, or save or deactivate the selected one."""
    viewer = admin_viewer()
    trigger = ctx.triggered_id
    if trigger not in (CREATE, SAVE, DEACTIVATE) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    fields = commands.PositionInput(
        name=as_text(name),
        code=as_text(code),
        task_group=as_text(group),
        criteria_set=as_text(criteria),
        is_leader=leader is True,
    )
    position_id = as_id(selected.get("id")) if isinstance(selected, dict) else None
    version = selected.get("version") if isinstance(selected, dict) else None
    version = version if isinstance(version, int) and not isinstance(version, bool) else None
    store = current_store()
    try:
        if trigger == CREATE:
            unit_id = as_id(unit)
            if unit_id is None:
                return _unchanged(_choose(_("Choose a unit first.")))
            commands.create_position(store, viewer=viewer, unit_id=unit_id, fields=fields)
            message = _("Position created.")
        elif position_id is None:
            return _unchanged(_choose(_("Choose a position in the list first.")))
        elif trigger == SAVE:
            commands.edit_position(store, viewer=viewer, position_id=position_id, version=version, fields=fields)
            message = _("Position saved.")
        else:
            commands.deactivate_position(store, viewer=viewer, position_id=position_id, version=version)
            message = _("Position deactivated.")
    except PulseError as problem:
        return _unchanged(admin_alert(problem, class_name="admin-positions-problem"))
    # The selection goes (its version is the old one now) and the form is blank for the next position.
    blank = (None, _("New position"), "", "", "", DEFAULT_CRITERIA_SET, False, True, True)
    return (done_alert(message, class_name="admin-positions-done"), next_count(refresh), [], *blank)


def _unchanged(message: Any) -> tuple[Any, ...]:
    """A message, and the form as the administrator left it (to correct what it says)."""
    return (message, *([no_update] * 11))


def _choose(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="info", className="admin-positions-problem")

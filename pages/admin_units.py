"""/admin/units: the org tree for administrators. An indented tree with expand and collapse and a
search by name with or without accents; pick a unit to create a department, division or party
board under it, rename it, move it (with its subtree) or close it, or reorganise it from a date:
merge it with others, split it, rename or move it so that earlier periods keep it as it was.
Data: data_access.queries.admin.unit_tree; writes: data_access.commands.admin_units and admin_reorgs.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.i18n import dropdown_labels
from components.labels import unit_kind_label
from components.work_views import done_alert
from data_access.commands import admin_reorgs as reorgs
from data_access.commands import admin_units as commands
from data_access.errors import PulseError
from data_access.queries import admin as queries
from domain.admin_access import ADMIN_PAGE_ROLES, may_change_unit
from domain.org_changes import ALLOWED_CHILDREN, CREATABLE_KINDS
from domain.text import fold
from pages._admin import UNITS_PATH, admin_alert, admin_menu, admin_viewer
from pages._inputs import as_date, as_id, as_text, next_count
from server.context import current_store
from server.i18n import _, format_date, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path=UNITS_PATH,
    name="Administration",
    order=90,
    nav_label=lazy_gettext("Administration"),
    title="Pulse",
    roles=list(ADMIN_PAGE_ROLES),
    admin=True,
)

TREE = "admin-units-tree"
SEARCH = "admin-units-search"
EXPANDED = "admin-units-expanded"
SELECTED = "admin-units-selected"
REFRESH = "admin-units-refresh"
PANEL = "admin-units-panel"
PANEL_TITLE = "admin-units-panel-title"
CHANGE_CARDS = "admin-units-change-cards"
NEW_NAME = "admin-units-new-name"
NEW_KIND = "admin-units-new-kind"
CREATE_CARD = "admin-units-create-card"
CREATE = "admin-units-create"
RENAME_NAME = "admin-units-rename-name"
RENAME = "admin-units-rename"
MOVE_PARENT = "admin-units-move-parent"
MOVE = "admin-units-move"
CLOSE = "admin-units-close"
MESSAGE = "admin-units-message"
TOGGLE_TYPE = "admin-unit-toggle"
PICK_TYPE = "admin-unit-pick"
REORG_KIND = "admin-units-reorg-kind"
REORG_DATE = "admin-units-reorg-date"
REORG_WITH = "admin-units-reorg-with"
REORG_WITH_BOX = "admin-units-reorg-with-box"
REORG_NAME = "admin-units-reorg-name"
REORG_NAME_BOX = "admin-units-reorg-name-box"
REORG_PARTS = "admin-units-reorg-parts"
REORG_PARTS_BOX = "admin-units-reorg-parts-box"
REORG_PARENT = "admin-units-reorg-parent"
REORG_PARENT_BOX = "admin-units-reorg-parent-box"
REORGANISE = "admin-units-reorganise"
REORG_MESSAGE = "admin-units-reorg-message"
REORG_KINDS = ("merge", "split", "rename", "move")
PARTS_MAX_CHARS = 2400  # ten names of up to 200 characters, one a line
SHOWN_MAX = 400  # rows drawn at once; a search narrows a large province


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=EXPANDED, data=None),
            dcc.Store(id=SELECTED, data=None),
            dcc.Store(id=REFRESH, data=0),
            html.H1(_("Organisation units"), className="h3"),
            admin_menu(UNITS_PATH),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Input(
                                id=SEARCH,
                                type="search",
                                placeholder=_("Search a unit by name (accents optional)"),
                                debounce=0.4,
                                className="mb-2",
                                maxLength=100,
                            ),
                            html.Div(dbc.Spinner(color="primary"), id=TREE, className="admin-tree"),
                        ],
                        md=7,
                    ),
                    dbc.Col([html.Div(id=MESSAGE), _panel()], md=5),
                ]
            ),
        ],
        className="admin-units-page",
    )


def _panel() -> html.Div:
    return html.Div(
        [
            html.H2(id=PANEL_TITLE, className="h5"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H3(_("New unit under it"), className="h6"),
                        dbc.Label(_("Unit name"), html_for=NEW_NAME),
                        dbc.Input(id=NEW_NAME, maxLength=200, className="mb-2"),
                        dbc.Label(_("Kind"), html_for=NEW_KIND),
                        dbc.Select(id=NEW_KIND, options=[], className="mb-2"),
                        dbc.Button(_("Create"), id=CREATE, color="success", n_clicks=0),
                    ]
                ),
                id=CREATE_CARD,
                className="mb-3",
            ),
            html.Div(
                [
                    dbc.Card(
                        dbc.CardBody(
                            [
                                html.H3(_("Rename"), className="h6"),
                                dbc.Input(id=RENAME_NAME, maxLength=200, className="mb-2"),
                                dbc.Button(_("Rename"), id=RENAME, color="primary", n_clicks=0),
                            ]
                        ),
                        className="mb-3",
                    ),
                    dbc.Card(
                        dbc.CardBody(
                            [
                                html.H3(_("Move under another unit"), className="h6"),
                                dcc.Dropdown(
                                    labels=dropdown_labels(),
                                    id=MOVE_PARENT,
                                    options=[],
                                    className="mb-2",
                                    placeholder=_("Choose a unit"),
                                ),
                                dbc.Button(_("Move"), id=MOVE, color="primary", n_clicks=0),
                            ]
                        ),
                        className="mb-3",
                    ),
                    _reorganise_card(),
                    dbc.Card(
                        dbc.CardBody(
                            [
                                html.H3(_("Close the unit"), className="h6"),
                                html.P(
                                    _(
                                        "Only a unit without active people and without open units under it can be closed."
                                    ),
                                    className="text-secondary small",
                                ),
                                dbc.Button(_("Close the unit"), id=CLOSE, color="danger", outline=True, n_clicks=0),
                            ]
                        ),
                    ),
                ],
                id=CHANGE_CARDS,
            ),
        ],
        id=PANEL,
        hidden=True,
    )


def _reorganise_card() -> dbc.Card:
    """Merge, split, rename or move from an effective date: periods before it keep the units as they were."""
    hidden = {"display": "none"}
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(_("Reorganise from a date"), className="h6"),
                html.P(
                    _(
                        "Periods before the date keep the units as they were; from the date, people, "
                        "units below and plans count under the new unit."
                    ),
                    className="text-secondary small",
                ),
                dbc.RadioItems(
                    id=REORG_KIND,
                    options=[
                        {"label": _("Merge with other units"), "value": "merge"},
                        {"label": _("Split into several units"), "value": "split"},
                        {"label": _("Rename from the date"), "value": "rename"},
                        {"label": _("Move from the date"), "value": "move"},
                    ],
                    value="merge",
                    className="mb-2",
                ),
                html.Div(
                    [
                        dbc.Label(_("Merge with"), html_for=REORG_WITH),
                        dcc.Dropdown(
                            labels=dropdown_labels(),
                            id=REORG_WITH,
                            options=[],
                            multi=True,
                            placeholder=_("Choose units"),
                        ),
                    ],
                    id=REORG_WITH_BOX,
                    className="mb-2",
                ),
                html.Div(
                    [
                        dbc.Label(_("Name of the new unit"), html_for=REORG_NAME),
                        dbc.Input(id=REORG_NAME, maxLength=200),
                    ],
                    id=REORG_NAME_BOX,
                    className="mb-2",
                ),
                html.Div(
                    [
                        dbc.Label(_("Names of the new units, one a line"), html_for=REORG_PARTS),
                        dbc.Textarea(id=REORG_PARTS, maxLength=PARTS_MAX_CHARS, rows=3),
                        dbc.FormText(_("People and plans go to the first unit; move people afterwards if needed.")),
                    ],
                    id=REORG_PARTS_BOX,
                    className="mb-2",
                    style=hidden,
                ),
                html.Div(
                    [
                        dbc.Label(_("New parent unit"), html_for=REORG_PARENT),
                        dcc.Dropdown(
                            labels=dropdown_labels(), id=REORG_PARENT, options=[], placeholder=_("Choose a unit")
                        ),
                    ],
                    id=REORG_PARENT_BOX,
                    className="mb-2",
                    style=hidden,
                ),
                dbc.Label(_("Effective date"), html_for=REORG_DATE),
                dbc.Input(id=REORG_DATE, type="date", className="mb-2"),
                dbc.Button(_("Reorganise"), id=REORGANISE, color="warning", n_clicks=0),
                # Next to the button: the panel is long, and the page's message area is out of sight here.
                html.Div(id=REORG_MESSAGE, className="mt-2", role="status"),
            ]
        ),
        className="mb-3",
    )


def _visible(tree: list[queries.UnitNode], expanded: set[int], search: str) -> list[tuple[queries.UnitNode, bool]]:
    """The rows to draw and whether each is open: matches and their ancestors when searching, else the
    units whose every ancestor is expanded."""
    parents = {u.id: u.parent_id for u in tree}
    has_children = {u.parent_id for u in tree if u.parent_id is not None}
    wanted = fold(search)
    if wanted:
        keep: set[int] = set()
        for unit in tree:
            if wanted in unit.folded:
                at: int | None = unit.id
                while at is not None and at not in keep:
                    keep.add(at)
                    at = parents.get(at)
        return [(u, u.id in has_children) for u in tree if u.id in keep]
    shown: list[tuple[queries.UnitNode, bool]] = []
    visible: set[int] = set()
    for unit in tree:  # depth first: a parent comes before its children
        if unit.parent_id is None or (unit.parent_id in visible and unit.parent_id in expanded):
            visible.add(unit.id)
            shown.append((unit, unit.id in expanded and unit.id in has_children))
    return shown


def _row(unit: queries.UnitNode, is_open: bool, has_children: bool, selected: bool) -> html.Div:
    toggle = (
        html.Button(
            "▾" if is_open else "▸",
            id={"type": TOGGLE_TYPE, "index": unit.id},
            className="btn btn-sm btn-link admin-tree-toggle p-0 me-1",
            title=_("Collapse") if is_open else _("Expand"),
            n_clicks=0,
        )
        if has_children
        else html.Span(className="admin-tree-spacer me-1")
    )
    badges: list[Any] = [dbc.Badge(unit_kind_label(unit.kind), color="light", text_color="dark", className="ms-2")]
    if unit.people:
        badges.append(html.Span(_("%(n)s people", n=unit.people), className="text-secondary small ms-2"))
    if not unit.active:
        badges.append(dbc.Badge(_("Closed"), color="secondary", className="ms-2"))
    return html.Div(
        [
            toggle,
            html.Button(
                unit.name,
                id={"type": PICK_TYPE, "index": unit.id},
                className="btn btn-sm btn-link admin-tree-name p-0" + (" fw-bold" if selected else ""),
                n_clicks=0,
            ),
            *badges,
        ],
        className="admin-tree-row" + (" text-decoration-line-through" if not unit.active else ""),
        style={"paddingLeft": f"{1.25 * unit.depth}rem"},
    )


def _tree(session: Any) -> list[queries.UnitNode]:
    return queries.unit_tree(session, viewer=admin_viewer())


@callback(
    Output(TREE, "children"),
    Output(EXPANDED, "data"),
    Input(LIVE_VERSION_ID, "data"),
    Input(REFRESH, "data"),
    Input(SEARCH, "value"),
    Input(EXPANDED, "data"),
    State(SELECTED, "data"),
)
def render_tree(_version: Any, _refresh: Any, search: Any, expanded: Any, selected: Any) -> tuple[Any, Any]:
    """Draw the visible part of the tree; the first time, the top units are open."""
    admin_viewer()
    with current_store().read() as session:
        tree = _tree(session)
    if not tree:
        return dbc.Alert(_("No units in your scope."), color="secondary"), no_update
    open_ids = {i for i in (as_id(x) for x in expanded) if i} if isinstance(expanded, list) else None
    first = open_ids is None
    if open_ids is None:
        open_ids = {u.id for u in tree if u.parent_id is None}
    has_children = {u.parent_id for u in tree if u.parent_id is not None}
    rows = _visible(tree, open_ids, as_text(search))
    picked = as_id(selected.get("id")) if isinstance(selected, dict) else None
    drawn = [_row(u, is_open, u.id in has_children, u.id == picked) for u, is_open in rows[:SHOWN_MAX]]
    if len(rows) > SHOWN_MAX:
        drawn.append(html.P(_("Showing %(n)s units: search to narrow the list.", n=SHOWN_MAX), className="small"))
    if not rows:
        drawn = [html.P(_("No unit matches."), className="text-secondary")]
    return drawn, sorted(open_ids) if first else no_update


@callback(
    Output(EXPANDED, "data", allow_duplicate=True),
    Input({"type": TOGGLE_TYPE, "index": ALL}, "n_clicks"),
    State(EXPANDED, "data"),
    prevent_initial_call=True,
)
def toggle(clicks: Any, expanded: Any) -> list[int]:
    admin_viewer()
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(isinstance(c, int) and c > 0 for c in (clicks or [])):
        raise PreventUpdate
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate  # a redraw, not a click
    unit_id = as_id(trigger.get("index"))
    if unit_id is None:
        raise PreventUpdate
    current = {i for i in (as_id(x) for x in expanded) if i} if isinstance(expanded, list) else set()
    current ^= {unit_id}
    return sorted(current)


@callback(
    Output(SELECTED, "data"),
    Input({"type": PICK_TYPE, "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def pick(_clicks: Any) -> dict[str, Any]:
    """Remember the picked unit and the version the administrator saw."""
    viewer = admin_viewer()
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    unit_id = as_id(trigger.get("index"))
    with current_store().read() as session:
        unit = next((u for u in queries.unit_tree(session, viewer=viewer) if u.id == unit_id), None)
    if unit is None:
        raise PreventUpdate
    return {"id": unit.id, "version": unit.version}


@callback(
    Output(PANEL, "hidden"),
    Output(PANEL_TITLE, "children"),
    Output(RENAME_NAME, "value"),
    Output(NEW_KIND, "options"),
    Output(NEW_KIND, "value"),
    Output(CREATE_CARD, "style"),
    Output(MOVE_PARENT, "options"),
    Output(REORG_WITH, "options"),
    Output(REORG_PARENT, "options"),
    Output(CHANGE_CARDS, "hidden"),
    Input(SELECTED, "data"),
)
def show_panel(selected: Any) -> tuple[Any, ...]:
    """The actions on the picked unit: kinds allowed under it, and the open units it may move under."""
    viewer = admin_viewer()
    unit_id = as_id(selected.get("id")) if isinstance(selected, dict) else None
    if unit_id is None:
        return True, "", "", [], None, no_update, [], [], [], True
    with current_store().read() as session:
        tree = queries.unit_tree(session, viewer=viewer)
    unit = next((u for u in tree if u.id == unit_id), None)
    if unit is None:
        return True, "", "", [], None, no_update, [], [], [], True
    kinds = [k for k in CREATABLE_KINDS if k in ALLOWED_CHILDREN.get(unit.kind, frozenset())]
    inside = _subtree(tree, unit.id)
    parents = [
        {"label": u.name, "value": u.id}
        for u in tree
        if u.active and u.id not in inside and u.id != unit.parent_id and unit.kind in ALLOWED_CHILDREN.get(u.kind, ())
    ]
    # Units merged with this one: open units of the same kind, none inside it.
    partners = [
        {"label": u.name, "value": u.id} for u in tree if u.active and u.kind == unit.kind and u.id not in inside
    ]
    title = [unit.name, dbc.Badge(unit_kind_label(unit.kind), color="light", text_color="dark", className="ms-2")]
    return (
        False,
        title,
        unit.name,
        [{"label": unit_kind_label(k), "value": k} for k in kinds],
        kinds[0] if kinds else None,
        {} if kinds else {"display": "none"},  # nothing is made under a division
        parents,
        partners,
        parents,
        # A delegated administrator's own ward is the administrator's to rename, move or close.
        not may_change_unit(viewer.role.value, viewer.scope_path, unit.path, viewer.scope_kind),
    )


def _subtree(tree: list[queries.UnitNode], root: int) -> set[int]:
    inside = {root}
    for unit in tree:  # depth first: a child comes after its parent
        if unit.parent_id in inside:
            inside.add(unit.id)
    return inside


@callback(
    Output(MESSAGE, "children"),
    Output(SELECTED, "data", allow_duplicate=True),
    Output(REFRESH, "data"),
    Output(NEW_NAME, "value"),
    Output(EXPANDED, "data", allow_duplicate=True),
    Input(CREATE, "n_clicks"),
    Input(RENAME, "n_clicks"),
    Input(MOVE, "n_clicks"),
    Input(CLOSE, "n_clicks"),
    State(SELECTED, "data"),
    State(NEW_NAME, "value"),
    State(NEW_KIND, "value"),
    State(RENAME_NAME, "value"),
    State(MOVE_PARENT, "value"),
    State(REFRESH, "data"),
    State(EXPANDED, "data"),
    prevent_initial_call=True,
)
def act(
    _create: Any,
    _rename: Any,
    _move: Any,
    _close: Any,
    selected: Any,
    new_name: Any,
    new_kind: Any,
    rename_name: Any,
    move_parent: Any,
    refresh: Any,
    expanded: Any,
) -> tuple[Any, ...]:
    """Run the chosen change on the picked unit; the page keeps the version it now shows."""
    viewer = admin_viewer()
    trigger = ctx.triggered_id
    if trigger not in (CREATE, RENAME, MOVE, CLOSE) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    unit_id = as_id(selected.get("id")) if isinstance(selected, dict) else None
    version = selected.get("version") if isinstance(selected, dict) else None
    if unit_id is None:
        raise PreventUpdate
    version = version if isinstance(version, str) else None
    store = current_store()
    open_ids = {i for i in (as_id(x) for x in expanded) if i} if isinstance(expanded, list) else set()
    try:
        if trigger == CREATE:
            commands.create_unit(
                store, viewer=viewer, parent_id=unit_id, kind=as_text(new_kind), name=as_text(new_name)
            )
            # The parent stays picked and opens, so that the new unit shows under it.
            done = done_alert(_("Unit created."), class_name="admin-units-done")
            return done, no_update, next_count(refresh), "", sorted(open_ids | {unit_id})
        if trigger == RENAME:
            state = commands.rename_unit(
                store, viewer=viewer, unit_id=unit_id, version=version, name=as_text(rename_name)
            )
            message = _("Unit renamed.")
        elif trigger == MOVE:
            state = commands.move_unit(
                store, viewer=viewer, unit_id=unit_id, version=version, new_parent_id=as_id(move_parent)
            )
            message = _("Unit moved.")
        else:
            state = commands.close_unit(store, viewer=viewer, unit_id=unit_id, version=version)
            message = _("Unit closed.")
    except PulseError as problem:
        return admin_alert(problem, class_name="admin-units-problem"), no_update, no_update, no_update, no_update
    return (
        done_alert(message, class_name="admin-units-done"),
        {"id": state.unit_id, "version": state.version},
        next_count(refresh),
        no_update,
        no_update,
    )


@callback(
    Output(REORG_WITH_BOX, "style"),
    Output(REORG_NAME_BOX, "style"),
    Output(REORG_PARTS_BOX, "style"),
    Output(REORG_PARENT_BOX, "style"),
    Input(REORG_KIND, "value"),
)
def reorganise_fields(kind: Any) -> tuple[dict[str, str], ...]:
    """Only the fields the chosen reorganisation needs."""
    admin_viewer()
    shown, hidden = {}, {"display": "none"}
    wanted = {
        "merge": (REORG_WITH_BOX, REORG_NAME_BOX),
        "split": (REORG_PARTS_BOX,),
        "rename": (REORG_NAME_BOX,),
        "move": (REORG_PARENT_BOX,),
    }.get(kind if isinstance(kind, str) else "", ())
    return tuple(
        shown if box in wanted else hidden
        for box in (REORG_WITH_BOX, REORG_NAME_BOX, REORG_PARTS_BOX, REORG_PARENT_BOX)
    )


@callback(
    Output(REORG_MESSAGE, "children"),
    Output(SELECTED, "data", allow_duplicate=True),
    Output(REFRESH, "data", allow_duplicate=True),
    Output(REORG_WITH, "value"),
    Output(REORG_NAME, "value"),
    Output(REORG_PARTS, "value"),
    Input(REORGANISE, "n_clicks"),
    State(SELECTED, "data"),
    State(REORG_KIND, "value"),
    State(REORG_DATE, "value"),
    State(REORG_WITH, "value"),
    State(REORG_NAME, "value"),
    State(REORG_PARTS, "value"),
    State(REORG_PARENT, "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def reorganise(
    clicks: Any,
    selected: Any,
    kind: Any,
    on: Any,
    partners: Any,
    name: Any,
    parts: Any,
    parent: Any,
    refresh: Any,
) -> tuple[Any, ...]:
    """Run the reorganisation on the picked unit; the page then shows its (first) successor."""
    viewer = admin_viewer()
    if not isinstance(clicks, int) or clicks < 1 or kind not in REORG_KINDS:
        raise PreventUpdate
    unit_id = as_id(selected.get("id")) if isinstance(selected, dict) else None
    version = selected.get("version") if isinstance(selected, dict) else None
    if unit_id is None:
        raise PreventUpdate
    version = version if isinstance(version, str) else None
    store, effective_on = current_store(), as_date(on)
    try:
        if kind == "merge":
            others = [as_id(p) for p in partners] if isinstance(partners, list) else []
            done = reorgs.merge_units(
                store,
                viewer=viewer,
                unit_ids=[unit_id, *(o for o in others if o is not None and o != unit_id)],
                version=version,
                name=as_text(name),
                effective_on=effective_on,
            )
            message = _("Merged into a new unit from %(date)s.", date=format_date(done.effective_on))
        elif kind == "split":
            names = [line for line in as_text(parts)[:PARTS_MAX_CHARS].splitlines() if line.strip()]
            done = reorgs.split_unit(
                store, viewer=viewer, unit_id=unit_id, version=version, names=names, effective_on=effective_on
            )
            message = _("Split into %(n)s units from %(date)s.", n=len(names), date=format_date(done.effective_on))
        elif kind == "rename":
            done = reorgs.rename_unit_from(
                store, viewer=viewer, unit_id=unit_id, version=version, name=as_text(name), effective_on=effective_on
            )
            message = _("Renamed from %(date)s.", date=format_date(done.effective_on))
        else:
            done = reorgs.move_unit_from(
                store,
                viewer=viewer,
                unit_id=unit_id,
                version=version,
                new_parent_id=as_id(parent),
                effective_on=effective_on,
            )
            message = _("Moved from %(date)s.", date=format_date(done.effective_on))
    except PulseError as problem:
        return (
            admin_alert(problem, class_name="admin-units-problem"),
            no_update,
            no_update,
            no_update,
            no_update,
            no_update,
        )
    carried = _(
        "%(people)s people and %(units)s units below carried over.", people=done.people_moved, units=done.units_moved
    )
    successor = done.successor_ids[0]
    link = html.A(_("Open the new unit"), href=f"/unit/{successor}", className="alert-link ms-1")
    with current_store().read() as session:
        node = next((u for u in queries.unit_tree(session, viewer=viewer) if u.id == successor), None)
    picked = {"id": node.id, "version": node.version} if node is not None else None
    return (
        done_alert([message, " ", carried, link], class_name="admin-units-done"),
        picked,
        next_count(refresh),
        [],
        "",
        "",
    )

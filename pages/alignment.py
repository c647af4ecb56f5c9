"""/plan/alignment: the cascade, read-only, for leaders and managers. From the city's objectives down to
the departments', wards' and divisions' objectives that serve them, each with its rolled-up score and
status and its key results (with their owners), in the viewer's scope and for the chosen period; then
the objectives that serve nothing (orphans) and the top objectives nothing serves (unsupported).

A node opens on a click; which nodes are open is kept in a store, so a live refresh (a value entered
anywhere in the scope) redraws the figures and keeps the tree as the user opened it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from components.labels import status_label, unit_kind_label
from components.status import STATUS_COLOURS, status_badge
from data_access.queries.alignment import (
    AlignmentTree,
    KeyResultRow,
    ObjectiveNode,
    alignment_tree,
    key_results_of,
)
from domain.kinds import Role
from pages._common import cached, guarded, page_period, source_text, updated_at
from pages._inputs import as_id
from server.i18n import _, format_number, format_percent, lazy_gettext
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path="/plan/alignment",
    name="Alignment",
    # Before any page whose template is /plan/<...>: Dash matches pages in this order.
    order=4,
    nav_label=lazy_gettext("Alignment"),
    nav_group=lazy_gettext("Objectives"),
    title="Pulse",
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF, Role.SCREEN],
)

PERIOD_ID = "alignment-period"
OPEN_ID = "alignment-open"
BODY_ID = "alignment-body"
TOGGLE = "alignment-toggle"
SHOW_ALL = "alignment-show-all"
CHILDREN_SHOWN = 30  # aligned objectives shown under an open node before "show all"
MAX_OPEN = 200  # open nodes kept; a forged list longer than this is cut


def layout(period: str | None = None, objective: str | None = None, **_kwargs: object) -> html.Div:
    opened = as_id(objective)
    return html.Div(
        [
            dcc.Store(id=PERIOD_ID, data=page_period(period)),
            dcc.Store(id=OPEN_ID, data=[opened] if opened else []),
            html.Div(dbc.Spinner(color="primary"), id=BODY_ID),
        ]
    )


@callback(
    Output(OPEN_ID, "data"),
    Input({"type": TOGGLE, "index": ALL}, "n_clicks"),
    Input({"type": SHOW_ALL, "index": ALL}, "n_clicks"),
    State(OPEN_ID, "data"),
    prevent_initial_call=True,
)
def toggle(_clicks: list[Any], _all_clicks: list[Any], opened: Any) -> list[int | str]:
    """Open or close the clicked node, or show all that serves it (a redraw creates the buttons anew with
    no clicks: ignored)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    node = as_id(trigger.get("index"))
    if node is None:
        raise PreventUpdate
    current: list[int | str] = [*_opened(opened), *(f"all:{i}" for i in sorted(_showing_all(opened)))]
    entry: int | str = node if trigger.get("type") == TOGGLE else f"all:{node}"
    return [n for n in current if n != entry] if entry in current else [*current, entry][-MAX_OPEN:]


@callback(Output(BODY_ID, "children"), Input(LIVE_VERSION_ID, "data"), Input(PERIOD_ID, "data"), Input(OPEN_ID, "data"))
def render(_version: int | None, period: object, opened: object) -> object:
    chosen = page_period(period if isinstance(period, str) else None)
    open_ids = set(_opened(opened))

    def draw(viewer) -> html.Div:  # type: ignore[no-untyped-def]
        tree = cached("alignment", viewer, chosen, lambda s: alignment_tree(s, viewer=viewer, period=chosen))
        shown = {i for i in open_ids if i in tree.nodes}
        # The key results of the open objectives only (the tree holds their sums), under the same cache.
        key_results = cached(
            "alignment-krs",
            viewer,
            chosen,
            lambda s: key_results_of(s, viewer=viewer, period=chosen, objective_ids=shown),
            ",".join(map(str, sorted(shown))),
        )
        return _page(tree, key_results, open_ids, _showing_all(opened), chosen)

    return guarded(draw)


def _opened(value: object) -> list[int]:
    """The open node ids the browser sent back, whatever it sent."""
    if not isinstance(value, list):
        return []
    return [i for i in (as_id(v) for v in value[:MAX_OPEN]) if i is not None]


def _showing_all(value: object) -> set[int]:
    """The open nodes whose every aligned objective is shown (kept in the same store as "all:<id>")."""
    if not isinstance(value, list):
        return set()
    found = (as_id(v[4:]) for v in value[:MAX_OPEN] if isinstance(v, str) and v.startswith("all:"))
    return {i for i in found if i is not None}


class _View(NamedTuple):
    """What a redraw needs besides the tree: the open nodes, those showing all, their key results.

    (A NamedTuple: Dash loads page modules outside sys.modules, where dataclasses cannot resolve.)
    """

    open_ids: set[int]
    all_ids: set[int]
    key_results: dict[int, list[KeyResultRow]]
    period: str


def _page(
    tree: AlignmentTree, key_results: dict[int, list[KeyResultRow]], open_ids: set[int], all_ids: set[int], period: str
) -> html.Div:
    view = _View(open_ids, all_ids, key_results, period)
    roots = [_node(tree, root, view) for root in tree.roots]
    return html.Div(
        [
            html.Div(
                [html.H1(_("Alignment of objectives"), className="h3 mb-0"), updated_at()],
                className="d-flex justify-content-between align-items-baseline flex-wrap gap-2 mb-2",
            ),
            html.P(
                _(
                    "Each objective's score rolls up its key results and the objectives aligned to it. "
                    "Open an objective to see what serves it."
                ),
                className="text-secondary small",
            ),
            html.Ul(roots, className="alignment-tree list-unstyled", id="alignment-roots")
            if roots
            else dbc.Alert(_("No published objectives in your scope for this period."), color="secondary"),
            dbc.Row(
                [
                    dbc.Col(
                        _listing(
                            tree,
                            _("Orphan objectives: aligned to nothing"),
                            tree.orphans,
                            tree.n_orphans,
                            "alignment-orphans",
                            period,
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        _listing(
                            tree,
                            _("Unsupported objectives: nothing aligned below"),
                            tree.unsupported,
                            tree.n_unsupported,
                            "alignment-unsupported",
                            period,
                        ),
                        lg=6,
                    ),
                ],
                className="g-3 mt-2",
            ),
        ]
    )


def _node(tree: AlignmentTree, objective_id: int, view: _View) -> html.Li:
    node, period = tree.nodes[objective_id], view.period
    is_open = objective_id in view.open_ids
    can_open = bool(node.children or node.n_key_results)
    toggle_button = html.Button(
        html.I(className=f"bi bi-chevron-{'down' if is_open else 'right'}", **{"aria-hidden": "true"}),
        id={"type": TOGGLE, "index": objective_id},
        className="btn btn-sm btn-link alignment-toggle p-0 me-1",
        n_clicks=0,
        title=_("Close") if is_open else _("Open"),
        **{"aria-expanded": "true" if is_open else "false", "aria-label": node.title},
        disabled=not can_open,
    )
    inside: list[Any] = []
    if is_open:
        krs = view.key_results.get(objective_id, [])
        if krs:
            inside.append(html.Ul([_key_result(kr, period) for kr in krs], className="alignment-krs"))
        if node.children:
            every = objective_id in view.all_ids or len(node.children) <= CHILDREN_SHOWN
            shown = node.children if every else node.children[:CHILDREN_SHOWN]
            items = [_node(tree, c, view) for c in shown]
            if not every:
                items.append(
                    html.Li(
                        html.Button(
                            _("Show all %(n)s", n=format_number(len(node.children), 0)),
                            id={"type": SHOW_ALL, "index": objective_id},
                            className="btn btn-sm btn-link",
                            n_clicks=0,
                        ),
                        className="alignment-more",
                    )
                )
            inside.append(html.Ul(items, className="list-unstyled"))
    return html.Li(
        [
            html.Div(
                [
                    toggle_button,
                    html.Div(
                        [
                            html.Div(
                                [
                                    html.Span(node.title, className="fw-semibold alignment-title"),
                                    " ",
                                    status_badge(node.status, status_label(node.status)),
                                ]
                            ),
                            html.Div(
                                [
                                    html.A(node.unit, href=f"/unit/{node.unit_id}?period={period}"),
                                    f" · {unit_kind_label(node.unit_kind)}",
                                    f" · {source_text(node.source_kind, node.source_ref)}",
                                    " · " + _("Owner: ") + node.owner if node.owner else "",
                                    html.Span(" · " + _("serves") + ": " + node.serves, className="fst-italic")
                                    if node.serves
                                    else "",
                                ],
                                className="small text-secondary",
                            ),
                        ],
                        className="alignment-text",
                    ),
                    html.Div(
                        [
                            html.Div(format_percent(node.score), className="fw-semibold"),
                            _bar(node.score, node.status),
                            html.Div(
                                _(
                                    "%(krs)s key results · %(n)s aligned",
                                    krs=format_number(node.n_key_results, 0),
                                    n=format_number(node.n_below, 0),
                                ),
                                className="small text-secondary",
                            ),
                        ],
                        className="alignment-figures text-sm-end",
                    ),
                ],
                className="d-flex align-items-start gap-2 alignment-node",
            ),
            *inside,
        ],
        className="alignment-item",
        **{"data-objective": str(objective_id)},
    )


def _key_result(kr: KeyResultRow, period: str) -> html.Li:
    return html.Li(
        [
            html.I(className="bi bi-bullseye me-1", **{"aria-hidden": "true"}),
            html.A(kr.name, href=f"/indicator/{kr.indicator_id}?period={period}"),
            f" · {kr.owner}" if kr.owner else "",
            " ",
            status_badge(kr.status, status_label(kr.status)),
            html.Span(f" {format_percent(kr.progress)}", className="small"),
        ],
        className="small",
    )


def _bar(score: float | None, status: str) -> html.Div:
    share = 0.0 if score is None else max(0.0, min(1.0, score))
    return html.Div(
        html.Div(style={"width": f"{share * 100:.0f}%", "background": STATUS_COLOURS.get(status, "#64748b")}),
        className="alignment-bar",
        role="presentation",
    )


def _listing(tree: AlignmentTree, title: str, ids: tuple[int, ...], total: int, element_id: str, period: str) -> Any:
    items = [_listed(tree.nodes[i], period) for i in ids]
    more = total - len(ids)
    return dbc.Card(
        [
            dbc.CardHeader([title, dbc.Badge(format_number(total, 0), color="secondary", className="ms-2")]),
            dbc.CardBody(
                [
                    html.Ul(items, className="mb-0 small") if items else html.P(_("None."), className="mb-0 small"),
                    html.P(_("and %(n)s more", n=format_number(more, 0)), className="small mb-0") if more > 0 else None,
                ]
            ),
        ],
        id=element_id,
    )


def _listed(node: ObjectiveNode, period: str) -> html.Li:
    return html.Li(
        [
            html.Span(node.title),
            " · ",
            html.A(node.unit, href=f"/unit/{node.unit_id}?period={period}"),
            f" · {format_percent(node.score)}",
        ]
    )

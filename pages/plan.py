"""/plan: the plan of the viewer's own unit for the year of the chosen period, and the callbacks of
every plan page (/plan/<unit_id> too; the layout and the texts are in pages/_plan.py).

Every callback reads the viewer first and hands ids to the commands, which authorise inside their
transaction: a forged id is refused there and audited. Data: data_access.queries.plans; writes:
data_access.commands.plans.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask_babel import force_locale

from components.labels import source_label
from components.work_views import done_alert, problem_alert
from data_access import plan_imports
from data_access.commands import plans as commands
from data_access.db import Store
from data_access.errors import Forbidden, Invalid, NotFound, PulseError
from data_access.exports import plan_workbook
from data_access.import_jobs import JobState
from data_access.queries import plans as queries
from data_access.viewer import Viewer
from domain.indicators import Direction
from domain.kinds import Frequency, Language, Role, SourceKind
from domain.periods import Period, PeriodKind
from domain.plan_imports import choice_labels
from domain.plan_items import IndicatorDraft, ObjectiveDraft
from domain.plans import WEIGHT_TOLERANCE, back_loaded, checkpoints, rescaled, straight_line
from pages import _plan
from pages._common import audit_refusal
from pages._import import ImportPage, rows_progress
from pages._import import register as register_import
from pages._inputs import as_id, as_text, next_count
from pages._plan import (
    ACTIONS,
    APPROVE,
    BODY,
    COPY,
    COPY_AREA,
    CR,
    CR_APPROVE,
    CR_NOTE,
    CR_REJECT,
    CTX,
    DECIDE_AREA,
    DIRECTION_TEXT,
    DOWNLOAD,
    EXPORT,
    FIELDS,
    FORMS,
    GIVE,
    IMPORT,
    KR,
    MESSAGE,
    NEW,
    OBJ,
    PROBLEMS,
    REFRESH,
    RETURN,
    RETURN_REASON,
    STATE,
    STATUS_COLOUR,
    STATUS_TEXT,
    SUBMIT,
    SUBMIT_AREA,
    _text,
    as_number,
    format_trajectory,
    parse_trajectory,
    plan_alert,
    year_of,
)
from server.context import current_store, current_viewer
from server.i18n import _, format_date, format_number, lazy_gettext
from server.live import LIVE_VERSION_ID

# On a phone the key results keep their name, numbers and weight; owner and trajectory show from tablets on.
WIDE_ONLY = "d-none d-md-table-cell"

dash.register_page(
    __name__,
    path="/plan",
    name="Plan",
    order=7,
    nav_label=lazy_gettext("Plan"),
    nav_group=lazy_gettext("Objectives"),
    title="Pulse",
    roles=[Role.LEADER, Role.MANAGER],
)


def layout(period: str | None = None, **_kwargs: object) -> html.Div:
    return _plan.layout(None, period)


# --- the body ---------------------------------------------------------------------------------


def _unit_of(viewer: Viewer, ctx_data: object) -> tuple[int, str]:
    data = ctx_data if isinstance(ctx_data, dict) else {}
    return as_id(data.get("unit")) or viewer.scope_unit_id, year_of(data.get("period"))


def _numbers(kr: queries.KeyResult) -> str:
    uom = f" {kr.unit_of_measure}" if kr.unit_of_measure else ""
    if kr.direction == Direction.BAND.value:
        return f"{format_number(kr.band_low)}–{format_number(kr.band_high)}{uom}"
    if kr.direction in (Direction.DONE.value, Direction.MILESTONES.value):
        return _text(DIRECTION_TEXT, Direction(kr.direction))
    return f"{format_number(kr.baseline)} → {format_number(kr.target)}{uom}"


def _key_result_row(kr: queries.KeyResult) -> html.Tr:
    draft = [] if kr.published else [dbc.Badge(_("Draft"), color="secondary", className="ms-1")]
    trajectory = ", ".join(f"{format_date(at)}: {format_number(v)}" for at, v in kr.trajectory[:12])
    return html.Tr(
        [
            html.Td([html.A(kr.name, href=f"/indicator/{kr.id}"), *draft]),
            html.Td(_numbers(kr), className="text-nowrap"),
            html.Td(
                f"{format_number(kr.weight)} ({format_number(kr.normalised_weight)} %)"
                if abs(kr.weight - kr.normalised_weight) > WEIGHT_TOLERANCE  # percentages already: no scaling shown
                else format_number(kr.weight),
                className="text-nowrap",
            ),
            html.Td(kr.owner or "–", className=WIDE_ONLY),
            html.Td(trajectory or "–", className=f"small text-secondary plan-trajectory {WIDE_ONLY}"),
        ],
        className="plan-kr",
    )


def _objective_card(objective: queries.PlanObjective) -> dbc.Card:
    badges = [] if objective.published else [dbc.Badge(_("Draft"), color="secondary", className="ms-2")]
    kind, ref = source_label(objective.source_kind), objective.source_ref or ""
    # "Nghị quyết 57-NQ/TW" typed in full is not prefixed with "Nghị quyết" a second time.
    source = ref if ref.lower().startswith(kind.lower()) else f"{kind} {ref}".strip()
    meta = [
        html.Span(source),
        html.Span(_(" · weight %(w)s", w=format_number(objective.weight))),
    ]
    if objective.owner:
        meta.append(html.Span(f" · {objective.owner}"))
    lines: list[Any] = [html.Div(meta, className="small text-secondary")]
    if objective.parent_title:
        lines.append(html.Div(_("Aligned to: %(title)s", title=objective.parent_title), className="small plan-aligned"))
    if objective.weights_normalised:
        lines.append(
            dbc.Alert(
                _("The key results' weights do not add up to 100: they are scaled to 100 (shown in brackets)."),
                color="info",
                className="py-1 px-2 my-2 small plan-normalised",
            )
        )
    table: Any = html.P(_("No key result yet."), className="text-secondary small mb-0")
    if objective.key_results:
        table = html.Div(
            dbc.Table(
                [
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(_("Key result")),
                                html.Th(_("Baseline → target")),
                                html.Th(_("Weight")),
                                html.Th(_("Owner"), className=WIDE_ONLY),
                                html.Th(_("Trajectory"), className=WIDE_ONLY),
                            ]
                        )
                    ),
                    html.Tbody([_key_result_row(kr) for kr in objective.key_results]),
                ],
                size="sm",
                className="mb-0",
            ),
            className="table-responsive",
        )
    return dbc.Card(
        dbc.CardBody([html.H3([objective.title, *badges], className="h6 mb-1"), *lines, table]),
        className="mb-3 plan-objective",
    )


def _pending(changes: list[queries.PendingChange]) -> html.Div:
    if not changes:
        return html.Div()
    items = []
    for change in changes:
        proposed = "; ".join(
            f"{_text(FIELDS, k)}: {format_number(change.before.get(k))} → {format_number(v)}"
            for k, v in change.proposed.items()
        )
        items.append(
            html.Li(
                [
                    html.Div([html.Strong(change.indicator), f" · {change.unit}"]),
                    html.Div(proposed),
                    html.Div(
                        _(
                            "%(who)s, %(when)s: %(reason)s",
                            who=change.requested_by or "?",
                            when=format_date(change.requested_at, with_time=True),
                            reason=change.reason,
                        ),
                        className="small text-secondary",
                    ),
                    html.Div(
                        [
                            dbc.Button(
                                _("Approve the change"),
                                id={"type": CR_APPROVE, "index": change.id, "version": change.version},
                                color="success",
                                size="sm",
                                n_clicks=0,
                                className="me-2",
                            ),
                            dbc.Button(
                                _("Reject"),
                                id={"type": CR_REJECT, "index": change.id, "version": change.version},
                                color="danger",
                                outline=True,
                                size="sm",
                                n_clicks=0,
                            ),
                        ],
                        className="mt-1",
                    ),
                ],
                className="list-group-item plan-change",
            )
        )
    return html.Div(
        [
            html.H2(_("Change requests waiting for you"), className="h5"),
            dbc.Input(id=CR_NOTE, placeholder=_("Note (required to reject)"), maxLength=1000, className="mb-2"),
            html.Ul(items, className="list-group mb-3"),
        ],
        className="plan-changes",
    )


@callback(
    Output(BODY, "children"),
    Output(STATE, "data"),
    Output(ACTIONS, "hidden"),
    Output(SUBMIT_AREA, "hidden"),
    Output(DECIDE_AREA, "hidden"),
    Output(COPY_AREA, "hidden"),
    Output(FORMS, "hidden"),
    Output(OBJ["pick"], "options"),
    Output(OBJ["owner"], "options"),
    Output(OBJ["parent"], "options"),
    Output(KR["objective"], "options"),
    Output(KR["pick"], "options"),
    Output(KR["owner"], "options"),
    Output(CR["indicator"], "options"),
    Output(CR["card"], "style"),
    Output(GIVE["person"], "options"),
    Output(GIVE["objective"], "options"),
    Output(GIVE["card"], "style"),
    Input(CTX, "data"),
    Input(REFRESH, "data"),
    Input(LIVE_VERSION_ID, "data"),
)
def render(ctx_data: Any, _refresh: Any, _live: Any) -> tuple[Any, ...]:
    """Draw the plan and fill the forms' choices with what the viewer may pick."""
    viewer = current_viewer()
    unit_id, year = _unit_of(viewer, ctx_data)
    hidden_all = (
        True,
        True,
        True,
        True,
        True,
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        {"display": "none"},
        [],
        [],
        {"display": "none"},
    )
    try:
        with current_store().read() as session:
            view = queries.plan_view(session, viewer=viewer, unit_id=unit_id, period_code=year)
            owners = queries.owner_choices(session, viewer=viewer, unit_id=unit_id)
            parents = queries.parent_choices(session, viewer=viewer, unit_id=unit_id, period_code=year)
            changes = queries.pending_changes(session, viewer=viewer)
            holders = queries.position_holders(session, viewer=viewer, unit_id=unit_id)
    except Forbidden as refusal:
        audit_refusal(viewer, str(refusal))
        return (
            dbc.Alert(_("This is outside what your role and scope let you see."), color="warning"),
            None,
            *hidden_all,
        )
    except NotFound:
        return (
            dbc.Alert(_("Nothing here: the unit or the year does not exist."), color="secondary"),
            None,
            *hidden_all,
        )
    status = view.status
    header = html.Div(
        [
            html.H1([_("Plan %(year)s", year=view.period_code), " · ", view.unit_name], className="h3 mb-1"),
            dbc.Badge(_text(STATUS_TEXT, status), color=STATUS_COLOUR.get(status, "secondary"), id="plan-status"),
        ],
        className="mb-3",
    )
    body: list[Any] = [header]
    if view.plan_id is None:
        body.append(html.P(_("No plan for this year yet."), className="text-secondary"))
    if status == "returned" and view.return_reason:
        body.append(dbc.Alert(_("Returned: %(reason)s", reason=view.return_reason), color="warning"))
    if view.copied_from_id:
        body.append(html.P(_("Copied from last year's plan."), className="small text-secondary"))
    body += [_objective_card(o) for o in view.objectives]
    body.append(_pending(changes))
    objective_options = [{"label": o.title, "value": str(o.id)} for o in view.objectives]
    krs = [(o, kr) for o in view.objectives for kr in o.key_results]
    state = {"plan": view.plan_id, "version": view.plan_version, "unit": view.unit_id, "year": view.period_code}
    can_submit = view.may_submit and status in ("draft", "returned")
    can_decide = view.may_decide and status == "submitted"
    can_copy = view.may_author and view.next_period_code is not None and bool(view.objectives)
    approved = [kr for _o, kr in krs if kr.published]
    return (
        body,
        {**state, "next": view.next_period_code},
        not (can_submit or can_decide or can_copy),
        not can_submit,
        not can_decide,
        not can_copy,
        not view.may_author,
        [{"label": str(_("New objective")), "value": NEW}, *objective_options],
        [{"label": c.label, "value": c.value} for c in owners],
        [{"label": c.label, "value": c.value} for c in parents],
        objective_options,
        [{"label": str(_("New key result")), "value": NEW}]
        + [{"label": f"{kr.name} ({o.title[:40]})", "value": str(kr.id)} for o, kr in krs],
        [{"label": c.label, "value": c.value} for c in owners],
        [{"label": kr.name, "value": str(kr.id)} for kr in approved],
        {} if approved and view.may_author else {"display": "none"},
        [{"label": c.label, "value": c.value} for c in holders],
        objective_options,
        {} if holders and view.may_author else {"display": "none"},
    )


# --- filling the forms -------------------------------------------------------------------------


def _view(viewer: Viewer, state: Any) -> queries.PlanView | None:
    if not isinstance(state, dict) or as_id(state.get("unit")) is None:
        return None
    with current_store().read() as session:
        return queries.plan_view(
            session, viewer=viewer, unit_id=as_id(state.get("unit")) or 0, period_code=as_text(state.get("year"))
        )


@callback(
    Output(OBJ["title"], "value"),
    Output(OBJ["kind"], "value"),
    Output(OBJ["ref"], "value"),
    Output(OBJ["weight"], "value"),
    Output(OBJ["owner"], "value"),
    Output(OBJ["parent"], "value"),
    Input(OBJ["pick"], "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
def fill_objective(pick: Any, state: Any) -> tuple[Any, ...]:
    viewer = current_viewer()
    picked = as_id(pick)
    if picked is None:
        return "", SourceKind.RESOLUTION.value, "", 1, None, None
    view = _view(viewer, state)
    found = next((o for o in view.objectives if o.id == picked), None) if view else None
    if found is None:
        raise PreventUpdate
    return (
        found.title,
        found.source_kind,
        found.source_ref or "",
        found.weight,
        found.owner_person_id,
        found.parent_objective_id,
    )


KR_FIELDS = (
    "name", "uom", "direction", "baseline", "target", "band_low", "band_high", "min", "max",
    "weight", "accumulation", "frequency", "owner", "evidence", "source", "trajectory",
)  # fmt: skip


@callback(
    *[Output(KR[name], "value", allow_duplicate=name == "trajectory") for name in KR_FIELDS],
    Output(KR["objective"], "value"),
    Input(KR["pick"], "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
def fill_key_result(pick: Any, state: Any) -> tuple[Any, ...]:
    viewer = current_viewer()
    picked = as_id(pick)
    if picked is None:
        blank = ("", "", "increase", None, None, None, None, None, None, None, "last", "quarterly", None, False)
        return (*blank, "entered", "", no_update)
    view = _view(viewer, state)
    pairs = [(o, kr) for o in (view.objectives if view else []) for kr in o.key_results]
    found = next(((o, kr) for o, kr in pairs if kr.id == picked), None)
    if found is None:
        raise PreventUpdate
    objective, kr = found
    return (
        kr.name, kr.unit_of_measure, kr.direction, kr.baseline, kr.target, kr.band_low, kr.band_high,
        kr.min_value, kr.max_value, kr.weight, kr.accumulation, kr.frequency, kr.owner_person_id,
        kr.evidence_required, kr.data_source, format_trajectory(kr.trajectory), str(objective.id),
    )  # fmt: skip


@callback(
    Output(KR["trajectory"], "value", allow_duplicate=True),
    Output(KR["note"], "children"),
    Input(KR["line"], "n_clicks"),
    Input(KR["back"], "n_clicks"),
    Input(KR["last"], "n_clicks"),
    State(KR["baseline"], "value"),
    State(KR["target"], "value"),
    State(KR["frequency"], "value"),
    State(KR["name"], "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
def trajectory_helper(
    _line: Any, _back: Any, _last: Any, baseline: Any, target: Any, frequency: Any, name: Any, state: Any
) -> tuple[Any, Any]:
    """Fill the trajectory from the baseline to the target: evenly, slow-then-fast, or last year's shape."""
    viewer = current_viewer()
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    start, goal = as_number(baseline), as_number(target)
    if goal is None:
        return no_update, _("Enter the target first (and the baseline).")
    start = start if start is not None else 0.0
    year = as_text(state.get("year")) if isinstance(state, dict) else ""
    if not year.isdigit():
        raise PreventUpdate
    period = Period(PeriodKind.YEAR, int(year))
    try:
        freq = Frequency(frequency)
    except ValueError:
        freq = Frequency.QUARTERLY
    dates = checkpoints(period, freq)
    if ctx.triggered_id == KR["line"]:
        return format_trajectory(straight_line(period, dates, start=start, target=goal)), ""
    if ctx.triggered_id == KR["back"]:
        return format_trajectory(back_loaded(period, dates, start=start, target=goal)), ""
    with current_store().read() as session:
        last = queries.last_year(
            session, viewer=viewer, unit_id=as_id(state.get("unit")) or 0, year=int(year), name=as_text(name)
        )
    if last is None or not last.points or last.target is None:
        return no_update, _("No key result of this name with a trajectory last year.")
    points = rescaled(
        last.points,
        old_start=last.baseline or 0.0,
        old_target=last.target,
        new_start=start,
        new_target=goal,
        years_later=1,
    )
    return format_trajectory(points), _("Last year's shape, scaled to this year's numbers.")


# --- writing -----------------------------------------------------------------------------------


def _state_ids(state: Any) -> tuple[int | None, int | None, int | None, str]:
    data = state if isinstance(state, dict) else {}
    version = data.get("version")
    return (
        as_id(data.get("plan")),
        version if isinstance(version, int) and not isinstance(version, bool) else None,
        as_id(data.get("unit")),
        as_text(data.get("year")),
    )


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Input(SUBMIT, "n_clicks"),
    Input(APPROVE, "n_clicks"),
    Input(RETURN, "n_clicks"),
    Input(COPY, "n_clicks"),
    State(RETURN_REASON, "value"),
    State(STATE, "data"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def move_plan(_s: Any, _a: Any, _r: Any, _c: Any, reason: Any, state: Any, refresh: Any) -> tuple[Any, Any]:
    """Submit, approve, return or copy the plan shown (the command decides whether the viewer may)."""
    viewer = current_viewer()
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    plan_id, version, unit_id, year = _state_ids(state)
    store, trigger = current_store(), ctx.triggered_id
    try:
        if trigger == COPY:
            nxt = as_text(state.get("next")) if isinstance(state, dict) else ""
            commands.copy_plan(store, viewer=viewer, unit_id=unit_id or 0, from_period=year, to_period=nxt)
            done = _("Copied into %(year)s as a draft:", year=nxt)
            link = html.A(nxt, href=f"/plan/{unit_id}?period={nxt}")
            return done_alert([done, " ", link], class_name="plan-done"), next_count(refresh)
        if plan_id is None:
            raise PreventUpdate
        if trigger == SUBMIT:
            commands.submit_plan(store, viewer=viewer, plan_id=plan_id, version=version)
            message = _("Plan submitted for approval.")
        elif trigger == APPROVE:
            commands.approve_plan(store, viewer=viewer, plan_id=plan_id, version=version)
            message = _("Plan approved: its objectives and key results now count on the dashboards.")
        else:
            commands.return_plan(store, viewer=viewer, plan_id=plan_id, version=version, reason=as_text(reason))
            message = _("Plan returned with your reason.")
    except PulseError as problem:
        return plan_alert(problem), no_update
    return done_alert(message, class_name="plan-done"), next_count(refresh)


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(REFRESH, "data", allow_duplicate=True),
    Output(OBJ["pick"], "value"),
    Input(OBJ["save"], "n_clicks"),
    Input(OBJ["delete"], "n_clicks"),
    State(OBJ["pick"], "value"),
    State(OBJ["title"], "value"),
    State(OBJ["kind"], "value"),
    State(OBJ["ref"], "value"),
    State(OBJ["weight"], "value"),
    State(OBJ["owner"], "value"),
    State(OBJ["parent"], "value"),
    State(STATE, "data"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def save_objective(
    _save: Any, _delete: Any, pick: Any, title: Any, kind: Any, ref: Any, weight: Any, owner: Any, parent: Any,
    state: Any, refresh: Any,
) -> tuple[Any, ...]:  # fmt: skip
    viewer = current_viewer()
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    _plan, _version, unit_id, year = _state_ids(state)
    picked = as_id(pick)
    number = as_number(weight)
    draft = ObjectiveDraft(
        title=as_text(title),
        source_kind=as_text(kind),
        source_ref=as_text(ref),
        weight=number if number is not None else float("nan"),
        owner_person_id=as_id(owner),
        parent_objective_id=as_id(parent),
    )
    store = current_store()
    return _save_or_delete(
        refresh,
        deleting=ctx.triggered_id == OBJ["delete"],
        picked=picked,
        delete=lambda item: commands.delete_objective(
            store, viewer=viewer, objective_id=item, version=_version_of(viewer, state, item)
        ),
        save=lambda: (
            commands.add_objective(store, viewer=viewer, unit_id=unit_id or 0, period_code=year, draft=draft)
            if picked is None
            else commands.edit_objective(
                store, viewer=viewer, objective_id=picked, version=_version_of(viewer, state, picked), draft=draft
            )
        ),
        deleted=_("Objective deleted."),
        saved=_("Objective saved."),
    )


def _save_or_delete(
    refresh: Any,
    *,
    deleting: bool,
    picked: int | None,
    delete: Callable[[int], None],
    save: Callable[[], commands.Saved],
    deleted: str,
    saved: str,
) -> tuple[Any, Any, Any]:
    """What the objective and key-result forms share: delete the picked item or save the form, then the
    message, the refresh and the picker's new value (the new form after a delete, the saved item after a
    save); a refusal leaves the form as it is, with the reason."""
    try:
        if deleting:
            if picked is None:
                raise PreventUpdate
            delete(picked)
            return done_alert(deleted, class_name="plan-done"), next_count(refresh), NEW
        item = save()
    except PulseError as problem:
        return plan_alert(problem), no_update, no_update
    return done_alert(saved, class_name="plan-done"), next_count(refresh), str(item.id)


def _version_of(viewer: Viewer, state: Any, objective_id: int) -> int | None:
    """The version of an objective as the page shows it now (the command checks it)."""
    view = _view(viewer, state)
    return next((o.version for o in view.objectives if o.id == objective_id), None) if view else None


def _kr_version(viewer: Viewer, state: Any, kr_id: int) -> int | None:
    """The version of a key result as the page shows it now."""
    view = _view(viewer, state)
    krs = (kr for objective in view.objectives for kr in objective.key_results) if view else iter(())
    return next((kr.version for kr in krs if kr.id == kr_id), None)


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(REFRESH, "data", allow_duplicate=True),
    Output(KR["pick"], "value"),
    Input(KR["save"], "n_clicks"),
    Input(KR["delete"], "n_clicks"),
    State(KR["objective"], "value"),
    State(KR["pick"], "value"),
    *[State(KR[name], "value") for name in KR_FIELDS],
    State(STATE, "data"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def save_key_result(_save: Any, _delete: Any, objective: Any, pick: Any, *values: Any) -> tuple[Any, ...]:
    viewer = current_viewer()
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    *fields, state, refresh = values
    f = dict(zip(KR_FIELDS, fields, strict=True))
    picked, store = as_id(pick), current_store()

    def save() -> commands.Saved:
        points = parse_trajectory(f["trajectory"])
        if points is None:
            raise Invalid({"trajectory": "bad_trajectory"})
        weight = as_number(f["weight"])
        draft = IndicatorDraft(
            name=as_text(f["name"]),
            unit_of_measure=as_text(f["uom"]),
            direction=as_text(f["direction"]),
            baseline=as_number(f["baseline"]),
            target=as_number(f["target"]),
            band_low=as_number(f["band_low"]),
            band_high=as_number(f["band_high"]),
            milestones_total=None,
            min_value=as_number(f["min"]),
            max_value=as_number(f["max"]),
            weight=weight if weight is not None else 1.0,
            accumulation=as_text(f["accumulation"]),
            frequency=as_text(f["frequency"]),
            owner_person_id=as_id(f["owner"]),
            evidence_required=f["evidence"] is True,
            data_source=as_text(f["source"]),
            trajectory=tuple(points),
        )
        if picked is None:
            return commands.add_indicator(store, viewer=viewer, objective_id=as_id(objective) or 0, draft=draft)
        return commands.edit_indicator(
            store, viewer=viewer, indicator_id=picked, version=_kr_version(viewer, state, picked), draft=draft
        )

    return _save_or_delete(
        refresh,
        deleting=ctx.triggered_id == KR["delete"],
        picked=picked,
        delete=lambda item: commands.delete_indicator(
            store, viewer=viewer, indicator_id=item, version=_kr_version(viewer, state, item)
        ),
        save=save,
        deleted=_("Key result deleted."),
        saved=_("Key result saved."),
    )


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(REFRESH, "data", allow_duplicate=True),
    Input(CR["send"], "n_clicks"),
    State(CR["indicator"], "value"),
    State(CR["baseline"], "value"),
    State(CR["target"], "value"),
    State(CR["weight"], "value"),
    State(CR["reason"], "value"),
    State(STATE, "data"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def send_change(
    _send: Any, indicator: Any, baseline: Any, target: Any, weight: Any, reason: Any, state: Any, refresh: Any
) -> tuple[Any, Any]:
    """Ask the level above to change an approved key result's numbers (only the ones filled in)."""
    viewer = current_viewer()
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    kr_id = as_id(indicator)
    proposed = {
        name: number
        for name, number in (
            ("baseline", as_number(baseline)),
            ("target", as_number(target)),
            ("weight", as_number(weight)),
        )
        if number is not None
    }
    try:
        commands.request_change(
            current_store(),
            viewer=viewer,
            indicator_id=kr_id or 0,
            version=_kr_version(viewer, state, kr_id or 0),
            proposed=proposed,
            reason=as_text(reason),
        )
    except PulseError as problem:
        return plan_alert(problem), no_update
    return done_alert(_("Change request sent to the level above."), class_name="plan-done"), next_count(refresh)


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(REFRESH, "data", allow_duplicate=True),
    Input({"type": CR_APPROVE, "index": ALL, "version": ALL}, "n_clicks"),
    Input({"type": CR_REJECT, "index": ALL, "version": ALL}, "n_clicks"),
    State(CR_NOTE, "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def decide_change(_approve: Any, _reject: Any, note: Any, refresh: Any) -> tuple[Any, Any]:
    """Approve or reject a change request listed for the viewer."""
    viewer = current_viewer()
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    version = trigger.get("version")
    approve = trigger.get("type") == CR_APPROVE
    try:
        commands.decide_change(
            current_store(),
            viewer=viewer,
            request_id=as_id(trigger.get("index")) or 0,
            version=version if isinstance(version, int) and not isinstance(version, bool) else None,
            approve=approve,
            note=as_text(note),
        )
    except PulseError as problem:
        return plan_alert(problem), no_update
    message = _("Change approved: the new numbers count from now on.") if approve else _("Change rejected.")
    return done_alert(message, class_name="plan-done"), next_count(refresh)


# --- Excel -------------------------------------------------------------------------------------


def _code_label(code: str) -> str:
    """A stored code (status, direction, frequency, source...) in the reader's words."""
    for labels in (STATUS_TEXT, DIRECTION_TEXT, _plan.ACCUMULATION_TEXT, _plan.FREQUENCY_TEXT, _plan.DATA_SOURCE_TEXT):
        if code in labels:
            return _text(labels, code)
    return source_label(code) if code in {k.value for k in SourceKind} else code


@callback(
    Output(DOWNLOAD, "data"),
    Output(MESSAGE, "children", allow_duplicate=True),
    Input(EXPORT, "n_clicks"),
    State(CTX, "data"),
    prevent_initial_call=True,
)
def export_plan(clicks: Any, ctx_data: Any) -> tuple[Any, Any]:
    """The plan on the screen as an Excel file (objectives, key results with their numbers, trajectories)."""
    if not clicks:
        raise PreventUpdate
    viewer = current_viewer()
    unit_id, year = _unit_of(viewer, ctx_data)
    try:
        with current_store().read() as session:
            content = plan_workbook(
                session, viewer=viewer, unit_id=unit_id, period_code=year, translate=_, label=_code_label
            )
    except Forbidden as refusal:
        audit_refusal(viewer, str(refusal))
        return no_update, plan_alert(refusal)
    except PulseError as problem:
        return no_update, plan_alert(problem)
    return dcc.send_bytes(content, f"pulse-plan-{unit_id}-{year}.xlsx"), None


# --- a job position's KPIs ---------------------------------------------------------------------


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(REFRESH, "data", allow_duplicate=True),
    Input(GIVE["go"], "n_clicks"),
    State(GIVE["person"], "value"),
    State(GIVE["objective"], "value"),
    State(STATE, "data"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def give_kpis(clicks: Any, person: Any, objective: Any, state: Any, refresh: Any) -> tuple[Any, Any]:
    """The chosen person's position KPIs as their draft key results of this plan (once each)."""
    if not clicks:
        raise PreventUpdate
    viewer = current_viewer()
    _plan_id, _version, unit_id, year = _state_ids(state)
    person_id = as_id(person)
    if unit_id is None or person_id is None:
        return dbc.Alert(_("Choose a person first."), color="info", className="plan-problem"), no_update
    objective_id = as_id(objective) if objective not in (None, "") else None
    try:
        given = commands.give_position_kpis(
            current_store(),
            viewer=viewer,
            unit_id=unit_id,
            person_id=person_id,
            period_code=year,
            objective_id=objective_id,
        )
    except PulseError as problem:
        return plan_alert(problem), no_update
    if not given.indicator_ids:
        text = _("Nothing new: the person already has every KPI of their position in this plan.")
    else:
        text = _("%(n)s KPIs of the position added as draft key results.", n=len(given.indicator_ids))
    return done_alert(text, class_name="plan-done"), next_count(refresh)


# --- the plan from Excel -----------------------------------------------------------------------


def _import_labels() -> dict[str, dict[str, Any]]:
    """The words the export writes in the choice columns, in every language Pulse speaks, back to codes:
    a file exported in French imports the same for a reader in Vietnamese."""
    words: dict[str, dict[str, Any]] = {}
    for language in Language:
        with force_locale(language.value):
            for column, labels in (
                ("direction", DIRECTION_TEXT),
                ("accumulation", _plan.ACCUMULATION_TEXT),
                ("frequency", _plan.FREQUENCY_TEXT),
                ("data_source", _plan.DATA_SOURCE_TEXT),
            ):
                for code, text in labels.items():
                    words.setdefault(column, {})[str(text)] = code.value
            for kind in SourceKind:
                words.setdefault("source_kind", {})[source_label(kind.value)] = kind.value
            words.setdefault("evidence_required", {}).update({_("Yes"): True, _("No"): False})
    return choice_labels(words)


def _may_import_plan(store: Store, viewer: Viewer, extra: Sequence[Any]) -> None:
    """Only an author of the page's unit gets their file decoded (refused and audited otherwise)."""
    plan_imports.ensure_may_import(store, viewer=viewer, unit_id=_unit_of(viewer, extra[0])[0])


def _stage_plan(store: Store, viewer: Viewer, filename: str, content: bytes, extra: Sequence[Any]) -> JobState:
    unit_id, year = _unit_of(viewer, extra[0])
    return plan_imports.stage(
        store,
        viewer=viewer,
        unit_id=unit_id,
        period_code=year,
        filename=filename,
        content=content,
        labels=_import_labels(),
    )


def _import_progress(state: JobState, _kind: str) -> str:
    return rows_progress(
        state,
        stopped={
            "cancelled": _("Import cancelled. Rows saved before it stopped: %(n)s.", n=state.saved),
            "timed_out": _(
                "This import made no progress for 10 minutes and was closed. Rows saved before it stopped: %(n)s.",
                n=state.saved,
            ),
            "error": _("This file could not be processed. Rows saved before it stopped: %(n)s.", n=state.saved),
        },
        done=_(
            "Imported into the draft: %(n)s row(s) saved, %(same)s already in the plan, %(left)s row(s) left out.",
            n=state.saved,
            same=state.valid - state.saved,
            left=state.invalid,
        ),
    )


def _import_report(report: list[dict[str, Any]], _kind: str) -> Any:
    """The rows with problems: which sheet and row, which item, and what to fix, in the reader's words."""
    sheets = {"objectives": _("Objectives"), "key_results": _("Key results"), "trajectory": _("Trajectories")}
    wrong = [entry for entry in report if entry["problems"]]
    if not wrong:
        return None
    return html.Div(
        [
            html.H3(_("Rows with problems"), className="h6"),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr([html.Th(_("Sheet")), html.Th(_("Row")), html.Th(_("Item")), html.Th(_("What to fix"))])
                    ),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Td(sheets.get(entry["sheet"], entry["sheet"])),
                                    html.Td(entry["row"]),
                                    html.Td(entry.get("label") or "–"),
                                    html.Td(
                                        "; ".join(
                                            f"{_text(FIELDS, field)}: {_text(PROBLEMS, code)}"
                                            for field, code in entry["problems"].items()
                                        )
                                    ),
                                ],
                                className="plan-import-problem",
                            )
                            for entry in wrong
                        ]
                    ),
                ],
                bordered=False,
                hover=True,
                responsive=True,
                size="sm",
                className="plan-import-report-table",
            ),
        ]
    )


register_import(
    ImportPage(
        ids=IMPORT,
        ensure=_may_import_plan,
        stage=_stage_plan,
        extra_states=(State(CTX, "data"),),
        step=plan_imports.step,
        job_report=plan_imports.job_report,
        cancel=plan_imports.cancel,
        start_import=plan_imports.start_import,
        progress_text=_import_progress,
        report=_import_report,
        import_text=lambda state: _("Import the %(n)s valid row(s)", n=state.valid),
        alert=lambda problem: (
            problem_alert(problem, class_name="plan-import-refused")
            if isinstance(problem, Invalid) and "file" in problem.problems
            else plan_alert(problem)  # type: ignore[arg-type]
        ),
        unreadable=lambda: Invalid({"file": "unreadable_file"}),
        status_class="plan-import-status-text",
    )
)

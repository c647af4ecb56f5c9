"""/evaluation/<id>: one evaluation, of a person or of a unit: how the task points were computed
(each product, its coefficient and deductions; for a unit, its products and its planned work
weighted; for a leader, the unit's results), the self-assessment form (for the person, or for
the unit's head), the review with a reason for each change (for the manager or leader over the
person, or the level above the unit), the trail, the quota decision, the appeal note, and an
administrator's unlock. Data: data_access.queries.evaluations.get_evaluation (scoped).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.evaluation_views import (
    condition_text,
    criterion_label,
    explanation_table,
    final_level_cell,
    group_label,
    leader_note,
    points,
    problem_alert,
    quota_note,
    review_changes,
    trail_list,
    unit_result_note,
)
from components.i18n import format_date
from components.labels import evaluation_status_label, level_label, period_label, ruleset_label
from data_access.commands import evaluations as commands
from data_access.commands.evaluation_scoring import general_criteria, rules_for
from data_access.errors import NotFound, PulseError
from data_access.queries import evaluations as queries
from domain.kinds import Role
from pages._inputs import as_id, next_count
from server.context import current_store, current_viewer
from server.i18n import _
from server.live import LIVE_VERSION_ID

dash.register_page(
    __name__,
    path_template="/evaluation/<evaluation_id>",
    name="Evaluation",
    title="Pulse – Evaluation",
    order=61,
    roles=[Role.ADMIN, Role.LEADER, Role.MANAGER, Role.STAFF],
    nav_label=None,
)

EVALUATION_ID = "evaluation-id"
VERSION = "evaluation-version"
REFRESH = "evaluation-refresh"
CONTENT = "evaluation-content"
MESSAGE = "evaluation-message"
STALE = "evaluation-stale"
BACK = "evaluation-back"


def action_id(action: str) -> dict[str, str]:
    return {"type": "evaluation-action", "action": action}


def score_id(criterion: str) -> dict[str, str]:
    return {"type": "evaluation-score", "criterion": criterion}


def reason_id(criterion: str) -> dict[str, str]:
    return {"type": "evaluation-reason", "criterion": criterion}


def text_id(field: str) -> dict[str, str]:
    return {"type": "evaluation-text", "field": field}


def flag_id(field: str) -> dict[str, str]:
    return {"type": "evaluation-flag", "field": field}


def layout(evaluation_id: str | None = None, **_kwargs: Any) -> html.Div:
    try:
        parsed = int(evaluation_id) if evaluation_id is not None else None
    except ValueError:
        parsed = None
    return html.Div(
        [
            dcc.Link(_("← Back to the list"), href="/evaluations", id=BACK),
            html.Div(id=MESSAGE, className="mt-2"),
            html.Div(id=STALE, className="mt-2"),
            dcc.Loading(html.Div(id=CONTENT)),
            dcc.Store(id=EVALUATION_ID, data=parsed),
            dcc.Store(id=VERSION),
            dcc.Store(id=REFRESH, data=0),
        ],
        className="evaluation-page",
    )


def _maxima(ruleset: str, *, unit: bool) -> tuple[tuple[Any, ...], float, float]:
    """The general criteria, the general maximum and the task maximum of a person's or a unit's scale."""
    rules = rules_for(ruleset)
    scale = rules.unit if unit else rules
    return general_criteria(rules, unit=unit), scale.general_max, scale.task_max


def _score_form(criteria: tuple[Any, ...], values: dict[str, Any], *, with_reasons: bool) -> list[Any]:
    rows = []
    for criterion in criteria:
        cols = [
            dbc.Col(dbc.Label(f"{criterion_label(criterion.code)} (≤ {criterion.max_points:g})"), md=5),
            dbc.Col(
                dbc.Input(
                    id=score_id(criterion.code),
                    type="number",
                    min=0,
                    max=criterion.max_points,
                    step=0.5,
                    value=values.get(criterion.code),
                    className=f"score-input score-{criterion.code}",
                ),
                md=2,
            ),
        ]
        if with_reasons:
            cols.append(
                dbc.Col(
                    dbc.Input(
                        id=reason_id(criterion.code),
                        placeholder=_("Reason (required when you change it)"),
                        className=f"reason-input reason-{criterion.code}",
                        maxLength=2000,
                    ),
                    md=5,
                )
            )
        rows.append(dbc.Row(cols, className="mb-1"))
    return rows


DECIDED = ("approved", "locked")


def _headline_level(row: queries.EvaluationRow, *, decided: bool) -> Any:
    """The level beside the name: the final one once approved (or "awaiting the council"); before that,
    the level the points propose, marked as such, never the final badge."""
    if decided:
        return html.Span(final_level_cell(row.final_level, row.quota), className="evaluation-level")
    if not row.level:
        return None
    return dbc.Badge(
        _("Proposed: %(level)s", level=level_label(row.level)),
        color="light",
        text_color="dark",
        className="level-badge evaluation-level evaluation-proposed border fs-6 align-middle fw-normal",
    )


def _self_values(details: dict[str, Any]) -> dict[str, Any]:
    """What the self-assessment boxes start with: the person's own last values, else the reviewer's
    last values, else nothing (never the maxima the draft proposes: the person must score each one)."""
    if details.get("self"):
        return dict(details["self"])
    if details.get("review"):
        return dict(details.get("general") or {})
    return {}


def _notes(row: queries.EvaluationRow, details: dict[str, Any]) -> list[Any]:
    """The deadline, a return's reason, and what the quota or the council did, each as a sentence."""
    notes: list[Any] = []
    returned = details.get("returned") or {}
    if row.status == "draft" and returned.get("reason"):
        notes.append(
            dbc.Alert(
                _("Returned to you: %(reason)s", reason=returned["reason"]), color="warning", className="returned-note"
            )
        )
    if row.status in ("draft", "self_assessed") and details.get("self_deadline"):
        deadline = format_date(date.fromisoformat(str(details["self_deadline"])))
        notes.append(
            dbc.Alert(_("Self-assess by %(date)s.", date=deadline), color="primary", className="self-deadline")
        )
    quota = quota_note(row.quota, moved=row.moved, flagged=row.flagged, council=row.council)
    if quota:
        notes.append(dbc.Alert(quota, color="info", className="quota-decision"))
    return notes


def _content(detail: queries.EvaluationDetail) -> list[Any]:
    row = detail.row
    details = detail.details
    is_unit = row.person_id is None
    criteria, general_max, task_max = _maxima(row.ruleset, unit=is_unit)
    what = group_label(row.task_group) if is_unit else row.unit_name
    role = _("Unit evaluation") if is_unit else row.position_name
    decided = row.status in DECIDED
    parts: list[Any] = [
        html.H2([row.person_name, " ", _headline_level(row, decided=decided)]),
        html.P(
            [
                what,
                " · ",
                role,
                " · ",
                _("Period"),
                " ",
                period_label(row.period_code),
                " · ",
                _("Rule set"),
                " ",
                ruleset_label(row.ruleset),
                " · ",
                html.Span(evaluation_status_label(row.status), className="evaluation-status"),
            ]
        ),
        dbc.Row(
            [
                dbc.Col(
                    dbc.Card(
                        dbc.CardBody(
                            [
                                html.Small(_("Task points (of %(n)s)", n=f"{task_max:g}")),
                                html.H4(points(row.task_points), className="evaluation-task-points"),
                            ]
                        )
                    )
                ),
                dbc.Col(
                    dbc.Card(
                        dbc.CardBody(
                            [
                                html.Small(_("General criteria (of %(n)s)", n=f"{general_max:g}")),
                                html.H4(points(row.general_points), className="evaluation-general-points"),
                            ]
                        )
                    )
                ),
                dbc.Col(
                    dbc.Card(
                        dbc.CardBody([html.Small(_("Total")), html.H4(points(row.total), className="evaluation-total")])
                    )
                ),
                dbc.Col(
                    dbc.Card(
                        dbc.CardBody(
                            [
                                html.Small(_("Final level")),
                                html.H4(final_level_cell(row.final_level, row.quota), className="evaluation-final"),
                            ]
                        )
                    )
                ),
            ],
            className="mb-3",
        ),
    ]
    parts += _notes(row, details)
    if details.get("conditions"):
        parts.append(
            dbc.Alert(
                [
                    _("Level lowered by the rule set's conditions: "),
                    "; ".join(condition_text(c) for c in details["conditions"]),
                ],
                color="secondary",
            )
        )
    if details.get("leader"):
        parts.append(dbc.Alert(leader_note(details["leader"]), color="secondary", className="leader-weighing"))
    if is_unit and details.get("unit_result"):
        parts += [html.H4(_("How the unit's task points were computed")), unit_result_note(details["unit_result"])]
    parts += [
        html.H4(_("The unit's products") if is_unit else _("How the task points were computed")),
        explanation_table(details.get("explanation", []), details.get("task_result")),
    ]
    if details.get("self_note"):
        parts.append(html.P([html.Strong(_("Self-assessment note")), ": ", details["self_note"]]))
    reviewed = bool(details.get("review")) or row.status not in ("draft", "self_assessed")
    parts += [
        html.H4(_("Review")),
        review_changes(details.get("review", []))
        if reviewed
        else html.P(_("Not reviewed yet."), className="text-muted not-reviewed"),
    ]
    if detail.can_self_assess:
        parts += [
            html.H4(
                _("Self-assessment of the unit's general criteria")
                if is_unit
                else _("Self-assessment of the general criteria")
            ),
            *_score_form(criteria, _self_values(details), with_reasons=False),
            dbc.Textarea(id=text_id("self_note"), placeholder=_("Note (optional)"), maxLength=2000, className="mb-2"),
            dbc.Button(_("Submit self-assessment"), id=action_id("self_assess"), color="primary"),
        ]
    if detail.can_review:
        parts += [
            html.H4(_("Review by the level above") if is_unit else _("Manager's review")),
            *_score_form(criteria, details.get("general") or {}, with_reasons=True),
            dbc.Checkbox(
                id=flag_id("disciplined"), label=_("Disciplined in this period (caps the level)"), value=row.disciplined
            ),
            dbc.Input(
                id=text_id("discipline_reason"), placeholder=_("Reason for the discipline flag"), className="mb-2"
            ),
            dbc.Button(_("Save review"), id=action_id("review"), color="primary"),
        ]
    if detail.can_send_back:
        parts += [
            html.H5(_("Return to the person"), className="mt-3"),
            dbc.Input(
                id=text_id("return_reason"),
                placeholder=_("What should the person look at again?"),
                maxLength=2000,
                className="mb-2 return-reason",
            ),
            dbc.Button(_("Return for self-assessment"), id=action_id("send_back"), color="secondary", outline=True),
        ]
    if detail.appeal_note:
        parts.append(
            dbc.Alert([html.Strong(_("Appeal")), ": ", detail.appeal_note], color="secondary", className="appeal-note")
        )
    answer = details.get("appeal_answer") or {}
    if answer.get("text"):
        parts.append(
            dbc.Alert(
                [html.Strong(_("Answer to the appeal")), ": ", answer["text"], f" ({answer.get('by', '')})"],
                color="info",
                className="appeal-answer",
            )
        )
    if detail.can_answer_appeal:
        parts += [
            html.H4(_("Answer the appeal")),
            dbc.Textarea(id=text_id("appeal_answer"), maxLength=2000, className="mb-2 appeal-answer-input"),
            dbc.Button(_("Send the answer"), id=action_id("answer_appeal"), color="primary"),
        ]
    if detail.can_appeal:
        parts += [
            html.H4(_("Appeal")),
            dbc.Textarea(
                id=text_id("appeal_note"),
                placeholder=_("What do you contest, and why?"),
                maxLength=2000,
                className="mb-2",
            ),
            dbc.Button(_("Submit appeal"), id=action_id("appeal"), color="warning"),
        ]
    if detail.can_unlock:
        parts += [
            html.H4(_("Unlock (administrator)")),
            dbc.Input(id=text_id("unlock_reason"), placeholder=_("Reason"), className="mb-2"),
            dbc.Button(_("Unlock for review"), id=action_id("unlock"), color="danger", outline=True),
        ]
    if detail.approved_by:
        parts.append(html.P(_("Approved by %(who)s", who=detail.approved_by), className="text-muted"))
    parts += [html.H4(_("Trail")), trail_list(detail.trail)]
    return parts


@callback(
    Output(CONTENT, "children"),
    Output(VERSION, "data"),
    Output(BACK, "href"),
    Input(EVALUATION_ID, "data"),
    Input(REFRESH, "data"),
)
def render(evaluation_id: int | None, _refresh: int | None) -> tuple[Any, Any, Any]:
    """The evaluation as the viewer may see it, with the forms the viewer may use."""
    evaluation_id = as_id(evaluation_id)
    if evaluation_id is None:
        return problem_alert(NotFound("evaluation", None)), None, no_update
    who = current_viewer()
    try:
        with current_store().read() as session:
            detail = queries.get_evaluation(session, viewer=who, evaluation_id=int(evaluation_id))
    except PulseError as problem:
        return problem_alert(problem), None, no_update
    back = f"/evaluations?{urlencode({'period': detail.row.period_code})}"
    return _content(detail), detail.row.version, back


@callback(
    Output(STALE, "children"),
    Input(LIVE_VERSION_ID, "data"),
    Input(VERSION, "data"),
    State(EVALUATION_ID, "data"),
    prevent_initial_call=True,
)
def warn_when_changed(_live: int | None, shown: int | None, evaluation_id: int | None) -> Any:
    """Live like every page, without losing what is typed: a banner as soon as someone else changes the
    evaluation shown (the forms stay as they are until the user reloads). The version shown is an input:
    once the page shows the evaluation as it is now (after the user's own change), the banner goes."""
    evaluation_id = as_id(evaluation_id)
    if evaluation_id is None or not isinstance(shown, int):
        raise PreventUpdate
    try:
        with current_store().read() as session:
            current = queries.get_evaluation(session, viewer=current_viewer(), evaluation_id=evaluation_id).row.version
    except PulseError:
        raise PreventUpdate from None
    if current == shown:
        return None
    return dbc.Alert(
        [_("Someone changed this evaluation meanwhile. "), html.A(_("Reload"), href=f"/evaluation/{evaluation_id}")],
        color="info",
        className="evaluation-stale",
    )


def _values(ids: list[dict[str, str]] | None, values: list[Any] | None, key: str) -> dict[str, Any]:
    """Field values by their pattern-matching id (a forged request may send anything)."""
    if not isinstance(ids, list) or not isinstance(values, list):
        return {}
    return {i[key]: v for i, v in zip(ids, values, strict=False) if isinstance(i, dict) and isinstance(i.get(key), str)}


@callback(
    Output(MESSAGE, "children"),
    Output(REFRESH, "data"),
    Input(action_id(ALL), "n_clicks"),  # type: ignore[arg-type]
    State(EVALUATION_ID, "data"),
    State(VERSION, "data"),
    State(REFRESH, "data"),
    State(score_id(ALL), "value"),
    State(score_id(ALL), "id"),  # type: ignore[arg-type]
    State(reason_id(ALL), "value"),
    State(reason_id(ALL), "id"),  # type: ignore[arg-type]
    State(text_id(ALL), "value"),
    State(text_id(ALL), "id"),  # type: ignore[arg-type]
    State(flag_id(ALL), "value"),
    State(flag_id(ALL), "id"),  # type: ignore[arg-type]
    prevent_initial_call=True,
)
def act(
    clicks: list[int | None],
    evaluation_id: int | None,
    version: int | None,
    refresh: int | None,
    scores: list[Any],
    score_ids: list[dict[str, str]],
    reasons: list[Any],
    reason_ids: list[dict[str, str]],
    texts: list[Any],
    text_ids: list[dict[str, str]],
    flags: list[Any],
    flag_ids: list[dict[str, str]],
) -> tuple[Any, Any]:
    """Self-assess, review, appeal or unlock, then re-render."""
    trigger = ctx.triggered_id
    evaluation_id = as_id(evaluation_id)
    version = as_id(version)
    if not isinstance(trigger, dict) or evaluation_id is None or not any(clicks or []):
        raise PreventUpdate
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate  # the buttons were just rendered, not clicked
    action = trigger["action"]
    who = current_viewer()
    score_map = {k: v for k, v in _values(score_ids, scores, "criterion").items()}
    text = _values(text_ids, texts, "field")
    flag = _values(flag_ids, flags, "field")
    try:
        if action == "self_assess":
            commands.self_assess(
                current_store(),
                viewer=who,
                evaluation_id=int(evaluation_id),
                version=version,
                scores=score_map,
                note=text.get("self_note") or "",
            )
            message = _("Self-assessment saved.")
        elif action == "review":
            commands.review(
                current_store(),
                viewer=who,
                evaluation_id=int(evaluation_id),
                version=version,
                scores=score_map,
                reasons={k: v or "" for k, v in _values(reason_ids, reasons, "criterion").items()},
                disciplined=bool(flag.get("disciplined")),
                discipline_reason=text.get("discipline_reason") or "",
            )
            message = _("Review saved.")
        elif action == "appeal":
            commands.appeal(
                current_store(),
                viewer=who,
                evaluation_id=int(evaluation_id),
                version=version,
                note=text.get("appeal_note") or "",
            )
            message = _("Appeal recorded.")
        elif action == "send_back":
            commands.return_to_person(
                current_store(),
                viewer=who,
                evaluation_id=int(evaluation_id),
                version=version,
                reason=text.get("return_reason") or "",
            )
            message = _("Returned to the person for self-assessment.")
        elif action == "answer_appeal":
            commands.answer_appeal(
                current_store(),
                viewer=who,
                evaluation_id=int(evaluation_id),
                version=version,
                answer=text.get("appeal_answer") or "",
            )
            message = _("Answer sent.")
        elif action == "unlock":
            commands.unlock(
                current_store(),
                viewer=who,
                evaluation_id=int(evaluation_id),
                version=version,
                reason=text.get("unlock_reason") or "",
            )
            message = _("Evaluation unlocked for review.")
        else:
            raise PreventUpdate
    except PulseError as problem:
        return problem_alert(problem), no_update
    return dbc.Alert(message, color="success", className="evaluation-message"), next_count(refresh)

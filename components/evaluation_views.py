"""Pure builders for the evaluation and emulation pages: data in, components out.

No database, no callbacks, no current user. Strings, numbers and dates go through components.i18n.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import _, format_date, format_number
from components.labels import evaluation_status_label, level_label, task_group_label, unit_kinds_label
from domain.rulesets import Level

LEVEL_COLOURS = {
    Level.EXCELLENT: "success",
    Level.GOOD: "primary",
    Level.COMPLETED: "warning",
    Level.NOT_COMPLETED: "danger",
}


def group_label(group: str) -> str:
    """A position group (people) or, for "unit:<kind>", the kind of unit."""
    if group.startswith("unit:"):
        return unit_kinds_label(group.split(":", 1)[1])
    return _("Units") if group == "unit" else task_group_label(group)


def level_badge(level: str | None, *, class_name: str = "") -> dbc.Badge:
    return dbc.Badge(
        level_label(level),
        color=LEVEL_COLOURS.get(level or "", "secondary"),
        className=f"level-badge {class_name}".strip(),
    )


def points(value: float | None) -> str:
    """Points as stored: two decimals, so that 89.25 never shows as a rounded 89.2 or 89.3."""
    return "–" if value is None else format_number(value, digits=2)


def evaluation_table(rows: Sequence[Any], *, href: str = "/evaluation/") -> html.Div:
    """The classification list: one line per person with points, level, final level and quota note."""
    if not rows:
        return html.P(_("No evaluations for this period and unit yet."), className="text-muted evaluation-empty")
    header = html.Thead(
        html.Tr(
            [
                html.Th(_("Name")),
                html.Th(_("Unit")),
                html.Th(_("Position")),
                html.Th(_("Task points")),
                html.Th(_("General points")),
                html.Th(_("Total")),
                html.Th(_("Level")),
                html.Th(_("Final level")),
                html.Th(_("Status")),
                html.Th(_("Quota")),
            ]
        )
    )
    body = []
    for row in rows:
        body.append(
            html.Tr(
                [
                    html.Td(dcc.Link(row.person_name, href=f"{href}{row.id}?{urlencode({'period': row.period_code})}")),
                    html.Td(row.unit_name),
                    html.Td(row.position_name or group_label(row.task_group)),
                    html.Td(points(row.task_points)),
                    html.Td(points(row.general_points)),
                    html.Td(points(row.total)),
                    html.Td(level_badge(row.level)),
                    html.Td(level_badge(row.final_level) if row.final_level else "–"),
                    html.Td(evaluation_status_label(row.status)),
                    html.Td(quota_note(row.quota, moved=row.moved, flagged=row.flagged)),
                ],
                className="evaluation-moved" if row.moved else None,
                **{"data-evaluation-id": str(row.id)},
            )
        )
    return html.Div(
        dbc.Table(
            [header, html.Tbody(body)],
            striped=True,
            hover=True,
            size="sm",
            responsive=True,
            className="evaluation-table",
        )
    )


def criterion_label(code: str) -> str:
    labels = {
        "politics": _("Political ideology"),
        "ethics": _("Ethics and lifestyle"),
        "manner": _("Work style and manners"),
        "discipline": _("Sense of organisation and discipline"),
        "disciplined": _("Disciplined"),
        "unit_direction": _("Direction and management"),
        "unit_organisation": _("Organisation, staff and discipline"),
        "unit_reform": _("Administrative reform and service to citizens"),
        "unit_political_work": _("Political and ideological work"),
        "unit_inspection": _("Inspection, supervision and discipline"),
    }
    return labels.get(code, code)


def quota_note(quota: dict[str, Any], *, moved: bool, flagged: bool) -> Any:
    if not moved:
        return ""
    text = quota_reason(quota)
    if flagged:
        tie = _("(tie at the cut: flagged for the council)")
        text = f"{text} {tie}"
    return html.Span(text, className="quota-moved")


def quota_reason(quota: dict[str, Any]) -> str:
    """Why the quota moved someone (or a unit): the cap, the figures of the group, how many stayed."""
    figures = {
        "share": _share(100 * float(quota.get("share", 0.2))),
        "excellent": quota.get("n_excellent", 0),
        "good": quota.get("n_good", 0),
        "allowance": quota.get("allowance", quota.get("allowed", 0)),
        "kept": quota.get("allowed", 0),
    }
    if quota.get("units"):
        return _(
            "Moved to good: excellent units are capped at %(share)s of the units rated good among the %(group)s "
            "under the same parent; at most %(allowance)s of %(excellent)s excellent may stay (%(good)s rated good), "
            "%(kept)s kept.",
            group=group_label(str(quota.get("group", ""))).lower(),
            **figures,
        )
    return _(
        "Moved to good: excellent is capped at %(share)s of those rated good in %(group)s; "
        "at most %(allowance)s of %(excellent)s excellent may stay (%(good)s rated good), %(kept)s kept.",
        group=group_label(str(quota.get("group", ""))),
        **figures,
    )


def quota_moves(moves: Iterable[Any]) -> html.Div:
    """Who the quota moved at approval, and why."""
    items = [
        html.Li(
            [
                html.Strong(m.name),
                " — ",
                level_label(m.from_level),
                " → ",
                level_label(m.to_level),
                ". ",
                quota_reason(m.quota),
                (" " + _("(tie at the cut: flagged for the council)")) if m.flagged else "",
            ],
            className="quota-move",
        )
        for m in moves
    ]
    if not items:
        return html.Div(_("Nobody was moved by the quota."), className="quota-moves")
    return html.Div([html.P(_("Moved by the quota:")), html.Ul(items)], className="quota-moves")


def explanation_table(lines: Sequence[dict[str, Any]], result: dict[str, Any] | None) -> html.Div:
    """Each product of the period with its coefficient and deductions, then the task result."""
    if not lines:
        return html.P(_("No products were assigned in this period."), className="text-muted")
    body = []
    for line in lines:
        body.append(
            html.Tr(
                [
                    html.Td(line.get("title", "")),
                    html.Td(format_date(_as_date(line.get("due_date")))),
                    html.Td(format_number(line.get("coefficient"), digits=1)),
                    html.Td(_("Yes") if line.get("completed") else _("No")),
                    html.Td("; ".join(deduction_text(d) for d in line.get("deductions", [])) or _("none")),
                ]
            )
        )
    table = dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(_("Product")),
                        html.Th(_("Due")),
                        html.Th(_("Coefficient")),
                        html.Th(_("Completed")),
                        html.Th(_("Deductions")),
                    ]
                )
            ),
            html.Tbody(body),
        ],
        size="sm",
        bordered=True,
        className="explanation-table",
    )
    summary = []
    if result:
        summary = html.P(
            [
                _("Quantity"),
                ": ",
                _share(result.get("quantity")),
                " · ",
                _("Quality"),
                ": ",
                _share(result.get("quality")),
                " · ",
                _("Progress"),
                ": ",
                _share(result.get("progress")),
                " · ",
                html.Strong(_("Task points")),
                ": ",
                html.Strong(points(result.get("points")), className="task-points"),
            ],
            className="task-result",
        )
    return html.Div([table, summary])


def unit_result_note(result: dict[str, Any]) -> html.Div:
    """How a unit's task points were made: its products and its planned work, weighted."""
    products, plan = result.get("products"), result.get("plan")
    scope = (
        _("the products of the unit and the units below it")
        if result.get("scope") == "subtree"
        else _("the unit's own products")
    )
    items = [
        html.Li(
            [
                _("Products"),
                f" ({_share(100 * float(result.get('products_weight', 0)))}): ",
                scope,
                " — ",
                _share(100 * float(products)) if products is not None else _("none in this period"),
            ]
        ),
        html.Li(
            [
                _("Planned work"),
                f" ({_share(100 * float(result.get('plan_weight', 0)))}): ",
                _("the unit's indicator score for the period"),
                " — ",
                _share(100 * float(plan)) if plan is not None else _("nothing measured"),
            ]
        ),
    ]
    return html.Div(
        [
            html.P(
                _(
                    "A unit's task points weigh its products and its completion of planned work "
                    "(a part with nothing to measure is left out):"
                )
            ),
            html.Ul(items),
            html.P(
                [
                    html.Strong(_("Task points")),
                    ": ",
                    html.Strong(points(result.get("points")), className="unit-task-points"),
                    " / ",
                    format_number(float(result.get("task_max", 70)), digits=0),
                ]
            ),
        ],
        className="unit-result",
    )


def leader_note(leader: dict[str, Any]) -> str:
    """How a leader's task points weigh the unit's results."""
    plan = leader.get("plan_completion")
    return _(
        "Leader: own task points %(own)s, weighed with the unit's results (%(n)s of %(total)s subordinate(s) not "
        "completed) and its planned work (%(plan)s) give %(points)s.",
        own=points(leader.get("own_points")),
        n=leader.get("subordinates_not_completed", 0),
        total=leader.get("subordinates", "?"),
        plan=_share(100 * float(plan)) if plan is not None else _("nothing measured"),
        points=points(leader.get("weighted_points")),
    )


def _share(percent: float | None) -> str:
    return "–" if percent is None else f"{format_number(float(percent), digits=0)}%"


def _as_date(value: Any) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return value


def deduction_text(deduction: dict[str, Any]) -> str:
    code = deduction.get("code")
    if code == "not_completed":
        return _("not completed: no points")
    if code == "quality_not_met":
        return _("quality not accepted: no quality points")
    if code == "major_errors":
        return _(
            "%(n)s major error(s): −%(share)s of quality points",
            n=deduction.get("count", 0),
            share=_share(100 * float(deduction.get("share", 0))),
        )
    if code == "excused":
        return _("excused: no deduction")
    if code == "delays":
        return _(
            "%(n)s delay(s): −%(share)s of progress points",
            n=deduction.get("count", 0),
            share=_share(100 * float(deduction.get("share", 0))),
        )
    return str(code)


def condition_text(code: str) -> str:
    """A Regulation 366-style condition that lowered a level."""
    labels = {
        "excellent_needs_all_on_time": _("excellent needs every task done on time"),
        "excellent_needs_exceeded_share": _("excellent needs enough tasks exceeding requirements"),
        "good_needs_all_on_time": _("good needs every task done on time"),
        "completed_too_many_late": _("completed allows only a few tasks behind schedule"),
    }
    return labels.get(code, code)


def review_changes(changes: Sequence[dict[str, Any]]) -> html.Div:
    """The reviewer's changes to the self-assessment, each with its reason."""
    if not changes:
        return html.P(_("No changes by the reviewer."), className="text-muted")
    items = []
    for change in changes:
        name = criterion_label(str(change.get("criterion", "")))
        items.append(
            html.Li(
                [
                    html.Strong(name),
                    ": ",
                    _value(change.get("from")),
                    " → ",
                    _value(change.get("to")),
                    " — ",
                    html.Em(change.get("reason", "")),
                    f" ({change.get('by', '')})",
                ]
            )
        )
    return html.Div(html.Ul(items), className="review-changes")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (int, float)):
        return points(float(value))
    return "–" if value is None else str(value)


def trail_list(entries: Sequence[Any]) -> html.Div:
    """The approval trail: who did what, when."""
    actions = {
        "evaluation.self_assess": _("self-assessed"),
        "evaluation.review": _("reviewed"),
        "evaluation.approve": _("approved"),
        "evaluation.lock": _("locked"),
        "evaluation.unlock": _("unlocked"),
        "evaluation.appeal": _("appealed"),
    }
    items = [
        html.Li(
            f"{format_date(e.at, with_time=True)} — {e.username or ''}: {actions.get(e.action, e.action)}"
            + (f" ({e.detail})" if e.detail else "")
        )
        for e in entries
    ]
    return html.Div(html.Ul(items) if items else html.P(_("Nothing recorded yet.")), className="evaluation-trail")


def _field_message(field: str, message: str) -> str:
    """A criterion's problem names the criterion; other problems speak for themselves."""
    label = criterion_label(field)
    return message if label == field else f"{label}: {message}"


def problem_alert(problem: Exception) -> dbc.Alert:
    """A domain error as a friendly message."""
    code = getattr(problem, "code", "error")
    if code == "invalid":
        details = getattr(problem, "problems", {})
        words = {
            "reason_required": _("give a reason for each change"),
            "out_of_range": _("the points are outside the allowed range"),
            "required_number": _("enter a number"),
            "required": _("this field is required"),
            "too_long": _("the text is too long"),
            "not_reviewed": _(
                "%(n)s evaluation(s) still wait for review", n=getattr(problem, "params", {}).get("count", 0)
            ),
            "nothing_to_approve": _("nothing waits for approval"),
            "unknown_criterion": _("unknown criterion"),
        }
        text = "; ".join(_field_message(field, words.get(msg, msg)) for field, msg in details.items())
        return dbc.Alert(
            _("Please correct: %(problems)s", problems=text), color="warning", className="evaluation-message"
        )
    if code == "conflict":
        return dbc.Alert(
            _(
                "Someone else changed this evaluation (%(who)s). Reload and try again.",
                who=getattr(problem, "changed_by", None) or "?",
            ),
            color="warning",
            className="evaluation-message",
        )
    if code == "forbidden":
        return dbc.Alert(_("You are not allowed to do this."), color="danger", className="evaluation-message")
    if code == "not_found":
        return dbc.Alert(_("Not found."), color="secondary", className="evaluation-message")
    return dbc.Alert(_("Something went wrong."), color="danger", className="evaluation-message")


def ranking_table(rows: Sequence[Any], *, unit_names: bool = True) -> html.Div:
    """A ranking within one group: rank, name, total, level and title."""
    if not rows:
        return html.P(_("No evaluations to rank."), className="text-muted")
    body = [
        html.Tr(
            [
                html.Td(str(r.rank)),
                html.Td(r.name),
                html.Td(r.unit_name) if unit_names else None,
                html.Td(points(r.total)),
                html.Td(level_badge(r.level)),
                html.Td(_("provisional") if r.provisional else ""),
            ]
        )
        for r in rows
    ]
    head = html.Thead(
        html.Tr(
            [
                html.Th("#"),
                html.Th(_("Name")),
                html.Th(_("Unit")) if unit_names else None,
                html.Th(_("Total")),
                html.Th(_("Level")),
                html.Th(""),
            ]
        )
    )
    return html.Div(dbc.Table([head, html.Tbody(body)], size="sm", striped=True, className="ranking-table"))


def title_label(code: str) -> str:
    labels = {
        "advanced_worker": _("Advanced worker"),
        "emulation_fighter": _("Grassroots emulation fighter"),
        "commendation": _("Certificate of merit (commendation)"),
        "excellent_unit": _("Excellent collective"),
    }
    return labels.get(code, code)


def proposals_table(rows: Sequence[Any]) -> html.Div:
    """Emulation titles and reward proposals, with the reason for each."""
    if not rows:
        return html.P(_("No titles or proposals for this year yet."), className="text-muted")
    body = [
        html.Tr(
            [
                html.Td(r.name),
                html.Td(r.unit_name),
                html.Td(title_label(r.title)),
                html.Td(", ".join(level_label(level) for level in r.levels)),
                html.Td(_("Proposal") if r.kind == "proposal" else _("Title")),
            ]
        )
        for r in rows
    ]
    head = html.Thead(
        html.Tr(
            [
                html.Th(_("Name")),
                html.Th(_("Unit")),
                html.Th(_("Title or proposal")),
                html.Th(_("Levels it rests on")),
                html.Th(_("Kind")),
            ]
        )
    )
    return html.Div(dbc.Table([head, html.Tbody(body)], size="sm", className="proposals-table"))

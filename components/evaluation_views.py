"""Pure builders for the evaluation and emulation pages: data in, components out.

No database, no callbacks, no current user. Strings, numbers and dates go through components.i18n.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import _, format_date, format_number
from components.labels import evaluation_status_label, level_label, period_label, task_group_label, unit_kinds_label
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
                html.Th(_("Proposed level")),
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
                    html.Td(final_level_cell(row.final_level, row.quota)),
                    html.Td(evaluation_status_label(row.status)),
                    html.Td(quota_note(row.quota, moved=row.moved, flagged=row.flagged, council=row.council)),
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
        "reason": _("Reason"),
        "appeal_answer": _("Answer to the appeal"),
        "unit_direction": _("Direction and management"),
        "unit_organisation": _("Organisation, staff and discipline"),
        "unit_reform": _("Administrative reform and service to citizens"),
        "unit_political_work": _("Political and ideological work"),
        "unit_inspection": _("Inspection, supervision and discipline"),
    }
    return labels.get(code, code)


def quota_note(quota: dict[str, Any], *, moved: bool, flagged: bool, council: dict[str, Any] | None = None) -> Any:
    """What the quota did to one line, as a sentence: moved (and why), awaiting the council, or decided by it."""
    if quota.get("awaiting"):
        return html.Span(awaiting_text(quota), className="quota-awaiting")
    if council:
        return html.Span(council_text(quota, council), className="quota-council")
    if not moved:
        return ""
    return html.Span(quota_reason(quota), className="quota-moved")


def awaiting_badge() -> dbc.Badge:
    return dbc.Badge(
        _("Awaiting the council"), color="warning", text_color="dark", className="level-badge awaiting-badge"
    )


def final_level_cell(level: str | None, quota: dict[str, Any]) -> Any:
    """The final level, or "awaiting the council" for someone tied at the cut (not demoted meanwhile)."""
    if quota.get("awaiting"):
        return awaiting_badge()
    return level_badge(level) if level else "–"


def _group_words(quota: dict[str, Any]) -> str:
    """The group a quota counted, in words; pooled groups are named together."""
    groups = [str(g) for g in quota.get("groups") or [quota.get("group", "")]]
    return ", ".join(group_label(g) for g in groups)


def quota_reason(quota: dict[str, Any]) -> str:
    """Why the quota moved someone (or a unit) to good, as a plain sentence in the reader's language."""
    share = _share(100 * float(quota.get("share", 0.2)))
    members = int(quota.get("members", quota.get("n_excellent", 0) + quota.get("n_good", 0)))
    allowance = int(quota.get("allowance", quota.get("allowed", 0)))
    pooled = len(quota.get("groups") or []) > 1
    if allowance == 0:
        if quota.get("units"):
            text = _(
                "With %(n)s unit(s) of this kind under the same parent, the %(share)s quota allows no excellent unit: "
                "excellent may not exceed %(share)s of those rated good, so the level is good.",
                n=members,
                share=share,
            )
        else:
            text = _(
                "With %(n)s member(s) in the group (%(group)s), the %(share)s quota allows no excellent: excellent may "
                "not exceed %(share)s of those rated good, so the level is good.",
                n=members,
                share=share,
                group=_group_words(quota),
            )
    elif quota.get("units"):
        text = _(
            "Of the %(n)s units of this kind under the same parent, %(excellent)s earned excellent; the %(share)s "
            "quota lets %(allowance)s keep it, those with the highest totals. This unit's total was lower, so its "
            "level is good.",
            n=members,
            excellent=quota.get("n_excellent", 0),
            share=share,
            allowance=allowance,
        )
    else:
        text = _(
            "In the group %(group)s (%(n)s members), %(excellent)s earned excellent; the %(share)s quota lets "
            "%(allowance)s keep it, those with the highest totals. This total was lower, so the level is good.",
            group=_group_words(quota),
            n=members,
            excellent=quota.get("n_excellent", 0),
            share=share,
            allowance=allowance,
        )
    if pooled:
        text += " " + _("Small groups were counted together, as the rule set provides.")
    return text


def awaiting_text(quota: dict[str, Any]) -> str:
    """Tied at the quota's cut: who decides, how many places there are, and that nothing is lowered meanwhile."""
    return _(
        "Tied at the quota's cut: %(tied)s people have the same total and task points, and the quota leaves "
        "%(seats)s place(s) at excellent among them. The unit head (for the council) decides; until then the "
        "level is not lowered.",
        tied=len(quota.get("tied") or []),
        seats=quota.get("seats", 0),
    )


def council_text(quota: dict[str, Any], council: dict[str, Any]) -> str:
    """The council's decision on a tie, with its reason."""
    reason = str(council.get("reason", ""))
    if council.get("kept"):
        return _(
            "Tied at the quota's cut; the council kept excellent for this person. Reason: %(reason)s", reason=reason
        )
    return _(
        "Tied at the quota's cut; the council gave the place at excellent to another, so the level is good. "
        "Reason: %(reason)s",
        reason=reason,
    )


def quota_moves(moves: Iterable[Any], awaiting: Iterable[Any] = ()) -> html.Div:
    """Who the quota moved at approval, and why; who waits for the council."""
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
            ],
            className="quota-move",
        )
        for m in moves
    ]
    tied = [html.Li([html.Strong(m.name), " — ", awaiting_text(m.quota)], className="quota-tied") for m in awaiting]
    parts: list[Any] = []
    if items:
        parts += [html.P(_("Moved by the quota:")), html.Ul(items)]
    else:
        parts.append(html.P(_("Nobody was moved by the quota.")))
    if tied:
        parts += [html.P(_("Tied at the cut, awaiting the council:")), html.Ul(tied)]
    return html.Div(parts, className="quota-moves")


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
        responsive=True,  # scrolls inside its box on a phone instead of widening the page
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
        "evaluation.return": _("returned to the person"),
        "evaluation.council": _("decided by the council"),
        "evaluation.answer_appeal": _("answered the appeal"),
    }
    items = [
        html.Li(
            f"{format_date(e.at, with_time=True)} — {e.username or ''}: {actions.get(e.action, e.action)}"
            + (f" ({trail_note(e.detail)})" if e.detail else "")
        )
        for e in entries
    ]
    return html.Div(html.Ul(items) if items else html.P(_("Nothing recorded yet.")), className="evaluation-trail")


def trail_note(detail: str) -> str:
    """A trail entry's note in the reader's language: the notes the commands write are codes in English
    ("accepted as proposed", "quota: excellent -> good", "2 change(s)"); a person's reason stays as written."""
    if detail == "accepted as proposed":
        return _("accepted as proposed")
    if detail == "quota: tie at the cut, awaiting the council":
        return _("tied at the quota's cut: awaiting the council")
    quota = re.fullmatch(r"quota: (\w+) -> (\w+)", detail)
    if quota:
        return _(
            "moved by the quota: %(from)s → %(to)s", **{"from": level_label(quota[1]), "to": level_label(quota[2])}
        )
    changes = re.fullmatch(r"(\d+) change\(s\)", detail)
    if changes:
        return _("%(n)s change(s)", n=int(changes[1]))
    return detail


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
            "over_quota": _(
                "the quota leaves only %(n)s place(s) at excellent", n=getattr(problem, "params", {}).get("seats", 0)
            ),
            "not_tied": _("choose only among those tied at the cut"),
            "nothing_awaiting": _("nothing waits for the council"),
            "awaiting_council": _("a tie at the quota's cut still waits for the council"),
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


def evaluation_notice(detail: str | None) -> tuple[str, str | None]:
    """An evaluation notice's sentence (in the reader's language) and the evaluation it links to.

    The detail is the JSON the command wrote (data_access.commands.evaluation_notices); anything else
    (an older notice, a hand-made row) reads as nothing rather than breaking the list.
    """
    try:
        data = json.loads(detail or "{}")
    except ValueError:
        return "", None
    if not isinstance(data, dict):
        return "", None
    evaluation = data.get("evaluation")
    code = str(data.get("period", ""))
    href = (
        f"/evaluation/{evaluation}?{urlencode({'period': code})}"  # the navbar shows the evaluation's period
        if isinstance(evaluation, int) and not isinstance(evaluation, bool)
        else None
    )
    period = period_label(code)
    parts = [_("Period: %(period)s.", period=period)]
    if data.get("deadline"):
        parts.append(_("Self-assess by %(date)s.", date=format_date(_as_date(data["deadline"]))))
    if data.get("awaiting"):
        parts.append(
            _("You are tied at the quota's cut: the council decides, and your level is not lowered meanwhile.")
        )
    elif data.get("final"):
        if data.get("level") and data.get("level") != data.get("final"):
            parts.append(
                _(
                    "Proposed %(level)s, final %(final)s.",
                    level=level_label(str(data["level"])),
                    final=level_label(str(data["final"])),
                )
            )
        else:
            parts.append(_("Final level: %(final)s.", final=level_label(str(data["final"]))))
    if data.get("reason"):
        parts.append(_("Reason: %(reason)s", reason=str(data["reason"])))
    if data.get("answer"):
        parts.append(_("Answer: %(answer)s", answer=str(data["answer"])))
    return " ".join(parts), href


def council_section(
    ties: Sequence[Any],
    *,
    keep_id: Callable[[str], dict[str, str]],
    reason_id: Callable[[str], dict[str, str]],
    decide_id: Callable[[str], dict[str, str]],
) -> html.Div:
    """For the unit head: each group tied at the quota's cut, the tied people to choose from (at most the
    seats left), a reason, and the button that records the council's decision."""
    cards = []
    for tie in ties:
        total = tie.entries[0].total if tie.entries else None
        cards.append(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H5(group_label(tie.group), className="card-title"),
                        html.P(
                            _(
                                "%(n)s people are tied at %(total)s points; the quota leaves %(seats)s place(s) at "
                                "excellent among them. Choose who keeps excellent and give the council's reason; "
                                "the others will be rated good.",
                                n=len(tie.entries),
                                total=points(total),
                                seats=tie.seats,
                            )
                        ),
                        dbc.Checklist(
                            id=keep_id(tie.group),
                            options=[
                                {"label": f"{e.name} — {points(e.total)}", "value": e.evaluation_id}
                                for e in tie.entries
                            ],
                            value=[],
                            className="council-keep mb-2",
                        ),
                        dbc.Input(
                            id=reason_id(tie.group),
                            placeholder=_("The council's reason"),
                            maxLength=2000,
                            className="council-reason mb-2",
                        ),
                        dbc.Button(_("Record the council's decision"), id=decide_id(tie.group), color="primary"),
                    ]
                ),
                className="mb-3 council-tie",
            )
        )
    return html.Div(
        [html.H4(_("Ties awaiting the council")), *cards],
        className="council-section",
    )

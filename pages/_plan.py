"""What every plan page shares (/plan and /plan/<unit_id>?period=YEAR): the layout with its forms, the
texts of statuses, choices and problems in the user's language, and the reading of what the browser
sends. The forms sit outside the body the live refresh redraws, so nothing typed is lost. The callbacks
are in pages/plan.py (Dash runs a page module once per app; this one is imported once per process).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import dropdown_labels, dropdown_texts
from components.import_panel import ImportIds, import_panel
from config.clock import today
from data_access.errors import PulseError
from domain.indicators import Accumulation, Direction
from domain.kinds import DataSource, Frequency, SourceKind
from domain.position_kpis import POSITION_OBJECTIVE_TITLE
from pages._inputs import as_id, as_text
from server.i18n import _, lazy_gettext

P = "plan"
CTX, REFRESH, STATE, BODY, MESSAGE = f"{P}-ctx", f"{P}-refresh", f"{P}-state", f"{P}-body", f"{P}-message"
ACTIONS = f"{P}-actions"
SUBMIT, APPROVE, RETURN, RETURN_REASON, COPY = (f"{P}-{n}" for n in ("submit", "approve", "return", "reason", "copy"))
DECIDE_AREA, COPY_AREA, SUBMIT_AREA = f"{P}-decide-area", f"{P}-copy-area", f"{P}-submit-area"
FORMS = f"{P}-forms"
OBJ = {n: f"{P}-obj-{n}" for n in ("pick", "title", "kind", "ref", "weight", "owner", "parent", "save", "delete")}
KR = {
    n: f"{P}-kr-{n}"
    for n in (
        "objective",
        "pick",
        "name",
        "uom",
        "direction",
        "baseline",
        "target",
        "band_low",
        "band_high",
        "min",
        "max",
        "weight",
        "accumulation",
        "frequency",
        "owner",
        "evidence",
        "source",
        "trajectory",
        "line",
        "back",
        "last",
        "save",
        "delete",
        "note",
    )
}
CR = {n: f"{P}-cr-{n}" for n in ("indicator", "baseline", "target", "weight", "reason", "send", "card")}
CR_APPROVE, CR_REJECT, CR_NOTE = f"{P}-cr-approve", f"{P}-cr-reject", f"{P}-cr-note"
EXPORT, DOWNLOAD = f"{P}-export", f"{P}-download"
IMPORT = ImportIds(
    upload=f"{P}-import-upload",
    job=f"{P}-import-job",
    tick=f"{P}-import-tick",
    progress=f"{P}-import-progress",
    status=f"{P}-import-status",
    report=f"{P}-import-report",
    import_button=f"{P}-import-button",
    cancel_button=f"{P}-import-cancel",
    upload_class=f"{P}-import-upload",
)
# The request body limit (server/security.py) is 20 MB: a file a little above the 10 MB limit still
# reaches the server and is told why (the browser would drop a bigger one without a word).
IMPORT_MAX_SIZE = 14 * 1024 * 1024
GIVE = {n: f"{P}-give-{n}" for n in ("person", "objective", "go", "card")}
NEW = "new"

STATUS_TEXT = {
    "draft": lazy_gettext("Draft"),
    "submitted": lazy_gettext("Submitted"),
    "approved": lazy_gettext("Approved"),
    "returned": lazy_gettext("Returned"),
}
STATUS_COLOUR = {"draft": "secondary", "submitted": "info", "approved": "success", "returned": "warning"}
DIRECTION_TEXT = {
    Direction.INCREASE: lazy_gettext("Increase"),
    Direction.DECREASE: lazy_gettext("Decrease"),
    Direction.BAND: lazy_gettext("Within a band"),
    Direction.DONE: lazy_gettext("Done / not done"),
    Direction.MILESTONES: lazy_gettext("Milestones"),
}
ACCUMULATION_TEXT = {
    Accumulation.LAST: lazy_gettext("Latest value"),
    Accumulation.SUM: lazy_gettext("Sum"),
    Accumulation.AVERAGE: lazy_gettext("Average"),
}
FREQUENCY_TEXT = {
    Frequency.MONTHLY: lazy_gettext("Monthly"),
    Frequency.QUARTERLY: lazy_gettext("Quarterly"),
    Frequency.YEARLY: lazy_gettext("Yearly"),
}
DATA_SOURCE_TEXT = {
    DataSource.ENTERED: lazy_gettext("Entered"),
    DataSource.IMPORTED: lazy_gettext("Imported"),
    DataSource.COMPUTED: lazy_gettext("Computed by Pulse"),
    DataSource.FEED: lazy_gettext("Machine feed"),
}
FIELDS = {
    "title": lazy_gettext("Objective"),
    "source_kind": lazy_gettext("Source"),
    "source_ref": lazy_gettext("Reference"),
    "weight": lazy_gettext("Weight"),
    "owner": lazy_gettext("Owner"),
    "parent_objective_id": lazy_gettext("Aligned to"),
    "name": lazy_gettext("Key result"),
    "unit_of_measure": lazy_gettext("Unit of measure"),
    "direction": lazy_gettext("Direction"),
    "target": lazy_gettext("Target"),
    "baseline": lazy_gettext("Baseline"),
    "band_low": lazy_gettext("Band"),
    "milestones_total": lazy_gettext("Milestones"),
    "min_value": lazy_gettext("Minimum and maximum"),
    "accumulation": lazy_gettext("Accumulation"),
    "frequency": lazy_gettext("Frequency"),
    "data_source": lazy_gettext("Data source"),
    "trajectory": lazy_gettext("Trajectory"),
    "reason": lazy_gettext("Reason"),
    "plan": lazy_gettext("Plan"),
    "objective": lazy_gettext("Objective"),
    "indicator": lazy_gettext("Key result"),
    "request": lazy_gettext("Change request"),
    "period": lazy_gettext("Year"),
    "code": lazy_gettext("Code"),
    "template": lazy_gettext("KPI of the position"),
    "position": lazy_gettext("Position"),
    "person": lazy_gettext("Person"),
    "value": lazy_gettext("Planned value"),
    "file": lazy_gettext("File"),
    "evidence_required": lazy_gettext("Evidence required"),
    "max_value": lazy_gettext("Maximum"),
    "band_high": lazy_gettext("Band to"),
}
PROBLEMS = {
    "required": lazy_gettext("this field is required"),
    "too_long": lazy_gettext("the text is too long"),
    "unknown_choice": lazy_gettext("choose one of the offered options"),
    "not_a_number": lazy_gettext("enter a number"),
    "weight_negative": lazy_gettext("a weight cannot be negative"),
    "owner_outside_unit": lazy_gettext("the owner must work in this unit or one of its divisions"),
    "parent_not_in_approved_plan": lazy_gettext("choose an objective of the approved plan of the level above"),
    "alignment_to_itself": lazy_gettext("an objective cannot be aligned to itself"),
    "alignment_loop": lazy_gettext(
        "that objective already serves this one, directly or through others: aligning to it would make a loop"
    ),
    "target_required": lazy_gettext("enter a target"),
    "target_not_above_baseline": lazy_gettext("for an increase, the target must be above the baseline"),
    "target_not_below_baseline": lazy_gettext("for a decrease, the target must be below the baseline"),
    "band_required": lazy_gettext("enter the low and the high end of the band"),
    "band_inverted": lazy_gettext("the low end of the band is above the high end"),
    "milestones_required": lazy_gettext("enter how many milestones there are"),
    "range_inverted": lazy_gettext("the minimum is above the maximum"),
    "target_outside_range": lazy_gettext("the target lies outside the minimum and maximum"),
    "date_outside_period": lazy_gettext("a date lies outside the plan's year"),
    "date_repeated": lazy_gettext("a date appears twice"),
    "trajectory_not_at_target": lazy_gettext("the trajectory must end at the target"),
    "bad_trajectory": lazy_gettext("write one line per date: 2026-03-31 45"),
    "plan_locked": lazy_gettext("the plan waits for approval: it cannot change until it is decided"),
    "plan_empty": lazy_gettext("add at least one objective first"),
    "cannot_submit": lazy_gettext("only a draft or returned plan can be submitted"),
    "cannot_approve": lazy_gettext("only a submitted plan can be approved"),
    "cannot_return": lazy_gettext("only a submitted plan can be returned"),
    "reason_required": lazy_gettext("say why"),
    "change_request_needed": lazy_gettext(
        "the plan is approved: ask for a change of target, baseline, band or weight below"
    ),
    "approved_weight_fixed": lazy_gettext("an approved objective's weight stays as approved"),
    "approved_not_deletable": lazy_gettext("what was approved cannot be deleted"),
    "in_use_not_deletable": lazy_gettext("values, tasks or aligned objectives refer to it: it cannot be deleted"),
    "not_approved_edit_directly": lazy_gettext("it is not approved yet: edit it directly"),
    "nothing_changed": lazy_gettext("the proposed numbers are the current ones"),
    "change_pending": lazy_gettext("a change of it already waits for a decision"),
    "already_decided": lazy_gettext("this request has already been decided"),
    "numbers_changed_since": lazy_gettext("the numbers changed since the request: ask again"),
    "plan_exists": lazy_gettext("next year's plan already has objectives"),
    "nothing_to_copy": lazy_gettext("this year's plan has no objectives to copy"),
    "copy_forward_only": lazy_gettext("a plan is copied into a later year"),
    "code_format": lazy_gettext("a short code: letters without accents, digits, dot, dash or underscore"),
    "code_taken": lazy_gettext("another KPI of this position has this code"),
    "position_inactive": lazy_gettext("the position is deactivated"),
    "already_inactive_template": lazy_gettext("this KPI is already deactivated"),
    "objective_not_in_plan": lazy_gettext("choose an objective of this unit's plan"),
    "no_position": lazy_gettext("the person holds no active job position"),
    "person_not_in_unit": lazy_gettext("choose a person of this unit (a division's people get theirs in its plan)"),
    "objective_number_missing": lazy_gettext("give the objective's number (first column)"),
    "objective_number_repeated": lazy_gettext("two objectives have this number: give each its own"),
    "title_repeated": lazy_gettext("two objectives have this title: each title once"),
    "objective_not_in_file": lazy_gettext("no objective of the file has this number"),
    "name_repeated": lazy_gettext("this objective already has a key result of this name in the file"),
    "key_result_not_in_file": lazy_gettext("no key result of the file has this objective number and name"),
    "bad_trajectory_date": lazy_gettext("enter the date as YYYY-MM-DD or DD/MM/YYYY"),
    "objective_left_out": lazy_gettext("its objective is left out: fix the objective's row first"),
    "key_result_left_out": lazy_gettext("its key result is left out: fix the key result's row first"),
    "owner_unknown": lazy_gettext("no one of this unit has this name: write it as in Pulse, or leave it empty"),
    "owner_ambiguous": lazy_gettext("two people of this unit have this name: set the owner on the page"),
    "unreadable_row": lazy_gettext("this row cannot be read"),
}


def _text(labels: dict[Any, Any], key: object) -> str:
    label = labels.get(key)
    return str(label) if label is not None else str(key)


def plan_alert(problem: PulseError) -> dbc.Alert:
    """A refused change as a message in the user's language: each field and what to do about it."""
    if problem.code == "invalid":
        problems: dict[str, str] = getattr(problem, "problems", {})
        text = "; ".join(f"{_text(FIELDS, f)}: {_text(PROBLEMS, c)}" for f, c in problems.items())
        return dbc.Alert(_("Please correct: %(problems)s", problems=text), color="warning", className="plan-problem")
    from components.work_views import problem_alert

    return problem_alert(problem, class_name="plan-problem")


# --- reading what the browser sends ------------------------------------------------------------


def as_number(value: object) -> float | None:
    """A number from a number input (or typed text with a decimal comma), None when empty or not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value == value and abs(value) < 1e15 else None
    if isinstance(value, str) and value.strip():
        try:
            number = float(value.strip().replace(" ", "").replace(",", "."))
        except ValueError:
            return None
        return number if number == number and abs(number) < 1e15 else None
    return None


_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*[:;=\s]\s*(-?[\d.,]+)\s*$")


def parse_trajectory(text: object) -> list[tuple[date, float]] | None:
    """ "2026-03-31 45" lines as points; None when a line cannot be read."""
    points = []
    for line in as_text(text).splitlines():
        if not line.strip():
            continue
        match = _LINE.match(line)
        value = as_number(match.group(2)) if match else None
        if match is None or value is None:
            return None
        try:
            points.append((date.fromisoformat(match.group(1)), value))
        except ValueError:
            return None
    return sorted(points)


def format_trajectory(points: list[tuple[date, float]]) -> str:
    return "\n".join(f"{at.isoformat()} {round(value, 4):g}" for at, value in points)


def year_of(period: object) -> str:
    """The plan's year from a period code ("2026-Q3" -> "2026"), this year when absent or malformed."""
    text = as_text(period)
    head = text.split("-")[0]
    return head if head.isdigit() and len(head) == 4 else str(today().year)


# --- layout ------------------------------------------------------------------------------------


def layout(unit_id: object, period: object) -> html.Div:
    """The page: its context, the body the live refresh redraws, and the forms that it never redraws."""
    chosen = as_id(unit_id)
    return html.Div(
        [
            dcc.Store(id=CTX, data={"unit": chosen, "period": year_of(period)}),
            dcc.Store(id=REFRESH, data=0),
            dcc.Store(id=STATE, data=None),
            html.Div(id=MESSAGE),
            html.Div(
                [
                    dbc.Button(
                        _("Download as Excel"), id=EXPORT, color="secondary", outline=True, size="sm", n_clicks=0
                    ),
                    dcc.Download(id=DOWNLOAD),
                ],
                className="d-flex justify-content-end mb-2",
            ),
            html.Div(dbc.Spinner(color="primary"), id=BODY),
            html.Div(_actions(), id=ACTIONS, hidden=True),
            html.Div([_import_card(), _forms()], id=FORMS, hidden=True),
        ],
        className="plan-page",
    )


def _options(labels: dict[Any, Any]) -> list[dict[str, str]]:
    return [
        {"label": str(text), "value": str(key.value if hasattr(key, "value") else key)} for key, text in labels.items()
    ]


def _field(label: str, component: Any, width: int = 6) -> dbc.Col:
    component_id = getattr(component, "id", None)
    return dbc.Col([dbc.Label(label, html_for=component_id), component], xs=12, md=width, className="mb-2")


def _actions() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    dbc.Button(_("Submit for approval"), id=SUBMIT, color="primary", n_clicks=0),
                    id=SUBMIT_AREA,
                    hidden=True,
                    className="mb-2",
                ),
                html.Div(
                    [
                        dbc.Button(
                            _("Approve the plan"), id=APPROVE, color="success", n_clicks=0, className="me-2 mb-2"
                        ),
                        dbc.Input(
                            id=RETURN_REASON,
                            placeholder=_("Why it goes back (required to return)"),
                            maxLength=1000,
                            className="mb-2",
                        ),
                        dbc.Button(_("Return with this reason"), id=RETURN, color="warning", n_clicks=0),
                    ],
                    id=DECIDE_AREA,
                    hidden=True,
                    className="mb-2",
                ),
                html.Div(
                    dbc.Button(_("Copy into next year"), id=COPY, color="secondary", outline=True, n_clicks=0),
                    id=COPY_AREA,
                    hidden=True,
                ),
            ]
        ),
        className="mb-3 plan-actions",
    )


def _import_card() -> dbc.Card:
    """The plan from Excel: the file "Download as Excel" gives, changed or filled, uploaded back."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Import from Excel"), className="h5"),
                html.P(
                    _(
                        "Download the plan as Excel, change or add objectives, key results and trajectory points "
                        "(keep the sheets and their columns), and upload it here. Every row is checked first; "
                        "nothing is saved until you import the valid rows, and they go into this plan as drafts."
                    ),
                    className="small",
                ),
                *import_panel(
                    IMPORT,
                    drop_text=_("Drop the plan's .xlsx file here, or "),
                    choose_text=_("choose it"),
                    accept=".xlsx",
                    max_size=IMPORT_MAX_SIZE,
                    import_text=_("Import the valid rows"),
                    cancel_text=_("Cancel"),
                ),
            ]
        ),
        className="mb-3 plan-import-card",
    )


def _forms() -> dbc.Row:
    objective = dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Objective"), className="h5"),
                dbc.Row(
                    [
                        _field(_("Add or edit"), dbc.Select(id=OBJ["pick"], options=[], value=NEW), 12),
                        _field(_("Objective"), dbc.Input(id=OBJ["title"], maxLength=300), 12),
                        _field(
                            _("Source"),
                            dbc.Select(
                                id=OBJ["kind"], options=_options(_source_labels()), value=SourceKind.RESOLUTION.value
                            ),
                        ),
                        _field(
                            _("Reference"), dbc.Input(id=OBJ["ref"], maxLength=200, placeholder="Nghị quyết 57-NQ/TW")
                        ),
                        _field(_("Weight"), dbc.Input(id=OBJ["weight"], type="number", min=0, value=1, step="any")),
                        _field(_("Owner"), dcc.Dropdown(**dropdown_texts(), id=OBJ["owner"], options=[])),
                        _field(
                            _("Aligned to (the approved plan above)"),
                            dcc.Dropdown(**dropdown_texts(), id=OBJ["parent"], options=[]),
                            12,
                        ),
                    ]
                ),
                dbc.Button(_("Save the objective"), id=OBJ["save"], color="primary", n_clicks=0, className="me-2"),
                dbc.Button(_("Delete"), id=OBJ["delete"], color="danger", outline=True, n_clicks=0),
            ]
        ),
        className="mb-3 plan-objective-form",
    )
    key_result = dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Key result or KPI"), className="h5"),
                dbc.Row(
                    [
                        _field(_("Under the objective"), dbc.Select(id=KR["objective"], options=[])),
                        _field(_("Add or edit"), dbc.Select(id=KR["pick"], options=[], value=NEW)),
                        _field(_("Key result"), dbc.Input(id=KR["name"], maxLength=300), 12),
                        _field(_("Unit of measure"), dbc.Input(id=KR["uom"], maxLength=40), 4),
                        _field(
                            _("Direction"),
                            dbc.Select(id=KR["direction"], options=_options(DIRECTION_TEXT), value="increase"),
                            4,
                        ),
                        _field(_("Weight"), dbc.Input(id=KR["weight"], type="number", min=0, step="any"), 4),
                        _field(_("Baseline"), dbc.Input(id=KR["baseline"], type="number", step="any"), 4),
                        _field(_("Target"), dbc.Input(id=KR["target"], type="number", step="any"), 4),
                        _field(_("Owner"), dcc.Dropdown(**dropdown_texts(), id=KR["owner"], options=[]), 4),
                        _field(_("Band from"), dbc.Input(id=KR["band_low"], type="number", step="any"), 3),
                        _field(_("Band to"), dbc.Input(id=KR["band_high"], type="number", step="any"), 3),
                        _field(_("Minimum"), dbc.Input(id=KR["min"], type="number", step="any"), 3),
                        _field(_("Maximum"), dbc.Input(id=KR["max"], type="number", step="any"), 3),
                        _field(
                            _("Accumulation"),
                            dbc.Select(id=KR["accumulation"], options=_options(ACCUMULATION_TEXT), value="last"),
                            4,
                        ),
                        _field(
                            _("Frequency"),
                            dbc.Select(id=KR["frequency"], options=_options(FREQUENCY_TEXT), value="quarterly"),
                            4,
                        ),
                        _field(
                            _("Data source"),
                            dbc.Select(id=KR["source"], options=_options(DATA_SOURCE_TEXT), value="entered"),
                            4,
                        ),
                        dbc.Col(
                            dbc.Checkbox(id=KR["evidence"], label=_("Evidence required"), value=False),
                            xs=12,
                            className="mb-2",
                        ),
                        _field(
                            _("Planned trajectory (one line per date: 2026-03-31 45)"),
                            dbc.Textarea(id=KR["trajectory"], rows=4, maxLength=2000),
                            12,
                        ),
                    ]
                ),
                html.Div(
                    [
                        dbc.Button(_("Straight line"), id=KR["line"], size="sm", outline=True, n_clicks=0),
                        dbc.Button(_("Back-loaded"), id=KR["back"], size="sm", outline=True, n_clicks=0),
                        dbc.Button(_("As last year"), id=KR["last"], size="sm", outline=True, n_clicks=0),
                    ],
                    className="d-flex flex-wrap gap-2 mb-2 plan-trajectory-helpers",
                ),
                html.Div(id=KR["note"], className="small text-secondary mb-2"),
                dbc.Button(_("Save the key result"), id=KR["save"], color="primary", n_clicks=0, className="me-2"),
                dbc.Button(_("Delete"), id=KR["delete"], color="danger", outline=True, n_clicks=0),
            ]
        ),
        className="mb-3 plan-kr-form",
    )
    change = dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Ask to change an approved key result"), className="h5"),
                dbc.Row(
                    [
                        _field(_("Key result"), dbc.Select(id=CR["indicator"], options=[]), 12),
                        _field(_("New baseline"), dbc.Input(id=CR["baseline"], type="number", step="any"), 4),
                        _field(_("New target"), dbc.Input(id=CR["target"], type="number", step="any"), 4),
                        _field(_("New weight"), dbc.Input(id=CR["weight"], type="number", min=0, step="any"), 4),
                        _field(_("Reason"), dbc.Textarea(id=CR["reason"], rows=2, maxLength=1000), 12),
                    ]
                ),
                dbc.Button(_("Send the request"), id=CR["send"], color="primary", n_clicks=0),
            ]
        ),
        id=CR["card"],
        className="mb-3 plan-change-form",
    )
    give = dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Give the position's KPIs"), className="h5"),
                html.P(
                    _(
                        "The KPIs of the person's job position become their draft key results in this plan; "
                        "given twice, they are not repeated."
                    ),
                    className="small text-secondary",
                ),
                dbc.Row(
                    [
                        _field(_("Person"), dcc.Dropdown(**dropdown_texts(), id=GIVE["person"], options=[]), 12),
                        _field(
                            _("Under the objective"),
                            dcc.Dropdown(
                                labels=dropdown_labels(),
                                id=GIVE["objective"],
                                options=[],
                                placeholder=_("%(title)s (made once)", title=POSITION_OBJECTIVE_TITLE),
                            ),
                            12,
                        ),
                    ]
                ),
                dbc.Button(_("Give the position's KPIs"), id=GIVE["go"], color="primary", n_clicks=0),
            ]
        ),
        id=GIVE["card"],
        className="mb-3 plan-give-form",
    )
    return dbc.Row([dbc.Col([objective, change], xs=12, lg=6), dbc.Col([key_result, give], xs=12, lg=6)])


def _source_labels() -> dict[SourceKind, Any]:
    from components.labels import SOURCE_LABELS

    return dict(SOURCE_LABELS)

"""Excel exports, through the one writer (data_access.spreadsheets): the classification list of a unit
with its approval trail, and the evaluations of the unit and the units below it (agencies have their
own 100-point scale).

Labels come in through `translate` so that the workbook speaks the reader's language without
this module depending on the web layer. The writer keeps cells that start like a formula as text, so
that a name such as "=HYPERLINK(...)" cannot run in the reader's spreadsheet.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from data_access.queries.evaluations import list_evaluations, period_row, trail
from data_access.queries.reports import FollowUp, UnitReport
from data_access.spreadsheets import Sheet, workbook_bytes
from data_access.viewer import Viewer


def classification_workbook(
    session: Session,
    *,
    viewer: Viewer,
    period_code: str,
    unit_id: int | None,
    translate: Callable[[str], str] = lambda s: s,
    level_name: Callable[[str | None], str] = lambda s: s or "",
    quota_text: Callable[[dict], str] = lambda q: "moved to good by the quota",
    kind_name: Callable[[str], str] = lambda s: s,
) -> bytes:
    """The scoped classification list of a period (and unit), the units' own evaluations and every
    evaluation's trail, as .xlsx bytes."""
    period_row(session, period_code)
    rows = list_evaluations(session, viewer=viewer, period_code=period_code, unit_id=unit_id)
    units = list_evaluations(session, viewer=viewer, period_code=period_code, unit_id=unit_id, people=False)
    t = translate
    people_sheet: list[list[object]] = [
        [t("Classification list"), period_code],
        [
            t("No."),
            t("Civil servant code"),
            t("Name"),
            t("Unit"),
            t("Position"),
            t("Task points"),
            t("General points"),
            t("Total"),
            t("Level"),
            t("Final level"),
            t("Status"),
            t("Quota"),
        ],
    ]
    for number, row in enumerate(rows, start=1):
        people_sheet.append(
            [
                number,
                row.civil_servant_code,
                row.person_name,
                row.unit_name,
                row.position_name,
                row.task_points,
                row.general_points,
                row.total,
                level_name(row.level),
                level_name(row.final_level),
                row.status,
                quota_text(row.quota) if row.moved else "",
            ]
        )
    sheets = [Sheet(t("Classification"), people_sheet, header_rows=2)]
    if units:
        unit_sheet: list[list[object]] = [
            [
                t("No."),
                t("Unit"),
                t("Kind"),
                t("Task points"),
                t("General points"),
                t("Total"),
                t("Level"),
                t("Final level"),
                t("Status"),
                t("Quota"),
            ]
        ]
        for number, row in enumerate(units, start=1):
            unit_sheet.append(
                [
                    number,
                    row.unit_name,
                    kind_name(row.unit_kind),
                    row.task_points,
                    row.general_points,
                    row.total,
                    level_name(row.level),
                    level_name(row.final_level),
                    row.status,
                    quota_text(row.quota) if row.moved else "",
                ]
            )
        sheets.append(Sheet(t("Units"), unit_sheet))
    trail_sheet: list[list[object]] = [[t("Name"), t("When"), t("Who"), t("Action"), t("Detail")]]
    for row in rows + units:
        for entry in trail(session, evaluation_id=row.id):
            trail_sheet.append([row.person_name, entry.at, entry.username, entry.action, entry.detail])
    sheets.append(Sheet(t("Approval trail"), trail_sheet))
    return workbook_bytes(sheets)


PERCENT = "0.0%"
NUMBER = "#,##0.##"


def unit_report_workbook(
    report: UnitReport,
    *,
    translate: Callable[[str], str] = lambda s: s,
    status_name: Callable[[str], str] = lambda s: s,
    task_status_name: Callable[[str], str] = lambda s: s,
    as_of: str = "",
) -> bytes:
    """A unit's periodic report as .xlsx: the headline, the objectives and key results, the lagging
    indicators with their follow-ups and the late tasks; translated headers, numbers kept as numbers."""
    t = translate
    f = report.figures
    headline: list[list[object]] = [
        [report.unit_name, report.period_code],
        [t("Data as of"), as_of],
        [t("Score %"), _percent(f.score)],
        [t("Expected by now %"), _percent(report.expected)],
        [t("Indicators"), f.n_indicators],
        [t("At risk"), f.n_at_risk],
        [t("Off track"), f.n_off_track],
        [t("Open tasks"), f.tasks_open],
        [t("Overdue tasks"), f.tasks_overdue],
        [t("Done on time"), f.tasks_done_on_time],
        [t("Done late"), f.tasks_done_late],
    ]
    objectives: list[list[object]] = [
        [
            t("Objective"),
            t("Owner"),
            t("Key result"),
            t("Owner"),
            t("Value"),
            t("Target"),
            t("Progress"),
            t("Expected"),
            t("Status"),
        ]
    ]
    for block in report.objectives:
        for kr in block.key_results:
            objectives.append(
                [
                    block.title or t("Standing indicators"),
                    block.owner,
                    kr.name,
                    kr.owner,
                    kr.current_value,
                    kr.target,
                    kr.progress,
                    kr.expected,
                    status_name(kr.status),
                ]
            )
    lagging: list[list[object]] = [
        [
            t("Indicator"),
            t("Unit"),
            t("Owner"),
            t("Progress"),
            t("Expected"),
            t("Status"),
            t("Follow-up task"),
            t("Assignee"),
            t("Due"),
        ]
    ]
    for line in report.lagging:
        follow_ups: list[FollowUp | None] = [*line.follow_ups] or [None]
        for follow in follow_ups:
            lagging.append(
                [
                    line.indicator,
                    line.unit,
                    line.owner,
                    line.progress,
                    line.expected,
                    status_name(line.status),
                    follow.title if follow else "",
                    follow.assignee if follow else "",
                    follow.due_date if follow else None,
                ]
            )
    analyses: list[list[object]] = [
        [t("Key result"), t("Owner"), t("Period"), t("What happened"), t("Why"), t("What will be done")]
    ]
    analyses += [[a.indicator, a.owner, a.period_code, a.what_happened, a.why, a.next_steps] for a in report.analyses]
    tasks: list[list[object]] = [[t("Task"), t("Assignee"), t("Due"), t("Status")]]
    tasks += [[task.title, task.assignee, task.due_date, task_status_name(task.status)] for task in report.late_tasks]
    return workbook_bytes(
        [
            Sheet(
                t("Summary"),
                headline,
                widths=(30, 20),
                number_formats={1: NUMBER},
                header_rows=1,
            ),
            Sheet(
                t("Objectives and key results"),
                objectives,
                widths=(40, 22, 40, 22, 12, 12, 12, 12, 14),
                freeze="A2",
                number_formats={4: NUMBER, 5: NUMBER, 6: PERCENT, 7: PERCENT},
            ),
            Sheet(
                t("Lagging indicators"),
                lagging,
                widths=(40, 24, 22, 12, 12, 14, 40, 22, 12),
                freeze="A2",
                number_formats={3: PERCENT, 4: PERCENT},
            ),
            Sheet(t("The owners' analysis"), analyses, widths=(40, 22, 10, 50, 50, 50), freeze="A2"),
            Sheet(t("Late tasks"), tasks, widths=(50, 24, 12, 14), freeze="A2"),
        ]
    )


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else round(fraction * 100, 1)


def plan_workbook(
    session: Session,
    *,
    viewer: Viewer,
    unit_id: int,
    period_code: str,
    translate: Callable[[str], str] = lambda s: s,
    label: Callable[[str], str] = lambda s: s,
) -> bytes:
    """A unit's plan for a year as .xlsx, as the viewer may see it (plan_view authorises): the
    objectives, their key results with every number, and the planned trajectories. `label` turns a
    stored code (direction, frequency, source...) into the reader's words; numbers stay numbers."""
    from data_access.queries.plans import plan_view  # queries.plans imports nothing from here

    view = plan_view(session, viewer=viewer, unit_id=unit_id, period_code=period_code)
    t = translate
    objectives: list[list[object]] = [
        [view.unit_name, view.period_code, label(view.status)],
        [t("No."), t("Objective"), t("Source"), t("Reference"), t("Weight"), t("Owner"), t("Aligned to")],
    ]
    key_results: list[list[object]] = [
        [
            t("Objective No."),
            t("Objective"),
            t("Key result"),
            t("Unit of measure"),
            t("Direction"),
            t("Baseline"),
            t("Target"),
            t("Band from"),
            t("Band to"),
            t("Minimum"),
            t("Maximum"),
            t("Weight"),
            t("Weight %"),
            t("Accumulation"),
            t("Frequency"),
            t("Owner"),
            t("Evidence required"),
            t("Data source"),
        ]
    ]
    trajectory: list[list[object]] = [[t("Objective No."), t("Key result"), t("Date"), t("Planned value")]]
    for number, objective in enumerate(view.objectives, start=1):
        objectives.append(
            [
                number,
                objective.title,
                label(objective.source_kind),
                objective.source_ref or "",
                objective.weight,
                objective.owner or "",
                objective.parent_title or "",
            ]
        )
        for kr in objective.key_results:
            key_results.append(
                [
                    number,
                    objective.title,
                    kr.name,
                    kr.unit_of_measure,
                    label(kr.direction),
                    kr.baseline,
                    kr.target,
                    kr.band_low,
                    kr.band_high,
                    kr.min_value,
                    kr.max_value,
                    kr.weight,
                    kr.normalised_weight,
                    label(kr.accumulation),
                    label(kr.frequency),
                    kr.owner or "",
                    t("Yes") if kr.evidence_required else t("No"),
                    label(kr.data_source),
                ]
            )
            trajectory += [[number, kr.name, at, value] for at, value in kr.trajectory]
    numbers = {column: NUMBER for column in range(5, 13)}
    return workbook_bytes(
        [
            Sheet(
                t("Objectives"),
                objectives,
                header_rows=2,
                widths=(6, 50, 18, 24, 10, 24, 50),
                freeze="A3",
                number_formats={4: NUMBER},
            ),
            Sheet(
                t("Key results"),
                key_results,
                widths=(8, 40, 40, 12, 16, 12, 12, 12, 12, 12, 12, 10, 10, 16, 14, 24, 12, 16),
                freeze="C2",
                number_formats=numbers,
            ),
            Sheet(t("Trajectories"), trajectory, widths=(8, 40, 14, 14), freeze="A2", number_formats={3: NUMBER}),
        ]
    )

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

"""A unit's periodic report as a file: the HTML template filled in the reader's language and printed to
PDF by WeasyPrint (fonts embedded, page numbers, "data as of"), or the same figures as an Excel workbook.

Every text goes in composed (NFC), so that what a reader copies out of the PDF matches what they type.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from components.i18n import _, format_date, format_number, format_percent
from components.labels import status_label, task_status_label, unit_kind_label
from data_access.exports import unit_report_workbook
from data_access.queries.reports import UnitReport
from domain.reports import nfc
from reports.charts import score_chart_svg
from reports.i18n import speaking

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


def _n(text: object) -> str:
    return nfc(str(text))


def _texts(report: UnitReport) -> dict[str, str]:
    f = report.figures
    as_of = format_date(report.data_as_of, with_time=True)
    return {
        key: _n(value)
        for key, value in {
            "title": _("Periodic report: %(unit)s", unit=report.unit_name),
            "period": _("Period %(period)s", period=report.period_code),
            "as_of": _("Data as of %(when)s", when=as_of),
            "page": _("Page"),
            "headline": _("Headline"),
            "score": _("Score"),
            "expected": _("Expected by now"),
            "expected_short": _("Expected"),
            "lagging_count": _("At risk / off track"),
            "tasks_on_time": _("Done on time / late"),
            "tasks_open": _("Open / overdue tasks"),
            "chart": _("Score by month"),
            "objectives": _("Objectives and key results"),
            "standing": _("Standing indicators"),
            "owner": _("Owner"),
            "key_result": _("Key result"),
            "value": _("Value"),
            "target": _("Target"),
            "progress": _("Progress"),
            "status": _("Status"),
            "no_indicators": _("No indicators for this unit."),
            "lagging": _("Lagging indicators and their follow-up"),
            "indicator": _("Indicator"),
            "unit": _("Unit"),
            "follow_ups": _("Follow-up tasks"),
            "no_follow_up": _("no follow-up task yet"),
            "none_lagging": _("No indicator is at risk or off track."),
            "tasks": _("Tasks on time and late"),
            "tasks_summary": _(
                "%(on_time)s done on time, %(late)s done late, %(open)s open of which %(overdue)s overdue.",
                on_time=f.tasks_done_on_time,
                late=f.tasks_done_late,
                open=f.tasks_open,
                overdue=f.tasks_overdue,
            ),
            "analyses": _("The owners' analysis"),
            "what_happened": _("What happened"),
            "why": _("Why"),
            "next_steps": _("What will be done"),
            "task": _("Task"),
            "assignee": _("Assignee"),
            "due": _("Due"),
        }.items()
    }


def _context(report: UnitReport, language: str, chart_svg: str | None) -> dict[str, Any]:
    def value(number: float | None) -> str:
        return format_number(number, 1)

    return {
        "language": language,
        "t": _texts(report),
        "unit_kind": _n(unit_kind_label(report.unit_kind)),
        "figures": report.figures,
        "score": format_percent(report.figures.score, 1),
        "expected": format_percent(report.expected, 1),
        "chart": (
            "data:image/svg+xml;base64," + base64.b64encode(chart_svg.encode("utf-8")).decode("ascii")
            if chart_svg
            else None
        ),
        "objectives": [
            {
                "title": block.title,
                "owner": block.owner,
                "key_results": [
                    {
                        "name": kr.name,
                        "owner": kr.owner,
                        "value": _measure(value(kr.current_value), kr.unit_of_measure),
                        "target": _measure(value(kr.target), kr.unit_of_measure),
                        "progress": format_percent(kr.progress),
                        "expected": format_percent(kr.expected),
                        "status": kr.status,
                        "status_label": _n(status_label(kr.status)),
                    }
                    for kr in block.key_results
                ],
            }
            for block in report.objectives
        ],
        "lagging": [
            {
                "indicator": line.indicator,
                "unit": line.unit,
                "owner": line.owner,
                "progress": format_percent(line.progress),
                "expected": format_percent(line.expected),
                "status": line.status,
                "status_label": _n(status_label(line.status)),
                "follow_ups": [
                    {
                        "title": f.title,
                        "assignee": f.assignee,
                        "due": format_date(f.due_date),
                        "status": _n(task_status_label(f.status)),
                    }
                    for f in line.follow_ups
                ],
            }
            for line in report.lagging
        ],
        "analyses": report.analyses,
        "late_tasks": [
            {
                "title": task.title,
                "assignee": task.assignee,
                "due": format_date(task.due_date),
                "status": _n(task_status_label(task.status)),
            }
            for task in report.late_tasks
        ],
    }


def _measure(number: str, unit_of_measure: str) -> str:
    """A number with its unit ("95,0 %"); no unit after a missing number."""
    return number if number == "–" else _n(f"{number} {unit_of_measure}".strip())


def unit_report_html(report: UnitReport, *, language: str, chart_svg: str | None = None) -> str:
    """The report as HTML in `language` (what WeasyPrint prints)."""
    with speaking(language):
        return _environment().get_template("unit_report.html").render(**_context(report, language, chart_svg))


def unit_report_chart(report: UnitReport, *, language: str) -> str | None:
    """The score chart as SVG (None when the unit has no monthly score yet)."""
    if not any(score is not None for _p, score in report.trend):
        return None
    with speaking(language):
        return score_chart_svg(
            report.trend, expected=report.expected, score_label=_n(_("Score")), expected_label=_n(_("Expected by now"))
        )


def unit_report_pdf(report: UnitReport, *, language: str, progress: Callable[[int], None] = lambda _p: None) -> bytes:
    """The report as PDF bytes: chart, then HTML, then print."""
    from weasyprint import HTML  # heavy (Pango); imported when a PDF is made, not when the app starts

    chart = unit_report_chart(report, language=language)
    progress(60)
    html = unit_report_html(report, language=language, chart_svg=chart)
    progress(75)
    return bytes(HTML(string=html, base_url=str(TEMPLATES)).write_pdf())


def unit_report_xlsx(report: UnitReport, *, language: str) -> bytes:
    """The report as an Excel workbook in `language`."""
    with speaking(language):
        return unit_report_workbook(
            report,
            translate=lambda text: _n(_(text)),
            status_name=lambda s: _n(status_label(s)),
            task_status_name=lambda s: _n(task_status_label(s)),
            as_of=format_date(report.data_as_of, with_time=True),
        )


def warm_up() -> None:
    """Pay the worker's one-off costs before the first report: WeasyPrint's import (Pango, fonts) and
    Chromium's start with plotly.js loaded (a tiny chart)."""
    import weasyprint

    weasyprint.HTML(string="<p>Phường</p>").write_pdf()
    score_chart_svg([("2026-01", 0.5)], expected=None, score_label="-", expected_label="-")

"""Progress in words: what it is made of, and what was expected by now."""

from __future__ import annotations

from typing import Any

from components.i18n import _, format_number, format_percent
from domain.forecast import Outlook, outlook


def _missing(value: object) -> bool:
    return value is None or value != value  # None or NaN


def progress_text(row: Any) -> str:
    """ "87.1 of 95.0 from a baseline of 70.0 = 68 %": progress never stands without what it is made of."""
    uom = f" {row.unit_of_measure}" if isinstance(row.unit_of_measure, str) and row.unit_of_measure else ""
    if _missing(row.target):
        if _missing(row.progress):
            return _("No target: no progress is computed")
        # Milestone indicators count milestones, not against a target value.
        return f"{format_number(row.current_value)}{uom} = {format_percent(row.progress)}"
    target = f"{format_number(row.target)}{uom}"
    if _missing(row.current_value):
        return _("No value yet (target %(target)s)", target=target)
    values = {
        "value": format_number(row.current_value),
        "target": target,
        "progress": format_percent(row.progress),
    }
    text = (
        _("%(value)s of %(target)s = %(progress)s", **values)
        if _missing(row.baseline)
        else _(
            "%(value)s of %(target)s from a baseline of %(baseline)s = %(progress)s",
            baseline=format_number(row.baseline),
            **values,
        )
    )
    if _missing(row.expected):
        return text
    return text + " · " + _("Expected by now: %(share)s", share=format_percent(row.expected))


def outlook_text(status: str | None, on_course: bool | None, miss_by: float | None, unit_of_measure: str | None) -> str:
    """The forecast in words, decided with the status (domain.forecast.outlook); a shortfall in a
    percentage indicator is in points ("will miss by 4,8 points"), not "4,8 %"."""
    said = outlook(status, on_course, miss_by)
    if said is Outlook.NONE:
        return "–"
    if said is Outlook.REACHED:
        return _("target reached")
    if said is Outlook.ON_COURSE:
        return _("on course")
    if said is Outlook.CATCHING_UP:
        return _("behind now, on course by the year's end if the trend holds")
    unit = (unit_of_measure or "").strip()
    gap = _("%(n)s points", n=format_number(miss_by)) if unit == "%" else f"{format_number(miss_by)} {unit}".strip()
    if said is Outlook.SLIPPING:
        return _("on track now, but will miss by %(gap)s if the trend holds", gap=gap)
    return _("will miss by %(gap)s", gap=gap)

"""Progress in words: what it is made of, and what was expected by now."""

from __future__ import annotations

from typing import Any

from components.i18n import _, format_number, format_percent


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

"""A unit's reorganisation history as a note: what a closed unit became, what a new unit was formed from,
each with a link to the other unit's page in a period it existed in (its history).

Pure builder: data in (a Lineage from data_access.queries.reorganisations), component out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.i18n import _, format_date

LINEAGE_ID = "unit-lineage"


def _links(links: Sequence[Any], year_of: date) -> list[Any]:
    """Links to the units, each opened at the year it existed in around the change."""
    out: list[Any] = []
    for i, link in enumerate(links):
        if i:
            out.append(", ")
        out.append(html.A(link.name, href=f"/unit/{link.unit_id}?period={year_of.year}"))
    return out


def _by_change(links: Sequence[Any]) -> dict[tuple[str, date], list[Any]]:
    grouped: dict[tuple[str, date], list[Any]] = {}
    for link in links:
        grouped.setdefault((link.change_kind, link.effective_on), []).append(link)
    return grouped


def _successor_line(kind: str, on: date, links: list[Any]) -> list[Any]:
    when = format_date(on)
    units = _links(links, on)
    if kind == "merge":
        return [_("Merged into"), " ", *units, " ", _("on %(date)s", date=when)]
    if kind == "split":
        return [_("Split into"), " ", *units, " ", _("on %(date)s", date=when)]
    if kind == "rename":
        return [_("Renamed to"), " ", *units, " ", _("on %(date)s", date=when)]
    return [_("Moved; continues as"), " ", *units, " ", _("from %(date)s", date=when)]


def _predecessor_line(kind: str, on: date, links: list[Any]) -> list[Any]:
    when = format_date(on)
    units = _links(links, on - timedelta(days=1))
    if kind == "merge":
        return [_("Formed on %(date)s by merging", date=when), " ", *units]
    if kind == "split":
        return [_("Formed on %(date)s by splitting", date=when), " ", *units]
    if kind == "rename":
        return [_("Until %(date)s named", date=format_date(on - timedelta(days=1))), " ", *units]
    return [_("Until %(date)s", date=format_date(on - timedelta(days=1))), " ", *units]


def lineage_note(lineage: Any) -> dbc.Alert | None:
    """ "Merged into X on D" for a replaced unit, "Formed on D by merging A, B" for its successor;
    nothing for a unit that was never reorganised."""
    lines = [
        html.Div(_successor_line(kind, on, links), className="pulse-lineage-successors")
        for (kind, on), links in _by_change(lineage.successors).items()
    ] + [
        html.Div(_predecessor_line(kind, on, links), className="pulse-lineage-predecessors")
        for (kind, on), links in _by_change(lineage.predecessors).items()
    ]
    if not lines:
        return None
    colour = "warning" if lineage.successors else "info"
    return dbc.Alert(lines, color=colour, className="py-2 mb-3", id=LINEAGE_ID)

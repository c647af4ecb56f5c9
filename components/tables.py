"""Data tables: dash-ag-grid with sorting and filters, links as escaped markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag

from components.i18n import _, current_language
from domain.kinds import LANGUAGES

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>])")


def md_link(text: str | None, href: str) -> str:
    """A markdown link whose text cannot inject markup (user text is escaped)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text or "–")
    return f"[{escaped}]({href})"


def column(
    field: str,
    header: str,
    *,
    flex: int = 1,
    link: bool = False,
    numeric: bool = False,
    digits: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A grid column; `digits` writes its numbers as the user's language does (87,1 in vi and fr)."""
    spec: dict[str, Any] = {"field": field, "headerName": header, "flex": flex, **extra}
    if digits is not None:
        spec["valueFormatter"] = number_format(digits)
    if link:
        spec["cellRenderer"] = "markdown"
    if numeric:
        spec["filter"] = "agNumberColumnFilter"
        spec["type"] = "rightAligned"
    return spec


def number_format(digits: int = 1) -> dict[str, Any]:
    """A grid column's valueFormatter: numbers as the user's language writes them (87,1 in vi and fr).

    The language code is one of the app's own (vi, en, fr), never user text.
    """
    language = current_language() if current_language() in LANGUAGES else "vi"
    # pulseNumber is in assets/grid_formats.js: the grid calls named functions (no eval under the CSP).
    return {"function": f"pulseNumber(params.value, '{language}', {int(digits)})"}


def grid_locale() -> dict[str, str]:
    """AG Grid's own words (paging, empty grid, filters) in the user's language: English otherwise."""
    return {
        "noRowsToShow": _("Nothing to show"),
        "loadingOoo": _("Loading…"),
        "page": _("Page"),
        "of": _("of"),
        "to": _("to"),
        "more": _("more"),
        "firstPage": _("First page"),
        "lastPage": _("Last page"),
        "nextPage": _("Next page"),
        "previousPage": _("Previous page"),
        "pageSizeSelectorLabel": _("Rows per page:"),
        "filterOoo": _("Filter…"),
        "equals": _("Equals"),
        "notEqual": _("Does not equal"),
        "contains": _("Contains"),
        "notContains": _("Does not contain"),
        "startsWith": _("Starts with"),
        "endsWith": _("Ends with"),
        "lessThan": _("Less than"),
        "greaterThan": _("Greater than"),
        "inRange": _("Between"),
        "blank": _("Blank"),
        "notBlank": _("Not blank"),
        "andCondition": _("AND"),
        "orCondition": _("OR"),
    }


def data_grid(
    grid_id: str,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[dict[str, Any]],
    *,
    height: str = "auto",
    page_size: int = 50,
) -> dag.AgGrid:
    """A sortable, filterable grid; `height="auto"` fits short tables to their rows."""
    auto = height == "auto"
    return dag.AgGrid(
        id=grid_id,
        rowData=list(rows),
        columnDefs=list(columns),
        # Headers wrap rather than being cut ("Thay đổi so với c…").
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "minWidth": 90,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions={
            "domLayout": "autoHeight" if auto and len(rows) <= page_size else "normal",
            "pagination": len(rows) > page_size,
            "paginationPageSize": page_size,
            "animateRows": False,
            "localeText": grid_locale(),
        },
        style={} if auto and len(rows) <= page_size else {"height": "70vh" if auto else height},
    )

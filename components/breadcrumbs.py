"""Breadcrumbs from the root of the viewer's scope to the current unit."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc


def breadcrumbs(trail: Sequence[tuple[str, str | None]]) -> dbc.Breadcrumb:
    """`trail` is (label, href) from the top; the last item is the current page (no link)."""
    items = [
        {"label": label, "href": href, "external_link": False}
        if href and i < len(trail) - 1
        else {"label": label, "active": True}
        for i, (label, href) in enumerate(trail)
    ]
    return dbc.Breadcrumb(items=items, className="mb-2")

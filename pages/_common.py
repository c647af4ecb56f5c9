"""Helpers shared by the pages: the period from the URL, the cached read, errors as alerts, the detail frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.labels import source_label
from data_access.errors import Forbidden, NotFound, PulseError
from data_access.queries.scope import data_version
from data_access.viewer import Viewer
from domain.periods import InvalidPeriod, parse_period
from pages._inputs import as_id
from server.context import current_store, current_viewer, extension
from server.i18n import _, format_date
from server.shell import default_period_code

T = TypeVar("T")


def page_period(period: object) -> str:
    """The period code a page shows: the URL's, or the default when absent, malformed or not text at all."""
    try:
        return parse_period(period).code if isinstance(period, str) and period else default_period_code()
    except InvalidPeriod:
        return default_period_code()


def source_text(kind: str | None, ref: object) -> str:
    """ "Resolution 57-NQ/TW": the kind of source and its reference, when there is one."""
    return f"{source_label(kind)} {ref if isinstance(ref, str) else ''}".strip()


def cached(name: str, viewer: Viewer, period: str, compute: Callable[[Any], T], *extra: object) -> T:
    """Run a read query at most once per scope, period and data version (shared cache)."""
    from data_access.cache import ScopedCache, cache_key

    cache: ScopedCache = extension("cache") or ScopedCache()
    with current_store().read() as session:
        version = data_version(session)
        key = cache_key(name, viewer, period, version, *extra)
        return cache.get_or_compute(key, lambda: compute(session))


def guarded(render: Callable[[Viewer], T]) -> T | dbc.Alert:
    """Run a page's render with the viewer; refusals and unknown ids become a friendly alert."""
    viewer = current_viewer()
    try:
        return render(viewer)
    except Forbidden as refusal:
        audit_refusal(viewer, str(refusal))
        return dbc.Alert(_("This is outside what your role and scope let you see."), color="warning")
    except NotFound:
        return dbc.Alert(_("Nothing here: the item does not exist, or not for this period."), color="secondary")
    except PulseError:
        return dbc.Alert(_("Something went wrong."), color="danger")


@dataclass(frozen=True)
class DetailIds:
    """The component ids of a page about one item (/unit/<id>, /indicator/<id>, /person/<id>)."""

    prefix: str

    @property
    def period(self) -> str:
        return f"{self.prefix}-period"

    @property
    def item(self) -> str:
        return f"{self.prefix}-id"

    @property
    def body(self) -> str:
        return f"{self.prefix}-body"


def detail_layout(ids: DetailIds, item_id: str | None, period: str | None) -> html.Div:
    """The skeleton of an item page: the period and the item id from the URL, and a body to fill."""
    return html.Div(
        [
            dcc.Store(id=ids.period, data=page_period(period)),
            dcc.Store(id=ids.item, data=item_id),
            html.Div(dbc.Spinner(color="primary"), id=ids.body),
        ]
    )


def render_detail(item_id: str | None, period: str | None, render: Callable[[Viewer, int, str], T]) -> T | dbc.Alert:
    """Fill an item page: malformed ids, refusals and unknown items become a friendly alert."""
    chosen = as_id(item_id)
    if chosen is None:
        return dbc.Alert(_("Nothing here: the item does not exist, or not for this period."), color="secondary")
    return guarded(lambda viewer: render(viewer, chosen, page_period(period)))


def audit_refusal(viewer: Viewer, detail: str) -> None:
    """Write a refusal to the audit log in its own transaction (the refused work wrote nothing)."""
    from data_access import audit

    with current_store().write() as session:
        audit.record(session, user_id=viewer.user_id, action="read", entity="scope", outcome="denied", detail=detail)


def updated_at() -> html.Span:
    from config.clock import now

    return html.Span(_("Data as of %(time)s", time=format_date(now(), with_time=True)), className="pulse-updated")

"""The app shell around every page: navbar (from the page registry, filtered by role), the period
selector that lives in the URL (?period=2026-Q3), and the page container.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, html, no_update
from flask import request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from components.navbar import LANGUAGE_LINK_TYPE, PERIOD_SELECT_ID, NavItem, navbar
from config.clock import today
from domain.landing import person_path
from domain.periods import InvalidPeriod, PeriodKind, parse_period, period_of, periods_of_year
from server.i18n import LANGUAGES, _, current_language
from server.live import live_components, register_live_callbacks

PAGES_LOCATION = "_pages_location"  # the dcc.Location that Dash's page router owns


def default_period_code() -> str:
    """The period a page shows when the URL names none: the current year."""
    return str(today().year)


def period_from_query(search: object) -> str:
    """The period code of a query string, or the default when absent or malformed."""
    values = parse_qs(search.lstrip("?")).get("period", []) if isinstance(search, str) else []
    try:
        return parse_period(values[0]).code if values else default_period_code()
    except InvalidPeriod:
        return default_period_code()


def period_options() -> list[tuple[str, str]]:
    """This year's and last year's periods, newest first, labelled in the user's language."""
    options = []
    this_month = period_of(today(), PeriodKind.MONTH)
    for year in (today().year, today().year - 1):
        for period in periods_of_year(year):
            if period.kind is PeriodKind.MONTH and period > this_month:
                continue
            if period.kind is PeriodKind.YEAR:
                label = _("Year %(year)s", year=year)
            elif period.kind is PeriodKind.QUARTER:
                label = _("Quarter %(number)s/%(year)s", number=period.number, year=year)
            else:
                label = _("Month %(number)s/%(year)s", number=period.number, year=year)
            options.append((period.code, label))
    return options


def nav_items(role: str, scope_kind: str = "") -> list[NavItem]:
    """Pages with a nav label that this viewer may open, in their registered order."""
    from server.security import page_allows

    pages = sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0)
    return [
        NavItem(str(p["nav_label"]), p["path"], str(p["nav_group"]) if p.get("nav_group") else None)
        for p in pages
        if p.get("nav_label") and page_allows(p, role, scope_kind)
    ]


def serve_layout() -> html.Div:
    """Built per request for the logged-in user (the guard has already refused anonymous ones)."""
    if not getattr(current_user, "is_authenticated", False):
        return html.Div(dash.page_container)
    path = request.args.get("next") or "/"
    bar = navbar(
        items=nav_items(current_user.role.value, _scope_kind()),
        periods=period_options(),
        period=default_period_code(),
        languages=LANGUAGES,
        language=current_language(),
        username=_user_label(),
        labels={"period": _("Period"), "account": _("My account"), "logout": _("Log out"), "me": _("My page")},
        csrf_token=generate_csrf(),
        current_path=path,
        me_href=person_path(_person_id()),
    )
    return html.Div(
        [
            bar,
            live_components(),
            dbc.Container(dash.page_container, fluid=True, className="pb-4"),
            failure_texts(),
        ],
        id="pulse-shell",
    )


def failure_texts() -> html.Div:
    """What assets/callback_failures.js says when an action fails, in the user's language."""
    still_here = _("What you entered is still here.")
    texts = {
        "data-busy": _("The server is busy and nothing was saved. Try again in a moment.") + " " + still_here,
        "data-offline": _("The server could not be reached and nothing was saved. Check the connection and try again.")
        + " "
        + still_here,
        "data-error": _("Something went wrong and the action did not finish. Try again, or reload the page.")
        + " "
        + still_here,
        "data-session": _("Your session has ended. Log in again in a new tab, then try again.") + " " + still_here,
        # A request over the server's 20 MB body limit (413), in practice an upload: refused before it is read.
        "data-too_large": _("The file is too large to send: nothing was read or saved. Split it or make it smaller."),
        "data-close": _("Close"),
    }
    return html.Div(id="pulse-failure-text", hidden=True, **texts)


def _scope_kind() -> str:
    from server.context import current_viewer

    return current_viewer().scope_kind


def _person_id() -> int | None:
    from server.context import current_viewer

    return current_viewer().person_id


def _user_label() -> str:
    from server.context import current_viewer

    # A person's name where a person's name belongs (issue 12); the login only for accounts of no person.
    return current_viewer().display_name


def register_shell_callbacks(app: dash.Dash) -> None:
    """Keep the period selector and the URL's ?period= in step (both ways); poll for changes."""
    register_live_callbacks(app)

    @app.callback(
        Output(PAGES_LOCATION, "search"),
        Output(PERIOD_SELECT_ID, "value"),
        Input(PERIOD_SELECT_ID, "value"),
        Input(PAGES_LOCATION, "search"),
        State(PAGES_LOCATION, "pathname"),
    )
    def sync_period(selected: str | None, search: str | None, _pathname: str | None):  # type: ignore[no-untyped-def]
        trigger = dash.ctx.triggered_id
        in_url = period_from_query(search)
        if trigger == PERIOD_SELECT_ID and isinstance(selected, str) and selected and selected != in_url:
            params = parse_qs(search.lstrip("?")) if isinstance(search, str) else {}
            params["period"] = [period_from_query(f"period={selected}")]
            return "?" + urlencode(params, doseq=True), no_update
        return no_update, in_url

    # The language forms come back to the page the user is on, period and filters included.
    app.clientside_callback(
        """function(path, search, ids) {
            var back = encodeURIComponent((path || '/') + (search || ''));
            return ids.map(function(id) { return '/language/' + id.index + '?next=' + back; });
        }""",
        Output({"type": LANGUAGE_LINK_TYPE, "index": ALL}, "action"),
        Input(PAGES_LOCATION, "pathname"),
        Input(PAGES_LOCATION, "search"),
        State({"type": LANGUAGE_LINK_TYPE, "index": ALL}, "id"),
    )
    # The phone menu opens with the toggler and closes once the user has gone to a page.
    app.clientside_callback(
        """function(n, path, open) {
            var fired = (dash_clientside.callback_context.triggered || []).map(function(t) { return t.prop_id; });
            return fired.indexOf('pulse-navbar-toggler.n_clicks') >= 0 && n ? !open : false;
        }""",
        Output("pulse-navbar-collapse", "is_open"),
        Input("pulse-navbar-toggler", "n_clicks"),
        Input(PAGES_LOCATION, "pathname"),
        State("pulse-navbar-collapse", "is_open"),
    )

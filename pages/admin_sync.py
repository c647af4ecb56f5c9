"""/admin/sync: the synchronisation with the national cadre database, as the ministry asks it reported: per
unit the records synced, pending, rejected and kept out with the last successful send; day by day the
batches sent and the receiver's answers; the records to fix, each linked to the page where it is fixed;
the latest batches with who signed them. Administrators see their whole agency, delegated ones their
subtree. Building, signing and sending stay with `flask sync` (the officer's certificate never reaches the
web server).
Data: data_access.queries.sync (the same figures as `flask sync status`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from components.i18n import format_date, format_number
from config.clock import today
from data_access.queries import sync as queries
from domain.admin_access import ADMIN_PAGE_ROLES
from domain.records import message as record_message
from domain.records.messages import MESSAGES as RECORD_MESSAGES
from domain.sync_batches import reason_parts
from pages._admin import PEOPLE_PATH, SYNC_PATH, UNITS_PATH, admin_menu, admin_viewer, field_label
from server.context import current_store
from server.i18n import _, gettext, lazy_gettext

dash.register_page(
    __name__,
    path=SYNC_PATH,
    name="Synchronisation",
    order=96,
    nav_label=None,
    title="Pulse",
    roles=list(ADMIN_PAGE_ROLES),
    admin=True,
)

REFRESH = "admin-sync-refresh"
RELOAD = "admin-sync-reload"
BODY = "admin-sync-body"
DAYS_SHOWN = 14

_STATUSES = {
    "draft": lazy_gettext("built, not signed"),
    "signed": lazy_gettext("signed, not sent"),
    "sent": lazy_gettext("sent, no answer yet"),
    "accepted": lazy_gettext("accepted"),
    "partly_rejected": lazy_gettext("partly rejected"),
    "rejected": lazy_gettext("rejected"),
}
_KINDS = {"dry_run": lazy_gettext("trial (1 to 10 records)"), "full": lazy_gettext("full")}
# What the receiver answers (the reference receiver's codes; another receiver's show as sent).
_RECEIVER = {
    "malformed": lazy_gettext("the receiver could not read the batch"),
    "tampered": lazy_gettext("the content was changed after it was signed"),
    "untrusted": lazy_gettext("the certificate is not issued by the trusted authority"),
    "expired": lazy_gettext("the certificate had expired"),
    "revoked": lazy_gettext("the certificate is revoked"),
    "outside_replay_window": lazy_gettext("sent too long after it was built: build it again"),
    "batch_id_reused": lazy_gettext("another content was already sent under this batch id"),
    "idempotency_key_mismatch": lazy_gettext("the idempotency key does not match the batch"),
    "unknown_shape": lazy_gettext("the receiver does not know this kind of record"),
    "citizen_id: not 12 digits": lazy_gettext("the citizen id is not 12 digits"),
}


class _Elided(dict[str, str]):
    """Values a stored reason no longer has: a message's placeholders read as an ellipsis."""

    def __missing__(self, _key: str) -> str:
        return "…"


def layout(**_kwargs: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=REFRESH, data=0),
            html.H1(_("Synchronisation with the national database"), className="h3"),
            admin_menu(SYNC_PATH),
            html.P(
                _(
                    "Records of your units sent to the national database of cadres, civil servants and public "
                    "employees, by the latest answer for each record. Batches are built, signed with the "
                    "officer's certificate and sent with the command flask sync."
                ),
                className="text-secondary",
            ),
            dbc.Button(_("Refresh"), id=RELOAD, color="secondary", outline=True, size="sm", className="mb-3"),
            dcc.Loading(html.Div(id=BODY)),
        ]
    )


@callback(Output(BODY, "children"), Input(REFRESH, "data"), Input(RELOAD, "n_clicks"))
def render(_refresh: Any, _clicks: Any) -> Any:
    """The four reports over the administrator's subtree."""
    viewer = admin_viewer()
    with current_store().read() as session:
        scope = queries.units_of(viewer)
        units = queries.sync_status(session, scope)
        days = queries.sync_days(session, scope, since=today() - timedelta(days=DAYS_SHOWN - 1))
        to_fix, to_fix_total = queries.records_to_fix(session, scope)
        batches = queries.recent_batches(session, scope)
    if not batches:
        return dbc.Alert(_("No batch has been built for your units yet."), color="info", className="admin-sync-empty")
    return html.Div([_totals(units), _units(units), _days(days), _to_fix(to_fix, to_fix_total), _batches(batches)])


def _table(head: list[str], rows: list[Any], class_name: str) -> dbc.Table:
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
        size="sm",
        striped=True,
        responsive=True,
        className=class_name,
    )


def _totals(units: list[queries.UnitSyncStatus]) -> dbc.Row:
    figures = [
        (_("Synced"), sum(u.synced for u in units), "success"),
        (_("Pending"), sum(u.pending for u in units), "secondary"),
        (_("Rejected"), sum(u.rejected for u in units), "danger"),
        (_("Kept out (to fix first)"), sum(u.kept_out for u in units), "warning"),
    ]
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(label, className="small text-secondary"),
                            html.Div(format_number(n, 0), className="h4"),
                        ]
                    ),
                    className=f"border-{color} admin-sync-total",
                ),
                xs=6,
                md=3,
                className="mb-2",
            )
            for label, n, color in figures
        ],
        className="g-2 mb-3",
    )


def _units(units: list[queries.UnitSyncStatus]) -> html.Div:
    rows = [
        html.Tr(
            [
                html.Td(u.unit_name),
                html.Td(format_number(u.synced, 0)),
                html.Td(format_number(u.pending, 0)),
                html.Td(format_number(u.rejected, 0)),
                html.Td(format_number(u.kept_out, 0)),
                html.Td(format_date(u.last_success, with_time=True) if u.last_success else _("never")),
            ]
        )
        for u in units
    ]
    head = [_("Unit"), _("Synced"), _("Pending"), _("Rejected"), _("Kept out"), _("Last success")]
    return html.Div([html.H2(_("By unit"), className="h5"), _table(head, rows, "admin-sync-units")])


def _days(days: list[queries.SyncDay]) -> html.Div:
    title = html.H2(_("Day by day (last %(n)s days)", n=DAYS_SHOWN), className="h5")
    if not days:
        return html.Div([title, html.P(_("Nothing was sent in these days."), className="text-secondary")])
    rows = [
        html.Tr(
            [
                html.Td(format_date(d.day)),
                html.Td(format_number(d.batches, 0)),
                html.Td(format_number(d.accepted, 0)),
                html.Td(format_number(d.rejected, 0)),
            ]
        )
        for d in days
    ]
    head = [_("Day"), _("Batches sent"), _("Records accepted"), _("Records rejected")]
    return html.Div([title, _table(head, rows, "admin-sync-days")])


def _reason(reason: str | None) -> str:
    """A stored reason in the reader's language: the record rules' messages, or the receiver's answer."""
    texts = []
    for field, code, _quality in reason_parts(reason):
        if code in RECORD_MESSAGES:
            text = record_message(code, _Elided(), gettext)
            texts.append(f"{field_label(field)}: {text}" if field else text)
        elif code in _RECEIVER:
            texts.append(str(_RECEIVER[code]))
        elif code.startswith("missing: "):
            texts.append(_("the receiver needs: %(fields)s", fields=code.removeprefix("missing: ")))
        else:
            texts.append(_("the receiver answered: %(code)s", code=code))
    return "; ".join(texts) or "–"


def _to_fix(records: list[queries.RecordToFix], total: int) -> html.Div:
    title = html.H2(_("Records to fix"), className="h5")
    if not records:
        return html.Div([title, html.P(_("No record is rejected or kept out."), className="text-secondary")])
    rows = []
    for record in records:
        if record.record_id is None:
            name: Any = record.name
        elif record.kind == "person":
            name = dcc.Link(record.name, href=f"{PEOPLE_PATH}?person={record.record_id}")
        else:
            name = dcc.Link(record.name, href=UNITS_PATH)
        outcome = _("rejected") if record.outcome == "rejected" else _("kept out")
        rows.append(
            html.Tr([html.Td(name), html.Td(record.unit_name), html.Td(outcome), html.Td(_reason(record.reason))])
        )
    parts: list[Any] = [title, _table([_("Record"), _("Unit"), _("Answer"), _("Why")], rows, "admin-sync-to-fix")]
    if total > len(records):
        parts.append(html.P(_("The newest %(shown)s of %(n)s.", shown=len(records), n=total), className="small"))
    return html.Div(parts)


def _batches(batches: list[queries.BatchLine]) -> html.Div:
    rows = [
        html.Tr(
            [
                html.Td(html.Code(b.batch_key[:8])),
                html.Td(b.unit_name),
                html.Td(str(_KINDS.get(b.kind, b.kind))),
                html.Td(str(_STATUSES.get(b.status, b.status))),
                html.Td(f"{format_number(b.accepted, 0)} / {format_number(b.records, 0)}"),
                html.Td(
                    [b.signer or "–", html.Br(), html.Small(html.Code(b.cert_fingerprint[:16]))]
                    if b.cert_fingerprint
                    else (b.signer or "–")
                ),
                html.Td(format_date(b.sent_at, with_time=True) if b.sent_at else "–"),
            ]
        )
        for b in batches
    ]
    head = [_("Batch"), _("Unit"), _("Kind"), _("State"), _("Accepted"), _("Signed by"), _("Sent")]
    return html.Div([html.H2(_("Latest batches"), className="h5"), _table(head, rows, "admin-sync-batches")])

"""/public, /public.csv and /public.json: what the city and its wards publish to citizens, without login.

For the city (each indicator as the mean over the wards that publish it) and for each unit: the
indicators published to the public (citizen-facing ones first), their value, target, monthly trend and
the date of their latest value. Plain server-rendered HTML (no script: fast on a phone, readable by any
screen reader), a search by ward name with or without accents, and the same figures as CSV and JSON
under an open licence. The figures are computed once per data version and day (the app's cache) and
every client address is limited per minute (server.throttle.PublicRate). Nothing here ever names a
person: data_access.queries.public reads units, indicators and numbers only.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from components.i18n import LANGUAGE_NAMES, format_date, format_number
from config.clock import today as clock_today
from data_access.cache import PREFIX, ScopedCache
from data_access.queries.public import city_figures, city_name, public_units
from data_access.queries.scope import data_version
from domain.text import fold
from server.auth import client_address
from server.context import current_store, extension
from server.i18n import _

bp = Blueprint("public", __name__)

# Every route this blueprint serves: the guard (server.security) lets exactly these through anonymously.
ROUTES = ("/public", "/public.csv", "/public.json")
LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
MAX_QUERY = 80
SPARK_WIDTH, SPARK_HEIGHT = 120, 32
CSV_COLUMNS = (
    "unit_code",
    "unit_name",
    "unit_kind",
    "indicator_code",
    "indicator_name",
    "unit_of_measure",
    "value",
    "target",
    "band_low",
    "band_high",
    "data_as_of",
    "year",
)


def _limited() -> None:
    rate = extension("public_rate")
    if rate is not None and not rate.allow(client_address()):
        abort(429)


def figures() -> dict[str, Any]:
    """The published figures as plain JSON values, cached per data version and day (a raise scheduled
    for a date shows from that date on without any write)."""
    today = clock_today()
    store = current_store()
    with store.read() as session:
        version = data_version(session)

    def compute() -> dict[str, Any]:
        with store.read() as session:
            units = public_units(session, today=today)
            name = city_name(session)
        city = city_figures(units)
        return {
            "year": today.year,
            "city": {"name": name, "indicators": [_plain(asdict(f)) for f in city]},
            "units": [
                {
                    "code": u.code,
                    "name": u.name,
                    "kind": u.kind,
                    "search": u.search_key,
                    "indicators": [_plain(asdict(i)) for i in u.indicators],
                }
                for u in units
            ],
        }

    cache: ScopedCache = extension("cache") or ScopedCache()
    return cache.get_or_compute(f"{PREFIX}public:{version}:{today.isoformat()}", compute)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """Dates as ISO text and the trend as a list of {month, value} (JSON and the shared cache keep these)."""
    out = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items() if k != "trend"}
    out["trend"] = [{"month": m, "value": v} for m, v in row.get("trend", ())]
    return out


def licence_line(city: str) -> str:
    return _(
        "Open data: %(city)s, published indicators, licence %(licence)s (%(url)s). Reuse freely, citing the source.",
        city=city,
        licence=LICENCE_NAME,
        url=LICENCE_URL,
    )


def sparkline(trend: list[dict[str, Any]]) -> str:
    """The SVG polyline points of a trend ("" for fewer than two values): oldest left, scaled to its range."""
    values = [p["value"] for p in trend if p["value"] is not None]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = SPARK_WIDTH / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 2 - (v - low) / span * (SPARK_HEIGHT - 4):.1f}" for i, v in enumerate(values)
    )


def _target_text(item: dict[str, Any]) -> str:
    if item.get("target") is not None:
        return format_number(item["target"])
    if item.get("band_low") is not None and item.get("band_high") is not None:
        return f"{format_number(item['band_low'])}–{format_number(item['band_high'])}"
    return "–"


def _trend_text(item: dict[str, Any]) -> str:
    """What the sparkline shows, in words (for screen readers)."""
    points = [p for p in item["trend"] if p["value"] is not None]
    if not points:
        return _("No values yet")
    return _(
        "Trend by month: %(values)s", values=", ".join(f"{p['month']}: {format_number(p['value'])}" for p in points)
    )


def _view(item: dict[str, Any]) -> dict[str, Any]:
    """One indicator as the template shows it, formatted in the visitor's language."""
    return {
        **item,
        "value_text": format_number(item["value"]),
        "target_text": _target_text(item),
        "as_of_text": format_date(date.fromisoformat(item["data_as_of"])) if item.get("data_as_of") else "–",
        "spark": sparkline(item["trend"]),
        "trend_text": _trend_text(item),
    }


@bp.get("/public")
def page() -> Response:
    _limited()
    data = figures()
    query = (request.args.get("q") or "")[:MAX_QUERY]
    wanted = fold(query)
    units = [u for u in data["units"] if not wanted or wanted in u["search"]]
    dates = [i["data_as_of"] for u in data["units"] for i in u["indicators"] if i.get("data_as_of")]
    html = render_template(
        "public.html",
        city=data["city"]["name"],
        year=data["year"],
        city_indicators=[_view(i) for i in data["city"]["indicators"]],
        units=[{**u, "indicators": [_view(i) for i in u["indicators"]]} for u in units],
        n_units=len(data["units"]),
        query=query,
        searched=bool(wanted),
        as_of=format_date(date.fromisoformat(max(dates))) if dates else "–",
        licence_name=LICENCE_NAME,
        licence_url=LICENCE_URL,
        languages={code.value: name for code, name in LANGUAGE_NAMES.items()},
        spark_width=SPARK_WIDTH,
        spark_height=SPARK_HEIGHT,
    )
    return _revalidated(Response(html, mimetype="text/html"))


def _revalidated(response: Response) -> Response:
    """Browsers and proxies keep a copy but ask each time (an ETag answers 304 when nothing changed): a
    lowered indicator must leave every screen at once, and the figures are cached on the server anyway."""
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    response.make_conditional(request)  # answers 304 in place when the browser's copy is current
    return response


def _rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "unit_code": u["code"],
            "unit_name": u["name"],
            "unit_kind": u["kind"],
            "indicator_code": i["code"],
            "indicator_name": i["name"],
            "unit_of_measure": i["unit_of_measure"],
            "value": i["value"],
            "target": i["target"],
            "band_low": i["band_low"],
            "band_high": i["band_high"],
            "data_as_of": i["data_as_of"],
            "year": data["year"],
        }
        for u in data["units"]
        for i in u["indicators"]
    ]


@bp.get("/public.csv")
def as_csv() -> Response:
    """One row per unit and indicator, after a first comment line that carries the licence."""
    _limited()
    data = figures()
    out = io.StringIO()
    out.write("# " + licence_line(data["city"]["name"]) + "\n")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_rows(data))
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")  # the BOM: Excel reads UTF-8 right
    response.headers["Content-Disposition"] = f'attachment; filename="public-indicators-{data["year"]}.csv"'
    return _revalidated(response)


@bp.get("/public.json")
def as_json() -> Response:
    """The city's figures and every unit's published indicators, with the licence."""
    _limited()
    data = figures()
    body = {
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL, "text": licence_line(data["city"]["name"])},
        "year": data["year"],
        "city": data["city"],
        "units": [{k: v for k, v in u.items() if k != "search"} for u in data["units"]],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")

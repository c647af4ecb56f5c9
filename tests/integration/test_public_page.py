"""/public, /public.csv and /public.json for an anonymous visitor: the city's and the wards' published
figures, the accent-free ward search, the licence, the cache and the rate limit, exactly these three routes
open to anonymous clients, and no personal data anywhere (every citizen id, person's name and e-mail
address of the seed is looked for in the page and both files)."""

from __future__ import annotations

import csv
import io
import json

from flask import Flask
from sqlalchemy import select

from data_access.commands.publication import set_visibility
from data_access.db import Store
from data_access.models import Indicator, OrgUnit, Person
from server.api_rate import ApiRateLimit
from server.throttle import PublicRate
from tests.support.viewers import viewer_of

HOAN_KIEM = "W00070"


def store_of(server: Flask) -> Store:
    return server.extensions["pulse"]["store"]


def unit_names(server: Flask) -> dict[str, str]:
    with store_of(server).read() as session:
        return dict(session.execute(select(OrgUnit.code, OrgUnit.name)).all())


def test_an_anonymous_visitor_reads_the_city_and_every_ward(server: Flask) -> None:
    client = server.test_client()
    response = client.get("/public?lang=en")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    names = unit_names(server)
    assert "Public indicators" in text and "Data as of" in text
    assert names[HOAN_KIEM] in text
    # the citizen-facing ones, in their order, in the city's section
    city = text[text.index('id="public-city-cards"') :]
    online = city.index("Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến")
    on_time = city.index("Tỷ lệ hồ sơ giải quyết đúng hạn")
    satisfaction = city.index("Chỉ số hài lòng của người dân (SIPAS)")
    assert online < on_time < satisfaction
    assert 'role="img"' in text and "Trend by month" in text  # the trend is said in words too
    assert 'rel="license"' in text


def test_the_ward_search_ignores_accents(server: Flask) -> None:
    client = server.test_client()
    names = unit_names(server)
    wards = json.loads(client.get("/public.json").get_data(as_text=True))["units"]
    other = next(u["name"] for u in wards if u["code"] != HOAN_KIEM)
    for typed in ("hoan kiem", "Hoàn Kiếm", "HOAN KIÊM"):
        text = client.get("/public", query_string={"q": typed}).get_data(as_text=True)
        assert f'data-code="{HOAN_KIEM}"' in text, typed
        assert other not in text
    assert names[HOAN_KIEM] in text
    missing = client.get("/public", query_string={"q": "zzzz", "lang": "en"}).get_data(as_text=True)
    assert "No ward matches" in missing


def test_csv_and_json_carry_the_same_figures_and_the_licence(server: Flask) -> None:
    client = server.test_client()
    raw = client.get("/public.csv")
    assert raw.status_code == 200 and raw.mimetype == "text/csv"
    lines = raw.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("# ") and "CC BY 4.0" in lines[0]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    data = client.get("/public.json").get_json()
    assert data["licence"]["name"] == "CC BY 4.0" and data["licence"]["url"].startswith("https://")
    from_json = {(u["code"], i["code"]): (i["value"], i["data_as_of"]) for u in data["units"] for i in u["indicators"]}
    from_csv = {
        (r["unit_code"], r["indicator_code"]): (float(r["value"]) if r["value"] else None, r["data_as_of"] or None)
        for r in rows
    }
    assert from_csv == from_json and len(from_csv) >= 3
    assert {"TTHC-TT", "DUNGHAN", "HAILONG"} <= {code for unit, code in from_csv if unit == HOAN_KIEM}


def test_no_personal_data_in_the_page_or_the_files(server: Flask) -> None:
    client = server.test_client()
    bodies = [client.get(path).get_data(as_text=True) for path in ("/public", "/public.csv", "/public.json")]
    bodies.append(client.get("/public", query_string={"q": "hoan kiem"}).get_data(as_text=True))
    with store_of(server).read() as session:
        people = session.execute(select(Person.citizen_id, Person.full_name, Person.email, Person.phone)).all()
    assert len(people) > 100
    found = {value for person in people for value in person if value and any(value in body for body in bodies)}
    assert not found
    for body in bodies:
        assert "@" not in body.replace("@media", "")  # no e-mail address of any kind


def test_only_these_three_routes_are_open_and_a_visitor_is_rate_limited(server: Flask) -> None:
    client = server.test_client()
    store = store_of(server)
    server.extensions["pulse"]["public_rate"] = PublicRate(ApiRateLimit(store, None, prefix="t"), per_minute=3)
    codes = [client.get(path).status_code for path in ("/public", "/public.csv", "/public.json", "/public")]
    assert codes == [200, 200, 200, 429]  # the fourth in a minute from one address
    for path in ("/public/x", "/public.xml", "/publicity", "/public.json/x"):
        response = client.get(path)
        assert response.status_code in (302, 401), path


def test_cached_until_the_data_changes(server: Flask) -> None:
    client = server.test_client()
    cache = server.extensions["pulse"]["cache"]
    client.get("/public")
    computed = cache.computations
    client.get("/public.csv")
    client.get("/public.json")
    assert cache.computations == computed  # one computation served all three
    store = store_of(server)
    head = viewer_of(store, "lanhdao.hoankiem")
    with store.read() as session:
        ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == HOAN_KIEM)).scalar_one()
        indicator = session.execute(
            select(Indicator).where(
                Indicator.unit_id == ward, Indicator.code == "HAILONG", Indicator.visibility == "public"
            )
        ).scalar_one()
    set_visibility(
        store, head, indicator_id=indicator.id, wanted="city", effective_from=None, version=indicator.version
    )
    data = client.get("/public.json").get_json()
    assert cache.computations == computed + 1
    hoan_kiem = next(u for u in data["units"] if u["code"] == HOAN_KIEM)
    assert "HAILONG" not in {i["code"] for i in hoan_kiem["indicators"]}

"""Server time of each dashboard callback at the hanoi scale, against the naive pandas approach.

`python -m bench.dashboard_bench [--database-url postgresql://...] [--calls 50]` seeds a fresh
hanoi-scale database (SQLite by default; measured as seeded, without waiting for PostgreSQL's
autovacuum to gather planner statistics), logs in as the city leader, and posts each dashboard
callback to /_dash-update-component with the shared cache emptied before every call, so each
figure is a real query. The /lagging grid counts as three callbacks: its header, its first block
of rows, and a block of a sorted and filtered list. Prints one line per callback, then
`overall p95_ms=<n> speedup_vs_naive=<n>` (naive median / overview median).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app import create_app
from bench.databases import fresh_database
from bench.naive import naive_overview
from config.settings import Settings
from data_access.db import Store
from data_access.models import Indicator, Objective, OrgUnit, Period, Person
from data_access.seed import seed_demo
from tests.support.login import csrf_header, login

TODAY = date(2026, 11, 20)
PASSWORD = "Bench-password-2026"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _body(app, fragment: str, inputs: dict[str, object], state: dict[str, object]) -> dict:  # type: ignore[no-untyped-def]
    key = next(k for k in app.callback_map if fragment in k)
    spec = app.callback_map[key]

    def fill(items: list[dict], values: dict[str, object]) -> list[dict]:
        return [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in items]

    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": fill(spec["inputs"], inputs),
        "state": fill(spec.get("state", []), state),
        "changedPropIds": [f"{spec['inputs'][-1]['id']}.{spec['inputs'][-1]['property']}"],
    }


# The /lagging grid asks for blocks of 100 rows: the first block as the page opens (biggest gaps first), and
# a block deeper in a list the user sorted by owner and filtered by unit name and progress.
FIRST_BLOCK = {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "gap", "sort": "desc"}], "filterModel": {}}
QUERIED_BLOCK = {
    "startRow": 100,
    "endRow": 200,
    "sortModel": [{"colId": "owner", "sort": "asc"}],
    "filterModel": {
        "unit": {"filterType": "text", "type": "contains", "filter": "phường"},
        "progress": {"filterType": "number", "type": "lessThan", "filter": 80},
    },
}


def bench_cases(app, *, ward: int, indicator: int, person: int, opened: int = 0) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """The request body of every dashboard callback a leader's pages run, by name."""
    version = {"pulse-live-version": 1}
    return {
        "overview": _body(app, "overview-body", {**version, "overview-period": "2026"}, {}),
        "unit(ward)": _body(app, "unit-body", {**version, "unit-period": "2026"}, {"unit-id": str(ward)}),
        "unit(city)": _body(app, "unit-body", {**version, "unit-period": "2026"}, {"unit-id": "1"}),
        "indicator": _body(
            app, "indicator-body", {**version, "indicator-period": "2026"}, {"indicator-id": str(indicator)}
        ),
        "person": _body(app, "person-body", {**version, "person-period": "2026"}, {"person-id": str(person)}),
        "lagging(head)": _body(app, "lagging-header", {**version, "lagging-period": "2026"}, {"lagging-unit": None}),
        "lagging(rows)": _body(
            app,
            "lagging-grid.getRowsResponse",
            {"lagging-grid": FIRST_BLOCK},
            {"lagging-period": "2026", "lagging-unit": None},
        ),
        "lagging(query)": _body(
            app,
            "lagging-grid.getRowsResponse",
            {"lagging-grid": QUERIED_BLOCK},
            {"lagging-period": "2026", "lagging-unit": None},
        ),
        # The alignment tree as it opens (city objectives closed) and with the Resolution 57 objective open:
        # the whole cascade is scored either way; opening adds the ~145 aligned objectives to the answer.
        "alignment": _body(app, "alignment-body", {**version, "alignment-period": "2026", "alignment-open": []}, {}),
        "alignment(open)": _body(
            app, "alignment-body", {**version, "alignment-period": "2026", "alignment-open": [opened]}, {}
        ),
        "present": _body(
            app,
            "present-slide",
            {**version, "present-index": 0},
            {"present-playlist": {"slides": ["overview"], "interval": 20, "period": "2026"}},
        ),
    }


def _check_real(name: str, payload: dict) -> None:
    """A refused or empty answer would time nothing: each callback must have answered with its data."""
    text = json.dumps(payload, ensure_ascii=False)
    assert "alert" not in text.lower(), (name, text[:300])
    if name.startswith("lagging("):
        block = (
            payload["response"]["lagging-grid"]["getRowsResponse"] if "lagging-grid" in payload["response"] else None
        )
        assert block is None or (len(block["rowData"]) == 100 and block["rowCount"] > 200), (name, text[:300])


def run(database_url: str | None, calls: int) -> list[str]:
    lines = []
    with tempfile.TemporaryDirectory() as tmp, fresh_database(database_url, Path(tmp)) as url:
        store = Store.connect(url)
        started = time.perf_counter()
        seed_demo(store, scale="hanoi", seed=2026, today=TODAY, demo_password=PASSWORD)
        lines.append(f"seeded hanoi in {time.perf_counter() - started:.1f} s")
        with store.read() as session:
            ward = session.execute(select(OrgUnit.id).where(OrgUnit.code == "W00070")).scalar_one()
            indicator = session.execute(select(Indicator.id).where(Indicator.unit_id == ward)).scalars().first()
            person = session.execute(select(Person.id).where(Person.unit_id != ward)).scalars().first()
            city = session.execute(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None))).scalar_one()
            opened = session.execute(
                select(Objective.id)
                .join(Period, Period.id == Objective.period_id)
                .where(Objective.unit_id == city, Objective.source_ref == "57-NQ/TW", Period.code == "2026")
            ).scalar_one()
        server = create_app(
            Settings(env="test", database_url=url, secret_key="bench-secret-key-0123456789abcdefghijkl")
        )
        app = server.extensions["pulse"]["dash"]
        cache = server.extensions["pulse"]["cache"]
        client = server.test_client()
        login(client, "lanhdao.thanhpho", PASSWORD)
        client.get("/")
        headers = csrf_header(client)
        cases = bench_cases(app, ward=ward, indicator=indicator, person=person, opened=opened)
        all_times: list[float] = []
        medians = {}
        for name, body in cases.items():
            times = []
            for _ in range(calls):
                cache._memory.clear()
                began = time.perf_counter()
                response = client.post(
                    "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=headers
                )
                times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, (name, response.status_code, response.get_data(as_text=True)[:300])
            _check_real(name, response.get_json())
            medians[name] = statistics.median(times)
            all_times += times
            lines.append(
                f"callback={name:<16} calls={calls} median_ms={medians[name]:.1f} p95_ms={_percentile(times, 0.95):.1f}"
            )
        naive = []
        for _ in range(calls):
            began = time.perf_counter()
            naive_overview(store.engine, year=2026, today=TODAY)
            naive.append((time.perf_counter() - began) * 1000)
        lines.append(
            f"naive=overview         calls={calls} median_ms={statistics.median(naive):.1f} "
            f"p95_ms={_percentile(naive, 0.95):.1f}"
        )
        speedup = statistics.median(naive) / medians["overview"]
        lines.append(f"overall p95_ms={_percentile(all_times, 0.95):.1f} speedup_vs_naive={speedup:.1f}")
        server.extensions["pulse"]["store"].dispose()
        store.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"backend={backend}")
    for line in run(args.database_url, args.calls):
        print(line, flush=True)


if __name__ == "__main__":
    main()

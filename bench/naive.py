"""The approach most Dash apps take, for comparison: load the raw tables into pandas on every call
and aggregate there. Computes the overview's figures (statuses, score, overdue tasks, best and
worst units, ten most lagging indicators) for the whole city.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine


def naive_overview(engine: Engine, *, year: int, today: date) -> dict[str, object]:
    with engine.connect() as conn:
        units = pd.read_sql("SELECT id, parent_id, name, kind, path FROM org_units", conn)
        indicators = pd.read_sql(
            "SELECT id, unit_id, name, direction, baseline, target, weight, accumulation, objective_id FROM indicators",
            conn,
        )
        measurements = pd.read_sql("SELECT indicator_id, measured_on, value, status FROM measurements", conn)
        tasks = pd.read_sql("SELECT assignee_unit_id, due_date, status, delays FROM tasks", conn)
    measurements["measured_on"] = pd.to_datetime(measurements["measured_on"])
    counted = measurements[
        (measurements["status"] == "approved")
        & (measurements["measured_on"].dt.year == year)
        & (measurements["measured_on"] <= pd.Timestamp(today))
    ]
    latest = counted.sort_values("measured_on").groupby("indicator_id")["value"].last()
    frame = indicators.set_index("id").join(latest.rename("value"))
    span = (frame["target"] - frame["baseline"].fillna(0)).replace(0, float("nan"))
    frame["progress"] = ((frame["value"] - frame["baseline"].fillna(0)) / span).clip(0, 1.2)
    expected = (today - date(year, 1, 1)).days / 365
    frame["status"] = "off_track"
    frame.loc[frame["progress"] >= expected - 0.2, "status"] = "at_risk"
    frame.loc[frame["progress"] >= expected - 0.05, "status"] = "on_track"
    frame.loc[frame["progress"] >= 1, "status"] = "done"
    frame.loc[frame["value"].isna(), "status"] = "no_data"
    frame = frame.join(units.set_index("id")[["path", "name"]].rename(columns={"name": "unit"}), on="unit_id")
    counts = frame["status"].value_counts().to_dict()
    tasks["due_date"] = pd.to_datetime(tasks["due_date"])
    open_tasks = tasks[tasks["status"].isin(["open", "in_progress", "submitted", "returned"])]
    overdue = int((open_tasks["due_date"] < pd.Timestamp(today)).sum())
    children = units[units["parent_id"] == units.loc[units["parent_id"].isna(), "id"].iloc[0]]
    scores = {}
    for child in children.itertuples():
        inside = frame[frame["path"].str.startswith(child.path)]
        weights = inside["weight"].where(inside["progress"].notna(), 0)
        scores[child.name] = float(
            (inside["progress"].clip(upper=1).fillna(0) * weights).sum() / max(weights.sum(), 1e-9)
        )
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    lagging = (
        frame[frame["status"].isin(["off_track", "at_risk"])]
        .assign(gap=lambda f: f["weight"] * (expected - f["progress"].fillna(0)))
        .nlargest(10, "gap")
    )
    return {
        "counts": counts,
        "overdue": overdue,
        "best": ranked[:5],
        "worst": ranked[-5:],
        "lagging": lagging[["name", "unit"]],
    }

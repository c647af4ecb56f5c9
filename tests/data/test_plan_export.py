"""A unit's plan as Excel (SQLite and PostgreSQL): the objectives, the key results with every number
kept as a number in a number format, the trajectories with their dates, headers in the reader's
words; a viewer outside the unit gets a refusal, not the file."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from data_access.db import Store
from data_access.errors import Forbidden
from data_access.exports import plan_workbook
from data_access.viewer import Viewer
from tests.conftest import TEST_TODAY
from tests.data.test_plan_commands import TU_LIEM, YEAR, city_plan, people, unit_id  # noqa: F401

FRENCH = {"Objectives": "Objectifs", "Key result": "Résultat clé", "Target": "Cible", "increase": "Hausse"}


def test_the_city_plan_exports_with_its_numbers_trajectories_and_translated_headers(
    demo_store: Store,
    people: dict[str, Viewer],  # noqa: F811
) -> None:
    city_plan(demo_store, people)
    city = unit_id(demo_store, "HN")
    with demo_store.read() as session:
        content = plan_workbook(
            session,
            viewer=people["city_leader"],
            unit_id=city,
            period_code=YEAR,
            translate=lambda s: FRENCH.get(s, s),
            label=lambda s: FRENCH.get(s, s),
        )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Objectifs", "Key results", "Trajectories"]
    objectives = [[c.value for c in row] for row in book["Objectifs"].iter_rows()]
    assert objectives[0][1] == YEAR
    # The seeded city objectives come too; the one written by city_plan is found by its title.
    (written,) = [row for row in objectives[2:] if row[1] == "Đột phá phát triển khoa học, công nghệ và chuyển đổi số"]
    assert written[3] == "Nghị quyết 57-NQ/TW"
    assert written[4] == 2

    sheet = book["Key results"]
    header = [c.value for c in sheet[1]]
    assert "Résultat clé" in header and "Cible" in header
    rows = {row[2].value: row for row in sheet.iter_rows(min_row=2)}
    online = rows["Hồ sơ trực tuyến toàn trình"]
    assert online[4].value == "Hausse"
    assert (online[5].value, online[6].value) == (60, 90)  # baseline and target, numbers not text
    assert online[6].number_format == "#,##0.##"
    assert online[12].value == pytest.approx(50)  # two key results of weight 50: half each

    trajectory = [[c.value for c in row] for row in book["Trajectories"].iter_rows(min_row=2)]
    online_points = [
        (r[2].date() if hasattr(r[2], "date") else r[2], r[3]) for r in trajectory if r[1] == online[2].value
    ]
    assert online_points[-1] == (date(TEST_TODAY.year, 12, 31), 90)
    assert len(trajectory) == 8


def test_a_ward_leader_cannot_export_another_units_draft(
    demo_store: Store,
    people: dict[str, Viewer],  # noqa: F811
) -> None:
    from data_access.commands import plans as commands
    from domain.plan_items import ObjectiveDraft

    other = unit_id(demo_store, TU_LIEM)
    commands.add_objective(
        demo_store,
        viewer=people["city_leader"],
        unit_id=other,
        period_code=YEAR,
        draft=ObjectiveDraft(title="Mục tiêu riêng của phường", source_kind="regular_work", weight=1),
    )
    with demo_store.read() as session, pytest.raises(Forbidden):
        plan_workbook(session, viewer=people["ward_leader"], unit_id=other, period_code=YEAR)

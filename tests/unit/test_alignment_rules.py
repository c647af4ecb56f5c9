"""The cascade's rules, the milestone series and the analysis checks, worked by hand."""

from __future__ import annotations

import math
from datetime import date

import pytest

from domain.alignment import (
    KeyResult,
    ObjectiveLink,
    alignment_loop_problems,
    orphans,
    roll_up,
    sum_key_results,
    unsupported,
)
from domain.analysis import AnalysisText, analysis_problems, summary
from domain.indicators import Direction, IndicatorSpec, expected_progress
from domain.milestones import done_problems, milestone_problems, milestone_series
from domain.periods import Period, PeriodKind

CITY, WARD, DIVISION, OTHER, LONELY = 1, 2, 3, 4, 5


def test_an_objective_rolls_up_its_key_results_and_the_objectives_that_serve_it() -> None:
    links = [
        ObjectiveLink(CITY, None, 1.0),
        ObjectiveLink(
            WARD, CITY, 1.0, sum_key_results([KeyResult(0.4, 0.5, 1.0), KeyResult(1.5, 0.5, 3.0)])
        ),  # 1.5 counts as 1
        ObjectiveLink(DIVISION, WARD, 2.0, sum_key_results([KeyResult(0.2, 0.5, 1.0)])),
        ObjectiveLink(
            OTHER, CITY, 3.0, sum_key_results([KeyResult(None, 0.5, 1.0)])
        ),  # no data: does not pull anything down
    ]
    figures = roll_up(links)
    own_ward = (0.4 * 1 + 1.0 * 3) / 4  # 0.85
    ward = (own_ward * 1 + 0.2 * 2) / 3
    assert math.isclose(figures[DIVISION].score, 0.2)
    assert math.isclose(figures[WARD].score, ward)
    assert math.isclose(figures[CITY].score, ward)  # the other objective has no score yet
    assert math.isclose(figures[CITY].expected, 0.5)
    assert figures[OTHER].status.value == "no_data"
    assert figures[CITY].children == (WARD, OTHER)


def test_a_loop_in_the_links_is_cut_and_every_objective_still_gets_figures() -> None:
    links = [ObjectiveLink(1, 2, 1.0, sum_key_results([KeyResult(1.0, 1.0, 1.0)])), ObjectiveLink(2, 1, 1.0)]
    figures = roll_up(links)
    assert set(figures) == {1, 2}
    assert figures[1].score == 1.0  # 2 was scored without 1 (the link back is where the walk stopped)


def test_orphans_and_unsupported_objectives() -> None:
    links = [
        ObjectiveLink(CITY, None, 1.0),
        ObjectiveLink(OTHER, None, 1.0),
        ObjectiveLink(WARD, CITY, 1.0),
        ObjectiveLink(LONELY, None, 1.0),
    ]
    top = {CITY, OTHER}
    assert orphans(links, top_level=top) == [LONELY]
    assert unsupported(links, top_level=top) == [OTHER]


def test_milestones_read_as_counts_done_and_due_by_a_date() -> None:
    series = milestone_series(
        [
            (date(2026, 3, 31), date(2026, 3, 20)),
            (date(2026, 6, 30), date(2026, 7, 10)),
            (date(2026, 9, 30), None),
            (date(2026, 12, 31), None),
        ]
    )
    assert series.total == 4
    assert series.done == [(date(2026, 3, 20), 1.0), (date(2026, 7, 10), 2.0)]
    spec = IndicatorSpec(Direction.MILESTONES, 0.0, None, milestones_total=4)
    year = Period(PeriodKind.YEAR, 2026)
    # The expected share steps up on each due date: 3 of 4 due by 20 November, 1 of 4 on 1 April.
    assert math.isclose(expected_progress(year, date(2026, 11, 20), series.planned, spec=spec), 0.75)
    assert math.isclose(expected_progress(year, date(2026, 4, 1), series.planned, spec=spec), 0.25)
    assert math.isclose(expected_progress(year, date(2026, 3, 1), series.planned, spec=spec), 0.0)


@pytest.mark.parametrize(
    ("title", "due", "problems"),
    [
        ("Khảo sát", date(2026, 5, 1), {}),
        ("  ", date(2026, 5, 1), {"title": "required"}),
        ("x" * 301, date(2026, 5, 1), {"title": "too_long"}),
        ("Khảo sát", None, {"due_on": "required_date"}),
        ("Khảo sát", date(2027, 1, 1), {"due_on": "outside_period"}),
    ],
)
def test_milestone_checks(title: str, due: date | None, problems: dict[str, str]) -> None:
    assert milestone_problems(title, due, year=2026) == problems


def test_a_milestone_cannot_be_done_in_the_future() -> None:
    today = date(2026, 11, 20)
    assert done_problems(date(2026, 11, 21), today=today, year=2026) == {"done_on": "future_date"}
    assert done_problems(None, today=today, year=2026) == {}
    assert done_problems(date(2025, 12, 1), today=today, year=2026) == {"done_on": "outside_period"}


def test_an_analysis_must_say_something_and_not_too_much() -> None:
    assert analysis_problems(AnalysisText(" ", "", "\n")) == {"why": "required"}
    assert analysis_problems(AnalysisText("", "x" * 4001, "")) == {"why": "too_long"}
    assert analysis_problems(AnalysisText("", "", "Sửa lỗi")) == {}


def test_the_summary_prefers_the_why_and_cuts_at_a_word() -> None:
    assert summary("Thiếu   nhân lực", "khác") == "Thiếu nhân lực"
    assert summary("", "Hai tháng không có số liệu") == "Hai tháng không có số liệu"
    cut = summary("một hai ba bốn năm sáu", limit=12)
    assert cut == "một hai ba…" and len(cut) <= 12


# What each objective serves: 3 serves 2 serves 1; 5 serves 4 serves 5 (a loop already there).
SERVES: dict[int, int | None] = {1: None, 2: 1, 3: 2, 4: 5, 5: 4}


@pytest.mark.parametrize(
    ("objective", "parent", "problem"),
    [
        (1, 1, "alignment_to_itself"),
        (1, 3, "alignment_loop"),  # 3 serves 2 serves 1: 1 serving 3 closes the loop
        (1, 2, "alignment_loop"),
        (2, 3, "alignment_loop"),
        (3, 1, None),  # re-aligning further up the same branch is fine
        (6, 3, None),  # a new branch below
        (None, 3, None),  # a new objective cannot close a loop
        (1, None, None),
        (6, 4, None),  # a loop above, not through this objective, does not block it (nor hang)
        (1, 99, None),  # an unknown parent: another rule refuses it
    ],
)
def test_an_alignment_that_would_loop_is_refused(
    objective: int | None, parent: int | None, problem: str | None
) -> None:
    expected = {"parent_objective_id": problem} if problem else {}
    assert alignment_loop_problems(objective, parent, SERVES) == expected

"""What a score is compared with: the expected share by the period's end or by today, and the
"units that need support" compared within their kind."""

from __future__ import annotations

from datetime import date

import pytest

from domain.expectation import expected_by, expected_trend, weakest_by_kind
from domain.periods import parse_period


def test_a_past_quarter_expects_the_share_of_the_year_at_its_end() -> None:
    assert expected_by(parse_period("2026-Q2"), date(2026, 12, 7)) == pytest.approx(181 / 365)


def test_a_running_period_expects_the_share_elapsed_today() -> None:
    assert expected_by(parse_period("2026"), date(2026, 7, 2)) == pytest.approx(183 / 365)


def test_a_finished_year_expects_everything() -> None:
    assert expected_by(parse_period("2025"), date(2026, 1, 5)) == 1.0


def test_the_expected_line_stops_at_today() -> None:
    months = parse_period("2026").months()
    line = expected_trend(months, date(2026, 3, 15))
    assert line[0] == pytest.approx(31 / 365)
    assert line[2] == pytest.approx(74 / 365)  # March counts up to today, not to its end
    assert line[3:] == [None] * 9


def test_weakest_units_are_compared_within_their_kind() -> None:
    units = [
        ("Ward A", "ward", 0.9),
        ("Ward B", "ward", 0.4),
        ("Ward C", "ward", 0.6),
        ("Ward D", "ward", 0.7),
        ("Dept X", "department", 0.8),
        ("Dept Y", "department", 0.5),
        ("Dept Z", "department", None),
        ("Commune Q", "commune", 0.1),
    ]
    groups = weakest_by_kind(units, score=lambda u: u[2], kind=lambda u: u[1])
    assert [(k, [u[0] for u in items]) for k, items in groups] == [
        ("ward", ["Ward B", "Ward C"]),
        ("department", ["Dept Y"]),
    ]


def test_communes_are_compared_with_wards() -> None:
    from domain.expectation import peer_kind

    units = [("Ward A", "ward", 0.9), ("Commune B", "commune", 0.3), ("Dept X", "department", 0.2)]
    groups = weakest_by_kind(units, score=lambda u: u[2], kind=lambda u: peer_kind(u[1]))
    assert [(k, [u[0] for u in items]) for k, items in groups] == [("ward", ["Commune B"])]

"""One rule decides status and forecast together: a row never says "at risk" beside a plain "on course",
nor "on track" beside "will miss by 0.0"."""

from __future__ import annotations

import pytest

from domain.forecast import Outlook, outlook


@pytest.mark.parametrize(
    ("status", "on_course", "miss_by", "expected"),
    [
        ("on_track", True, 0.0, Outlook.ON_COURSE),
        ("at_risk", True, 0.0, Outlook.CATCHING_UP),  # behind now: never a bare "on course"
        ("off_track", True, 0.0, Outlook.CATCHING_UP),
        ("at_risk", False, 4.8, Outlook.WILL_MISS),
        ("on_track", False, 4.8, Outlook.SLIPPING),  # on track now, the trend misses: said as such
        ("on_track", False, 0.04, Outlook.ON_COURSE),  # shown as 0.0: no "will miss by 0.0"
        ("off_track", False, 0.04, Outlook.CATCHING_UP),
        ("done", False, 3.0, Outlook.REACHED),
        ("on_track", None, None, Outlook.NONE),
        ("no_data", float("nan"), None, Outlook.NONE),
    ],
)
def test_status_and_forecast_never_contradict(
    status: str, on_course: bool | None, miss_by: float | None, expected: Outlook
) -> None:
    assert outlook(status, on_course, miss_by) is expected

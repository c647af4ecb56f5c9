"""Changes made by another process (this test process) to the store a live server runs on."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from data_access.db import Store
from data_access.models import Indicator, IndicatorRollup, Measurement, Period


def lift_an_off_track_indicator(database_url: str) -> int:
    """Commit a value that brings one off-track indicator of 2026 to its target; returns the indicator's id."""
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            year = session.execute(select(Period.id).where(Period.code == "2026")).scalar_one()
            lagging = session.execute(
                select(Indicator.id, Indicator.target)
                .join(IndicatorRollup, IndicatorRollup.indicator_id == Indicator.id)
                .where(
                    IndicatorRollup.period_id == year,
                    IndicatorRollup.status == "off_track",
                    Indicator.direction == "increase",
                    Indicator.accumulation == "last",
                )
            ).first()
        assert lagging is not None
        with store.write() as session:
            session.add(
                Measurement(
                    indicator_id=lagging.id, value=lagging.target, measured_on=date(2026, 11, 15), status="approved"
                )
            )
        return lagging.id
    finally:
        store.dispose()


def at_risk_and_off_track(card_text: str) -> tuple[int, int]:
    """The two figures of the overview's "At risk / off track" card ("3 at risk, 12 off track")."""
    figures = re.findall(r"\d[\d.,]*", card_text)
    assert len(figures) >= 2, f"no two figures in {card_text!r}"
    return int(re.sub(r"\D", "", figures[0])), int(re.sub(r"\D", "", figures[1]))

"""The leader pages of the pilot demo by name, for browser tests that walk them all."""

from __future__ import annotations

from sqlalchemy import select

from data_access.db import Store
from data_access.models import Indicator, OrgUnit, Person


def leader_pages(database_url: str) -> dict[str, str]:
    """The eight leader pages of the pilot demo, each with an id that exists (Phuong Hoan Kiem's)."""
    store = Store.connect(database_url)
    try:
        with store.read() as session:
            ward = session.execute(select(OrgUnit.id).where(OrgUnit.name == "Phường Hoàn Kiếm")).scalar_one()
            indicator = (
                session.execute(select(Indicator.id).where(Indicator.unit_id == ward).order_by(Indicator.id))
                .scalars()
                .first()
            )
            person = (
                session.execute(select(Person.id).where(Person.unit_id == ward).order_by(Person.id)).scalars().first()
            )
    finally:
        store.dispose()
    return {
        "overview": "/?period=2026",
        "unit": f"/unit/{ward}?period=2026",
        "indicator": f"/indicator/{indicator}?period=2026",
        "person": f"/person/{person}?period=2026",
        "lagging": "/lagging?period=2026",
        "rankings": "/rankings?period=2026",
        "alignment": "/plan/alignment?period=2026",
        "plan": f"/plan/{ward}?period=2026",
    }

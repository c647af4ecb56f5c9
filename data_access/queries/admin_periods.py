"""Reads of /admin/periods: every period, years newest first with their quarters and months (a few
dozen rows a year, so no paging). Administrators only (the agency's calendar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.errors import Forbidden
from data_access.models import Period
from data_access.viewer import Viewer
from domain.admin_access import may_administer_periods
from domain.org_changes import state_token


def period_token(period: Period) -> str:
    """The version of a period as the page saw it."""
    return state_token(period.code, period.locked, period.grace_days)


@dataclass(frozen=True)
class PeriodRow:
    id: int
    code: str
    kind: str
    year: int
    number: int
    start: date
    end: date
    locked: bool
    grace_days: int
    version: str


def period_rows(session: Session, *, viewer: Viewer) -> list[PeriodRow]:
    """Years newest first; inside a year: the year, then each quarter followed by its months."""
    if not may_administer_periods(viewer.role.value):
        raise Forbidden(f"role {viewer.role.value} may not administer periods")
    periods = session.execute(select(Period)).scalars().all()

    def order(p: Period) -> tuple[int, int, int, int]:
        quarter = 0 if p.kind == "year" else (p.number if p.kind == "quarter" else (p.number - 1) // 3 + 1)
        return (-p.year, quarter, 0 if p.kind != "month" else 1, p.number)

    return [
        PeriodRow(
            id=p.id,
            code=p.code,
            kind=p.kind,
            year=p.year,
            number=p.number,
            start=p.start_date,
            end=p.end_date,
            locked=bool(p.locked),
            grace_days=p.grace_days,
            version=period_token(p),
        )
        for p in sorted(periods, key=order)
    ]

"""Write commands on the agency's periods (/admin/periods): open the next year (its year, quarters and
months), lock and unlock a period, set its grace days. Administrators only: the calendar is the whole
agency's, not a delegated ward's.

Same frame as the other administration commands: role first (refusals audited), then one transaction
that loads the period (locked), checks the version the page saw, changes it and audits before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import today
from data_access import audit
from data_access.commands.admin_common import audited_change
from data_access.commands.common import Refused, refusals_and_conflicts, refuse
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import Period
from data_access.queries.admin_periods import period_token
from data_access.viewer import Viewer
from domain.admin_access import may_administer_periods
from domain.periods import (
    enclosing_codes,
    grace_problems,
    lock_problems,
    opening_problems,
    parse_period,
    periods_of_year,
    unlock_problems,
    year_to_open,
)

ENTITY = "period"
AUDITED = ("code", "locked", "grace_days")
DEFAULT_GRACE_DAYS = 10


@dataclass(frozen=True)
class PeriodState:
    period_id: int
    version: str


@dataclass(frozen=True)
class OpenedYear:
    """The year "open the next year" made (or found already made, when two clicks crossed)."""

    year: int
    created: int  # how many periods were written (0: it was there already)


def _require(store: Store, viewer: Viewer, action: str, entity_id: object) -> None:
    if not may_administer_periods(viewer.role.value):
        raise refuse(
            store,
            viewer,
            action=action,
            entity=ENTITY,
            entity_id=entity_id,
            detail=f"role {viewer.role.value} may not administer periods",
        )


def open_next_year(store: Store, *, viewer: Viewer, year: int | None = None) -> OpenedYear:
    """Create the next year with its four quarters and twelve months, all open, ten grace days.

    Idempotent: `year` is the one the page offered; if another click (or another administrator) opened it
    meanwhile, nothing more is written and the same year comes back. Without `year`, the next in line."""
    action = f"{ENTITY}.open_year"
    _require(store, viewer, action, year)
    with refusals_and_conflicts(store, viewer, action=action, entity=ENTITY, entity_id=year), store.write() as session:
        # One row locks the calendar for this transaction: two openings at once make one year, not two.
        session.execute(select(Period.id).order_by(Period.id).limit(1).with_for_update()).first()
        existing = set(session.execute(select(Period.year).distinct()).scalars())
        target = year if isinstance(year, int) and not isinstance(year, bool) else year_to_open(existing, today())
        if target in existing:
            return OpenedYear(target, 0)
        if target != year_to_open(existing, today()):
            raise Invalid({"year": "not_next"})
        problems = opening_problems(target, existing, today())
        if problems:
            raise Invalid(problems)
        made = [
            Period(
                code=p.code,
                kind=p.kind.value,
                year=p.year,
                number=p.number,
                start_date=p.start,
                end_date=p.end,
                locked=False,
                grace_days=DEFAULT_GRACE_DAYS,
            )
            for p in periods_of_year(target)
        ]
        session.add_all(made)
        session.flush()
        audit.record(
            session,
            user_id=viewer.user_id,
            action=action,
            entity=ENTITY,
            entity_id=made[0].id,
            after={"year": target, "codes": [p.code for p in made]},
        )
        return OpenedYear(target, len(made))


def lock_period(store: Store, *, viewer: Viewer, period_id: int, version: str | None) -> PeriodState:
    """Close a period that is over to new and changed entries."""

    def change(session: Session, period: Period) -> None:
        problems = lock_problems(locked=period.locked, end=period.end_date, today=today())
        if problems:
            raise Invalid(problems)
        period.locked = True

    return _act(store, viewer, period_id, version, "lock", change)


def unlock_period(store: Store, *, viewer: Viewer, period_id: int, version: str | None) -> PeriodState:
    """Open a locked period again (a late correction the agency agreed to)."""

    def change(session: Session, period: Period) -> None:
        enclosing = enclosing_codes(parse_period(period.code))
        enclosing_locked = any(session.execute(select(Period.locked).where(Period.code.in_(enclosing))).scalars())
        problems = unlock_problems(locked=period.locked, enclosing_locked=enclosing_locked)
        if problems:
            raise Invalid(problems)
        period.locked = False

    return _act(store, viewer, period_id, version, "unlock", change)


def set_grace_days(
    store: Store, *, viewer: Viewer, period_id: int, version: str | None, grace_days: object
) -> PeriodState:
    """How many days after its end a month still takes entries (0 to 60); on a quarter or a year, each of
    its months gets them too (entries go into months: a year's own grace days would change nothing)."""
    problems = grace_problems(grace_days)

    def change(session: Session, period: Period) -> None:
        if problems:
            raise Invalid(problems)
        days = int(str(grace_days).strip())
        period.grace_days = days
        codes = [m.code for m in parse_period(period.code).months() if m.code != period.code]
        months = session.execute(select(Period).where(Period.code.in_(codes)).with_for_update()).scalars().all()
        for month in months:
            if month.grace_days != days:
                before = month.grace_days
                month.grace_days = days
                audit.record(
                    session,
                    user_id=viewer.user_id,
                    action=f"{ENTITY}.grace_days",
                    entity=ENTITY,
                    entity_id=month.id,
                    before={"code": month.code, "grace_days": before},
                    after={"code": month.code, "grace_days": days, "from": period.code},
                )

    return _act(store, viewer, period_id, version, "grace_days", change)


def _act(
    store: Store,
    viewer: Viewer,
    period_id: int,
    version: str | None,
    verb: str,
    change: Callable[[Session, Period], None],
) -> PeriodState:
    action = f"{ENTITY}.{verb}"
    _require(store, viewer, action, period_id)
    with (
        refusals_and_conflicts(store, viewer, action=action, entity=ENTITY, entity_id=period_id),
        store.write() as session,
    ):
        period = (
            session.get(Period, period_id, with_for_update=True)
            if isinstance(period_id, int) and not isinstance(period_id, bool)
            else None
        )
        if period is None:
            raise NotFound(ENTITY, period_id)
        if not may_administer_periods(viewer.role.value):  # the role may have changed since the check above
            raise Refused("periods are for administrators")
        audited_change(
            session,
            viewer,
            period,
            action=action,
            entity=ENTITY,
            audited=AUDITED,
            version=version,
            token=period_token,
            change=change,
        )
        return PeriodState(period.id, period_token(period))

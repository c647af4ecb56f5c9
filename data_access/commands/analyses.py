"""Write the analysis of an indicator for a period: what happened, why, what will be done.

The indicator's owner, or a leader, manager or administrator whose scope covers its unit, writes it
(domain.access.may_enter, the same people who answer for its values). One analysis per indicator and
period, version-locked: the screen sends the version it showed (None when it showed none), and a
change made meanwhile by someone else is a Conflict that names them. Every write is audited with
before and after; refusals are audited too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from config.clock import now
from data_access import audit
from data_access.commands.common import Refused, conflict, flush_or_conflict, refusals_and_conflicts
from data_access.db import Store
from data_access.errors import Invalid, NotFound
from data_access.models import Indicator, IndicatorAnalysis, OrgUnit, Period
from data_access.viewer import Viewer
from domain.access import may_enter
from domain.analysis import AnalysisText, analysis_problems
from domain.periods import InvalidPeriod, parse_period

AUDITED = ("indicator_id", "period_id", "what_happened", "why", "next_steps", "author_user_id", "version")


@dataclass(frozen=True)
class AnalysisState:
    analysis_id: int
    version: int


def write_analysis(
    store: Store,
    *,
    viewer: Viewer,
    indicator_id: int,
    period: str,
    what_happened: str,
    why: str,
    next_steps: str,
    version: int | None,
) -> AnalysisState:
    """Create or update the analysis; ``version`` is the one the user saw (None: there was none yet)."""
    text = AnalysisText(what_happened or "", why or "", next_steps or "")
    problems = analysis_problems(text)
    try:
        code = parse_period(period).code
    except InvalidPeriod:
        problems["period"] = "unknown_choice"
        code = ""
    if problems:
        raise Invalid(problems)
    text = text.stripped()
    with (
        refusals_and_conflicts(store, viewer, action="analysis.write", entity="indicator", entity_id=indicator_id),
        store.write() as session,
    ):
        indicator = session.get(Indicator, indicator_id)
        unit = session.get(OrgUnit, indicator.unit_id) if indicator else None
        if indicator is None or unit is None:
            raise NotFound("indicator", indicator_id)
        if not may_enter(viewer, owner_person_id=indicator.owner_person_id, unit_path=unit.path):
            raise Refused(f"write the analysis of indicator {indicator_id}")
        chosen = session.execute(select(Period.id, Period.year).where(Period.code == code)).one_or_none()
        year = session.get(Period, indicator.period_id)
        if chosen is None or year is None or chosen.year != year.year:
            raise Invalid({"period": "outside_period"})
        row = session.execute(
            select(IndicatorAnalysis).where(
                IndicatorAnalysis.indicator_id == indicator_id, IndicatorAnalysis.period_id == chosen.id
            )
        ).scalar_one_or_none()
        if row is None:
            if version is not None:  # the one the user saw was removed meanwhile: nothing to compare against
                raise conflict(session, "analysis", indicator_id)
            row = IndicatorAnalysis(indicator_id=indicator_id, period_id=chosen.id)
            session.add(row)
            before = None
        else:
            if version is None or version != row.version:
                raise conflict(session, "analysis", row.id)
            before = audit.snapshot(row, AUDITED)
        row.what_happened, row.why, row.next_steps = text.what_happened, text.why, text.next_steps
        row.author_user_id = viewer.user_id
        row.updated_at = now()
        flush_or_conflict(session, "analysis", row.id)
        audit.record(
            session,
            user_id=viewer.user_id,
            action="analysis.write",
            entity="analysis",
            entity_id=row.id,
            before=before,
            after=audit.snapshot(row, AUDITED),
        )
        return AnalysisState(row.id, row.version)

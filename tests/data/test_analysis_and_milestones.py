"""The owner's analysis and an action plan's milestones on the pilot demo (SQLite and PostgreSQL).

Analysis: the owner writes it, a stale copy is refused with who changed it, someone who does not answer
for the indicator is refused (and audited), and it shows in the lagging lists. Milestones: planned by a
manager, marked done by the owner, they drive the plan's progress (done / total), and the rollups kept
on every write equal a full rebuild.
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import select

from config.clock import today
from data_access.commands import analyses, milestones
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid
from data_access.models import (
    AuditEntry,
    Indicator,
    IndicatorAnalysis,
    IndicatorRollup,
    OrgUnit,
    Period,
)
from data_access.queries.follow_through import indicator_analysis, milestone_plan
from data_access.queries.lagging import lagging_indicators, lagging_page
from data_access.rollups import rebuild_all
from data_access.seed.accounts import HOAN_KIEM
from data_access.viewer import Viewer
from tests.conftest import TEST_TODAY
from tests.data.test_rollups_match_rebuild import _same, _snapshot
from tests.support.viewers import demo_viewers

YEAR = TEST_TODAY.year


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def _owned(store: Store, viewer: Viewer, direction: str | None = None, *, status: str | None = None) -> int:
    with store.read() as session:
        query = (
            select(Indicator.id)
            .join(Period, Period.id == Indicator.period_id)
            .join(IndicatorRollup, IndicatorRollup.indicator_id == Indicator.id)
            .where(Indicator.owner_person_id == viewer.person_id, Period.year == YEAR, Period.code == str(YEAR))
            .where(IndicatorRollup.period_id == Period.id)
            .order_by(Indicator.id)
        )
        if direction:
            query = query.where(Indicator.direction == direction)
        if status:
            query = query.where(IndicatorRollup.status == status)
        return session.execute(query).scalars().first()


def _audits(store: Store, action: str, outcome: str) -> int:
    with store.read() as session:
        return len(
            session.execute(
                select(AuditEntry.id).where(AuditEntry.action == action, AuditEntry.outcome == outcome)
            ).all()
        )


# --- analysis -----------------------------------------------------------------------------------


def test_the_owner_writes_the_analysis_and_a_stale_copy_is_refused(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    staff, manager = people["staff"], people["manager"]
    indicator = _owned(demo_store, staff)
    first = analyses.write_analysis(
        demo_store,
        viewer=staff,
        indicator_id=indicator,
        period=str(YEAR),
        what_happened="Hai tháng không có số liệu",
        why="  Phần mềm một cửa lỗi kết nối  ",
        next_steps="Sửa kết nối trước 15/12",
        version=None,
    )
    with demo_store.read() as session:
        shown = indicator_analysis(session, viewer=manager, indicator_id=indicator, period=str(YEAR))
    assert shown.why == "Phần mềm một cửa lỗi kết nối" and shown.author == staff.username
    assert shown.version == first.version and shown.may_write
    # The manager saves on top of the owner's version; the owner's form, opened before, is now stale.
    analyses.write_analysis(
        demo_store,
        viewer=manager,
        indicator_id=indicator,
        period=str(YEAR),
        what_happened="",
        why="Lỗi kết nối đã được báo cáo Sở",
        next_steps="",
        version=first.version,
    )
    with pytest.raises(Conflict) as stale:
        analyses.write_analysis(
            demo_store,
            viewer=staff,
            indicator_id=indicator,
            period=str(YEAR),
            what_happened="",
            why="Bản cũ",
            next_steps="",
            version=first.version,
        )
    assert stale.value.changed_by == manager.username
    # A second "first" analysis (two people opening an empty form) is a conflict too, not a duplicate.
    with pytest.raises(Conflict):
        analyses.write_analysis(
            demo_store,
            viewer=staff,
            indicator_id=indicator,
            period=str(YEAR),
            what_happened="",
            why="x",
            next_steps="",
            version=None,
        )
    with demo_store.read() as session:
        rows = session.execute(select(IndicatorAnalysis).where(IndicatorAnalysis.indicator_id == indicator)).all()
        assert len(rows) == 1 and rows[0][0].why == "Lỗi kết nối đã được báo cáo Sở"
    assert _audits(demo_store, "analysis.write", "ok") == 2


def test_an_analysis_is_refused_to_others_and_checked(demo_store: Store, people: dict[str, Viewer]) -> None:
    indicator = _owned(demo_store, people["staff"])
    for outsider in (people["ward_staff"], people["ward_leader"], people["screen"]):
        with pytest.raises(Forbidden):
            analyses.write_analysis(
                demo_store,
                viewer=outsider,
                indicator_id=indicator,
                period=str(YEAR),
                what_happened="",
                why="forged",
                next_steps="",
                version=None,
            )
    assert _audits(demo_store, "analysis.write", "denied") == 3
    with pytest.raises(Invalid) as empty:
        analyses.write_analysis(
            demo_store,
            viewer=people["staff"],
            indicator_id=indicator,
            period=str(YEAR),
            what_happened=" ",
            why="",
            next_steps="",
            version=None,
        )
    assert empty.value.problems == {"why": "required"}
    with pytest.raises(Invalid) as elsewhere:
        analyses.write_analysis(
            demo_store,
            viewer=people["staff"],
            indicator_id=indicator,
            period=str(YEAR - 5),
            what_happened="",
            why="x",
            next_steps="",
            version=None,
        )
    assert set(elsewhere.value.problems) == {"period"}
    with demo_store.read() as session:
        assert session.execute(select(IndicatorAnalysis.id)).first() is None


def test_the_lagging_lists_show_the_owners_why(demo_store: Store, people: dict[str, Viewer]) -> None:
    staff, leader = people["staff"], people["city_leader"]
    with demo_store.read() as session:
        lagging = lagging_indicators(session, viewer=staff, period=str(YEAR))
    assert len(lagging), "the demo's tech division has lagging indicators"
    indicator = int(lagging.iloc[0].indicator_id)
    analyses.write_analysis(
        demo_store,
        viewer=leader,
        indicator_id=indicator,
        period=str(YEAR),
        what_happened="",
        why="Thiếu nhân lực quý 3",
        next_steps="",
        version=None,
    )
    with demo_store.read() as session:
        top = lagging_indicators(session, viewer=leader, period=str(YEAR), limit=500)
        page = lagging_page(session, viewer=leader, period=str(YEAR), limit=500)
    assert top.set_index("indicator_id").loc[indicator, "why"] == "Thiếu nhân lực quý 3"
    assert page.rows.set_index("indicator_id").loc[indicator, "why"] == "Thiếu nhân lực quý 3"
    assert len(page.rows) == len(set(page.rows["indicator_id"]))  # the join repeats no row
    assert page.rows["why"].notna().sum() == 1


# --- milestones ---------------------------------------------------------------------------------


def _year_rollup(store: Store, indicator_id: int) -> IndicatorRollup:
    with store.read() as session:
        pid = session.execute(select(Period.id).where(Period.code == str(YEAR))).scalar_one()
        return session.get(IndicatorRollup, (indicator_id, pid))


def _ward_action_plan(store: Store) -> int:
    """Hoan Kiem ward's plan for online public services (direction milestones, reported as values so far)."""
    with store.read() as session:
        return session.execute(
            select(Indicator.id)
            .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
            .join(Period, Period.id == Indicator.period_id)
            .where(OrgUnit.code == HOAN_KIEM, Indicator.code == "DVC-TT", Period.year == YEAR)
        ).scalar_one()


def _staff_action_plan(store: Store, staff: Viewer) -> int:
    """One of the staff member's indicators turned into an action plan (the demo's division has none)."""
    indicator = _owned(store, staff, "decrease")
    with store.write() as session:
        row = session.get(Indicator, indicator)
        row.direction, row.milestones_total, row.baseline, row.target = "milestones", 4, None, None
    return indicator


def test_milestones_drive_an_action_plans_progress(demo_store: Store, people: dict[str, Viewer]) -> None:
    leader = people["ward_leader"]
    plan = _ward_action_plan(demo_store)
    other = _owned(demo_store, people["staff"], "increase")
    before_other = _year_rollup(demo_store, other)
    assert _year_rollup(demo_store, plan).n_measurements > 0  # counted from entered values until now
    added = [
        milestones.add_milestone(
            demo_store, viewer=leader, indicator_id=plan, title=f"Bước {n}", due_on=date(YEAR, month, 28)
        )
        for n, month in enumerate((3, 6, 9, 12), start=1)
    ]
    assert _year_rollup(demo_store, plan).progress == 0.0  # four milestones, none done
    for state, done in zip(added[:2], (date(YEAR, 3, 20), date(YEAR, 7, 10)), strict=True):
        milestones.mark_done(
            demo_store, viewer=leader, milestone_id=state.milestone_id, version=state.version, done_on=done
        )
    rollup = _year_rollup(demo_store, plan)
    assert math.isclose(rollup.progress, 0.5)
    # By 20 November three of four were due: expected 0.75; done 0.5 is 0.25 behind -> off track.
    assert math.isclose(rollup.expected, 0.75) and rollup.status == "off_track"
    with demo_store.read() as session:
        shown = milestone_plan(session, viewer=people["city_leader"], indicator_id=plan)
    assert [m.title for m in shown.milestones] == ["Bước 1", "Bước 2", "Bước 3", "Bước 4"]
    assert [m.done_on is not None for m in shown.milestones] == [True, True, False, False]
    assert _year_rollup(demo_store, other).progress == before_other.progress  # other indicators untouched
    incremental = _snapshot(demo_store)
    with demo_store.write() as session:
        rebuild_all(session, today=TEST_TODAY)
    rebuilt = _snapshot(demo_store)
    for table in ("indicators", "units"):
        assert len(incremental[table]) == len(rebuilt[table])
        for kept, fresh in zip(incremental[table], rebuilt[table], strict=True):
            assert all(_same(a, b) for a, b in zip(kept, fresh, strict=True)), (table, kept, fresh)


def test_milestone_writes_are_authorised_checked_and_version_locked(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    staff, manager = people["staff"], people["manager"]
    plan = _staff_action_plan(demo_store, staff)
    with demo_store.read() as session:
        shown = milestone_plan(session, viewer=staff, indicator_id=plan)
    assert shown.is_action_plan and shown.may_report and not shown.may_plan
    with pytest.raises(Forbidden):  # staff report milestones, they do not plan them
        milestones.add_milestone(demo_store, viewer=staff, indicator_id=plan, title="x", due_on=date(YEAR, 5, 1))
    with pytest.raises(Forbidden):  # another ward's leader: outside the scope
        milestones.add_milestone(
            demo_store, viewer=people["ward_leader"], indicator_id=plan, title="x", due_on=date(YEAR, 5, 1)
        )
    with pytest.raises(Invalid) as bad:
        milestones.add_milestone(demo_store, viewer=manager, indicator_id=plan, title=" ", due_on=date(YEAR + 3, 1, 1))
    assert bad.value.problems == {"title": "required", "due_on": "outside_period"}
    with pytest.raises(Invalid) as not_a_plan:
        milestones.add_milestone(
            demo_store,
            viewer=manager,
            indicator_id=_owned(demo_store, staff, "increase"),
            title="x",
            due_on=date(YEAR, 5, 1),
        )
    assert not_a_plan.value.problems == {"indicator": "not_milestones"}
    state = milestones.add_milestone(
        demo_store, viewer=manager, indicator_id=plan, title="Khảo sát", due_on=date(YEAR, 5, 1)
    )
    with pytest.raises(Invalid) as future:
        milestones.mark_done(
            demo_store,
            viewer=staff,
            milestone_id=state.milestone_id,
            version=state.version,
            done_on=date(YEAR + 1, 1, 1),
        )
    assert future.value.problems == {"done_on": "future_date"}
    edited = milestones.edit_milestone(
        demo_store,
        viewer=manager,
        milestone_id=state.milestone_id,
        version=state.version,
        title="Khảo sát hiện trạng",
        due_on=date(YEAR, 5, 15),
    )
    with pytest.raises(Conflict) as stale:
        milestones.mark_done(
            demo_store, viewer=staff, milestone_id=state.milestone_id, version=state.version, done_on=today()
        )
    assert stale.value.changed_by == manager.username
    milestones.mark_done(
        demo_store, viewer=staff, milestone_id=state.milestone_id, version=edited.version, done_on=today()
    )
    assert _audits(demo_store, "milestone.add", "ok") == 1
    assert _audits(demo_store, "milestone.edit", "ok") == 1
    assert _audits(demo_store, "milestone.done", "ok") == 1
    assert _audits(demo_store, "milestone.add", "denied") == 2

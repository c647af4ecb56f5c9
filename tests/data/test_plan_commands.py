"""Plan authoring on the real store (SQLite and PostgreSQL): the approval cycle from a city objective
to a ward's aligned one, scope (a ward leader neither writes another ward's plan nor approves its own),
change requests that keep both targets with their dates, and the copy of a plan into next year.
Every refusal is audited; bad input writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from config.clock import now
from data_access.commands import measurements
from data_access.commands import plans as commands
from data_access.db import Store
from data_access.errors import Forbidden, Invalid, NotFound
from data_access.models import (
    AuditEntry,
    Indicator,
    IndicatorRevision,
    IndicatorRollup,
    Milestone,
    Objective,
    OrgUnit,
    Period,
    Person,
    Plan,
    TrajectoryPoint,
    UnitRollup,
)
from data_access.queries import plans as queries
from data_access.viewer import Viewer
from domain.periods import periods_of_year
from domain.plan_items import IndicatorDraft, ObjectiveDraft
from tests.conftest import TEST_TODAY
from tests.support.viewers import demo_viewers

YEAR = str(TEST_TODAY.year)
HOAN_KIEM, TU_LIEM = "W00070", "W00592"


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def unit_id(store: Store, code: str) -> int:
    with store.read() as session:
        return session.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def person_in(store: Store, code: str) -> int:
    with store.read() as session:
        return session.execute(
            select(Person.id).join(OrgUnit, OrgUnit.id == Person.unit_id).where(OrgUnit.code == code).limit(1)
        ).scalar_one()


def denied(store: Store, viewer: Viewer) -> int:
    with store.read() as session:
        return session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.user_id == viewer.user_id, AuditEntry.outcome == "denied")
        ).scalar_one()


def quarter_ends(year: int) -> list[date]:
    return [date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)]


def key_result(
    name: str, *, baseline: float, target: float, owner: int | None = None, weight: float = 50
) -> IndicatorDraft:
    year = TEST_TODAY.year
    steps = [baseline + (target - baseline) * share for share in (0.25, 0.5, 0.75, 1.0)]
    return IndicatorDraft(
        name=name,
        direction="increase",
        unit_of_measure="%",
        baseline=baseline,
        target=target,
        weight=weight,
        frequency="quarterly",
        owner_person_id=owner,
        evidence_required=True,
        trajectory=tuple(zip(quarter_ends(year), steps, strict=True)),
    )


def city_plan(store: Store, people: dict[str, Viewer]) -> tuple[int, list[int]]:
    """The city leader writes a city objective from Resolution 57 with two key results and adopts it."""
    city = unit_id(store, "HN")
    leader = people["city_leader"]
    objective = commands.add_objective(
        store,
        viewer=leader,
        unit_id=city,
        period_code=YEAR,
        draft=ObjectiveDraft(
            title="Đột phá phát triển khoa học, công nghệ và chuyển đổi số",
            source_kind="resolution",
            source_ref="Nghị quyết 57-NQ/TW",
            weight=2,
            owner_person_id=leader.person_id,
        ),
    )
    krs = [
        commands.add_indicator(
            store,
            viewer=leader,
            objective_id=objective.id,
            draft=key_result("Hồ sơ trực tuyến toàn trình", baseline=60, target=90),
        ).id,
        commands.add_indicator(
            store,
            viewer=leader,
            objective_id=objective.id,
            draft=key_result("Dịch vụ công có thanh toán trực tuyến", baseline=40, target=80),
        ).id,
    ]
    with store.read() as session:
        plan = session.execute(select(Plan).where(Plan.unit_id == city)).scalar_one()
    state = commands.submit_plan(store, viewer=leader, plan_id=plan.id, version=plan.version)
    commands.approve_plan(store, viewer=leader, plan_id=plan.id, version=state.version)  # the city adopts its own
    return objective.id, krs


def test_the_cycle_from_a_city_objective_to_an_aligned_ward_objective(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    city_objective, city_krs = city_plan(demo_store, people)
    with demo_store.read() as session:
        assert all(session.get(Indicator, i).published for i in city_krs)
        rollups = (
            session.execute(select(IndicatorRollup.status).where(IndicatorRollup.indicator_id.in_(city_krs)))
            .scalars()
            .all()
        )
        assert rollups and set(rollups) == {"no_data"}  # counted now, with no value yet
        assert (
            session.execute(
                select(func.count()).select_from(IndicatorRevision).where(IndicatorRevision.indicator_id.in_(city_krs))
            ).scalar_one()
            == 2
        )

    ward, ward_leader = unit_id(demo_store, HOAN_KIEM), people["ward_leader"]
    with demo_store.read() as session:
        choices = queries.parent_choices(session, viewer=ward_leader, unit_id=ward, period_code=YEAR)
    assert city_objective in [c.value for c in choices]
    objective = commands.add_objective(
        demo_store,
        viewer=ward_leader,
        unit_id=ward,
        period_code=YEAR,
        draft=ObjectiveDraft(
            title="Chuyển đổi số phường Hoàn Kiếm",
            source_kind="resolution",
            source_ref="Nghị quyết 57-NQ/TW",
            parent_objective_id=city_objective,
            owner_person_id=ward_leader.person_id,
        ),
    )
    kr = commands.add_indicator(
        demo_store,
        viewer=ward_leader,
        objective_id=objective.id,
        draft=key_result(
            "Hồ sơ trực tuyến của phường", baseline=50, target=85, owner=ward_leader.person_id, weight=100
        ),
    )
    with demo_store.read() as session:
        view = queries.plan_view(session, viewer=ward_leader, unit_id=ward, period_code=YEAR)
        # Amending the approved plan puts it back to draft; the new key result counts nowhere yet.
        assert view.status == "draft" and view.may_submit and not view.may_decide
        assert session.get(IndicatorRollup, (kr.id, session.get(Indicator, kr.id).period_id)) is None
    assert view.plan_id is not None
    with pytest.raises(Invalid) as draft_value:  # no value for a key result the level above has not approved
        measurements.enter_value(demo_store, viewer=ward_leader, indicator_id=kr.id, value="60", measured_on=TEST_TODAY)
    assert draft_value.value.problems == {"indicator": "unknown_choice"}
    submitted = commands.submit_plan(demo_store, viewer=ward_leader, plan_id=view.plan_id, version=view.plan_version)

    before = denied(demo_store, ward_leader)
    with pytest.raises(Forbidden):  # a ward leader cannot approve its own
        commands.approve_plan(demo_store, viewer=ward_leader, plan_id=view.plan_id, version=submitted.version)
    assert denied(demo_store, ward_leader) == before + 1

    with pytest.raises(Invalid) as locked:  # a submitted plan waits for the decision
        commands.add_indicator(
            demo_store, viewer=ward_leader, objective_id=objective.id, draft=key_result("x", baseline=1, target=2)
        )
    assert locked.value.problems == {"plan": "plan_locked"}

    commands.approve_plan(demo_store, viewer=people["city_leader"], plan_id=view.plan_id, version=submitted.version)
    with demo_store.read() as session:
        indicator = session.get(Indicator, kr.id)
        assert indicator.published and session.get(Objective, objective.id).published
        assert session.get(IndicatorRollup, (kr.id, indicator.period_id)).status == "no_data"
        assert session.get(Plan, view.plan_id).status == "approved"
    measurements.enter_value(demo_store, viewer=ward_leader, indicator_id=kr.id, value="60", measured_on=TEST_TODAY)
    with demo_store.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "plan.approve").order_by(AuditEntry.id.desc()).limit(1)
        ).scalar_one()
        assert '"submitted"' in (entry.before_json or "") and '"approved"' in (entry.after_json or "")


def test_returned_with_a_reason_then_resubmitted(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward, ward_leader = unit_id(demo_store, HOAN_KIEM), people["ward_leader"]
    objective = commands.add_objective(
        demo_store,
        viewer=ward_leader,
        unit_id=ward,
        period_code=YEAR,
        draft=ObjectiveDraft(title="Cải cách hành chính", source_kind="key_task"),
    )
    commands.add_indicator(
        demo_store, viewer=ward_leader, objective_id=objective.id, draft=key_result("KR", baseline=1, target=5)
    )
    with demo_store.read() as session:
        plan = session.execute(
            select(Plan).where(Plan.unit_id == ward, Plan.period_id == session.get(Objective, objective.id).period_id)
        ).scalar_one()
    state = commands.submit_plan(demo_store, viewer=ward_leader, plan_id=plan.id, version=plan.version)
    with pytest.raises(Invalid) as blank:
        commands.return_plan(
            demo_store, viewer=people["city_leader"], plan_id=plan.id, version=state.version, reason="  "
        )
    assert blank.value.problems == {"reason": "reason_required"}
    state = commands.return_plan(
        demo_store, viewer=people["city_leader"], plan_id=plan.id, version=state.version, reason="Chỉ tiêu còn thấp"
    )
    with demo_store.read() as session:
        view = queries.plan_view(session, viewer=ward_leader, unit_id=ward, period_code=YEAR)
    assert view.status == "returned" and view.return_reason == "Chỉ tiêu còn thấp"
    state = commands.submit_plan(demo_store, viewer=ward_leader, plan_id=plan.id, version=state.version)
    with demo_store.read() as session:
        assert session.get(Plan, plan.id).status == "submitted"


def test_a_ward_leader_cannot_write_another_wards_plan(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward_leader = people["ward_leader"]
    other = unit_id(demo_store, TU_LIEM)
    before = denied(demo_store, ward_leader)
    with pytest.raises(Forbidden):
        commands.add_objective(
            demo_store,
            viewer=ward_leader,
            unit_id=other,
            period_code=YEAR,
            draft=ObjectiveDraft(title="Không được phép", source_kind="regular_work"),
        )
    with demo_store.read() as session:
        objective_id = session.execute(
            select(Objective.id)
            .join(Period, Period.id == Objective.period_id)
            .where(Objective.unit_id == other, Period.code == YEAR)
            .limit(1)
        ).scalar_one()
    with pytest.raises(Forbidden):  # nor its key results, whatever id the page was sent
        commands.add_indicator(
            demo_store, viewer=ward_leader, objective_id=objective_id, draft=key_result("x", baseline=1, target=2)
        )
    with pytest.raises(Forbidden):
        commands.copy_plan(
            demo_store, viewer=ward_leader, unit_id=other, from_period=str(TEST_TODAY.year - 1), to_period=YEAR
        )
    assert denied(demo_store, ward_leader) == before + 3
    with pytest.raises(NotFound):
        commands.add_indicator(
            demo_store, viewer=ward_leader, objective_id=10**9, draft=key_result("x", baseline=1, target=2)
        )
    with demo_store.read() as session:
        assert not session.execute(select(Objective).where(Objective.title == "Không được phép")).first()
        with pytest.raises(Forbidden):
            queries.plan_view(session, viewer=ward_leader, unit_id=other, period_code=YEAR)


def test_bad_input_writes_nothing(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward, ward_leader = unit_id(demo_store, HOAN_KIEM), people["ward_leader"]
    outsider = person_in(demo_store, TU_LIEM)
    with pytest.raises(Invalid) as problem:
        commands.add_objective(
            demo_store,
            viewer=ward_leader,
            unit_id=ward,
            period_code=YEAR,
            draft=ObjectiveDraft(
                title=" ", source_kind="rumour", weight=-1, owner_person_id=outsider, parent_objective_id=10**9
            ),
        )
    assert problem.value.problems == {
        "title": "required",
        "source_kind": "unknown_choice",
        "weight": "weight_negative",
        "owner": "owner_outside_unit",
        "parent_objective_id": "parent_not_in_approved_plan",
    }
    with demo_store.read() as session:
        objective_id = session.execute(
            select(Objective.id)
            .join(Period, Period.id == Objective.period_id)
            .where(Objective.unit_id == ward, Period.code == YEAR)
            .limit(1)
        ).scalar_one()
    wrong = IndicatorDraft(
        name="Giảm hồ sơ giấy",
        direction="increase",
        baseline=50,
        target=40,
        trajectory=((date(TEST_TODAY.year, 6, 30), 45.0), (date(TEST_TODAY.year + 1, 1, 31), 40.0)),
    )
    with pytest.raises(Invalid) as problem:
        commands.add_indicator(demo_store, viewer=ward_leader, objective_id=objective_id, draft=wrong)
    assert problem.value.problems == {"target": "target_not_above_baseline"}
    with pytest.raises(Invalid) as problem:
        commands.add_indicator(
            demo_store,
            viewer=ward_leader,
            objective_id=objective_id,
            draft=IndicatorDraft(
                name="x", direction="increase", baseline=1, target=5, trajectory=((date(TEST_TODAY.year, 6, 30), 3.0),)
            ),
        )
    assert problem.value.problems == {"trajectory": "trajectory_not_at_target"}
    with demo_store.read() as session:
        assert not session.execute(select(Indicator).where(Indicator.name.in_(["Giảm hồ sơ giấy", "x"]))).first()


def test_an_alignment_loop_is_refused_and_writes_nothing(demo_store: Store, people: dict[str, Viewer]) -> None:
    city_objective, _ = city_plan(demo_store, people)
    ward, ward_leader, city_leader = unit_id(demo_store, HOAN_KIEM), people["ward_leader"], people["city_leader"]
    ward_draft = ObjectiveDraft(
        title="Chuyển đổi số phường Hoàn Kiếm", source_kind="resolution", parent_objective_id=city_objective
    )
    ward_objective = commands.add_objective(
        demo_store, viewer=ward_leader, unit_id=ward, period_code=YEAR, draft=ward_draft
    )
    with demo_store.read() as session:
        city_version = session.get(Objective, city_objective).version
    city_draft = ObjectiveDraft(
        title="Đột phá phát triển khoa học, công nghệ và chuyển đổi số",
        source_kind="resolution",
        weight=2,
        parent_objective_id=ward_objective.id,  # the city objective would serve the ward's, which serves it
    )
    with pytest.raises(Invalid) as loop:
        commands.edit_objective(
            demo_store, viewer=city_leader, objective_id=city_objective, version=city_version, draft=city_draft
        )
    assert loop.value.problems == {"parent_objective_id": "alignment_loop"}
    with pytest.raises(Invalid) as itself:
        commands.edit_objective(
            demo_store,
            viewer=ward_leader,
            objective_id=ward_objective.id,
            version=ward_objective.version,
            draft=ObjectiveDraft(
                title=ward_draft.title, source_kind="resolution", parent_objective_id=ward_objective.id
            ),
        )
    assert itself.value.problems == {"parent_objective_id": "alignment_to_itself"}
    with demo_store.read() as session:
        city, ward_row = session.get(Objective, city_objective), session.get(Objective, ward_objective.id)
        assert (city.parent_objective_id, city.version) == (None, city_version)
        assert (ward_row.parent_objective_id, ward_row.version) == (city_objective, ward_objective.version)
    # Its real alignment, no loop, still saves.
    commands.edit_objective(
        demo_store,
        viewer=ward_leader,
        objective_id=ward_objective.id,
        version=ward_objective.version,
        draft=ObjectiveDraft(
            title="Chuyển đổi số toàn diện", source_kind="resolution", parent_objective_id=city_objective
        ),
    )
    with demo_store.read() as session:
        assert session.get(Objective, ward_objective.id).title == "Chuyển đổi số toàn diện"


def test_an_approved_target_changes_by_request_and_both_targets_keep_their_dates(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    ward_leader, city_leader = people["ward_leader"], people["city_leader"]
    ward = unit_id(demo_store, HOAN_KIEM)
    with demo_store.read() as session:
        indicator = session.execute(
            select(Indicator)
            .join(Period, Period.id == Indicator.period_id)
            .where(Indicator.unit_id == ward, Indicator.direction == "increase", Indicator.published.is_(True))
            .where(Period.code == YEAR, (Indicator.max_value.is_(None)) | (Indicator.max_value > Indicator.target))
            .limit(1)
        ).scalar_one()
        old_target, version = indicator.target, indicator.version
    ceiling = indicator.max_value
    new_target = old_target + 5 if ceiling is None else (old_target + ceiling) / 2
    draft = IndicatorDraft(
        name=indicator.name,
        direction="increase",
        baseline=indicator.baseline,
        target=new_target,
        weight=indicator.weight,
        accumulation=indicator.accumulation,
        min_value=indicator.min_value,
    )
    with pytest.raises(Invalid) as direct:  # approved numbers never change directly
        commands.edit_indicator(demo_store, viewer=ward_leader, indicator_id=indicator.id, version=version, draft=draft)
    assert direct.value.problems.get("target") == "change_request_needed"
    with pytest.raises(Invalid) as no_reason:
        commands.request_change(
            demo_store,
            viewer=ward_leader,
            indicator_id=indicator.id,
            version=version,
            proposed={"target": new_target},
            reason="",
        )
    assert no_reason.value.problems == {"reason": "reason_required"}
    request = commands.request_change(
        demo_store,
        viewer=ward_leader,
        indicator_id=indicator.id,
        version=version,
        proposed={"target": new_target},
        reason="Giao bổ sung chỉ tiêu theo Kế hoạch của Thành phố",
    )
    with demo_store.read() as session:
        assert [p.id for p in queries.pending_changes(session, viewer=city_leader)] == [request.id]
        assert queries.pending_changes(session, viewer=ward_leader) == []  # not its own to decide
    with pytest.raises(Forbidden):
        commands.decide_change(
            demo_store, viewer=ward_leader, request_id=request.id, version=request.version, approve=True
        )
    decided_at = now()
    commands.decide_change(demo_store, viewer=city_leader, request_id=request.id, version=request.version, approve=True)
    with demo_store.read() as session:
        assert session.get(Indicator, indicator.id).target == new_target
        history = queries.target_history(session, viewer=ward_leader, indicator_id=indicator.id)
        assert [h.target for h in history] == [old_target, new_target]
        assert history[0].effective_at < history[1].effective_at
        assert history[1].change_request_id == request.id
        # The planned trajectory now leads to the new target.
        last_point = session.execute(
            select(TrajectoryPoint.value)
            .where(TrajectoryPoint.indicator_id == indicator.id)
            .order_by(TrajectoryPoint.at.desc())
            .limit(1)
        ).scalar_one_or_none()
        assert last_point is None or last_point == pytest.approx(new_target)
        assert (
            queries.target_as_of(session, indicator_id=indicator.id, at=decided_at - timedelta(days=30)) == old_target
        )
        assert (
            queries.target_as_of(session, indicator_id=indicator.id, at=decided_at + timedelta(minutes=5)) == new_target
        )
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "indicator.change", AuditEntry.entity_id == str(indicator.id))
        ).scalar_one()
        assert str(old_target) in (entry.before_json or "") and str(new_target) in (entry.after_json or "")


def add_next_year(store: Store) -> str:
    year = TEST_TODAY.year + 1
    with store.write() as session:
        for period in periods_of_year(year):
            session.add(
                Period(
                    code=period.code,
                    kind=period.kind.value,
                    year=year,
                    number=period.number,
                    start_date=period.start,
                    end_date=period.end,
                    locked=False,
                    grace_days=10,
                )
            )
    return str(year)


def test_copy_into_next_year(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward, ward_leader = unit_id(demo_store, HOAN_KIEM), people["ward_leader"]
    next_year = add_next_year(demo_store)
    with demo_store.write() as session:
        indicator = session.execute(
            select(Indicator)
            .join(Period, Period.id == Indicator.period_id)
            .where(Indicator.unit_id == ward, Period.code == YEAR)
            .order_by(Indicator.id)
            .limit(1)
        ).scalar_one()
        session.add_all(
            [
                Milestone(
                    indicator_id=indicator.id,
                    title="Xong",
                    due_on=date(TEST_TODAY.year, 3, 31),
                    done_on=date(TEST_TODAY.year, 3, 30),
                ),
                Milestone(indicator_id=indicator.id, title="Chưa xong", due_on=date(TEST_TODAY.year, 12, 15)),
            ]
        )
        source_code = indicator.code
        n_objectives = session.execute(
            select(func.count())
            .select_from(Objective)
            .join(Period, Period.id == Objective.period_id)
            .where(Objective.unit_id == ward, Period.code == YEAR)
        ).scalar_one()
        old_points = session.execute(
            select(TrajectoryPoint.at, TrajectoryPoint.value)
            .where(TrajectoryPoint.indicator_id == indicator.id)
            .order_by(TrajectoryPoint.at)
        ).all()
    plan = commands.copy_plan(demo_store, viewer=ward_leader, unit_id=ward, from_period=YEAR, to_period=next_year)
    with demo_store.read() as session:
        copied = session.get(Plan, plan.id)
        assert copied.status == "draft" and copied.copied_from_id is not None
        view = queries.plan_view(session, viewer=ward_leader, unit_id=ward, period_code=next_year)
        assert len(view.objectives) == n_objectives and not any(o.published for o in view.objectives)
        twin = session.execute(
            select(Indicator)
            .join(Period, Period.id == Indicator.period_id)
            .where(Indicator.unit_id == ward, Period.code == next_year, Indicator.code == source_code)
        ).scalar_one()
        assert not twin.published and twin.owner_person_id is not None
        points = session.execute(
            select(TrajectoryPoint.at, TrajectoryPoint.value)
            .where(TrajectoryPoint.indicator_id == twin.id)
            .order_by(TrajectoryPoint.at)
        ).all()
        assert [(p.at.replace(year=p.at.year - 1), p.value) for p in points] == [
            (p.at, pytest.approx(p.value)) for p in old_points
        ]
        carried = session.execute(select(Milestone).where(Milestone.indicator_id == twin.id)).scalars().all()
        assert [(m.title, m.due_on, m.done_on) for m in carried] == [
            ("Chưa xong", date(TEST_TODAY.year + 1, 12, 15), None)
        ]
        assert carried[0].carried_from_id is not None
        # next year's drafts count nowhere yet
        assert session.get(IndicatorRollup, (twin.id, twin.period_id)) is None
        assert session.get(UnitRollup, (ward, twin.period_id)).n_indicators == 0
    with pytest.raises(Invalid) as twice:
        commands.copy_plan(demo_store, viewer=ward_leader, unit_id=ward, from_period=YEAR, to_period=next_year)
    assert twice.value.problems == {"period": "plan_exists"}

"""A job position's KPI templates on the real store (SQLite and PostgreSQL): administrators keep them
(checked, audited, conflicts on outdated copies, refusals outside their scope), and a division's
manager gives a person placed in the position their KPIs: draft key results of the division's plan,
owned by the person, under "Nhiệm vụ theo vị trí việc làm" or the objective chosen; giving twice adds
nothing, and a template added later comes on the next giving."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data_access.commands import plans
from data_access.commands import position_kpis as commands
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid
from data_access.models import AuditEntry, Indicator, Objective, OrgUnit, Person, Plan, PositionKpiTemplate, User
from data_access.viewer import Viewer
from domain.plan_items import ObjectiveDraft
from domain.position_kpis import POSITION_OBJECTIVE_TITLE, TemplateDraft
from tests.data.test_plan_commands import YEAR, denied, people  # noqa: F401

ONLINE = TemplateDraft(
    code="kpi-01", name="Hồ sơ giải quyết đúng hạn", unit_of_measure="%", baseline=80, target=95, weight=60
)
REPORTS = TemplateDraft(code="KPI-02", name="Báo cáo nộp đúng hạn", direction="done", weight=40, frequency="quarterly")


def staff_person(store: Store) -> Person:
    """The demo specialist of the technology division, with their job position."""
    with store.read() as session:
        person = session.execute(
            select(Person).join(User, User.person_id == Person.id).where(User.username == "chuyenvien.khcn")
        ).scalar_one()
        assert person.position_id is not None
        session.expunge(person)
        return person


def kpis_of(store: Store, person_id: int) -> list[Indicator]:
    with store.read() as session:
        rows = list(
            session.execute(
                select(Indicator).where(Indicator.owner_person_id == person_id, Indicator.template_id.is_not(None))
            ).scalars()
        )
        for row in rows:
            session.expunge(row)
        return rows


def test_templates_are_checked_audited_and_refused_outside_the_scope(
    demo_store: Store,
    people: dict[str, Viewer],  # noqa: F811
) -> None:
    position_id = staff_person(demo_store).position_id
    assert position_id is not None
    admin = people["admin"]
    made = commands.add_template(demo_store, viewer=admin, position_id=position_id, draft=ONLINE)
    with demo_store.read() as session:
        row = session.get(PositionKpiTemplate, made.template_id)
        assert row is not None and (row.code, row.target, row.active) == ("KPI-01", 95, True)
        assert session.execute(
            select(AuditEntry.action).where(AuditEntry.entity == "position_kpi_template")
        ).scalars().all() == ["position_kpi_template.create"]
    # A target below the baseline of an increasing KPI, a code taken: clear problems, nothing written.
    with pytest.raises(Invalid) as wrong:
        commands.add_template(
            demo_store,
            viewer=admin,
            position_id=position_id,
            draft=TemplateDraft(code="KPI-01", name="Sai", baseline=90, target=50),
        )
    assert wrong.value.problems == {"code": "code_taken", "target": "target_not_above_baseline"}
    # An edit made on an outdated copy is a conflict; with the current token it goes through.
    with pytest.raises(Conflict):
        commands.edit_template(demo_store, viewer=admin, template_id=made.template_id, token="stale", draft=ONLINE)
    edited = commands.edit_template(
        demo_store,
        viewer=admin,
        template_id=made.template_id,
        token=made.token,
        draft=ONLINE.__class__(**{**ONLINE.__dict__, "target": 98}),
    )
    assert edited.token != made.token
    # The Hoan Kiem unit administrator and a specialist: refused and audited.
    for who in ("unit_admin", "staff"):
        before = denied(demo_store, people[who])
        with pytest.raises(Forbidden):
            commands.add_template(demo_store, viewer=people[who], position_id=position_id, draft=REPORTS)
        assert denied(demo_store, people[who]) == before + 1
    with demo_store.read() as session:
        count = session.execute(select(func.count()).select_from(PositionKpiTemplate)).scalar_one()
    assert count == 1


def test_a_person_gets_the_positions_kpis_once_in_the_divisions_draft_plan(
    demo_store: Store,
    people: dict[str, Viewer],  # noqa: F811
) -> None:
    person = staff_person(demo_store)
    assert person.position_id is not None
    admin, manager = people["admin"], people["manager"]
    online = commands.add_template(demo_store, viewer=admin, position_id=person.position_id, draft=ONLINE)

    given = plans.give_position_kpis(
        demo_store, viewer=manager, unit_id=person.unit_id, person_id=person.id, period_code=YEAR
    )
    assert len(given.indicator_ids) == 1 and given.already == 0
    [kpi] = kpis_of(demo_store, person.id)
    assert (kpi.name, kpi.target, kpi.weight, kpi.template_id) == (
        "Hồ sơ giải quyết đúng hạn",
        95,
        60,
        online.template_id,
    )
    assert kpi.unit_id == person.unit_id and not kpi.published
    with demo_store.read() as session:
        objective = session.get(Objective, kpi.objective_id)
        assert objective is not None and objective.title == POSITION_OBJECTIVE_TITLE
        plan = session.execute(
            select(Plan).where(Plan.unit_id == person.unit_id, Plan.period_id == kpi.period_id)
        ).scalar_one()
        assert plan.status == "draft"

    # Again: nothing new. A second template and a deactivated first: only the new one comes.
    again = plans.give_position_kpis(
        demo_store, viewer=manager, unit_id=person.unit_id, person_id=person.id, period_code=YEAR
    )
    assert again.indicator_ids == [] and again.already == 1
    commands.add_template(demo_store, viewer=admin, position_id=person.position_id, draft=REPORTS)
    commands.deactivate_template(demo_store, viewer=admin, template_id=online.template_id, token=online.token)
    third = plans.give_position_kpis(
        demo_store, viewer=manager, unit_id=person.unit_id, person_id=person.id, period_code=YEAR
    )
    assert len(third.indicator_ids) == 1 and third.objective_id == given.objective_id
    assert sorted(k.name for k in kpis_of(demo_store, person.id)) == [
        "Báo cáo nộp đúng hạn",
        "Hồ sơ giải quyết đúng hạn",
    ]
    with demo_store.read() as session:
        kept = session.execute(
            select(func.count()).select_from(Objective).where(Objective.title == POSITION_OBJECTIVE_TITLE)
        ).scalar_one()
    assert kept == 1


def test_the_manager_chooses_the_objective_and_other_units_are_refused(
    demo_store: Store,
    people: dict[str, Viewer],  # noqa: F811
) -> None:
    person = staff_person(demo_store)
    assert person.position_id is not None
    commands.add_template(demo_store, viewer=people["admin"], position_id=person.position_id, draft=ONLINE)
    manager = people["manager"]
    chosen = plans.add_objective(
        demo_store,
        viewer=manager,
        unit_id=person.unit_id,
        period_code=YEAR,
        draft=ObjectiveDraft(title="Chuyển đổi số trong phòng", source_kind="key_task"),
    )
    # An objective of another unit's plan: refused with a clear problem, nothing given.
    with demo_store.read() as session:
        elsewhere = session.execute(
            select(Objective.id).where(Objective.unit_id != person.unit_id).limit(1)
        ).scalar_one_or_none()
    if elsewhere is not None:
        with pytest.raises(Invalid) as wrong:
            plans.give_position_kpis(
                demo_store,
                viewer=manager,
                unit_id=person.unit_id,
                person_id=person.id,
                period_code=YEAR,
                objective_id=elsewhere,
            )
        assert wrong.value.problems == {"objective": "objective_not_in_plan"}
    given = plans.give_position_kpis(
        demo_store,
        viewer=manager,
        unit_id=person.unit_id,
        person_id=person.id,
        period_code=YEAR,
        objective_id=chosen.id,
    )
    assert given.objective_id == chosen.id and len(given.indicator_ids) == 1
    # The Hoan Kiem leader cannot give KPIs in the city's technology division: refused, audited.
    before = denied(demo_store, people["ward_leader"])
    with pytest.raises(Forbidden):
        plans.give_position_kpis(
            demo_store, viewer=people["ward_leader"], unit_id=person.unit_id, person_id=person.id, period_code=YEAR
        )
    assert denied(demo_store, people["ward_leader"]) == before + 1
    assert len(kpis_of(demo_store, person.id)) == 1
    # From the department's plan: the division's specialist gets theirs in the division's plan, not here.
    with demo_store.read() as session:
        department = session.execute(select(OrgUnit.parent_id).where(OrgUnit.id == person.unit_id)).scalar_one()
    with pytest.raises(Invalid) as wrong:
        plans.give_position_kpis(
            demo_store, viewer=people["city_leader"], unit_id=department, person_id=person.id, period_code=YEAR
        )
    assert wrong.value.problems == {"person": "person_not_in_unit"}

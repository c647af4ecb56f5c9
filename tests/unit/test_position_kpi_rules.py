"""The pure rules of a position's KPI templates: what a template must look like, which ones a person
still has to get, and the personal KPI a template becomes."""

from __future__ import annotations

from domain.position_kpis import TemplateDraft, TemplateFacts, personal_kpi, template_problems, templates_to_give


def facts(template_id: int, *, active: bool = True) -> TemplateFacts:
    return TemplateFacts(
        template_id, f"K{template_id}", "Hồ sơ đúng hạn", "increase", "%", 80, 95, 50, "monthly", active
    )


def test_a_good_template_has_no_problem() -> None:
    assert template_problems(TemplateDraft(code="kpi-1", name=" Hồ sơ  đúng hạn ", baseline=80, target=95)) == {}
    assert template_problems(TemplateDraft(code="K2", name="Báo cáo", direction="done")) == {}


def test_each_wrong_field_is_named() -> None:
    problems = template_problems(
        TemplateDraft(code="mã có dấu", name="", direction="band", weight=-1, frequency="daily"),
    )
    assert problems == {
        "code": "code_format",
        "name": "required",
        "direction": "unknown_choice",
        "frequency": "unknown_choice",
        "weight": "weight_negative",
    }
    assert template_problems(TemplateDraft(code="K1", name="x", baseline=90, target=50)) == {
        "target": "target_not_above_baseline"
    }
    assert template_problems(TemplateDraft(code="k1", name="x", target=1), taken_codes={"K1"}) == {"code": "code_taken"}
    assert template_problems(TemplateDraft(code="K1", name="x", target="many")) == {"target": "not_a_number"}  # type: ignore[arg-type]


def test_only_active_templates_not_given_yet_are_given() -> None:
    given = templates_to_give([facts(1), facts(2), facts(3, active=False)], given={1})
    assert [t.id for t in given] == [2]


def test_the_personal_kpi_carries_the_templates_numbers_and_the_owner() -> None:
    draft = personal_kpi(facts(7), owner_person_id=42)
    assert (draft.name, draft.baseline, draft.target, draft.weight, draft.owner_person_id) == (
        "Hồ sơ đúng hạn",
        80,
        95,
        50,
        42,
    )

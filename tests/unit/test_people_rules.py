"""Rules for positions, people's records and moves (domain.positions, domain.people), by hand."""

from __future__ import annotations

from datetime import date

import pytest

from domain.people import PersonInput, closing_day, deactivation_problems, move_problems, person_problems
from domain.positions import deactivation_problems as position_deactivation_problems
from domain.positions import position_problems
from domain.records import PersonFact, RecordFacts, UnitFact

TODAY = date(2026, 11, 20)
UNIT = UnitFact(code="W00070-P1", kind="division", position_codes=frozenset({"CVTH"}))
FACTS = RecordFacts(units={UNIT.code: UNIT})
# 001: Hanoi; 3: a woman born in the 2000s; 01: in 2001.
GOOD = PersonInput(
    full_name="Nguyễn Thị Lan",
    gender="female",
    birth_date="2001-03-04",
    citizen_id="001301012345",
    civil_servant_code="HN0001",
    rank_code="01.003",
    email="lan@hanoi.gov.vn",
    phone="0912 345 678",
    start_date="2024-09-01",
)


def problems_of(person: PersonInput, facts: RecordFacts = FACTS) -> dict[str, str]:
    return person_problems(person.cleaned(), unit_code=UNIT.code, position_code="CVTH", facts=facts, today=TODAY).codes


def test_a_consistent_record_has_no_problem() -> None:
    assert problems_of(GOOD) == {}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"citizen_id": "001101012345"}, "citizen_id", "citizen_id_century"),  # digit 1: a woman born in the 1900s
        ({"citizen_id": "001399012345"}, "citizen_id", "citizen_id_birth_year"),
        ({"gender": "male"}, "citizen_id", "citizen_id_gender"),
        ({"citizen_id": "00130101234"}, "citizen_id", "citizen_id_format"),
        ({"birth_date": "2001-02-30"}, "birth_date", "not_a_date"),
        ({"birth_date": ""}, "birth_date", "missing"),
        ({"start_date": "2000-01-01"}, "start_date", "start_before_birth"),
        ({"start_date": "2015-01-01"}, "start_date", "age_at_start"),
        ({"start_date": "2026-12-01"}, "start_date", "date_in_future"),
        ({"start_date": ""}, "start_date", "missing"),
        ({"civil_servant_code": " "}, "civil_servant_code", "missing"),
        ({"full_name": "Nguyen Van 2"}, "full_name", "name_digits"),
        ({"email": "lan.hanoi.gov.vn"}, "email", "email_format"),
        ({"phone": "12345"}, "phone", "phone_format"),
        ({"gender": "other"}, "gender", "gender_unknown"),
    ],
)
def test_each_broken_field_is_named_with_its_code(change: dict[str, str], field: str, code: str) -> None:
    fields = {**GOOD.__dict__, **change}
    assert problems_of(PersonInput(**fields)).get(field) == code


def test_an_empty_rank_does_not_stop_the_form() -> None:
    assert problems_of(PersonInput(**{**GOOD.__dict__, "rank_code": ""})) == {}


def test_someone_else_holding_the_id_is_a_duplicate_with_their_unit() -> None:
    other = PersonFact("001301012345", "HN9", "W00592")
    facts = RecordFacts(units={UNIT.code: UNIT}, people_by_citizen_id={other.citizen_id: other})
    result = person_problems(GOOD.cleaned(), unit_code=UNIT.code, position_code="CVTH", facts=facts, today=TODAY)
    assert result.codes == {"citizen_id": "duplicate_in_store"}
    assert result.params["citizen_id"] == {"unit": "W00592"}


def test_cleaning_trims_and_normalises() -> None:
    cleaned = PersonInput(full_name="  Nguyễn   Lan ", phone="0912.345.678", email=" A@B.VN ").cleaned()
    assert (cleaned.full_name, cleaned.phone, cleaned.email) == ("Nguyễn Lan", "0912345678", "a@b.vn")


MOVE = {
    "effective": date(2026, 10, 1),
    "today": TODAY,
    "current_from": date(2024, 9, 1),
    "locked": False,
    "same_place": False,
    "person_active": True,
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, {}),
        ({"effective": date(2024, 9, 1)}, {}),  # the day the placement began: a correction
        ({"effective": None}, {"effective": "required_date"}),
        ({"effective": date(2026, 11, 21)}, {"effective": "move_in_future"}),
        ({"effective": date(2024, 8, 31)}, {"effective": "move_before_start"}),
        ({"locked": True}, {"effective": "move_in_locked_period"}),
        ({"same_place": True}, {"unit": "move_unchanged"}),
        ({"person_active": False}, {"person": "person_inactive"}),
    ],
)
def test_move_rules(change: dict[str, object], expected: dict[str, str]) -> None:
    assert move_problems(**{**MOVE, **change}) == expected  # type: ignore[arg-type]


def test_a_move_closes_the_old_placement_the_day_before() -> None:
    assert closing_day(date(2026, 3, 1)) == date(2026, 2, 28)


def test_a_person_with_a_login_is_not_deactivated() -> None:
    assert deactivation_problems(active=True, has_active_account=True) == {"person": "person_has_active_account"}
    assert deactivation_problems(active=True, has_active_account=False) == {}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, {}),
        ({"name": "  "}, {"position_name": "required"}),
        ({"code": "CV TH"}, {"code": "code_format"}),
        ({"code": "Chuyên"}, {"code": "code_format"}),
        ({"task_group": "Chuyên viên"}, {"task_group": "task_group_format"}),
        ({"criteria_set": "made_up"}, {"criteria_set": "unknown_choice"}),
        ({"criteria_set": "regulation_366"}, {}),
    ],
)
def test_position_rules(fields: dict[str, object], expected: dict[str, str]) -> None:
    base: dict[str, object] = {
        "name": "Chuyên viên tổng hợp",
        "code": "cvth",
        "task_group": "chuyen_vien_tong_hop",
        "criteria_set": "default",
    }
    assert position_problems(**{**base, **fields}, criteria_sets=("decree_335", "regulation_366")) == expected  # type: ignore[arg-type]


def test_a_held_position_stays_active() -> None:
    assert position_deactivation_problems(active=True, holders=2) == {"position": "position_held"}
    assert position_deactivation_problems(active=False, holders=0) == {"position": "already_inactive_position"}

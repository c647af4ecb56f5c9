"""The validators of people and org-unit records: each of the six qualities, with hand-computed
citizen ids (province of birth registration, century-and-gender digit, birth-year digits)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.records import (
    Division,
    PersonFact,
    Quality,
    RecordFacts,
    UnitFact,
    describe,
    validate_profiles,
    validate_units,
)
from domain.records.citizen_id import structure_problems

TODAY = date(2026, 11, 20)

FACTS = RecordFacts(
    units={
        "HN": UnitFact("HN", "city", official_code="01"),
        "W00070": UnitFact(
            "W00070",
            "ward",
            official_code="00070",
            parent_code="HN",
            active_people=12,
            position_codes=frozenset({"CV"}),
        ),
        "W00592": UnitFact("W00592", "ward", official_code="00592", parent_code="HN"),
        "OLD": UnitFact("OLD", "division", parent_code="W00070", closed=True, active_people=2),
    },
    people_by_citizen_id={"001090000001": PersonFact("001090000001", "CS-1", "W00070")},
    people_by_civil_servant_code={"CS-1": PersonFact("001090000001", "CS-1", "W00070")},
    divisions={
        "01": Division("01", "Thành phố Hà Nội", "province"),
        "79": Division("79", "Thành phố Hồ Chí Minh", "province"),
        "00070": Division("00070", "Phường Hoàn Kiếm", "ward", "01"),
        "00592": Division("00592", "Phường Từ Liêm", "ward", "01"),
        "09877": Division("09877", "Xã Sóc Sơn", "commune", "01"),
        "26734": Division("26734", "Phường Sài Gòn", "ward", "79"),
    },
)


# --- citizen id structure, computed by hand ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "born", "female", "expected"),
    [
        # 001 Ha Noi, 1 = female born 1900-1999, 85 = 1985
        ("001185001234", date(1985, 3, 2), True, []),
        # 079 Ho Chi Minh City, 2 = male born 2000-2099, 03 = 2003
        ("079203000007", date(2003, 12, 31), False, []),
        # 002 Ha Giang: merged in 2025, but ids issued there stay valid
        ("002190000001", date(1990, 1, 1), True, []),
        # 003 is a gap in the list of province codes
        ("003185001234", date(1985, 3, 2), True, [("citizen_id_province", {"code": "003"})]),
        # 0 = male born 1900-1999, given for a woman
        ("001085001234", date(1985, 3, 2), True, [("citizen_id_gender", {"digit": 0})]),
        # 2 = born 2000-2099, but born 1985
        ("001285001234", date(1985, 3, 2), False, [("citizen_id_century", {"digit": 2, "year": 1985})]),
        # 86 = 1986, but born 1985
        ("001186001234", date(1985, 3, 2), True, [("citizen_id_birth_year", {"digits": "86", "year": 1985})]),
        # 8 = the 2300s (Circular 07/2016), not the 1800s: someone born 1885 cannot have it
        ("001885001234", date(1885, 3, 2), False, [("citizen_id_century", {"digit": 8, "year": 1885})]),
        # without a birth date: 2 + 90 = 2090, after today
        ("001290001234", None, None, [("citizen_id_future", {"year": 2090})]),
        ("00118500123", None, None, [("citizen_id_format", {"length": 11})]),
        ("00118500123a", None, None, [("citizen_id_format", {"length": 12})]),
        ("００1185001234", None, None, [("citizen_id_format", {"length": 12})]),  # full-width digits
    ],
)
def test_citizen_id_structure(value: str, born: date | None, female: bool | None, expected: list) -> None:
    assert structure_problems(value, born_on=born, female=female, today=TODAY) == expected


def test_old_callers_of_domain_citizen_id_still_work() -> None:
    from domain.citizen_id import birth_year, make_citizen_id, validate_citizen_id

    made = make_citizen_id(1, female=True, birth_year=1985, serial=1234)
    assert made == "001185001234"
    assert validate_citizen_id(made, today=TODAY) == made and birth_year(made) == 1985


# --- profiles -------------------------------------------------------------------------------


def person(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "citizen_id": "001185001234",
        "civil_servant_code": "CS-2",
        "full_name": "Nguyễn Thị Lan",
        "date_of_birth": "1985-03-02",
        "gender": "female",
        "unit_code": "W00070",
        "position_code": "CV",
        "rank_code": "01.003",
        "start_date": "2010-09-01",
        "email": "lan.nt@hanoi.gov.vn",
        "phone": "0912 345 678",
        "active": True,
        "updated_at": "2026-06-30T08:00:00+07:00",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not ...}


def found(problems: list) -> list[tuple[int, str, str, Quality]]:
    return [(p.record, p.field, p.code, p.quality) for p in problems]


def test_a_sound_profile_has_no_problem() -> None:
    assert (
        validate_profiles(
            [
                person(),
                person(
                    citizen_id="079203000007",
                    civil_servant_code="CS-3",
                    gender="male",
                    date_of_birth="2003-12-31",
                    start_date="2026-01-05",
                ),
            ],
            FACTS,
            today=TODAY,
        )
        == []
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # correct
        ({"citizen_id": "001085001234"}, [("citizen_id", "citizen_id_gender", Quality.CORRECT)]),
        ({"date_of_birth": "1985-02-30"}, [("date_of_birth", "not_a_date", Quality.CORRECT)]),
        ({"date_of_birth": "02/03/1985"}, [("date_of_birth", "not_a_date", Quality.CORRECT)]),
        ({"start_date": "1984-01-01"}, [("start_date", "start_before_birth", Quality.CORRECT)]),
        ({"start_date": "2002-09-01"}, [("start_date", "age_at_start", Quality.CORRECT)]),  # 17
        ({"start_date": "2003-03-02"}, []),  # 18 on the day
        ({"gender": "nữ"}, [("gender", "gender_unknown", Quality.CORRECT)]),
        ({"unit_code": "W99999"}, [("unit_code", "unknown_unit", Quality.CORRECT)]),
        ({"unit_code": "00070"}, []),  # the official code of a known ward
        ({"position_code": "GD"}, [("position_code", "unknown_position", Quality.CORRECT)]),
        ({"email": "lan.nt.hanoi.gov.vn"}, [("email", "email_format", Quality.CORRECT)]),
        ({"phone": "912345"}, [("phone", "phone_format", Quality.CORRECT)]),
        ({"citizen_id": 1185001234}, [("citizen_id", "not_text", Quality.CORRECT)]),
        ({"active": "yes"}, [("active", "not_true_false", Quality.CORRECT)]),
        ({"nickname": "Lan"}, [("nickname", "unknown_field", Quality.CORRECT)]),
        # sufficient
        ({"full_name": "   "}, [("full_name", "missing", Quality.SUFFICIENT)]),
        ({"gender": ...}, [("gender", "missing", Quality.SUFFICIENT)]),
        # clean
        ({"full_name": "Nguyễn  Thị Lan "}, [("full_name", "name_spaces", Quality.CLEAN)]),
        ({"full_name": "Nguye\u0302\u0303n Thị Lan"}, [("full_name", "name_not_nfc", Quality.CLEAN)]),
        ({"full_name": "Nguyễn Thị Lan 2"}, [("full_name", "name_digits", Quality.CLEAN)]),
        ({"unit_code": " W00070"}, [("unit_code", "not_trimmed", Quality.CLEAN)]),
        (
            {"citizen_id": "001090000001", "date_of_birth": "1990-05-05", "gender": "male", "start_date": "2015-01-01"},
            [("citizen_id", "duplicate_in_store", Quality.CLEAN)],
        ),
        ({"civil_servant_code": "CS-1"}, [("civil_servant_code", "duplicate_in_store", Quality.CLEAN)]),
        # live
        ({"updated_at": "2025-11-19T23:59:00Z"}, [("updated_at", "stale", Quality.LIVE)]),  # 366 days
        ({"updated_at": "2025-11-20"}, []),  # 365 days
        ({"unit_code": "OLD", "position_code": ...}, [("unit_code", "active_in_closed_unit", Quality.LIVE)]),
        ({"unit_code": "OLD", "position_code": ..., "active": False}, []),
        # unified
        ({"unit_code": "99999"}, [("unit_code", "not_official_code", Quality.UNIFIED)]),
        # shared
        ({"rank_code": None}, [("rank_code", "needed_for_exchange", Quality.SHARED)]),
        ({"civil_servant_code": "C" * 21}, [("civil_servant_code", "too_long", Quality.SHARED)]),
    ],
)
def test_each_quality_of_a_profile(changes: dict[str, Any], expected: list) -> None:
    problems = validate_profiles([person(**changes)], FACTS, today=TODAY)
    assert [(f, c, q) for _r, f, c, q in found(problems)] == expected


def test_profile_duplicates_and_units_inside_the_file() -> None:
    twin = person(civil_servant_code="CS-9")
    moved = person(unit_code="W00592", position_code=None, civil_servant_code="CS-8")
    same_code = person(citizen_id="079203000007", gender="male", date_of_birth="2003-12-31", start_date="2026-01-05")
    problems = validate_profiles([person(), twin, moved, same_code], FACTS, today=TODAY)
    assert found(problems) == [
        (1, "citizen_id", "duplicate_in_file", Quality.CLEAN),
        (2, "unit_code", "several_units", Quality.UNIFIED),
        (3, "civil_servant_code", "duplicate_in_file", Quality.CLEAN),
    ]
    assert problems[0].params == {"first": 0}


def test_a_record_that_is_not_an_object_is_reported_and_the_rest_still_checked() -> None:
    problems = validate_profiles(["001185001234", person(gender=None)], FACTS, today=TODAY)
    assert found(problems) == [(0, "", "not_a_record", Quality.CORRECT), (1, "gender", "missing", Quality.SUFFICIENT)]


def test_messages_are_filled_and_translated_by_the_callers_gettext() -> None:
    problems = validate_profiles([person(citizen_id="003185001234")], FACTS, today=TODAY)
    rows = describe(problems, lambda text: text)
    assert rows == [
        {
            "record": 0,
            "field": "citizen_id",
            "code": "citizen_id_province",
            "quality": "correct",
            "message": "The first three digits, 003, are not a province code of birth registration.",
        }
    ]
    vietnamese = {
        "The first three digits, %(code)s, are not a province code of birth registration.": "Ba chữ số đầu, %(code)s, "
        "không phải mã tỉnh nơi đăng ký khai sinh."
    }
    assert describe(problems, lambda text: vietnamese.get(text, text))[0]["message"].startswith("Ba chữ số đầu, 003,")


# --- org units ------------------------------------------------------------------------------


def unit(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "code": "W09877",
        "official_code": "09877",
        "name": "Xã Sóc Sơn",
        "kind": "commune",
        "parent_code": "HN",
        "valid_from": "2025-07-01",
        "updated_at": "2026-07-01T00:00:00Z",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not ...}


def test_sound_units_have_no_problem() -> None:
    division = {
        "code": "W09877-P1",
        "name": "Văn phòng HĐND và UBND",
        "kind": "division",
        "parent_code": "W09877",
        "valid_from": "2025-07-01",
    }
    assert validate_units([unit(), division], FACTS, today=TODAY) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # correct
        ({"kind": "district"}, [("kind", "unknown_kind", Quality.CORRECT)]),
        ({"valid_to": "2025-06-30"}, [("valid_to", "dates_order", Quality.CORRECT)]),
        ({"valid_from": "2025-13-01"}, [("valid_from", "not_a_date", Quality.CORRECT)]),
        ({"parent_code": "XX"}, [("parent_code", "unknown_parent", Quality.CORRECT)]),
        ({"parent_code": "W09877"}, [("parent_code", "own_parent", Quality.CORRECT)]),
        ({"successor_codes": ["W00070", "NOPE"]}, [("successor_codes", "unknown_successor", Quality.CORRECT)]),
        ({"successor_codes": "W00070"}, [("successor_codes", "not_text_list", Quality.CORRECT)]),
        # sufficient
        ({"name": ""}, [("name", "missing", Quality.SUFFICIENT)]),
        # clean
        ({"name": " Xã Sóc Sơn"}, [("name", "name_spaces", Quality.CLEAN)]),
        (
            {"code": "W00592", "official_code": "00592", "name": "Phường Từ Liêm", "kind": "ward"},
            [("code", "duplicate_in_store", Quality.CLEAN)],
        ),
        (
            {"official_code": "00070", "name": "Phường Hoàn Kiếm", "kind": "ward"},
            [("official_code", "duplicate_in_store", Quality.CLEAN)],
        ),
        # live
        ({"updated_at": "2024-01-01T00:00:00Z"}, [("updated_at", "stale", Quality.LIVE)]),
        # unified
        ({"official_code": "09999"}, [("official_code", "not_official_code", Quality.UNIFIED)]),
        ({"kind": "ward"}, [("official_code", "official_kind_mismatch", Quality.UNIFIED)]),
        ({"name": "Xã Sóc Sơn Mới"}, [("name", "official_name_mismatch", Quality.UNIFIED)]),
        ({"name": "XÃ  SÓC SƠN"}, [("name", "name_spaces", Quality.CLEAN)]),  # case and spacing are not a rename
        (
            {"official_code": "26734", "name": "Phường Sài Gòn", "kind": "ward"},
            [("parent_code", "parent_not_province", Quality.UNIFIED)],
        ),
        # shared
        ({"official_code": None}, [("official_code", "needed_for_exchange", Quality.SHARED)]),
        ({"valid_from": None}, [("valid_from", "needed_for_exchange", Quality.SHARED)]),
    ],
)
def test_each_quality_of_a_unit(changes: dict[str, Any], expected: list) -> None:
    problems = validate_units([unit(**changes)], FACTS, today=TODAY)
    assert [(f, c, q) for _r, f, c, q in found(problems)] == expected


def test_unit_structure_inside_the_file() -> None:
    a = {"code": "A", "name": "Phòng A", "kind": "division", "parent_code": "B", "valid_from": "2025-07-01"}
    b = {"code": "B", "name": "Phòng B", "kind": "division", "parent_code": "A", "valid_from": "2025-07-01"}
    again = {"code": "A", "name": "Phòng A", "kind": "division", "parent_code": "HN", "valid_from": "2025-07-01"}
    problems = validate_units([a, b, again], FACTS, today=TODAY)
    assert found(problems) == [
        (0, "parent_code", "parent_cycle", Quality.CORRECT),
        (1, "parent_code", "parent_cycle", Quality.CORRECT),
        (2, "code", "duplicate_in_file", Quality.CLEAN),
    ]


def test_a_unit_closed_with_active_people_is_not_live() -> None:
    closing = {
        "code": "W00070",
        "official_code": "00070",
        "name": "Phường Hoàn Kiếm",
        "kind": "ward",
        "parent_code": "HN",
        "valid_from": "2025-07-01",
        "valid_to": "2026-10-31",
    }
    problems = validate_units([closing], FACTS, today=TODAY)
    assert ("valid_to", "closed_with_people", Quality.LIVE) in [(f, c, q) for _r, f, c, q in found(problems)]
    assert next(p for p in problems if p.code == "closed_with_people").params == {"count": 12}

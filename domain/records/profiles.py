"""Validation of personnel profiles (profiles.schema.json) against the six qualities.

Plain in, plain out: a list of record dicts and the facts of the store in, a list of problems out,
so the command line, the bulk import and the sync batches share one set of rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from domain.records.citizen_id import structure_problems
from domain.records.facts import RecordFacts
from domain.records.problems import Collector, Problem, Quality
from domain.records.qualities import STALE_DAYS, FieldSpec, check_freshness, read_record
from domain.records.values import EMAIL, PHONE, name_problems, parse_date, phone_digits

FIELDS = (
    FieldSpec("citizen_id", required=True),
    FieldSpec("civil_servant_code", max_length=20),
    FieldSpec("full_name", required=True, max_length=120),
    FieldSpec("date_of_birth", required=True),
    FieldSpec("gender", required=True),
    FieldSpec("unit_code", required=True, max_length=40),
    FieldSpec("position_code", max_length=40),
    FieldSpec("rank_code", max_length=20),
    FieldSpec("is_leader", kind="bool"),
    FieldSpec("start_date"),
    FieldSpec("email", max_length=200),
    FieldSpec("phone", max_length=20),
    FieldSpec("active", kind="bool"),
    FieldSpec("updated_at"),
)
# What the national database of cadres and civil servants needs beyond the schema's required fields.
RECEIVER_NEEDS = ("civil_servant_code", "rank_code", "start_date")
GENDERS = ("male", "female")
MIN_AGE, MAX_AGE = 18, 70


def validate_profiles(
    records: Sequence[object], facts: RecordFacts, *, today: date, stale_days: int = STALE_DAYS
) -> list[Problem]:
    """Every problem of every record, by record then in the order the checks run."""
    problems: list[Problem] = []
    first_by_citizen_id: dict[str, tuple[int, str | None]] = {}
    first_by_servant_code: dict[str, int] = {}
    for index, raw in enumerate(records):
        found = Collector(index)
        values = read_record(raw, FIELDS, found, receiver_needs=RECEIVER_NEEDS)
        if values is not None:
            _check_person(values, facts, found, today=today, stale_days=stale_days)
            _check_duplicates(values, facts, found, first_by_citizen_id, first_by_servant_code)
        problems.extend(found.problems)
    return problems


def _check_person(
    values: Mapping[str, Any], facts: RecordFacts, found: Collector, *, today: date, stale_days: int
) -> None:
    born_on = _date_field(values, "date_of_birth", found, today=today)
    started_on = _date_field(values, "start_date", found, today=None)
    gender = values.get("gender")
    if gender is not None and gender not in GENDERS:
        found.add("gender", "gender_unknown", Quality.CORRECT)
        gender = None
    if "citizen_id" in values:
        female = None if gender is None else gender == "female"
        for code, params in structure_problems(values["citizen_id"], born_on=born_on, female=female, today=today):
            found.add("citizen_id", code, Quality.CORRECT, **params)
    if born_on is not None and started_on is not None:
        if started_on <= born_on:
            found.add("start_date", "start_before_birth", Quality.CORRECT)
        else:
            age = _age(born_on, started_on)
            if not MIN_AGE <= age <= MAX_AGE:
                found.add("start_date", "age_at_start", Quality.CORRECT, age=age, low=MIN_AGE, high=MAX_AGE)
    if "full_name" in values:
        for code in name_problems(values["full_name"], digits_allowed=False):
            found.add("full_name", code, Quality.CLEAN)
    if "email" in values and not EMAIL.match(values["email"]):
        found.add("email", "email_format", Quality.CORRECT)
    if "phone" in values and not PHONE.match(phone_digits(values["phone"])):
        found.add("phone", "phone_format", Quality.CORRECT)
    _check_unit(values, facts, found)
    check_freshness(values, found, today=today, stale_days=stale_days)


def _check_unit(values: Mapping[str, Any], facts: RecordFacts, found: Collector) -> None:
    code = values.get("unit_code")
    if code is None:
        return
    unit = facts.unit(code)
    if unit is None:
        # An all-digit code means an official administrative code: say so when no such division exists.
        if code.isdigit() and facts.divisions and code not in facts.divisions:
            found.add("unit_code", "not_official_code", Quality.UNIFIED, code=code)
        else:
            found.add("unit_code", "unknown_unit", Quality.CORRECT, code=code)
        return
    position = values.get("position_code")
    if position is not None and position not in unit.position_codes:
        found.add("position_code", "unknown_position", Quality.CORRECT, code=position, unit=unit.code)
    if unit.closed and values.get("active", True):
        found.add("unit_code", "active_in_closed_unit", Quality.LIVE, unit=unit.code)


def _check_duplicates(
    values: Mapping[str, Any],
    facts: RecordFacts,
    found: Collector,
    first_by_citizen_id: dict[str, tuple[int, str | None]],
    first_by_servant_code: dict[str, int],
) -> None:
    citizen_id = values.get("citizen_id")
    unit = facts.unit(values["unit_code"]) if "unit_code" in values else None
    unit_code = unit.code if unit is not None else values.get("unit_code")
    if citizen_id is not None:
        if citizen_id in first_by_citizen_id:
            first, first_unit = first_by_citizen_id[citizen_id]
            if unit_code is not None and first_unit is not None and unit_code != first_unit:
                found.add("unit_code", "several_units", Quality.UNIFIED, first=first, unit=first_unit)
            else:
                found.add("citizen_id", "duplicate_in_file", Quality.CLEAN, first=first)
        else:
            first_by_citizen_id[citizen_id] = (found.record, unit_code)
        stored = facts.people_by_citizen_id.get(citizen_id)
        if stored is not None:
            found.add("citizen_id", "duplicate_in_store", Quality.CLEAN, unit=stored.unit_code)
    servant_code = values.get("civil_servant_code")
    if servant_code is not None:
        if servant_code in first_by_servant_code:
            found.add(
                "civil_servant_code", "duplicate_in_file", Quality.CLEAN, first=first_by_servant_code[servant_code]
            )
        else:
            first_by_servant_code[servant_code] = found.record
        holder = facts.people_by_civil_servant_code.get(servant_code)
        # The same person's own code is no duplicate (that person is reported by citizen id above).
        if holder is not None and holder.citizen_id != citizen_id:
            found.add("civil_servant_code", "duplicate_in_store", Quality.CLEAN, unit=holder.unit_code)


def _date_field(values: Mapping[str, Any], name: str, found: Collector, *, today: date | None) -> date | None:
    text = values.get(name)
    if text is None:
        return None
    day = parse_date(text)
    if day is None:
        found.add(name, "not_a_date", Quality.CORRECT)
    elif today is not None and day > today:
        found.add(name, "date_in_future", Quality.CORRECT)
        return None
    return day


def _age(born_on: date, on: date) -> int:
    """Whole years between a birth date and a day."""
    return on.year - born_on.year - ((on.month, on.day) < (born_on.month, born_on.day))

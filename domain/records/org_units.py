"""Validation of organisation units (org_units.schema.json) against the six qualities.

Parents and successors may be in the same file or already in the store. Wards, communes and the
city (a province) are held to the official administrative divisions in force: their official code
must exist with the right kind and name, and a ward's parent must be its province.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from domain.records.facts import RecordFacts
from domain.records.problems import Collector, Problem, Quality
from domain.records.qualities import STALE_DAYS, FieldSpec, check_freshness, read_record
from domain.records.values import name_problems, parse_date

FIELDS = (
    FieldSpec("code", required=True, max_length=40),
    FieldSpec("official_code", max_length=20),
    FieldSpec("name", required=True, max_length=200),
    FieldSpec("kind", required=True),
    FieldSpec("parent_code", max_length=40),
    FieldSpec("valid_from"),
    FieldSpec("valid_to"),
    FieldSpec("successor_codes", kind="text_list"),
    FieldSpec("updated_at"),
)
KINDS = ("city", "department", "ward", "commune", "division", "party_board", "other")
# Kinds that are official administrative divisions, and the official kinds each may be.
OFFICIAL_KINDS = {"city": ("province",), "ward": ("ward", "special_zone"), "commune": ("commune", "special_zone")}
RECEIVER_NEEDS = ("valid_from",)


def validate_units(
    records: Sequence[object], facts: RecordFacts, *, today: date, stale_days: int = STALE_DAYS
) -> list[Problem]:
    """Every problem of every record, by record then in the order the checks run."""
    collectors = [Collector(index) for index in range(len(records))]
    read = [
        read_record(raw, FIELDS, found, receiver_needs=RECEIVER_NEEDS)
        for raw, found in zip(records, collectors, strict=True)
    ]
    in_file: dict[str, int] = {}
    for index, values in enumerate(read):
        if values is not None and "code" in values:
            in_file.setdefault(values["code"], index)
    official_seen: dict[str, int] = {}
    for index, values in enumerate(read):
        if values is None:
            continue
        found = collectors[index]
        _check_unit(values, found, facts, read, in_file, today=today)
        _check_duplicates(values, found, facts, in_file, official_seen)
        check_freshness(values, found, today=today, stale_days=stale_days)
    return [problem for found in collectors for problem in found.problems]


def _check_unit(
    values: Mapping[str, Any],
    found: Collector,
    facts: RecordFacts,
    read: Sequence[Mapping[str, Any] | None],
    in_file: Mapping[str, int],
    *,
    today: date,
) -> None:
    kind = values.get("kind")
    if kind is not None and kind not in KINDS:
        found.add("kind", "unknown_kind", Quality.CORRECT)
        kind = None
    if "name" in values:
        for code in name_problems(values["name"], digits_allowed=True):
            found.add("name", code, Quality.CLEAN)
    valid_from = _date_field(values, "valid_from", found)
    valid_to = _date_field(values, "valid_to", found)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        found.add("valid_to", "dates_order", Quality.CORRECT)
    parent = values.get("parent_code")
    if parent is not None:
        if parent == values.get("code"):
            found.add("parent_code", "own_parent", Quality.CORRECT)
        elif parent not in in_file and facts.unit(parent) is None:
            found.add("parent_code", "unknown_parent", Quality.CORRECT, code=parent)
        elif _in_cycle(values.get("code"), parent, read, in_file):
            found.add("parent_code", "parent_cycle", Quality.CORRECT)
    for successor in values.get("successor_codes", []):
        if successor not in in_file and facts.unit(successor) is None:
            found.add("successor_codes", "unknown_successor", Quality.CORRECT, code=successor)
    closed = valid_to is not None and valid_to < today
    stored = facts.units.get(values["code"]) if "code" in values else None
    if closed and stored is not None and stored.active_people:
        found.add("valid_to", "closed_with_people", Quality.LIVE, count=stored.active_people)
    if kind in OFFICIAL_KINDS and not closed:
        _check_official(values, kind, found, facts, read, in_file)


def _check_official(
    values: Mapping[str, Any],
    kind: str,
    found: Collector,
    facts: RecordFacts,
    read: Sequence[Mapping[str, Any] | None],
    in_file: Mapping[str, int],
) -> None:
    """A current ward, commune or city matches the official list (unified), which the receiver needs (shared)."""
    official = values.get("official_code")
    if official is None:
        found.add("official_code", "needed_for_exchange", Quality.SHARED)
        return
    if not facts.divisions:
        return  # no official list to compare with
    division = facts.divisions.get(official)
    if division is None:
        found.add("official_code", "not_official_code", Quality.UNIFIED, code=official)
        return
    if division.kind not in OFFICIAL_KINDS[kind]:
        found.add("official_code", "official_kind_mismatch", Quality.UNIFIED, name=division.name)
    if "name" in values and _folded(values["name"]) != _folded(division.name):
        found.add("name", "official_name_mismatch", Quality.UNIFIED, name=division.name)
    parent = values.get("parent_code")
    if division.province_code is not None and parent is not None and parent != values.get("code"):
        parent_official = _official_code_of(parent, facts, read, in_file)
        if parent_official is not None and parent_official != division.province_code:
            province = facts.divisions.get(division.province_code)
            found.add(
                "parent_code",
                "parent_not_province",
                Quality.UNIFIED,
                province=province.name if province else division.province_code,
            )


def _official_code_of(
    code: str, facts: RecordFacts, read: Sequence[Mapping[str, Any] | None], in_file: Mapping[str, int]
) -> str | None:
    if code in in_file:
        record = read[in_file[code]]
        return None if record is None else record.get("official_code")
    stored = facts.unit(code)
    return None if stored is None else stored.official_code


def _in_cycle(
    code: str | None, parent: str, read: Sequence[Mapping[str, Any] | None], in_file: Mapping[str, int]
) -> bool:
    """Following parents inside the file from this unit's parent leads back to this unit."""
    seen: set[str] = set()
    current: str | None = parent
    while current is not None and current in in_file and current not in seen:
        if current == code:
            return True
        seen.add(current)
        record = read[in_file[current]]
        current = None if record is None else record.get("parent_code")
    return False


def _check_duplicates(
    values: Mapping[str, Any],
    found: Collector,
    facts: RecordFacts,
    in_file: Mapping[str, int],
    official_seen: dict[str, int],
) -> None:
    code = values.get("code")
    if code is not None:
        if in_file.get(code, found.record) != found.record:
            found.add("code", "duplicate_in_file", Quality.CLEAN, first=in_file[code])
        if code in facts.units:
            found.add("code", "duplicate_in_store", Quality.CLEAN, unit=code)
    official = values.get("official_code")
    if official is not None:
        if official in official_seen:
            found.add("official_code", "duplicate_in_file", Quality.CLEAN, first=official_seen[official])
        else:
            official_seen[official] = found.record
        stored = facts.unit_by_official(official)
        if stored is not None and stored.code != code:
            found.add("official_code", "duplicate_in_store", Quality.CLEAN, unit=stored.code)


def _date_field(values: Mapping[str, Any], name: str, found: Collector) -> date | None:
    text = values.get(name)
    if text is None:
        return None
    day = parse_date(text)
    if day is None:
        found.add(name, "not_a_date", Quality.CORRECT)
    return day


def _folded(name: str) -> str:
    """A name compared as people read it: NFC, case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())

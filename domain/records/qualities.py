"""Checks both shapes share: the record's shape (correct), required fields (sufficient), trimmed text
(clean), staleness (live) and the fields the receiver of an exchange needs (shared)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.records.problems import Collector, Quality
from domain.records.values import parse_datetime

STALE_DAYS = 365  # the README's default staleness


@dataclass(frozen=True)
class FieldSpec:
    """One field of an interchange shape."""

    name: str
    kind: str = "text"  # text | bool | text_list
    required: bool = False
    max_length: int | None = None


def read_record(
    raw: object, specs: Sequence[FieldSpec], found: Collector, *, receiver_needs: Sequence[str] = ()
) -> dict[str, Any] | None:
    """The record's usable values (text trimmed), its shape problems added to `found`.

    A field is left out of the result when it is empty or of the wrong type, so that later checks
    only see values worth checking. None when the record is not an object at all.
    """
    if not isinstance(raw, Mapping):
        found.add("", "not_a_record", Quality.CORRECT)
        return None
    known = {spec.name for spec in specs}
    for key in raw:
        if key not in known:
            found.add(str(key), "unknown_field", Quality.CORRECT)
    values: dict[str, Any] = {}
    for spec in specs:
        value = raw.get(spec.name)
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            if spec.required:
                found.add(spec.name, "missing", Quality.SUFFICIENT)
            elif spec.name in receiver_needs:
                found.add(spec.name, "needed_for_exchange", Quality.SHARED)
            continue
        if spec.kind == "bool":
            if isinstance(value, bool):
                values[spec.name] = value
            else:
                found.add(spec.name, "not_true_false", Quality.CORRECT)
            continue
        if spec.kind == "text_list":
            if isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value):
                values[spec.name] = [item.strip() for item in value]
            else:
                found.add(spec.name, "not_text_list", Quality.CORRECT)
            continue
        if not isinstance(value, str):
            found.add(spec.name, "not_text", Quality.CORRECT)
            continue
        # Names have their own, finer cleanliness check (double spaces, NFC).
        if value != value.strip() and spec.name not in ("full_name", "name"):
            found.add(spec.name, "not_trimmed", Quality.CLEAN)
        if spec.max_length is not None and len(value.strip()) > spec.max_length:
            found.add(spec.name, "too_long", Quality.SHARED, limit=spec.max_length)
        values[spec.name] = value if spec.name in ("full_name", "name") else value.strip()
    return values


def check_freshness(values: Mapping[str, Any], found: Collector, *, today: date, stale_days: int) -> None:
    """`updated_at` is a real date-time, not in the future, and not older than the staleness allowed."""
    text = values.get("updated_at")
    if text is None:
        return
    moment = parse_datetime(text)
    if moment is None:
        found.add("updated_at", "not_a_datetime", Quality.CORRECT)
    elif moment.date() > today:
        found.add("updated_at", "date_in_future", Quality.CORRECT)
    elif (today - moment.date()).days > stale_days:
        found.add("updated_at", "stale", Quality.LIVE, days=(today - moment.date()).days, limit=stale_days)

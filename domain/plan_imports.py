"""A plan from its Excel file (the plan export, filled or changed): the rows of its three sheets as
plain records, and the rules that need the whole file: an objective named twice, a key result whose
objective number is not in the file or was left out, a trajectory point of no key result of the file.

Pure functions over plain values. Cells are read leniently (a number typed as text with a decimal
comma, a date as 2026-03-31 or 31/03/2026); what cannot be read is kept as "!" + the text, so the
row is reported with what is wrong rather than the file refused.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from domain.cells import BAD, cell_date
from domain.indicators import Accumulation, Direction
from domain.kinds import DataSource, Frequency, SourceKind
from domain.plan_items import clean

OBJECTIVES, KEY_RESULTS, TRAJECTORY = "objectives", "key_results", "trajectory"

# Columns of each sheet, in the export's order (data_access.exports.plan_workbook); None: not read back.
OBJECTIVE_COLUMNS = ("no", "title", "source_kind", "source_ref", "weight", "owner", "parent")
KEY_RESULT_COLUMNS = (
    "no",
    None,  # the objective's title, repeated for the reader: the number says which objective
    "name",
    "unit_of_measure",
    "direction",
    "baseline",
    "target",
    "band_low",
    "band_high",
    "min_value",
    "max_value",
    "weight",
    None,  # the weight in %, computed
    "accumulation",
    "frequency",
    "owner",
    "evidence_required",
    "data_source",
)
TRAJECTORY_COLUMNS = ("no", "name", "at", "value")
NUMBERS = ("baseline", "target", "band_low", "band_high", "min_value", "max_value", "weight")
CHOICES = {
    OBJECTIVES: ("source_kind",),
    KEY_RESULTS: ("direction", "accumulation", "frequency", "data_source", "evidence_required"),
}


def bad(value: object) -> bool:
    return isinstance(value, str) and value.startswith(BAD)


def as_number(raw: object) -> float | str | None:
    """A cell as a number: None when empty, "!text" when it is not one ("1.234,5" and "12,5" are)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return BAD + str(raw)
    if isinstance(raw, int | float):
        return float(raw) if math.isfinite(raw) and abs(raw) < 1e15 else BAD + str(raw)[:20]
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." in text:
        text = text.replace(".", "")  # 1.234,5: dots group thousands
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return BAD + str(raw)[:40]
    return number if math.isfinite(number) and abs(number) < 1e15 else BAD + str(raw)[:40]


def as_row_number(raw: object) -> int | None:
    """The objective number a row refers to (1, 1.0 or "1"); None when it is none."""
    number = as_number(raw)
    return int(number) if isinstance(number, float) and number.is_integer() and 0 < number < 10_000 else None


def as_choice(raw: object, labels: Mapping[str, Any]) -> Any:
    """A stored code from its label in any of the app's languages (or the code itself); "!text" otherwise."""
    text = clean(raw).casefold()
    if not text:
        return None
    return labels[text] if text in labels else BAD + clean(raw)[:40]


def record(sheet: str, row: int, cells: Sequence[Any], labels: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """One row of a sheet as a plain record: numbers, dates and choices read, texts cleaned."""
    columns = {OBJECTIVES: OBJECTIVE_COLUMNS, KEY_RESULTS: KEY_RESULT_COLUMNS, TRAJECTORY: TRAJECTORY_COLUMNS}[sheet]
    found: dict[str, Any] = {"sheet": sheet, "row": row}
    for name, raw in zip(columns, cells, strict=False):
        if name is None:
            continue
        if name == "no":
            found[name] = as_row_number(raw)
        elif name in NUMBERS or name == "value":
            found[name] = as_number(raw)
        elif name == "at":
            found[name] = cell_date(raw)
        elif name in CHOICES.get(sheet, ()):
            found[name] = as_choice(raw, labels.get(name, {}))
        else:
            found[name] = clean(raw if isinstance(raw, str) else ("" if raw is None else str(raw)))
    return found


def cell_problems(row: Mapping[str, Any]) -> dict[str, str]:
    """What cannot be read in a row, by field: a number, a date or a choice."""
    problems: dict[str, str] = {}
    for name, value in row.items():
        if not bad(value):
            continue
        if name in NUMBERS or name == "value":
            problems[name] = "not_a_number"
        elif name == "at":
            problems["trajectory"] = "bad_trajectory_date"
        else:
            problems[name] = "unknown_choice"
    if row["sheet"] != OBJECTIVES and row.get("no") is None:
        problems.setdefault("objective", "objective_number_missing")
    if row["sheet"] == TRAJECTORY:
        if row.get("at") is None:
            problems.setdefault("trajectory", "bad_trajectory_date")
        if row.get("value") is None:
            problems.setdefault("value", "not_a_number")
    return problems


def file_problems(rows: Sequence[Mapping[str, Any]]) -> dict[int, dict[str, str]]:
    """Problems only the whole file shows, by position: an objective number or title used twice, a key
    result of no objective of the file (or named twice under it), a trajectory point of no key result
    of the file or repeating a date. A key result whose objective is left out is left out too, and so
    are the points of a key result left out (said on each row)."""
    found: dict[int, dict[str, str]] = {}
    objectives = [(i, r) for i, r in enumerate(rows) if r["sheet"] == OBJECTIVES]
    numbers = Counter(r.get("no") for _, r in objectives)
    titles = Counter(clean(r.get("title")).casefold() for _, r in objectives)
    for index, row in objectives:
        if row.get("no") is None:
            found.setdefault(index, {})["objective"] = "objective_number_missing"
        elif numbers[row["no"]] > 1:
            found.setdefault(index, {})["objective"] = "objective_number_repeated"
        if clean(row.get("title")) and titles[clean(row.get("title")).casefold()] > 1:
            found.setdefault(index, {})["title"] = "title_repeated"
    by_number = {r["no"]: i for i, r in objectives if r.get("no") is not None and numbers[r["no"]] == 1}
    key_results: dict[tuple[int, str], int] = {}
    for index, row in enumerate(rows):
        if row["sheet"] != KEY_RESULTS or row.get("no") is None:
            continue
        if row["no"] not in by_number:
            found.setdefault(index, {})["objective"] = "objective_not_in_file"
            continue
        key = (row["no"], clean(row.get("name")).casefold())
        if key in key_results:
            found.setdefault(index, {})["name"] = "name_repeated"
        else:
            key_results[key] = index
    dates: set[tuple[int, str, str]] = set()
    for index, row in enumerate(rows):
        if row["sheet"] != TRAJECTORY or row.get("no") is None:
            continue
        key = (row["no"], clean(row.get("name")).casefold())
        if key not in key_results:
            found.setdefault(index, {})["name"] = "key_result_not_in_file"
        elif isinstance(row.get("at"), str) and not bad(row["at"]):
            if (*key, row["at"]) in dates:
                found.setdefault(index, {})["trajectory"] = "date_repeated"
            dates.add((*key, row["at"]))
    return found


def owning_row(rows: Sequence[Mapping[str, Any]], index: int) -> int | None:
    """The position of the row a row depends on: a key result's objective, a point's key result."""
    row = rows[index]
    if row["sheet"] == OBJECTIVES or row.get("no") is None:
        return None
    wanted_sheet = OBJECTIVES if row["sheet"] == KEY_RESULTS else KEY_RESULTS
    name = clean(row.get("name")).casefold()
    for position, other in enumerate(rows):
        if other["sheet"] != wanted_sheet or other.get("no") != row["no"]:
            continue
        if wanted_sheet == OBJECTIVES or clean(other.get("name")).casefold() == name:
            return position
    return None


def trajectory_of(rows: Sequence[Mapping[str, Any]], index: int, left_out: set[int]) -> tuple[tuple[date, float], ...]:
    """The readable points of the key result at `index` (the points left out are not part of it)."""
    row = rows[index]
    name = clean(row.get("name")).casefold()
    points = [
        (date.fromisoformat(r["at"]), float(r["value"]))
        for i, r in enumerate(rows)
        if r["sheet"] == TRAJECTORY
        and i not in left_out
        and r.get("no") == row.get("no")
        and clean(r.get("name")).casefold() == name
        and isinstance(r.get("at"), str)
        and not bad(r["at"])
        and isinstance(r.get("value"), float)
    ]
    return tuple(sorted(points))


def choice_labels(words: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """For each choice column, what a cell may say -> the stored value: the codes themselves, "yes" and
    "no", and the `words` the export writes in the reader's languages ({column: {word: code}})."""
    labels: dict[str, dict[str, Any]] = {
        "source_kind": {k.value: k.value for k in SourceKind},
        "direction": {k.value: k.value for k in Direction},
        "accumulation": {k.value: k.value for k in Accumulation},
        "frequency": {k.value: k.value for k in Frequency},
        "data_source": {k.value: k.value for k in DataSource},
        "evidence_required": {"yes": True, "no": False},
    }
    for column, found in (words or {}).items():
        for word, value in found.items():
            labels.setdefault(column, {})[clean(word).casefold()] = value
    return labels

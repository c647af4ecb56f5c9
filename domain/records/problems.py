"""A problem found in a record: where (record index, field), what (code) and which quality it hurts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Quality(StrEnum):
    """The six qualities of a record (shared/interop/README.md)."""

    CORRECT = "correct"
    SUFFICIENT = "sufficient"
    CLEAN = "clean"
    LIVE = "live"
    UNIFIED = "unified"
    SHARED = "shared"


@dataclass(frozen=True)
class Problem:
    """One thing to fix. `record` is the index in the file's records from 0; `params` fill the message."""

    record: int
    field: str
    code: str
    quality: Quality
    # dataclasses.field in full: the attribute `field` above shadows the bare name in the class body.
    params: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)


class Collector:
    """Gathers the problems of one record, in the order they are found."""

    def __init__(self, record: int) -> None:
        self.record = record
        self.problems: list[Problem] = []

    def add(self, field_name: str, code: str, quality: Quality, /, **params: Any) -> None:
        self.problems.append(Problem(self.record, field_name, code, quality, params))

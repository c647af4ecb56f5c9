"""What the validators need to know beyond the file: the store's records and the official divisions.

Plain values only, filled by data_access.record_facts (or by hand in tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UnitFact:
    """A unit already in the store."""

    code: str
    kind: str
    official_code: str | None = None
    parent_code: str | None = None
    closed: bool = False
    active_people: int = 0
    position_codes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Division:
    """An official administrative division in force (post-2025: provinces, wards, communes)."""

    code: str
    name: str
    kind: str  # province | ward | commune | special_zone
    province_code: str | None = None  # for wards, communes and special zones


@dataclass(frozen=True)
class PersonFact:
    """A person already in the store, as far as duplicates and units go."""

    citizen_id: str
    civil_servant_code: str | None
    unit_code: str


@dataclass(frozen=True)
class RecordFacts:
    """Everything a validation looks up. Empty facts mean an empty store and no official list."""

    units: Mapping[str, UnitFact] = field(default_factory=dict)
    people_by_citizen_id: Mapping[str, PersonFact] = field(default_factory=dict)
    people_by_civil_servant_code: Mapping[str, PersonFact] = field(default_factory=dict)
    divisions: Mapping[str, Division] = field(default_factory=dict)  # by official code ("01", "00070")
    _by_official: dict[str, UnitFact] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_official = {u.official_code: u for u in self.units.values() if u.official_code}
        object.__setattr__(self, "_by_official", by_official)

    def unit(self, code: str) -> UnitFact | None:
        """A store unit by its Pulse code or, failing that, its official code."""
        return self.units.get(code) or self._by_official.get(code)

    def unit_by_official(self, official_code: str) -> UnitFact | None:
        return self._by_official.get(official_code)

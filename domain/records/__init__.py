"""Validation of people and organisation records against the six qualities of the interchange README.

`validate_profiles(records, facts, today=...)` and `validate_units(...)` take the plain record dicts
of a file and the facts of the store, and return problems; `describe(problems, gettext)` turns them
into report rows with a message in the caller's language.
"""

from __future__ import annotations

from domain.records.facts import Division, PersonFact, RecordFacts, UnitFact
from domain.records.messages import describe, message
from domain.records.org_units import validate_units
from domain.records.problems import Problem, Quality
from domain.records.profiles import validate_profiles
from domain.records.qualities import STALE_DAYS

__all__ = [
    "STALE_DAYS",
    "Division",
    "PersonFact",
    "Problem",
    "Quality",
    "RecordFacts",
    "UnitFact",
    "describe",
    "message",
    "validate_profiles",
    "validate_units",
]

"""Kept so that existing imports work: the citizen-id rules now live in domain.records.citizen_id."""

from __future__ import annotations

from domain.records.citizen_id import (
    CENTURY_BY_DIGIT,
    PROVINCE_CODES,
    InvalidCitizenId,
    birth_year,
    is_female,
    make_citizen_id,
    validate_citizen_id,
)

__all__ = [
    "CENTURY_BY_DIGIT",
    "PROVINCE_CODES",
    "InvalidCitizenId",
    "birth_year",
    "is_female",
    "make_citizen_id",
    "validate_citizen_id",
]

"""The 12-digit citizen identity number (so dinh danh ca nhan), structure of Circular 59/2021/TT-BCA.

Digits 1-3: province where the birth was registered; digit 4: gender and century; digits 5-6:
the last two digits of the birth year; digits 7-12: a serial.
"""

from __future__ import annotations

from datetime import date

# Birth-registration province codes (Circular 07/2016/TT-BCA, kept by Circular 59/2021/TT-BCA).
PROVINCE_CODES = frozenset(
    int(code)
    for code in [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)

# Digit 4 -> first year of the century; even digits are male, odd female (Circular 07/2016/TT-BCA,
# art. 7: 0/1 the 20th century, 2/3 the 21st, ... 8/9 the 24th; there is no code for the 1800s).
CENTURY_BY_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 2300, 9: 2300}
_DIGIT_BY_CENTURY = {1900: 0, 2000: 2, 2100: 4, 2200: 6, 2300: 8}


class InvalidCitizenId(ValueError):
    """A citizen id that breaks the structure; `reason` says which part."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # length | digits | province | birth_year


def validate_citizen_id(value: str, *, today: date | None = None) -> str:
    """The cleaned 12 digits, or InvalidCitizenId saying what is wrong."""
    cleaned = "".join((value or "").split())
    if not cleaned.isdigit():
        raise InvalidCitizenId("digits", "A citizen id has digits only.")
    if len(cleaned) != 12:
        raise InvalidCitizenId("length", "A citizen id has exactly 12 digits.")
    if int(cleaned[:3]) not in PROVINCE_CODES:
        raise InvalidCitizenId("province", f"{cleaned[:3]} is not a province code.")
    if birth_year(cleaned) > (today or date.today()).year:
        raise InvalidCitizenId("birth_year", "The birth year encoded in the citizen id is in the future.")
    return cleaned


def birth_year(value: str) -> int:
    """The birth year encoded in digits 4-6."""
    return CENTURY_BY_DIGIT[int(value[3])] + int(value[4:6])


def is_female(value: str) -> bool:
    return int(value[3]) % 2 == 1


def make_citizen_id(province_code: int, *, female: bool, birth_year: int, serial: int) -> str:
    """Build a structurally valid id (for demo data)."""
    if province_code not in PROVINCE_CODES:
        raise ValueError(f"{province_code:03d} is not a province code")
    century = birth_year - birth_year % 100
    gender_digit = _DIGIT_BY_CENTURY[century] + (1 if female else 0)
    return f"{province_code:03d}{gender_digit}{birth_year % 100:02d}{serial % 1_000_000:06d}"


def structure_problems(value: str, *, born_on: date | None, female: bool | None, today: date) -> list[tuple[str, dict]]:
    """What breaks the structure of a 12-character id, checked against the birth date and gender when known.

    Returns (code, params) pairs: citizen_id_format, citizen_id_province, citizen_id_century,
    citizen_id_gender, citizen_id_birth_year, citizen_id_future. Empty when the id is consistent.
    """
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return [("citizen_id_format", {"length": len(value)})]
    problems: list[tuple[str, dict]] = []
    if int(value[:3]) not in PROVINCE_CODES:
        problems.append(("citizen_id_province", {"code": value[:3]}))
    digit = int(value[3])
    encoded_year = birth_year(value)
    if born_on is not None:
        century = born_on.year - born_on.year % 100
        if CENTURY_BY_DIGIT[digit] != century:
            problems.append(("citizen_id_century", {"digit": digit, "year": born_on.year}))
        if value[4:6] != f"{born_on.year % 100:02d}":
            problems.append(("citizen_id_birth_year", {"digits": value[4:6], "year": born_on.year}))
    elif encoded_year > today.year:
        problems.append(("citizen_id_future", {"year": encoded_year}))
    if female is not None and is_female(value) != female:
        problems.append(("citizen_id_gender", {"digit": digit}))
    return problems

"""Rules for a person's record kept by hand, and for moving a person to another unit or position.

A record typed in the form is checked by the same rules as an imported profile
(domain.records.validate_profiles): the citizen id's structure against the date of birth and the
gender, a plausible age at the start date, clean names, e-mail and phone formats, duplicates in the
store. Problems come back as {field: code} with the values their messages need.

A move closes the current placement the day before the effective date and opens the next one on it,
so a past period keeps the person where they were then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.records import RecordFacts, validate_profiles
from domain.records.values import parse_date, phone_digits

# The interchange shape's field -> the form's field (the pages label these).
_FORM_FIELD = {"date_of_birth": "birth_date", "unit_code": "unit", "position_code": "position"}
# Empty in a typed record: needed by the national database, but not a reason to refuse the form.
_NOT_BLOCKING = frozenset({"needed_for_exchange", "stale"})
# What the store cannot hold empty, or what the first placement needs.
REQUIRED_IN_FORM = ("civil_servant_code", "start_date")


@dataclass(frozen=True)
class PersonInput:
    """A person's fields as typed in the form (dates as YYYY-MM-DD text)."""

    full_name: str = ""
    gender: str = ""
    birth_date: str = ""
    citizen_id: str = ""
    civil_servant_code: str = ""
    rank_code: str = ""
    email: str = ""
    phone: str = ""
    start_date: str = ""

    def cleaned(self) -> PersonInput:
        """Text trimmed, names' inner spaces collapsed, the phone without separators, the e-mail in lower case."""
        return PersonInput(
            full_name=" ".join(self.full_name.split()),
            gender=self.gender.strip(),
            birth_date=self.birth_date.strip()[:10],
            citizen_id="".join(self.citizen_id.split()),
            civil_servant_code=self.civil_servant_code.strip().upper(),
            rank_code=self.rank_code.strip(),
            email=self.email.strip().lower(),
            phone=phone_digits(self.phone.strip()),
            start_date=self.start_date.strip()[:10],
        )

    @property
    def born_on(self) -> date | None:
        return parse_date(self.birth_date)

    @property
    def started_on(self) -> date | None:
        return parse_date(self.start_date)


@dataclass(frozen=True)
class Problems:
    """What to fix: field -> code, and the values each message needs."""

    codes: dict[str, str]
    params: dict[str, dict]

    def __bool__(self) -> bool:
        return bool(self.codes)


def person_problems(
    person: PersonInput, *, unit_code: str, position_code: str | None, facts: RecordFacts, today: date
) -> Problems:
    """The first problem of each field of a cleaned record, by the profile rules; `facts` holds the
    person's unit (with its active position codes) and the other people sharing an id or a code."""
    record: dict[str, object] = {
        "citizen_id": person.citizen_id,
        "civil_servant_code": person.civil_servant_code,
        "full_name": person.full_name,
        "date_of_birth": person.birth_date,
        "gender": person.gender,
        "unit_code": unit_code,
        "position_code": position_code,
        "rank_code": person.rank_code,
        "start_date": person.start_date,
        "email": person.email,
        "phone": person.phone,
        "active": True,
    }
    codes: dict[str, str] = {}
    params: dict[str, dict] = {}
    for problem in validate_profiles([record], facts, today=today):
        field = _FORM_FIELD.get(problem.field, problem.field)
        code = problem.code
        if code in _NOT_BLOCKING:
            if field not in REQUIRED_IN_FORM:
                continue
            code = "missing"
        if field not in codes:
            codes[field] = code
            params[field] = dict(problem.params)
    for field in REQUIRED_IN_FORM:
        if not getattr(person, field) and field not in codes:
            codes[field] = "missing"
            params[field] = {}
    started = person.started_on
    if started is not None and started > today and "start_date" not in codes:
        codes["start_date"] = "date_in_future"
        params["start_date"] = {}
    return Problems(codes, params)


# --- moves -------------------------------------------------------------------------------------


def move_problems(
    *,
    effective: date | None,
    today: date,
    current_from: date | None,
    locked: bool,
    same_place: bool,
    person_active: bool,
) -> dict[str, str]:
    """A move takes effect on a real date, today or earlier (the person's unit changes at once), not
    before the current placement began, not inside a locked period (its evaluations are closed), to
    another unit or position of that unit, for an active person."""
    if not person_active:
        return {"person": "person_inactive"}
    if effective is None:
        return {"effective": "required_date"}
    if effective > today:
        return {"effective": "move_in_future"}
    if current_from is not None and effective < current_from:
        return {"effective": "move_before_start"}
    if locked:
        return {"effective": "move_in_locked_period"}
    if same_place:
        return {"unit": "move_unchanged"}
    return {}


def closing_day(effective: date) -> date:
    """The last day of the placement a move closes: the day before the new one starts."""
    return effective - timedelta(days=1)


def deactivation_problems(*, active: bool, has_active_account: bool) -> dict[str, str]:
    """A person leaves once; their login goes first, so that nobody works under a departed name."""
    if not active:
        return {"person": "person_inactive"}
    if has_active_account:
        return {"person": "person_has_active_account"}
    return {}

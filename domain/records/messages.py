"""The message of each problem code, in English; the edge translates it into the user's language.

`_` here only marks the strings for the catalogs (the extractor looks for `_("...")`): domain code
has no request and no locale, so the caller passes its own gettext to `describe`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from domain.records.problems import Problem


def _(text: str) -> str:
    return text


MESSAGES = {
    # the record's shape
    "not_a_record": _("This record is not an object with fields."),
    "unknown_field": _("This field is not part of the exchange format."),
    "missing": _("Required: this field is empty or missing."),
    "not_text": _("Must be text (put quotes around numbers and codes)."),
    "not_true_false": _("Must be true or false."),
    "not_text_list": _("Must be a list of codes."),
    "not_trimmed": _("Has spaces at the start or the end."),
    "too_long": _("Too long for the exchange format: at most %(limit)s characters."),
    "needed_for_exchange": _("Empty, but the receiving system needs it."),
    # dates
    "not_a_date": _("Not a real date (write YYYY-MM-DD)."),
    "not_a_datetime": _("Not a real date and time (write YYYY-MM-DDTHH:MM:SS)."),
    "date_in_future": _("This date is in the future."),
    "stale": _("Last updated %(days)s days ago; records older than %(limit)s days must be checked again."),
    # citizen id
    "citizen_id_format": _("A citizen id has exactly 12 digits (this one has %(length)s characters)."),
    "citizen_id_province": _("The first three digits, %(code)s, are not a province code of birth registration."),
    "citizen_id_century": _("The 4th digit, %(digit)s, does not match a birth in %(year)s."),
    "citizen_id_birth_year": _("Digits 5-6 are %(digits)s, but the person was born in %(year)s."),
    "citizen_id_future": _("The birth year in the citizen id, %(year)s, is in the future."),
    "citizen_id_gender": _("The 4th digit, %(digit)s, does not match the gender given."),
    # person
    "gender_unknown": _("Gender must be male or female."),
    "start_before_birth": _("The start date is before the date of birth."),
    "age_at_start": _("Aged %(age)s at the start date; it must be between %(low)s and %(high)s."),
    "name_spaces": _("The name has extra spaces."),
    "name_not_nfc": _("The name is typed with combining accents; retype it or convert it to Unicode NFC."),
    "name_digits": _("A person's name has no digits."),
    "email_format": _("Not an e-mail address."),
    "phone_format": _("Not a Vietnamese phone number (0 or +84 followed by 9 digits)."),
    "unknown_unit": _("No unit with code %(code)s."),
    "unknown_position": _("Unit %(unit)s has no position with code %(code)s."),
    "active_in_closed_unit": _("An active person in unit %(unit)s, which is closed."),
    "several_units": _("The same person is in unit %(unit)s in record %(first)s: a person belongs to one unit."),
    "duplicate_in_file": _("Same as record %(first)s of this file."),
    "duplicate_in_store": _("Already recorded in Pulse (unit %(unit)s)."),
    "citizen_id_conflict": _(
        "This citizen id is in Pulse (unit %(unit)s) with another name or date of birth: check with the person "
        "which is right and correct it there; nothing was overwritten."
    ),
    # unit
    "unknown_kind": _("Unknown kind of unit."),
    "dates_order": _("The unit ends before it starts."),
    "own_parent": _("A unit cannot be its own parent."),
    "unknown_parent": _("No unit with code %(code)s, neither in this file nor in Pulse."),
    "parent_cycle": _("The parents of this unit lead back to it."),
    "unknown_successor": _("No successor unit with code %(code)s, neither in this file nor in Pulse."),
    "closed_with_people": _("Closed, but %(count)s active people are still in this unit."),
    "not_official_code": _("%(code)s is not an official administrative code in force."),
    "official_kind_mismatch": _("The official code belongs to %(name)s, which is not of this kind."),
    "official_name_mismatch": _("The official name of this code is %(name)s."),
    "parent_not_province": _("The parent must be the province of this ward or commune: %(province)s."),
    # the file itself
    "file_missing": _("The file cannot be opened."),
    "file_too_large": _("The file is larger than %(limit)s MB."),
    "file_not_json": _("The file is neither valid JSON nor an Excel workbook (.xlsx)."),
    "file_old_excel": _("Old Excel files (.xls) are not read: save the file as .xlsx."),
    "file_not_workbook": _("The file cannot be read as an Excel workbook (.xlsx)."),
    "file_unpacks_too_large": _("The workbook unpacks to more than %(limit)s MB: it is not a normal sheet."),
    "file_no_records": _('The JSON is not in the exchange format: expected {"records": [...]}.'),
    "file_no_columns": _("No sheet has the expected column headers (for example %(example)s)."),
    "file_too_many_records": _("The file has more than %(limit)s records; split it."),
    "file_empty": _("The file holds no records."),
    "file_too_many_columns": _("The sheet has cells beyond column %(limit)s: keep only the template's columns."),
    # what Pulse itself needs to take a record in (domain.records.imports)
    "required_in_pulse": _("Required in Pulse: this field is empty or missing."),
    "kind_not_in_pulse": _("Pulse has no units of this kind (city, department, ward, commune, division, party board)."),
    "not_under_parent": _("A unit of this kind cannot go under %(parent)s."),
    "out_of_scope": _("Unit %(code)s is outside the units you administer."),
    "parent_left_out": _("Its parent unit %(code)s in this file has problems of its own: fix that one first."),
}


def message(code: str, params: dict[str, Any], translate: Callable[[str], str]) -> str:
    """The message of a code in the caller's language, its values filled in."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    return translate(template) % params if params else translate(template)


def describe(problems: Iterable[Problem], translate: Callable[[str], str]) -> list[dict[str, Any]]:
    """Problems as the plain report rows of the command line and the import (record, field, code, quality, message)."""
    return [
        {
            "record": p.record,
            "field": p.field,
            "code": p.code,
            "quality": p.quality.value,
            "message": message(p.code, p.params, translate),
        }
        for p in problems
    ]

"""The shapes of /api/v1, from which APIFlask writes the OpenAPI document: records as in
../shared/interop/*.schema.json, and the measurements batch with its row-by-row answer."""

from __future__ import annotations

from apiflask import Schema, fields
from apiflask.validators import Length, OneOf, Range, Regexp
from marshmallow import ValidationError

from domain.kinds import UnitKind
from domain.periods import InvalidPeriod, parse_period

PERIOD_PATTERN = r"^(20[0-9]{2}|2100)(-Q[1-4]|-(0[1-9]|1[0-2]))?$"  # the years Pulse knows: 2000-2100
# No control characters in text that is stored (PostgreSQL refuses NUL in text, and nobody types them).
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
MAX_ROWS = 500
MAX_PER_PAGE = 500


class _Envelope(Schema):
    source = fields.String(required=True, metadata={"description": "always 'pulse'"})
    generated_at = fields.DateTime(required=True)


class OrgUnitsQuery(Schema):
    as_of = fields.Date(metadata={"description": "the day the tree is read for (today)"})


class OrgUnitRecord(Schema):
    code = fields.String(required=True, validate=Length(max=40))
    official_code = fields.String(allow_none=True)
    name = fields.String(required=True, validate=Length(max=200))
    kind = fields.String(required=True, validate=OneOf([k.value for k in UnitKind] + ["other"]))
    parent_code = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    successor_codes = fields.List(fields.String(), required=True)
    updated_at = fields.DateTime(allow_none=True)


class OrgUnitsOut(_Envelope):
    as_of = fields.Date(required=True)
    records = fields.List(fields.Nested(OrgUnitRecord), required=True)


class ProfilesQuery(Schema):
    page = fields.Integer(load_default=1, validate=Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=100, validate=Range(min=1, max=MAX_PER_PAGE))


class ProfileRecord(Schema):
    citizen_id = fields.String(
        required=True,
        validate=Regexp(r"^[0-9]{4}([0-9]{8}|\*{8})$"),
        metadata={"description": "12 digits with scope profiles:citizen_id, else the first 4 and 8 stars"},
    )
    civil_servant_code = fields.String(allow_none=True, validate=Length(max=20))
    full_name = fields.String(required=True, validate=Length(min=2, max=120))
    date_of_birth = fields.Date(required=True)
    gender = fields.String(required=True, validate=OneOf(["male", "female"]))
    unit_code = fields.String(required=True)
    position_code = fields.String(allow_none=True)
    rank_code = fields.String(allow_none=True)
    is_leader = fields.Boolean(required=True)
    start_date = fields.Date(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    updated_at = fields.DateTime(allow_none=True)


class Incomplete(Schema):
    civil_servant_code = fields.String(required=True)
    missing = fields.List(fields.String(), required=True)


class ProfilesOut(_Envelope):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "people in the token's units"})
    records = fields.List(fields.Nested(ProfileRecord), required=True)
    incomplete = fields.List(
        fields.Nested(Incomplete),
        required=True,
        metadata={"description": "people of this page the interchange shape cannot carry yet, and what they lack"},
    )


def _known_period(code: str) -> None:
    try:
        parse_period(code)
    except InvalidPeriod as error:
        raise ValidationError(str(error)) from error


class IndicatorsQuery(Schema):
    period = fields.String(
        validate=[Regexp(PERIOD_PATTERN), _known_period],
        metadata={"description": "2026, 2026-Q3 or 2026-07 (this year when absent)"},
    )


class IndicatorRecord(Schema):
    code = fields.String(required=True)
    unit_code = fields.String(required=True)
    name = fields.String(required=True)
    unit_of_measure = fields.String(required=True)
    direction = fields.String(required=True)
    baseline = fields.Float(allow_none=True)
    target = fields.Float(allow_none=True)
    period = fields.String(required=True)
    latest_value = fields.Float(allow_none=True)
    latest_on = fields.Date(allow_none=True)
    current_value = fields.Float(allow_none=True)
    progress = fields.Float(allow_none=True)
    expected = fields.Float(allow_none=True)
    status = fields.String(required=True)
    n_measurements = fields.Integer(required=True)


class IndicatorsOut(_Envelope):
    records = fields.List(fields.Nested(IndicatorRecord), required=True)


class ValueIn(Schema):
    unit_code = fields.String(required=True, validate=[Length(min=1, max=40), Regexp(PLAIN_TEXT)])
    indicator_code = fields.String(required=True, validate=[Length(min=1, max=40), Regexp(PLAIN_TEXT)])
    value = fields.Float(required=True, allow_nan=False)
    measured_on = fields.Date(required=True)
    comment = fields.String(load_default="", validate=[Length(max=1000), Regexp(PLAIN_TEXT)])
    key = fields.String(
        load_default=None,
        validate=[Length(min=1, max=100), Regexp(PLAIN_TEXT)],
        metadata={"description": "the row's idempotency key: a row sent again with it is not recorded twice"},
    )


class MeasurementsIn(Schema):
    values = fields.List(fields.Nested(ValueIn), required=True, validate=Length(min=1, max=MAX_ROWS))


class IdempotencyHeader(Schema):
    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        validate=[Length(min=1, max=100), Regexp(PLAIN_TEXT)],
        metadata={"description": "the batch's key: the same batch sent again gets the first answer, nothing written"},
    )


class RowProblem(Schema):
    field = fields.String(required=True)
    code = fields.String(required=True)
    message = fields.String(required=True)


class RowResult(Schema):
    index = fields.Integer(required=True)
    key = fields.String(allow_none=True)
    status = fields.String(required=True, validate=OneOf(["accepted", "rejected", "duplicate"]))
    measurement_id = fields.Integer(allow_none=True)
    value_status = fields.String(
        metadata={"description": "submitted (waits for approval) or approved (counts at once)"},
    )
    problems = fields.List(fields.Nested(RowProblem))


class MeasurementsOut(Schema):
    accepted = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    replayed = fields.Boolean(required=True, metadata={"description": "true: the answer to an earlier send"})
    results = fields.List(fields.Nested(RowResult), required=True)

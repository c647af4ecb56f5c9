"""One vocabulary: what each value of the domain's enums is called on screen, in the user's language.

Keyed by the enums themselves (a StrEnum equals its value, so a plain string from a row finds its label
too). Lazy strings, translated one at a time when asked: a city's unit page labels ~150 rows, and
translating every label of a set for each row was a quarter of its callback.
"""

from __future__ import annotations

from collections.abc import Mapping

from components.i18n import gettext, lazy_gettext
from domain.indicators import Status
from domain.kinds import EvaluationStatus, MeasurementStatus, Priority, Role, SourceKind, TaskStatus, UnitKind
from domain.rulesets import Level
from domain.tasks import DueState

STATUS_LABELS = {
    Status.DONE: lazy_gettext("Done"),
    Status.ON_TRACK: lazy_gettext("On track"),
    Status.AT_RISK: lazy_gettext("At risk"),
    Status.OFF_TRACK: lazy_gettext("Off track"),
    Status.NO_DATA: lazy_gettext("No data"),
}
UNIT_KIND_LABELS = {
    UnitKind.CITY: lazy_gettext("City"),
    UnitKind.DEPARTMENT: lazy_gettext("Department"),
    UnitKind.WARD: lazy_gettext("Ward"),
    UnitKind.COMMUNE: lazy_gettext("Commune"),
    UnitKind.DIVISION: lazy_gettext("Division"),
    UnitKind.PARTY_BOARD: lazy_gettext("Party board"),
}
UNIT_KINDS_LABELS = {  # the plural: units are compared with units of their kind
    UnitKind.CITY: lazy_gettext("Cities"),
    UnitKind.DEPARTMENT: lazy_gettext("Departments"),
    UnitKind.WARD: lazy_gettext("Wards and communes"),
    UnitKind.COMMUNE: lazy_gettext("Wards and communes"),
    UnitKind.DIVISION: lazy_gettext("Divisions"),
    UnitKind.PARTY_BOARD: lazy_gettext("Party boards"),
}
SOURCE_LABELS = {
    SourceKind.RESOLUTION: lazy_gettext("Resolution"),
    SourceKind.ACTION_PROGRAMME: lazy_gettext("Action programme"),
    SourceKind.KEY_TASK: lazy_gettext("Key task"),
    SourceKind.REGULAR_WORK: lazy_gettext("Regular work"),
}
LEVEL_LABELS = {
    Level.EXCELLENT: lazy_gettext("Excellent"),
    Level.GOOD: lazy_gettext("Good"),
    Level.COMPLETED: lazy_gettext("Completed"),
    Level.NOT_COMPLETED: lazy_gettext("Not completed"),
}
EVALUATION_STATUS_LABELS = {
    EvaluationStatus.DRAFT: lazy_gettext("Draft"),
    EvaluationStatus.SELF_ASSESSED: lazy_gettext("Self-assessed"),
    EvaluationStatus.REVIEWED: lazy_gettext("Reviewed"),
    EvaluationStatus.APPROVED: lazy_gettext("Approved"),
    EvaluationStatus.LOCKED: lazy_gettext("Locked"),
}
TASK_STATUS_LABELS = {
    TaskStatus.OPEN: lazy_gettext("Open"),
    TaskStatus.IN_PROGRESS: lazy_gettext("In progress"),
    TaskStatus.SUBMITTED: lazy_gettext("Handed in, waiting for acceptance"),
    TaskStatus.DONE: lazy_gettext("Done"),
    TaskStatus.RETURNED: lazy_gettext("Returned"),
    TaskStatus.CANCELLED: lazy_gettext("Cancelled"),
}
PRIORITY_LABELS = {
    Priority.LOW: lazy_gettext("Low"),
    Priority.NORMAL: lazy_gettext("Normal"),
    Priority.HIGH: lazy_gettext("High"),
    Priority.URGENT: lazy_gettext("Urgent"),
}
DUE_LABELS = {
    DueState.OVERDUE: lazy_gettext("Overdue"),
    DueState.DUE_SOON: lazy_gettext("Due soon"),
    DueState.ON_TIME: lazy_gettext("On time"),
    DueState.CLOSED: "",
}
VALUE_STATUS_LABELS = {
    MeasurementStatus.DRAFT: lazy_gettext("Draft"),
    MeasurementStatus.SUBMITTED: lazy_gettext("Waiting for approval"),
    MeasurementStatus.APPROVED: lazy_gettext("Approved"),
    MeasurementStatus.REJECTED: lazy_gettext("Rejected"),
}
ROLE_LABELS = {
    Role.ADMIN: lazy_gettext("administrator"),
    Role.LEADER: lazy_gettext("leader"),
    Role.MANAGER: lazy_gettext("manager"),
    Role.STAFF: lazy_gettext("staff member"),
    Role.SCREEN: lazy_gettext("meeting-room screen"),
    Role.UNIT_ADMIN: lazy_gettext("unit administrator"),
}

# Position (task) groups of Decree 335: people are ranked and evaluated within them.
TASK_GROUP_LABELS = {
    "lanh_dao_don_vi": lazy_gettext("Unit leaders"),
    "lanh_dao_phong": lazy_gettext("Division leaders"),
    "chuyen_vien_tong_hop": lazy_gettext("General specialists"),
    "chuyen_vien_chuyen_mon": lazy_gettext("Professional specialists"),
}


def _label(labels: Mapping[str, object], value: str | None, default: str) -> str:
    found = labels.get(value) if value is not None else None
    return str(found) if found is not None else default


def status_label(status: str | None) -> str:
    """An indicator's status; no status reads as "No data"."""
    return _label(STATUS_LABELS, status or Status.NO_DATA, status or "")


def unit_kind_label(kind: str) -> str:
    return _label(UNIT_KIND_LABELS, kind, kind)


def unit_kinds_label(kind: str) -> str:
    """A kind of unit, in the plural."""
    return _label(UNIT_KINDS_LABELS, kind, kind)


def source_label(kind: str | None) -> str:
    return _label(SOURCE_LABELS, kind, "–")


def level_label(level: str | None) -> str:
    """A classification level; none yet reads as "Not classified"."""
    return _label(LEVEL_LABELS, level, "") or str(lazy_gettext("Not classified"))


def evaluation_status_label(status: str | None) -> str:
    return _label(EVALUATION_STATUS_LABELS, status, status or "")


def task_status_label(status: str) -> str:
    return _label(TASK_STATUS_LABELS, status, status)


def priority_label(priority: str) -> str:
    return _label(PRIORITY_LABELS, priority, priority)


def due_label(state: str) -> str:
    return _label(DUE_LABELS, state, state)


def value_status_label(status: str) -> str:
    return _label(VALUE_STATUS_LABELS, status, status)


def role_label(role: str) -> str:
    return _label(ROLE_LABELS, role, role)


def period_label(code: str) -> str:
    """A period as the navbar names it ("Quarter 3/2026"), not its code ("2026-Q3")."""
    from domain.periods import InvalidPeriod, PeriodKind, parse_period

    try:
        period = parse_period(code)
    except InvalidPeriod:
        return code
    if period.kind is PeriodKind.YEAR:
        return gettext("Year %(year)s", year=period.year)
    if period.kind is PeriodKind.QUARTER:
        return gettext("Quarter %(number)s/%(year)s", number=period.number, year=period.year)
    return gettext("Month %(number)s/%(year)s", number=period.number, year=period.year)


RULESET_LABELS: dict[str, object] = {
    "decree_335": lazy_gettext("Decree 335/2025/ND-CP"),
    "regulation_366": lazy_gettext("Regulation 366-QD/TW"),
}


def ruleset_label(name: str) -> str:
    """A rule set by its title, not its file name (an agency's own rule set keeps its name)."""
    return _label(RULESET_LABELS, name, name)


def task_group_label(group: str | None) -> str:
    """A position group's name; a group an administrator typed (no label) shows as typed, none as "–"."""
    return _label(TASK_GROUP_LABELS, group, group or "–")

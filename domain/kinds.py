"""Closed vocabularies shared by the rules, the store and the pages."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do; where is given by the user's scope (an org subtree)."""

    ADMIN = "admin"
    LEADER = "leader"
    MANAGER = "manager"
    STAFF = "staff"
    SCREEN = "screen"  # read-only device account for meeting-room screens
    UNIT_ADMIN = "unit_admin"  # delegated administration of one ward's or department's subtree


class Language(StrEnum):
    """The languages Pulse speaks, Vietnamese first (the default)."""

    VI = "vi"
    EN = "en"
    FR = "fr"


LANGUAGES = tuple(Language)


class UnitKind(StrEnum):
    CITY = "city"
    DEPARTMENT = "department"
    WARD = "ward"
    COMMUNE = "commune"
    DIVISION = "division"
    PARTY_BOARD = "party_board"


class SourceKind(StrEnum):
    """Where an objective comes from."""

    RESOLUTION = "resolution"
    ACTION_PROGRAMME = "action_programme"
    KEY_TASK = "key_task"
    REGULAR_WORK = "regular_work"


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class MeasurementStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"  # assignee marked it done, waiting for the assigner
    DONE = "done"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class EvaluationStatus(StrEnum):
    DRAFT = "draft"
    SELF_ASSESSED = "self_assessed"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    LOCKED = "locked"


OPEN_TASK_STATUSES = frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.SUBMITTED, TaskStatus.RETURNED})

# Roles that may write (assign tasks, enter values) inside their scope.
WRITER_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.MANAGER})


class PlanStatus(StrEnum):
    """A unit's plan for a period: authored as a draft, submitted by the unit's head, approved (or
    returned with a reason) by the level above. Dashboards and evaluations read approved plans only."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class ChangeStatus(StrEnum):
    """A request to change an approved indicator's target, baseline, band or weight."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class DataSource(StrEnum):
    """Where an indicator's values come from."""

    ENTERED = "entered"
    IMPORTED = "imported"
    COMPUTED = "computed"  # by Pulse, from tasks or other indicators
    FEED = "feed"  # a machine feed from another system

"""Typed SQLAlchemy 2 models: the store's schema.

Integrity lives in the database too: foreign keys, unique and check constraints. Rows that
people edit concurrently carry a version column (optimistic locking). The org tree uses a
materialized path (``/1/7/42/``) so that a subtree is one indexed prefix query.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from domain.indicators import Accumulation, Direction, Status
from domain.kinds import (
    ChangeStatus,
    DataSource,
    EvaluationStatus,
    Frequency,
    Language,
    MeasurementStatus,
    PlanStatus,
    Priority,
    Role,
    SourceKind,
    TaskStatus,
    UnitKind,
)
from domain.periods import PeriodKind
from domain.publication import PublicationStatus, Visibility

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, enum: type[StrEnum], name: str | None = None) -> CheckConstraint:
    """A check constraint that keeps a string column inside an enum's values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=name or f"{column}_allowed")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every model here is mapped to a Table (none to a join or a select), so Core statements such as
    # Model.__table__.insert() are typed as the Table they are; DeclarativeBase says only FromClause.
    __table__: ClassVar[Table]


class OrgUnit(Base):
    """A node of the org tree: city, department, ward, division or party board."""

    __tablename__ = "org_units"
    __table_args__ = (
        one_of("kind", UnitKind),
        Index("ix_org_units_path", "path"),
        CheckConstraint("valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to", name="validity_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    official_code: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    path: Mapped[str] = mapped_column(String(400), default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=True)
    ruleset: Mapped[str] = mapped_column(String(40), default="decree_335")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The days the unit exists as this row (None: since always / still): a reorganisation closes a
    # unit on the day before its effective date and its successors start on that date.
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])


class UnitSuccession(Base):
    """A reorganisation link: from ``effective_on`` the successor took over (part of) the predecessor."""

    __tablename__ = "unit_successions"
    __table_args__ = (
        CheckConstraint("change_kind IN ('merge', 'split', 'rename', 'move')", name="change_kind_allowed"),
        CheckConstraint("predecessor_id <> successor_id", name="not_itself"),
        UniqueConstraint("predecessor_id", "successor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    change_kind: Mapped[str] = mapped_column(String(10))
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Position(Base):
    """A job position (vi tri viec lam) in a unit."""

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    task_group: Mapped[str] = mapped_column(String(80))
    criteria_set: Mapped[str] = mapped_column(String(40), default="default")
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Person(Base):
    """A civil servant."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("length(citizen_id) = 12", name="citizen_id_length"),
        CheckConstraint("gender IN ('male', 'female')", name="gender_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[str] = mapped_column(String(12), unique=True)
    civil_servant_code: Mapped[str] = mapped_column(String(20), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    gender: Mapped[str] = mapped_column(String(6))
    birth_year: Mapped[int] = mapped_column(Integer)
    # Full date of birth (the national database needs it); birth_year stays for the rows that predate it.
    birth_date: Mapped[date | None] = mapped_column(Date)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"), index=True)
    rank_code: Mapped[str | None] = mapped_column(String(20))  # civil-service rank (ngach), e.g. 01.003
    start_date: Mapped[date | None] = mapped_column(Date)  # start in the current unit
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PersonPlacement(Base):
    """Where a person worked from one date to another: a move closes one placement and opens the next,
    so past periods keep the person in the unit and position they held then."""

    __tablename__ = "person_placements"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from <= valid_to", name="validity_ordered"),
        Index("ix_person_placements_unit_from", "unit_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class User(Base):
    """A login tied to a person, a role and a scope (an org subtree)."""

    __tablename__ = "users"
    __table_args__ = (one_of("role", Role), one_of("language", Language))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    scope_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), unique=True)
    language: Mapped[str] = mapped_column(String(2), default=Language.VI.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped to revoke every open session of this user (logout everywhere, deactivation).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    # Set by an administrator's password reset: the next login must choose a new password first.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class Period(Base):
    """A reporting period: a year, a quarter or a month."""

    __tablename__ = "periods"
    __table_args__ = (
        one_of("kind", PeriodKind),
        CheckConstraint("start_date <= end_date", name="dates_ordered"),
        CheckConstraint("grace_days >= 0", name="grace_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    grace_days: Mapped[int] = mapped_column(Integer, default=10)


class Objective(Base):
    """What a unit means to achieve in a period, tied to its source."""

    __tablename__ = "objectives"
    __table_args__ = (one_of("source_kind", SourceKind), CheckConstraint("weight >= 0", name="weight_nonnegative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    source_kind: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(200))
    parent_objective_id: Mapped[int | None] = mapped_column(ForeignKey("objectives.id"))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # False while the objective is only in a draft plan: dashboards and evaluations read approved ones.
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Plan(Base):
    """A unit's plan for a (yearly) period and where it stands in its approval cycle."""

    __tablename__ = "plans"
    __table_args__ = (one_of("status", PlanStatus), UniqueConstraint("unit_id", "period_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    status: Mapped[str] = mapped_column(String(10), default=PlanStatus.DRAFT.value)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    return_reason: Mapped[str | None] = mapped_column(String(1000))
    # The plan it was copied from (last year's), when it was.
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Indicator(Base):
    """A key result or a standing KPI of a unit for a (yearly) period."""

    __tablename__ = "indicators"
    __table_args__ = (
        one_of("direction", Direction),
        one_of("accumulation", Accumulation),
        one_of("frequency", Frequency),
        one_of("data_source", DataSource),
        CheckConstraint("weight >= 0", name="weight_nonnegative"),
        CheckConstraint("band_low IS NULL OR band_high IS NULL OR band_low <= band_high", name="band_ordered"),
        CheckConstraint("milestones_total IS NULL OR milestones_total > 0", name="milestones_positive"),
        UniqueConstraint("unit_id", "period_id", "code"),
        one_of("visibility", Visibility),
        one_of("visibility_before", Visibility),
        # The public page's list: the indicators published to the public, per unit.
        Index("ix_indicators_visibility_unit", "visibility", "unit_id"),
        Index("ix_indicators_visibility_from", "visibility_from"),  # raises still to come (lagging counts)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objectives.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    unit_of_measure: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(12))
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    band_low: Mapped[float | None] = mapped_column(Float)
    band_high: Mapped[float | None] = mapped_column(Float)
    milestones_total: Mapped[int | None] = mapped_column(Integer)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    accumulation: Mapped[str] = mapped_column(String(10), default=Accumulation.LAST.value)
    frequency: Mapped[str] = mapped_column(String(10), default=Frequency.MONTHLY.value)
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    # The person the owner or the unit head delegated value entry to (a ward official entering for the head).
    reporter_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    evidence_required: Mapped[bool] = mapped_column(Boolean, default=False)
    data_source: Mapped[str] = mapped_column(String(10), default=DataSource.ENTERED.value)
    # The position's KPI template this personal KPI was made from, if any.
    template_id: Mapped[int | None] = mapped_column(ForeignKey("position_kpi_templates.id", ondelete="SET NULL"))
    # The publication ladder (domain.publication): ``visibility`` is in force from ``visibility_from`` on
    # (always when NULL), ``visibility_before`` until then, so a raise can take effect at a later date
    # without a job flipping it. ``published`` above is another thing: the plan's approval. The default,
    # "city", keeps what every leader saw before the ladder existed (their whole scope): a unit head
    # lowers an indicator to keep it private, and raises it to the public with the level above's approval.
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.CITY.value, server_default="city")
    visibility_from: Mapped[date | None] = mapped_column(Date)
    visibility_before: Mapped[str] = mapped_column(String(10), default=Visibility.CITY.value, server_default="city")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PublicationRequest(Base):
    """A unit head's request to publish an indicator to the public, and the level above's decision."""

    __tablename__ = "publication_requests"
    __table_args__ = (
        one_of("status", PublicationStatus),
        Index("ix_publication_requests_status", "status", "indicator_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=PublicationStatus.PENDING.value)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class IndicatorRevision(Base):
    """The numbers of an indicator from a moment on: every approved change adds one, so the indicator
    page can say what the target was on any date."""

    __tablename__ = "indicator_revisions"
    __table_args__ = (Index("ix_indicator_revisions_indicator_at", "indicator_id", "effective_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    effective_at: Mapped[datetime] = mapped_column(DateTime)
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    band_low: Mapped[float | None] = mapped_column(Float)
    band_high: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    change_request_id: Mapped[int | None] = mapped_column(ForeignKey("change_requests.id", ondelete="SET NULL"))


class ChangeRequest(Base):
    """A proposed change of an approved indicator's numbers, with its reason and the decision."""

    __tablename__ = "change_requests"
    __table_args__ = (one_of("status", ChangeStatus), Index("ix_change_requests_indicator", "indicator_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(1000))
    before_json: Mapped[str] = mapped_column(Text)  # the numbers when it was asked
    proposed_json: Mapped[str] = mapped_column(Text)  # only the fields to change
    status: Mapped[str] = mapped_column(String(10), default=ChangeStatus.PENDING.value)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Milestone(Base):
    """A step of an action plan (an indicator whose progress is its milestones)."""

    __tablename__ = "milestones"
    __table_args__ = (CheckConstraint("position >= 0", name="position_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    done_on: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Set on a milestone carried over unfinished from last year's plan.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class IndicatorAnalysis(Base):
    """The owner's "why" behind a number for a period: what happened, why, what will be done."""

    __tablename__ = "indicator_analyses"
    __table_args__ = (UniqueConstraint("indicator_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    what_happened: Mapped[str] = mapped_column(Text, default="")
    why: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PositionKpiTemplate(Base):
    """A KPI every holder of a job position carries: placed in the position, a person gets it in their plan."""

    __tablename__ = "position_kpi_templates"
    __table_args__ = (
        one_of("direction", Direction),
        one_of("frequency", Frequency),
        CheckConstraint("weight >= 0", name="weight_nonnegative"),
        UniqueConstraint("position_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    unit_of_measure: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(12))
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    frequency: Mapped[str] = mapped_column(String(10), default=Frequency.MONTHLY.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TrajectoryPoint(Base):
    """A planned value of an indicator at a date (its planned trajectory)."""

    __tablename__ = "trajectory_points"
    __table_args__ = (UniqueConstraint("indicator_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    at: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)


class Measurement(Base):
    """A value of an indicator at a date, with its approval."""

    __tablename__ = "measurements"
    __table_args__ = (
        one_of("status", MeasurementStatus),
        Index("ix_measurements_indicator_date", "indicator_id", "measured_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    value: Mapped[float] = mapped_column(Float)
    measured_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=MeasurementStatus.SUBMITTED.value)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    comment: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class TaskType(Base):
    """A catalogue entry: a kind of product/work with its conversion coefficient."""

    __tablename__ = "task_types"
    __table_args__ = (CheckConstraint("coefficient > 0", name="coefficient_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    coefficient: Mapped[float] = mapped_column(Float, default=1.0)


class Task(Base):
    """Work assigned by someone to a unit or a person."""

    __tablename__ = "tasks"
    __table_args__ = (
        one_of("status", TaskStatus),
        one_of("priority", Priority),
        CheckConstraint("coefficient > 0", name="coefficient_positive"),
        CheckConstraint("delays >= 0 AND major_errors >= 0", name="counts_nonnegative"),
        CheckConstraint("progress_pct >= 0 AND progress_pct <= 100", name="progress_range"),
        Index("ix_tasks_unit_due", "assignee_unit_id", "due_date"),
        Index("ix_tasks_indicator_due", "indicator_id", "due_date"),  # an indicator's follow-ups (reports)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    assigner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # "assigned by me"
    assigner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    assignee_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    assignee_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    batch_key: Mapped[str | None] = mapped_column(String(40), index=True)  # copies of one multi-unit assignment
    task_type_id: Mapped[int | None] = mapped_column(ForeignKey("task_types.id"))
    coefficient: Mapped[float] = mapped_column(Float, default=1.0)
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL.value)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objectives.id"))
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    start_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    original_due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=TaskStatus.OPEN.value)
    progress_pct: Mapped[int] = mapped_column(Integer, default=0)
    completed_on: Mapped[date | None] = mapped_column(Date)
    delays: Mapped[int] = mapped_column(Integer, default=0)
    major_errors: Mapped[int] = mapped_column(Integer, default=0)
    quality_accepted: Mapped[bool | None] = mapped_column(Boolean)
    exceeded: Mapped[bool] = mapped_column(Boolean, default=False)
    excused: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class TaskCheckin(Base):
    """A progress report, a completion, an acceptance or a return on a task."""

    __tablename__ = "task_checkins"
    __table_args__ = (
        CheckConstraint("progress_pct IS NULL OR (progress_pct >= 0 AND progress_pct <= 100)", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(12))  # progress, done, accepted, returned, extended, cancelled
    at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    progress_pct: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str | None] = mapped_column(String(500))


class Attachment(Base):
    """An evidence file (a photo or a PDF) on a task, one of its check-ins, or an indicator value.

    The bytes live in the evidence store under ``content_key`` (their SHA-256), never in the table.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        # on a task (its check-in optional) or on a value, never both, never neither
        CheckConstraint("(task_id IS NULL) <> (measurement_id IS NULL)", name="one_owner"),
        CheckConstraint("checkin_id IS NULL OR task_id IS NOT NULL", name="checkin_on_task"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("task_checkins.id", ondelete="CASCADE"), index=True)
    measurement_id: Mapped[int | None] = mapped_column(ForeignKey("measurements.id", ondelete="CASCADE"), index=True)
    content_key: Mapped[str] = mapped_column(String(64))
    thumb_key: Mapped[str | None] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Evaluation(Base):
    """A person's (or a unit's) score for a period on the 100-point scale, with its trail."""

    __tablename__ = "evaluations"
    __table_args__ = (
        one_of("status", EvaluationStatus),
        UniqueConstraint("person_id", "period_id"),
        CheckConstraint("total IS NULL OR (total >= 0 AND total <= 100)", name="total_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    ruleset: Mapped[str] = mapped_column(String(40), default="decree_335")
    general_points: Mapped[float | None] = mapped_column(Float)
    task_points: Mapped[float | None] = mapped_column(Float)
    total: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(16))
    final_level: Mapped[str | None] = mapped_column(String(16))
    disciplined: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=EvaluationStatus.DRAFT.value)
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    appeal_note: Mapped[str | None] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Notification(Base):
    """An in-app notice to one user: a new assignment, a deadline, a return, a rejected value.

    ``dedupe_key`` makes notices that a sweep may raise twice (due soon, overdue) idempotent.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        UniqueConstraint("user_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(String(500))
    dedupe_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A "report_ready" notice links the report to download.
    report_job_id: Mapped[int | None] = mapped_column(ForeignKey("report_jobs.id", ondelete="CASCADE"))


class ImportJob(Base):
    """An uploaded spreadsheet of indicator values: staged, checked row by row, then imported.

    Rows live here between steps, so any app process can continue a job and a large file is
    checked and imported in chunks with visible progress.
    """

    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('checking', 'checked', 'importing', 'imported', 'failed')", name="status_allowed"),
        CheckConstraint("imported_rows <= total_rows", name="counts_bounded"),
        CheckConstraint("kind IN ('values', 'people', 'units', 'plan')", name="kind_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # What the rows are: indicator values, personnel profiles, org units or a plan.
    kind: Mapped[str] = mapped_column(String(10), default="values", server_default="values")
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(10), default="checking")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_rows: Mapped[int] = mapped_column(Integer, default=0)
    rows_json: Mapped[str] = mapped_column(Text, default="[]")
    report_json: Mapped[str] = mapped_column(Text, default="[]")
    # Last time a chunk moved the job on: a job at work that has not moved for a while timed out.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Why a job is "failed": cancelled by its owner, timed_out, or error (a chunk failed unexpectedly).
    failure: Mapped[str | None] = mapped_column(String(20), nullable=True)


REPORT_STATUSES = ("queued", "running", "done", "failed")
REPORT_TEMPLATES = ("unit_period",)
REPORT_FORMATS = ("pdf", "xlsx")


class ReportJob(Base):
    """A report someone asked for: made in the background by the job queue, then kept for download.

    The file lives in the row (``content``), so any app process can serve it and no path is ever
    built from user input.
    """

    __tablename__ = "report_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_allowed"),
        CheckConstraint("template IN ('unit_period')", name="template_allowed"),
        CheckConstraint("format IN ('pdf', 'xlsx')", name="format_allowed"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        one_of("language", Language),
        Index("ix_report_jobs_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    template: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    period_code: Mapped[str] = mapped_column(String(10))
    format: Mapped[str] = mapped_column(String(4))
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Why it failed, in the requester's language (the technical cause goes to the log).
    error: Mapped[str | None] = mapped_column(String(500))
    filename: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who did or tried what, when, with the record before and after."""

    __tablename__ = "audit_entries"
    # The unique link is the last guard against a forked chain: two entries can never name the
    # same predecessor, whatever a writer that skipped the append lock tried.
    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id"),
        Index("ux_audit_entries_prev_hash", "prev_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(10), default="ok")  # ok | denied | failed
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(String(500))
    # Hash chain (domain/audit_chain.py): the previous entry's hash and this entry's own.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LoginCounter(Base):
    """Login attempts counted per key (an account, or an account from one address) within a window,
    when Redis is not configured: one row per key, bumped by a single atomic upsert."""

    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(DateTime, index=True)


class DataVersion(Base):
    """A counter bumped by every write; caches and open dashboards key on it."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime)


class IndicatorRollup(Base):
    """Precomputed state of one indicator as of the end of one period."""

    __tablename__ = "indicator_rollups"
    __table_args__ = (
        one_of("status", Status),
        Index("ix_indicator_rollups_unit_period", "unit_id", "period_id"),
        Index("ix_indicator_rollups_period_status", "period_id", "status"),  # the lagging lists
    )

    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    latest_value: Mapped[float | None] = mapped_column(Float)
    latest_on: Mapped[date | None] = mapped_column(Date)
    current_value: Mapped[float | None] = mapped_column(Float)
    progress: Mapped[float | None] = mapped_column(Float)
    expected: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10), default=Status.NO_DATA.value)
    forecast_value: Mapped[float | None] = mapped_column(Float)
    forecast_miss_by: Mapped[float | None] = mapped_column(Float)
    on_course: Mapped[bool | None] = mapped_column(Boolean)
    n_measurements: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    # weight x (expected - progress, no progress counting as 0): how much the shortfall matters
    gap: Mapped[float | None] = mapped_column(Float)


# The lagging lists, biggest gaps first, without a sort. Partial, so that only queries naming exactly these
# statuses (as literals) use it: the planners picked a period-wide index over a unit's or a person's rows.
LAGGING_STATUSES = (Status.OFF_TRACK.value, Status.AT_RISK.value)
Index(
    "ix_indicator_rollups_lagging_gap",
    IndicatorRollup.period_id,
    IndicatorRollup.gap,
    sqlite_where=IndicatorRollup.status.in_(LAGGING_STATUSES),
    postgresql_where=IndicatorRollup.status.in_(LAGGING_STATUSES),
)


class UnitRollup(Base):
    """Precomputed score, indicator status counts and task counts of a unit's subtree for a period."""

    __tablename__ = "unit_rollups"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), primary_key=True)
    own_score: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    n_indicators: Mapped[int] = mapped_column(Integer, default=0)
    n_done: Mapped[int] = mapped_column(Integer, default=0)
    n_on_track: Mapped[int] = mapped_column(Integer, default=0)
    n_at_risk: Mapped[int] = mapped_column(Integer, default=0)
    n_off_track: Mapped[int] = mapped_column(Integer, default=0)
    n_no_data: Mapped[int] = mapped_column(Integer, default=0)
    tasks_open: Mapped[int] = mapped_column(Integer, default=0)
    tasks_overdue: Mapped[int] = mapped_column(Integer, default=0)
    tasks_done_on_time: Mapped[int] = mapped_column(Integer, default=0)
    tasks_done_late: Mapped[int] = mapped_column(Integer, default=0)


class UserSession(Base):
    """A server-side login session: revocable, with idle and absolute expiry."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, stored in the signed cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))


class ApiToken(Base):
    """A machine's key to /api/v1: a named system, its scopes and unit subtree, an expiry and a rate.

    Only the SHA-256 of the secret is kept (the secret is shown once, at creation); `prefix` is its
    harmless beginning, so that an administrator can tell tokens apart.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("rate_per_minute > 0", name="rate_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated, e.g. "org:read profiles:read"
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=120)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class ApiIdempotencyKey(Base):
    """An idempotency key a machine sent with a write, and the answer it got: a resend gets the same
    answer and changes nothing. `key` is "batch:<Idempotency-Key header>" or "row:<the row's key>"."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class SyncBatch(Base):
    """A batch of a unit subtree's org units and profiles for the national cadre database: built, signed
    by an officer, sent, and answered. `content` is the canonical JSON that was (or will be) signed."""

    __tablename__ = "sync_batches"
    __table_args__ = (
        CheckConstraint("kind IN ('dry_run', 'full')", name="kind_allowed"),
        CheckConstraint(
            "status IN ('draft', 'signed', 'sent', 'accepted', 'partly_rejected', 'rejected')", name="status_allowed"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The batch id the receiver sees (idempotency and replay protection): random, never reused.
    batch_key: Mapped[str] = mapped_column(String(40), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    signature: Mapped[str | None] = mapped_column(Text)
    signer: Mapped[str | None] = mapped_column(String(200))
    cert_fingerprint: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class SyncRecord(Base):
    """One record of a batch: in it (`pending`, then the receiver's `accepted` or `rejected`) or kept out
    (`kept_out`: it fails "correct" or "sufficient"), with the reason. `record_sha256` is the hash of the
    record's canonical JSON: a record is sent again only when it changed since it was last accepted."""

    __tablename__ = "sync_records"
    __table_args__ = (
        UniqueConstraint("batch_id", "record_key"),
        CheckConstraint("outcome IN ('pending', 'kept_out', 'accepted', 'rejected')", name="outcome_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("sync_batches.id", ondelete="CASCADE"), index=True)
    record_key: Mapped[str] = mapped_column(String(80), index=True)  # "unit:<code>" | "profile:<citizen id>"
    record_sha256: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)


class Playlist(Base):
    """A named playlist for the meeting-room wall, opened at /present/<name> by the screen account:
    its slides in order ("overview,lagging,unit:12"), interval, theme and period ("" for the current)."""

    __tablename__ = "playlists"
    __table_args__ = (
        CheckConstraint("theme IN ('dark', 'light')", name="theme_allowed"),
        CheckConstraint("interval_s >= 5 AND interval_s <= 600", name="interval_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)  # whose playlist (scope)
    slides: Mapped[str] = mapped_column(String(1000))
    interval_s: Mapped[int] = mapped_column(Integer, default=20)
    theme: Mapped[str] = mapped_column(String(5), default="dark")
    period_code: Mapped[str] = mapped_column(String(10), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class WallState(Base):
    """Where a playlist's walls stand (domain/playlists.py): slide `anchor_index` began at `anchor_at`.
    Written only when the chair steers the wall; walls and companions compute the slide from it."""

    __tablename__ = "wall_states"

    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True)
    anchor_index: Mapped[int] = mapped_column(Integer, default=0)
    anchor_at: Mapped[datetime] = mapped_column(DateTime)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    remaining_s: Mapped[int] = mapped_column(Integer, default=0)
    seq: Mapped[int] = mapped_column(Integer, default=0)  # steering actions so far: a wall adopts each new one

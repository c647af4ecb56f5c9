"""Generates the demo rows in memory (plain dicts with ids assigned here), deterministically.

Kept free of any database access so that generation and writing can be timed apart.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from faker import Faker
from vietnam_provinces import Ward

from data_access.seed import catalogue as cat
from domain.citizen_id import PROVINCE_CODES, make_citizen_id
from domain.indicators import Accumulation, Direction
from domain.kinds import Frequency, MeasurementStatus, Priority, Role, TaskStatus, UnitKind
from domain.periods import periods_of_year

Row = dict[str, Any]

# How many people work in a top unit's divisions, per scale.
PEOPLE_PER_DIVISION = {"pilot": 18, "hanoi": 52}
TASKS_PER_PERSON = {"pilot": 7, "hanoi": 7}


@dataclass
class DemoData:
    """All generated rows, by table name, in insertion order."""

    tables: dict[str, list[Row]] = field(default_factory=dict)
    demo_users: dict[str, Row] = field(default_factory=dict)

    def add(self, table: str, row: Row) -> Row:
        self.tables.setdefault(table, []).append(row)
        return row

    def rows(self, table: str) -> list[Row]:
        return self.tables.setdefault(table, [])


@dataclass
class _Unit:
    row: Row
    divisions: list[Row] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)
    leader: Row | None = None


class DemoBuilder:
    """Builds the demo for one scale, seed and date."""

    def __init__(self, *, scale: str, seed: int, today: date) -> None:
        if scale not in PEOPLE_PER_DIVISION:
            raise ValueError(f"unknown scale {scale!r}: use pilot or hanoi")
        self.scale = scale
        self.today = today
        self.rng = random.Random(seed)
        self.faker = Faker("vi_VN")
        self.faker.seed_instance(seed)
        self.data = DemoData()
        self._ids: dict[str, int] = {}
        self._serials: set[str] = set()
        self.periods: dict[str, Row] = {}
        self.top_units: list[_Unit] = []
        self.city: _Unit | None = None
        self.task_types: list[Row] = []

    def next_id(self, table: str) -> int:
        self._ids[table] = self._ids.get(table, 0) + 1
        return self._ids[table]

    # --- org tree -------------------------------------------------------------------------

    def build(self) -> DemoData:
        self._periods()
        self._org_tree()
        self._people()
        self._task_types()
        for year in (self.today.year - 1, self.today.year):
            self._programmes(year)
        self._tasks()
        return self.data

    def _periods(self) -> None:
        current_month = (self.today.year, self.today.month)
        for year in (self.today.year - 1, self.today.year):
            for period in periods_of_year(year):
                row = self.data.add("periods", {
                    "id": self.next_id("periods"), "code": period.code, "kind": period.kind.value, "year": period.year,
                    "number": period.number, "start_date": period.start, "end_date": period.end,
                    "locked": year < self.today.year and (period.end.year, period.end.month) < current_month,
                    "grace_days": 10,
                })
                self.periods[period.code] = row

    def _unit(self, *, code: str, name: str, kind: UnitKind, parent: Row | None, official_code: str | None = None,
              ruleset: str = "decree_335", requires_approval: bool = True) -> Row:
        unit_id = self.next_id("org_units")
        path = (parent["path"] if parent else "/") + f"{unit_id}/"
        return self.data.add("org_units", {
            "id": unit_id, "code": code, "official_code": official_code, "name": name, "kind": kind.value,
            "parent_id": parent["id"] if parent else None, "path": path, "depth": path.count("/") - 2,
            "weight": 1.0, "requires_approval": requires_approval, "ruleset": ruleset, "active": True,
        })

    def _org_tree(self) -> None:
        city = self._unit(code=cat.CITY_CODE, name=cat.CITY_NAME, kind=UnitKind.CITY, parent=None, official_code="01")
        self.city = _Unit(city)
        hanoi_wards = sorted((w for w in Ward.iter_all() if int(w.province_code) == cat.HANOI_PROVINCE_CODE),
                             key=lambda w: int(w.code))
        if self.scale == "pilot":
            departments = [cat.SCIENCE_DEPARTMENT]
            wards = [w for w in hanoi_wards if f"{int(w.code):05d}" in cat.PILOT_WARD_CODES]
        else:
            departments = list(cat.DEPARTMENTS)
            wards = hanoi_wards
        for code, name in departments:
            self._top(code=code, name=name, kind=UnitKind.DEPARTMENT, divisions=cat.DEPARTMENT_DIVISIONS)
        for ward in wards:
            official = f"{int(ward.code):05d}"
            # Wards approve their own values; a few communes report without approval.
            self._top(code=f"W{official}", name=ward.name, kind=UnitKind.WARD, divisions=cat.WARD_DIVISIONS,
                      official_code=official, requires_approval=self.rng.random() > 0.1)
        self._top(code=cat.PARTY_BOARD[0], name=cat.PARTY_BOARD[1], kind=UnitKind.PARTY_BOARD,
                  divisions=cat.PARTY_DIVISIONS, ruleset="regulation_366")

    def _top(self, *, code: str, name: str, kind: UnitKind, divisions: tuple[str, ...], official_code: str | None = None,
             ruleset: str = "decree_335", requires_approval: bool = True) -> None:
        assert self.city is not None
        row = self._unit(code=code, name=name, kind=kind, parent=self.city.row, official_code=official_code,
                         ruleset=ruleset, requires_approval=requires_approval)
        unit = _Unit(row)
        for index, division in enumerate(divisions, start=1):
            unit.divisions.append(self._unit(code=f"{code}-P{index}", name=division, kind=UnitKind.DIVISION, parent=row,
                                             ruleset=ruleset, requires_approval=requires_approval))
        self.top_units.append(unit)

    # --- people and positions -------------------------------------------------------------

    def _position(self, unit: Row, template: cat.PositionTemplate) -> Row:
        return self.data.add("positions", {
            "id": self.next_id("positions"), "unit_id": unit["id"], "code": template.code, "name": template.name,
            "task_group": template.task_group, "criteria_set": "default", "is_leader": template.is_leader,
        })

    def _person(self, unit: Row, position: Row) -> Row:
        female = self.rng.random() < 0.52
        name = self.faker.name_female() if female else self.faker.name_male()
        birth_year = self.rng.randint(1965, 2000)
        province = 1 if self.rng.random() < 0.7 else self.rng.choice(sorted(PROVINCE_CODES))
        while True:
            citizen_id = make_citizen_id(province, female=female, birth_year=birth_year, serial=self.rng.randrange(1_000_000))
            if citizen_id not in self._serials:
                self._serials.add(citizen_id)
                break
        person_id = self.next_id("people")
        return self.data.add("people", {
            "id": person_id, "citizen_id": citizen_id, "civil_servant_code": f"HN{person_id:07d}", "full_name": name,
            "gender": "female" if female else "male", "birth_year": birth_year, "unit_id": unit["id"],
            "position_id": position["id"], "email": f"cb{person_id:06d}@hanoi.gov.vn", "active": True, "version": 1,
        })

    def _people(self) -> None:
        assert self.city is not None
        city_leaders = self._position(self.city.row, cat.TOP_POSITIONS[0])
        self.city.leader = self._person(self.city.row, city_leaders)
        self.city.people.append(self.city.leader)
        self.city.people.append(self._person(self.city.row, self._position(self.city.row, cat.TOP_POSITIONS[1])))
        per_division = PEOPLE_PER_DIVISION[self.scale]
        for unit in self.top_units:
            top_leader, top_deputy = (self._position(unit.row, t) for t in cat.TOP_POSITIONS)
            unit.leader = self._person(unit.row, top_leader)
            unit.people += [unit.leader, self._person(unit.row, top_deputy)]
            for division in unit.divisions:
                positions = [self._position(division, t) for t in cat.DIVISION_POSITIONS]
                size = max(4, int(self.rng.gauss(per_division, per_division * 0.15)))
                members = [self._person(division, positions[0])]
                shares = [t.share for t in cat.DIVISION_POSITIONS[1:]]
                for _ in range(size - 1):
                    members.append(self._person(division, self.rng.choices(positions[1:], weights=shares)[0]))
                division["_people"] = members
                unit.people += members

    # --- objectives, indicators, measurements ---------------------------------------------

    def _programmes(self, year: int) -> None:
        period = self.periods[str(year)]
        for unit in self.top_units:
            # Each unit has its own pace: most progress, some lag, some overshoot, a few stop reporting.
            pace = min(1.45, max(0.25, self.rng.gauss(1.0, 0.28)))
            stops_after = self.rng.randint(5, 9) if self.rng.random() < 0.08 else 13
            templates = cat.TOP_OBJECTIVES + (cat.PARTY_OBJECTIVES if unit.row["kind"] == UnitKind.PARTY_BOARD else ())
            owners = unit.people[:2]
            self._objectives(unit.row, period, templates, owners, pace, stops_after, light=year < self.today.year)
            for division in unit.divisions:
                division_pace = min(1.45, max(0.25, pace + self.rng.gauss(0, 0.12)))
                self._objectives(division, period, cat.DIVISION_OBJECTIVES, division["_people"][:3], division_pace,
                                 stops_after, light=year < self.today.year)

    def _objectives(self, unit: Row, period: Row, templates: tuple[cat.ObjectiveTemplate, ...], owners: list[Row],
                    pace: float, stops_after: int, *, light: bool) -> None:
        for template in templates:
            if light and template.source_kind.value == "key_task":
                continue  # last year's demo keeps fewer objectives
            objective = self.data.add("objectives", {
                "id": self.next_id("objectives"), "unit_id": unit["id"], "period_id": period["id"], "title": template.title,
                "source_kind": template.source_kind.value, "source_ref": template.source_ref, "parent_objective_id": None,
                "weight": template.weight, "owner_person_id": owners[0]["id"], "version": 1,
            })
            for spec in template.indicators:
                self._indicator(unit, period, objective, spec, self.rng.choice(owners), pace, stops_after)

    def _indicator(self, unit: Row, period: Row, objective: Row, spec: cat.IndicatorTemplate, owner: Row,
                   pace: float, stops_after: int) -> None:
        indicator_id = self.next_id("indicators")
        self.data.add("indicators", {
            "id": indicator_id, "unit_id": unit["id"], "period_id": period["id"], "objective_id": objective["id"],
            "code": spec.code, "name": spec.name, "unit_of_measure": spec.unit_of_measure, "direction": spec.direction.value,
            "baseline": spec.baseline, "target": spec.target,
            "band_low": spec.band[0] if spec.band else None, "band_high": spec.band[1] if spec.band else None,
            "milestones_total": spec.milestones, "min_value": spec.bounds[0], "max_value": spec.bounds[1],
            "weight": spec.weight, "accumulation": spec.accumulation.value, "frequency": Frequency.MONTHLY.value,
            "owner_person_id": owner["id"], "published": self.rng.random() > 0.05, "version": 1,
        })
        year = period["year"]
        if spec.trajectory and spec.baseline is not None and spec.target is not None:
            for quarter, share in ((3, 0.2), (6, 0.5), (9, 0.75), (12, 1.0)):
                planned = spec.baseline + (spec.target - spec.baseline) * share
                self.data.add("trajectory_points", {
                    "id": self.next_id("trajectory_points"), "indicator_id": indicator_id,
                    "at": self.periods[f"{year}-{quarter:02d}"]["end_date"], "value": round(planned, 2),
                })
        self._measurements(indicator_id, unit, year, spec, pace, stops_after)

    def _measurements(self, indicator_id: int, unit: Row, year: int, spec: cat.IndicatorTemplate, pace: float,
                      stops_after: int) -> None:
        months = [m for m in range(1, 13) if self.periods[f"{year}-{m:02d}"]["end_date"] <= self.today]
        done_month = self.rng.randint(3, 12)
        for month in months:
            if month > stops_after and year == self.today.year:
                break
            value = self._value(spec, month, pace, done_month)
            month_end = self.periods[f"{year}-{month:02d}"]["end_date"]
            latest = month == months[-1] and year == self.today.year
            status = MeasurementStatus.APPROVED
            reason = None
            if latest and unit["requires_approval"] and self.rng.random() < 0.4:
                status = MeasurementStatus.SUBMITTED
            elif self.rng.random() < 0.01:
                status, reason = MeasurementStatus.REJECTED, "Số liệu chưa khớp với báo cáo tháng, đề nghị kiểm tra lại."
            self.data.add("measurements", {
                "id": self.next_id("measurements"), "indicator_id": indicator_id, "value": value, "measured_on": month_end,
                "status": status.value, "entered_by_id": None, "entered_at": datetime.combine(month_end, time(17, 0)), "reviewed_by_id": None,
                "reviewed_at": None, "reject_reason": reason, "evidence_url": None, "comment": None, "version": 1,
            })

    def _value(self, spec: cat.IndicatorTemplate, month: int, pace: float, done_month: int) -> float:
        noise = self.rng.gauss(0, 0.03)
        share = min(1.0, (month + 1) / 12)  # a month-end value reports the work of the month ahead being under way
        if spec.direction is Direction.DONE:
            return 1.0 if month >= done_month / pace else 0.0
        if spec.direction is Direction.MILESTONES:
            return float(min(spec.milestones or 0, int((spec.milestones or 0) * share * pace + 0.3)))
        if spec.direction is Direction.BAND:
            low, high = spec.band or (0.0, 100.0)
            slack = max(0.0, 1.0 - pace) * 8  # lagging units fall below the band more often
            return round(min(high, self.rng.uniform(low - slack - 0.5, high)), 1)
        if spec.accumulation is Accumulation.SUM:
            monthly = (spec.target or 0) / 12 * pace * (1 + noise * 3)
            return float(max(0, round(monthly)))
        baseline, target = float(spec.baseline or 0), float(spec.target or 0)
        if spec.accumulation is Accumulation.AVERAGE:
            value = baseline + (target - baseline) * min(1.3, pace) * (0.85 + 0.1 * share) + noise * 10
        else:
            value = baseline + (target - baseline) * share * pace + (target - baseline) * noise
        low, high = spec.bounds
        if low is not None:
            value = max(low, value)
        if high is not None:
            value = min(high, value)
        return round(value, 1)

    # --- tasks ----------------------------------------------------------------------------

    def _task_types(self) -> None:
        for template in cat.TASK_TYPES:
            self.task_types.append(self.data.add("task_types", {
                "id": self.next_id("task_types"), "code": template.code, "name": template.name,
                "coefficient": template.coefficient,
            }))

    def _tasks(self) -> None:
        year_start = date(self.today.year, 1, 1)
        year_days = (date(self.today.year, 12, 31) - year_start).days
        per_person = TASKS_PER_PERSON[self.scale]
        for unit in self.top_units:
            for division in unit.divisions:
                for person in division["_people"]:
                    for _ in range(per_person):
                        due = year_start + timedelta(days=self.rng.randint(20, year_days))
                        self._task(assigner_unit=unit.row, assignee_unit=division, person=person, due=due)
        self._batch_tasks()

    def _task(self, *, assigner_unit: Row, assignee_unit: Row, person: Row | None, due: date, batch_key: str | None = None,
              title: str | None = None) -> Row:
        kind = self.rng.choice(self.task_types)
        start = due - timedelta(days=self.rng.randint(7, 45))
        row: Row = {
            "id": self.next_id("tasks"),
            "title": title or self.rng.choice(cat.TASK_TITLES).format(topic=self.rng.choice(cat.TASK_TOPICS)),
            "description": "", "assigner_user_id": None, "assigner_unit_id": assigner_unit["id"],
            "assignee_unit_id": assignee_unit["id"], "assignee_person_id": person["id"] if person else None,
            "batch_key": batch_key, "task_type_id": kind["id"], "coefficient": kind["coefficient"],
            "priority": self.rng.choices(list(Priority), weights=(2, 10, 4, 1))[0].value, "objective_id": None,
            "indicator_id": None, "start_date": start, "due_date": due, "original_due_date": due,
            "status": TaskStatus.OPEN.value, "progress_pct": 0, "completed_on": None, "delays": 0, "major_errors": 0,
            "quality_accepted": None, "exceeded": False, "excused": False, "cancel_reason": None,
            "created_at": datetime.combine(start, time(8, 0)), "version": 1,
        }
        self._outcome(row)
        return self.data.add("tasks", row)

    def _outcome(self, row: Row) -> None:
        """Decide how a task ended (or where it stands today) from a plausible distribution."""
        due: date = row["due_date"]
        roll = self.rng.random()
        if roll < 0.015:
            row.update(status=TaskStatus.CANCELLED.value, cancel_reason="Nhiệm vụ không còn phù hợp sau khi sắp xếp bộ máy.")
            return
        if due >= self.today:
            in_progress = self.rng.random() < 0.6 and row["start_date"] <= self.today
            row.update(status=(TaskStatus.IN_PROGRESS if in_progress else TaskStatus.OPEN).value,
                       progress_pct=self.rng.choice((10, 25, 40, 60, 80)) if in_progress else 0)
            return
        if roll < 0.09:  # overdue, still open
            row.update(status=TaskStatus.IN_PROGRESS.value, progress_pct=self.rng.choice((20, 50, 70, 90)))
            return
        delays = 0 if roll < 0.75 else self.rng.choice((1, 1, 2, 3))
        completed = due + timedelta(days=delays * self.rng.randint(3, 10)) if delays else due - timedelta(days=self.rng.randint(0, 5))
        if completed > self.today:
            completed = self.today
        errors = 0 if self.rng.random() < 0.9 else self.rng.choice((1, 1, 2))
        row.update(status=TaskStatus.DONE.value, progress_pct=100, completed_on=completed, delays=delays, major_errors=errors,
                   quality_accepted=errors == 0 or self.rng.random() < 0.5, exceeded=self.rng.random() < 0.25)

    def _batch_tasks(self) -> None:
        """The city assigns the same report to every ward at once: each copy is followed separately."""
        assert self.city is not None
        wards = [u for u in self.top_units if u.row["kind"] == UnitKind.WARD]
        for index, month in enumerate((3, 6, 9, 12), start=1):
            due = date(self.today.year, month, 25)
            for unit in wards:
                self._task(assigner_unit=self.city.row, assignee_unit=unit.row, person=None, due=due, batch_key=f"B{index:03d}",
                           title=f"Báo cáo kết quả chuyển đổi số quý {index} năm {self.today.year}")

    # --- accounts ---------------------------------------------------------------------------

    def demo_accounts(self) -> list[tuple[str, Role, Row, Row | None]]:
        """(username, role, scope unit, person) for each demo login."""
        assert self.city is not None and self.city.leader is not None
        by_code = {u.row["code"]: u for u in self.top_units}
        science = by_code[cat.SCIENCE_DEPARTMENT[0]]
        hoan_kiem = by_code[f"W{cat.PILOT_WARD_CODES[0]}"]
        tech_division = science.divisions[2]
        ward_division = hoan_kiem.divisions[3]
        return [
            ("admin", Role.ADMIN, self.city.row, None),
            ("lanhdao.thanhpho", Role.LEADER, self.city.row, self.city.leader),
            ("quanly.thanhpho", Role.MANAGER, self.city.row, self.city.people[1]),
            ("lanhdao.hoankiem", Role.LEADER, hoan_kiem.row, hoan_kiem.leader),
            ("truongphong.khcn", Role.MANAGER, tech_division, tech_division["_people"][0]),
            ("chuyenvien.khcn", Role.STAFF, tech_division, tech_division["_people"][2]),
            ("canbo.hoankiem", Role.STAFF, ward_division, ward_division["_people"][2]),
            ("manhinh.phonghop", Role.SCREEN, self.city.row, None),
        ]

"""Periods, objectives, indicators, planned trajectories and monthly measurements.

Objectives come from real programmes: digital transformation under Resolution 57-NQ/TW, the
administrative reform programme (fewer paper documents and meetings, more online meetings),
citizen satisfaction, Project 06 on population data, regular work, and for the party board
Regulation 366-QD/TW. Each top unit gets a pace drawn around 1.0: most progress towards their
targets, some lag clearly, some overshoot, and a few stop reporting after some month. Divisions
follow their unit's pace with their own noise, and align their objectives to their unit's; departments
and wards align theirs to the city's (the city's own objectives have no key results: the cascade scores them).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from data_access.seed.accounts import HOAN_KIEM, DemoAccounts
from data_access.seed.org_tree import PILOT_WARD_CODES, SCIENCE_DEPARTMENT, Demo, DemoRows, OrgTree, Row
from domain.indicators import Accumulation, Direction
from domain.kinds import Frequency, MeasurementStatus, PlanStatus, SourceKind, UnitKind
from domain.periods import Period, periods_of_year

# --- what the programmes are made of ------------------------------------------------------


@dataclass(frozen=True)
class IndicatorTemplate:
    code: str
    name: str
    unit_of_measure: str
    direction: Direction
    baseline: float | None
    target: float | None
    accumulation: Accumulation = Accumulation.LAST
    band: tuple[float, float] | None = None
    milestones: int | None = None
    weight: float = 1.0
    trajectory: bool = False  # quarterly planned values
    bounds: tuple[float | None, float | None] = (None, None)  # the values a measurement may take


@dataclass(frozen=True)
class ObjectiveTemplate:
    title: str
    source_kind: SourceKind
    source_ref: str | None  # may hold {year}
    indicators: tuple[IndicatorTemplate, ...]
    weight: float = 1.0


PERCENT = (0.0, 100.0)

TOP_OBJECTIVES = (
    ObjectiveTemplate(
        "Đẩy mạnh chuyển đổi số theo Nghị quyết 57-NQ/TW",
        SourceKind.RESOLUTION,
        "57-NQ/TW",
        (
            IndicatorTemplate(
                "TTHC-TT",
                "Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến",
                "%",
                Direction.INCREASE,
                70,
                95,
                weight=3,
                trajectory=True,
                bounds=PERCENT,
            ),
            IndicatorTemplate(
                "KYSO", "Tỷ lệ văn bản điện tử có ký số", "%", Direction.INCREASE, 80, 100, weight=2, bounds=PERCENT
            ),
            IndicatorTemplate(
                "DVC-TT",
                "Số mốc triển khai dịch vụ công trực tuyến toàn trình",
                "mốc",
                Direction.MILESTONES,
                0,
                None,
                milestones=6,
                weight=1,
                bounds=(0, 6),
            ),
        ),
        weight=3,
    ),
    ObjectiveTemplate(
        "Giảm giấy tờ và hội họp theo Chương trình cải cách hành chính",
        SourceKind.ACTION_PROGRAMME,
        "CT 01-CTr/UBND {year}",
        (
            IndicatorTemplate(
                "VB-GIAY",
                "Số văn bản hành chính giấy ban hành mỗi tháng (giảm 15%/năm)",
                "văn bản",
                Direction.DECREASE,
                400,
                340,
                weight=2,
                bounds=(0, None),
            ),
            IndicatorTemplate(
                "HOP",
                "Số cuộc họp mỗi tháng (giảm 10%/năm)",
                "cuộc họp",
                Direction.DECREASE,
                40,
                36,
                weight=1,
                bounds=(0, None),
            ),
            IndicatorTemplate(
                "HOP-TT", "Tỷ lệ cuộc họp trực tuyến", "%", Direction.INCREASE, 35, 60, weight=1, bounds=PERCENT
            ),
        ),
        weight=2,
    ),
    ObjectiveTemplate(
        "Nâng cao sự hài lòng của người dân, doanh nghiệp",
        SourceKind.KEY_TASK,
        "NV trọng tâm {year}",
        (
            IndicatorTemplate(
                "HAILONG",
                "Chỉ số hài lòng của người dân (SIPAS)",
                "%",
                Direction.INCREASE,
                80,
                90,
                accumulation=Accumulation.AVERAGE,
                weight=2,
                bounds=PERCENT,
            ),
            IndicatorTemplate(
                "DUNGHAN",
                "Tỷ lệ hồ sơ giải quyết đúng hạn",
                "%",
                Direction.BAND,
                None,
                None,
                band=(98, 100),
                weight=1,
                bounds=PERCENT,
            ),
        ),
        weight=2,
    ),
    ObjectiveTemplate(
        "Triển khai Đề án 06 về dữ liệu dân cư",
        SourceKind.KEY_TASK,
        "Đề án 06/QĐ-TTg",
        (
            IndicatorTemplate(
                "DA06-SACH",
                "Hoàn thành làm sạch dữ liệu dân cư",
                "hoàn thành",
                Direction.DONE,
                0,
                1,
                weight=1,
                bounds=(0, 1),
            ),
        ),
        weight=1,
    ),
    ObjectiveTemplate(
        "Thực hiện nhiệm vụ thường xuyên",
        SourceKind.REGULAR_WORK,
        None,
        (
            IndicatorTemplate(
                "BC-DUNGHAN",
                "Số báo cáo định kỳ nộp đúng hạn",
                "báo cáo",
                Direction.INCREASE,
                0,
                12,
                accumulation=Accumulation.SUM,
                weight=1,
                bounds=(0, 5),
            ),
            IndicatorTemplate(
                "NV-DUNGHAN",
                "Tỷ lệ nhiệm vụ hoàn thành đúng hạn",
                "%",
                Direction.INCREASE,
                85,
                95,
                weight=2,
                bounds=PERCENT,
            ),
        ),
        weight=1,
    ),
)

PARTY_OBJECTIVES = (
    ObjectiveTemplate(
        "Đánh giá, xếp loại chất lượng theo Quy định 366-QĐ/TW",
        SourceKind.RESOLUTION,
        "366-QĐ/TW",
        (
            IndicatorTemplate(
                "DG-DUNGHAN",
                "Tỷ lệ tổ chức đảng được đánh giá, xếp loại đúng hạn",
                "%",
                Direction.INCREASE,
                90,
                100,
                weight=2,
                bounds=PERCENT,
            ),
            IndicatorTemplate(
                "KT-CHIBO",
                "Số chi bộ được kiểm tra, giám sát",
                "chi bộ",
                Direction.INCREASE,
                0,
                24,
                accumulation=Accumulation.SUM,
                weight=1,
                bounds=(0, 10),
            ),
        ),
        weight=2,
    ),
)

# A city objective no department or ward has taken up yet: the alignment tree lists it as unsupported.
CITY_ONLY_OBJECTIVE = ObjectiveTemplate(
    "Xây dựng đô thị thông minh", SourceKind.ACTION_PROGRAMME, "Đề án đô thị thông minh", indicators=()
)

DIVISION_OBJECTIVES = (
    ObjectiveTemplate(
        "Chuyển đổi số trong xử lý công việc",
        SourceKind.RESOLUTION,
        "57-NQ/TW",
        (
            IndicatorTemplate(
                "HS-SO",
                "Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng",
                "%",
                Direction.INCREASE,
                60,
                90,
                weight=2,
                bounds=PERCENT,
            ),
            IndicatorTemplate(
                "VB-GIAY",
                "Số văn bản giấy mỗi tháng",
                "văn bản",
                Direction.DECREASE,
                60,
                51,
                weight=1,
                bounds=(0, None),
            ),
            IndicatorTemplate(
                "SOHOA", "Tỷ lệ hồ sơ lưu trữ được số hóa", "%", Direction.INCREASE, 40, 70, weight=1, bounds=PERCENT
            ),
        ),
        weight=2,
    ),
    ObjectiveTemplate(
        "Nhiệm vụ thường xuyên của phòng",
        SourceKind.REGULAR_WORK,
        None,
        (
            IndicatorTemplate(
                "NV-DUNGHAN",
                "Tỷ lệ nhiệm vụ hoàn thành đúng hạn",
                "%",
                Direction.INCREASE,
                85,
                95,
                weight=2,
                bounds=PERCENT,
            ),
            IndicatorTemplate(
                "BC-DUNGHAN",
                "Số báo cáo định kỳ nộp đúng hạn",
                "báo cáo",
                Direction.INCREASE,
                0,
                12,
                accumulation=Accumulation.SUM,
                weight=1,
                bounds=(0, 5),
            ),
            IndicatorTemplate(
                "HOP",
                "Số cuộc họp của phòng mỗi tháng",
                "cuộc họp",
                Direction.DECREASE,
                10,
                9,
                weight=1,
                bounds=(0, None),
            ),
        ),
        weight=1,
    ),
)

TRAJECTORY_SHARES = ((3, 0.2), (6, 0.5), (9, 0.75), (12, 1.0))  # quarter-end month -> planned share of the way
REJECT_REASON = "Số liệu chưa khớp với báo cáo tháng, đề nghị kiểm tra lại."
DRAFT_PLAN_SHARE = 0.05  # this year's plans still in draft: their objectives and indicators count nowhere yet
# The units the demo logins work in keep approved plans, so what their journeys show does not depend on a draw.
ALWAYS_APPROVED = (HOAN_KIEM, SCIENCE_DEPARTMENT)
# A division of Tu Liem whose plan is always still a draft, so that even the small pilot has one.
ALWAYS_DRAFT = f"W{PILOT_WARD_CODES[1]}-P2"
STOPS_REPORTING_SHARE = 0.08
NEVER = 13  # a month after December: the unit never stops reporting


# --- periods ------------------------------------------------------------------------------


def build_periods(demo: Demo) -> dict[str, Row]:
    """The previous and the current year, each with its quarters and months; last year is locked."""
    periods: dict[str, Row] = {}
    current_month = (demo.today.year, demo.today.month)
    rows = demo.rows
    for year in (demo.year - 1, demo.year):
        for period in periods_of_year(year):
            locked = year < demo.year and (period.end.year, period.end.month) < current_month
            periods[period.code] = period_row(rows, period, locked=locked)
    return periods


def period_row(rows: DemoRows, period: Period, *, locked: bool, grace_days: int = 10) -> Row:
    """Add one period (a year, a quarter or a month)."""
    return rows.add(
        "periods",
        {
            "id": rows.next_id("periods"),
            "code": period.code,
            "kind": period.kind.value,
            "year": period.year,
            "number": period.number,
            "start_date": period.start,
            "end_date": period.end,
            "locked": locked,
            "grace_days": grace_days,
        },
    )


# --- objectives, indicators, measurements --------------------------------------------------


@dataclass
class Programmes:
    """What the task stage needs: the current year's objectives and indicators of each unit."""

    objectives_by_unit: dict[int, list[Row]] = field(default_factory=lambda: defaultdict(list))
    indicators_by_unit: dict[int, list[Row]] = field(default_factory=lambda: defaultdict(list))


@dataclass(frozen=True)
class _Reporter:
    """Who enters and who reviews a unit's values (demo users; None elsewhere)."""

    entered_by: int | None = None
    reviewed_by: int | None = None
    # The person behind ``entered_by``: the unit's indicators are delegated to them (entry for the owners).
    person_id: int | None = None


class _ProgrammeMaker:
    def __init__(self, demo: Demo, tree: OrgTree, periods: dict[str, Row], accounts: DemoAccounts) -> None:
        self.demo = demo
        self.tree = tree
        self.periods = periods
        self.out = Programmes()
        self.reporters = {
            accounts.tech_division["id"]: _Reporter(
                accounts.user_id("staff"), accounts.user_id("manager"), accounts.users["staff"]["person_id"]
            ),
            accounts.ward_division["id"]: _Reporter(
                accounts.user_id("ward_staff"),
                accounts.user_id("ward_leader"),
                accounts.users["ward_staff"]["person_id"],
            ),
        }
        self.month_ends = {(p["year"], p["number"]): p["end_date"] for p in periods.values() if p["kind"] == "month"}
        self.latest_review = datetime.combine(demo.today, time(16, 30))
        self.unit_indicators: dict[int, list[Row]] = defaultdict(list)
        self.plan_draws = demo.stream("plans")  # a side stream: the main draws stay as they were
        self.approver = accounts.user_id("city_leader")

    def year(self, year: int) -> None:
        rng = self.demo.rng
        period = self.periods[str(year)]
        light = year < self.demo.year  # last year's demo keeps fewer objectives
        city = self.city_objectives(period, light=light)
        for unit in self.tree.top_units:
            pace = min(1.45, max(0.25, rng.gauss(1.0, 0.28)))
            stops_after = rng.randint(5, 9) if rng.random() < STOPS_REPORTING_SHARE else NEVER
            templates = TOP_OBJECTIVES + (PARTY_OBJECTIVES if unit.row["kind"] == UnitKind.PARTY_BOARD else ())
            owners = unit.people[:2]  # the head and the deputy
            own = self.objectives(unit.row, period, templates, owners, pace, stops_after, light=light, parents=city)
            parents = {(o["source_kind"], o["source_ref"]): o["id"] for o in own}
            for division in unit.divisions:
                division_pace = min(1.45, max(0.25, pace + rng.gauss(0, 0.12)))
                self.objectives(
                    division,
                    period,
                    DIVISION_OBJECTIVES,
                    self.tree.members[division["id"]][:3],
                    division_pace,
                    stops_after,
                    light=light,
                    parents=parents,
                )

    def city_objectives(self, period: Row, *, light: bool) -> dict[tuple[str, str | None], int]:
        """The city's own objectives for the year, which the departments' and wards' objectives serve.

        They carry no key results of their own (their score is the cascade's), so the city's unit score
        and every random draw of the seed stay as they were; one of them (smart city) is not yet taken
        up by any unit and shows as unsupported on the alignment tree.
        """
        rows, city = self.demo.rows, self.tree.city
        owner = city.people[0]["id"] if city.people else None
        made: dict[tuple[str, str | None], int] = {}
        for template in (*TOP_OBJECTIVES, CITY_ONLY_OBJECTIVE):
            if light and template.source_kind is SourceKind.KEY_TASK:
                continue
            source_ref = template.source_ref.format(year=period["year"]) if template.source_ref else None
            objective = rows.add(
                "objectives",
                {
                    "id": rows.next_id("objectives"),
                    "unit_id": city.row["id"],
                    "period_id": period["id"],
                    "title": template.title,
                    "source_kind": template.source_kind.value,
                    "source_ref": source_ref,
                    "parent_objective_id": None,
                    "weight": template.weight,
                    "owner_person_id": owner,
                    "version": 1,
                },
            )
            made[(template.source_kind.value, source_ref)] = objective["id"]
        return made

    def objectives(
        self,
        unit: Row,
        period: Row,
        templates: tuple[ObjectiveTemplate, ...],
        owners: list[Row],
        pace: float,
        stops_after: int,
        *,
        light: bool,
        parents: dict[tuple[str, str | None], int],
    ) -> list[Row]:
        rows = self.demo.rows
        made = []
        for template in templates:
            if light and template.source_kind is SourceKind.KEY_TASK:
                continue
            source_ref = template.source_ref.format(year=period["year"]) if template.source_ref else None
            objective = rows.add(
                "objectives",
                {
                    "id": rows.next_id("objectives"),
                    "unit_id": unit["id"],
                    "period_id": period["id"],
                    "title": template.title,
                    "source_kind": template.source_kind.value,
                    "source_ref": source_ref,
                    "parent_objective_id": parents.get((template.source_kind.value, source_ref)),
                    "weight": template.weight,
                    "owner_person_id": owners[0]["id"],
                    "published": True,
                    "version": 1,
                },
            )
            made.append(objective)
            if period["year"] == self.demo.year:
                self.out.objectives_by_unit[unit["id"]].append(objective)
            # The templates weigh key results 1 to 3; a plan states them as percentages of the objective
            # (summing to 100, as the plan page asks). Scaled exactly, so every score stays what it was.
            to_percent = 100.0 / (sum(spec.weight for spec in template.indicators) or 1.0)
            for spec in template.indicators:
                owner = self.demo.rng.choice(owners)
                self.indicator(unit, period, objective, spec, owner, pace, stops_after, weight=spec.weight * to_percent)
        if made:
            self.plan(unit, period, made, light=light)
        return made

    def plan(self, unit: Row, period: Row, objectives: list[Row], *, light: bool) -> None:
        """The unit's plan for the year: approved at the end of January, or (a few this year) still a draft
        whose objectives and indicators are not published."""
        draft = (
            not light
            and not str(unit["code"]).startswith(ALWAYS_APPROVED)
            and (self.plan_draws.random() < DRAFT_PLAN_SHARE or unit["code"] == ALWAYS_DRAFT)
        )
        decided = datetime(period["year"], 1, 31, 9, 0)
        rows = self.demo.rows
        rows.add(
            "plans",
            {
                "id": rows.next_id("plans"),
                "unit_id": unit["id"],
                "period_id": period["id"],
                "status": (PlanStatus.DRAFT if draft else PlanStatus.APPROVED).value,
                "submitted_by_id": None,
                "submitted_at": None if draft else decided - timedelta(days=5),
                "decided_by_id": None if draft else self.approver,
                "decided_at": None if draft else decided,
                "return_reason": None,
                "copied_from_id": None,
                "version": 1,
            },
        )
        if draft:
            ids = {o["id"] for o in objectives}
            for objective in objectives:
                objective["published"] = False
            for indicator in self.unit_indicators.get(unit["id"], []):
                if indicator["objective_id"] in ids:
                    indicator["published"] = False

    def indicator(
        self,
        unit: Row,
        period: Row,
        objective: Row,
        spec: IndicatorTemplate,
        owner: Row,
        pace: float,
        stops_after: int,
        *,
        weight: float,
    ) -> None:
        rows = self.demo.rows
        reporter = self.reporters.get(unit["id"], _Reporter())
        # Values of this unit are entered by its demo account: the indicators it does not own are delegated to it.
        delegate = reporter.person_id if reporter.person_id not in (None, owner["id"]) else None
        indicator = rows.add(
            "indicators",
            {
                "id": rows.next_id("indicators"),
                "unit_id": unit["id"],
                "period_id": period["id"],
                "objective_id": objective["id"],
                "code": spec.code,
                "name": spec.name,
                "unit_of_measure": spec.unit_of_measure,
                "direction": spec.direction.value,
                "baseline": spec.baseline,
                "target": spec.target,
                "band_low": spec.band[0] if spec.band else None,
                "band_high": spec.band[1] if spec.band else None,
                "milestones_total": spec.milestones,
                "min_value": spec.bounds[0],
                "max_value": spec.bounds[1],
                "weight": weight,
                "accumulation": spec.accumulation.value,
                "frequency": Frequency.MONTHLY.value,
                "owner_person_id": owner["id"],
                "reporter_person_id": delegate,
                "published": True,
                "version": 1,
            },
        )
        # Was the indicator's own "unpublished" draw; still drawn, so the values that follow stay the same.
        self.demo.rng.random()
        self.unit_indicators[unit["id"]].append(indicator)
        year = period["year"]
        if year == self.demo.year:
            self.out.indicators_by_unit[unit["id"]].append(indicator)
        if spec.trajectory and spec.baseline is not None and spec.target is not None:
            for month, share in TRAJECTORY_SHARES:
                rows.add(
                    "trajectory_points",
                    {
                        "id": rows.next_id("trajectory_points"),
                        "indicator_id": indicator["id"],
                        "at": self.month_ends[(year, month)],
                        "value": round(spec.baseline + (spec.target - spec.baseline) * share, 2),
                    },
                )
        self.measurements(indicator["id"], unit, year, spec, pace, stops_after)

    def measurements(
        self, indicator_id: int, unit: Row, year: int, spec: IndicatorTemplate, pace: float, stops_after: int
    ) -> None:
        rng, rows, today = self.demo.rng, self.demo.rows, self.demo.today
        months = [m for m in range(1, 13) if self.month_ends[(year, m)] <= today]  # a month is reported once it ended
        done_month = rng.randint(3, 12)
        reporter = self.reporters.get(unit["id"], _Reporter())
        current = year == self.demo.year
        for month in months:
            if current and month > stops_after:
                break
            value = _value(rng, spec, month, pace, done_month)
            month_end = self.month_ends[(year, month)]
            status, reason = MeasurementStatus.APPROVED, None
            if current and month == months[-1] and unit["requires_approval"] and rng.random() < 0.4:
                status = MeasurementStatus.SUBMITTED  # the latest month, still waiting for approval
            elif rng.random() < 0.01:
                status, reason = MeasurementStatus.REJECTED, REJECT_REASON
            entered_at = datetime.combine(month_end, time(17, 0))
            reviewed = status is not MeasurementStatus.SUBMITTED
            rows.add(
                "measurements",
                {
                    "id": rows.next_id("measurements"),
                    "indicator_id": indicator_id,
                    "value": value,
                    "measured_on": month_end,
                    "status": status.value,
                    "entered_by_id": reporter.entered_by,
                    "entered_at": entered_at,
                    "reviewed_by_id": reporter.reviewed_by if reviewed else None,
                    "reviewed_at": max(entered_at, min(entered_at + timedelta(hours=40), self.latest_review))
                    if reviewed
                    else None,
                    "reject_reason": reason,
                    "evidence_url": None,
                    "comment": None,
                    "version": 1,
                },
            )


def _value(rng: random.Random, spec: IndicatorTemplate, month: int, pace: float, done_month: int) -> float:
    """A month-end value for a unit progressing at ``pace`` (1.0: exactly on plan)."""
    noise = rng.gauss(0, 0.03)
    share = min(1.0, (month + 1) / 12)  # a month-end value already reflects the next month's work under way
    if spec.direction is Direction.DONE:
        return 1.0 if month >= done_month / pace else 0.0
    if spec.direction is Direction.MILESTONES:
        return float(min(spec.milestones or 0, int((spec.milestones or 0) * share * pace + 0.3)))
    if spec.direction is Direction.BAND:
        low, high = spec.band or (0.0, 100.0)
        slack = max(0.0, 1.0 - pace) * 8  # lagging units fall below the band more often
        return round(min(high, rng.uniform(low - slack - 0.5, high)), 1)
    if spec.accumulation is Accumulation.SUM:
        monthly = (spec.target or 0) / 12 * pace * (1 + noise * 3)
        return float(max(0, round(monthly)))
    baseline, target = float(spec.baseline or 0), float(spec.target or 0)
    if spec.accumulation is Accumulation.AVERAGE:
        value = baseline + (target - baseline) * min(1.3, pace) * (0.85 + 0.1 * share) + noise * 10
    else:
        value = baseline + (target - baseline) * share * pace + (target - baseline) * noise
    floor, ceiling = spec.bounds
    if floor is not None:
        value = max(floor, value)
    if ceiling is not None:
        value = min(ceiling, value)
    return round(value, 1)


def build_programmes(demo: Demo, tree: OrgTree, periods: dict[str, Row], accounts: DemoAccounts) -> Programmes:
    """Last year's (lighter) and this year's objectives, indicators, trajectories and measurements."""
    maker = _ProgrammeMaker(demo, tree, periods, accounts)
    for year in (demo.year - 1, demo.year):
        maker.year(year)
    return maker.out

"""The task-type catalogue, a year of tasks with plausible outcomes, and check-ins on some of them.

Each division member gets a handful of products due across the year, assigned by their top unit;
the city sends each ward the same quarterly report (one batch key per quarter). Outcomes follow a
plausible mix that depends on how steady each assignee is: most done on time, some late (1-3
delays, some after an extended deadline), some with major errors or quality not accepted, a few
excused, open and overdue ones, a few cancelled with a reason; those still running at ``today``
are open, in progress, submitted for acceptance or returned.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from data_access.seed.accounts import HOAN_KIEM, DemoAccounts
from data_access.seed.org_tree import Demo, OrgTree, Row
from data_access.seed.programmes import Programmes
from domain.kinds import Priority, SourceKind, TaskStatus, UnitKind

TASKS_PER_PERSON = {"pilot": 24, "hanoi": 7}


@dataclass(frozen=True)
class TaskTypeTemplate:
    code: str
    name: str
    coefficient: float  # conversion coefficient of Decree 335: how much one product of this kind weighs


TASK_TYPES = (
    TaskTypeTemplate("VB-THAMMUU", "Văn bản tham mưu", 1.0),
    TaskTypeTemplate("BC-DINHKY", "Báo cáo định kỳ", 0.5),
    TaskTypeTemplate("BC-CHUYENDE", "Báo cáo chuyên đề", 1.5),
    TaskTypeTemplate("DE-AN", "Đề án, kế hoạch", 3.0),
    TaskTypeTemplate("KIEM-TRA", "Kiểm tra, giám sát", 1.5),
    TaskTypeTemplate("HO-SO", "Giải quyết hồ sơ", 0.3),
    TaskTypeTemplate("SU-KIEN", "Tổ chức hội nghị, sự kiện", 2.0),
)
BATCH_TYPE = "BC-DINHKY"

TASK_TITLES = (
    "Tham mưu kế hoạch {topic}",
    "Báo cáo tình hình {topic}",
    "Rà soát, cập nhật dữ liệu {topic}",
    "Kiểm tra việc thực hiện {topic}",
    "Xây dựng dự thảo văn bản về {topic}",
    "Tổng hợp ý kiến góp ý {topic}",
    "Tổ chức hội nghị sơ kết {topic}",
)
TASK_TOPICS = (
    "chuyển đổi số",
    "cải cách hành chính",
    "Đề án 06",
    "dịch vụ công trực tuyến",
    "công tác cán bộ",
    "thi đua, khen thưởng",
    "phòng cháy chữa cháy",
    "trật tự đô thị",
    "an sinh xã hội",
    "khoa học và công nghệ",
)
# Topics that serve the digital-transformation objective (Resolution 57); the others, regular work.
DIGITAL_TOPICS = frozenset({"chuyển đổi số", "Đề án 06", "dịch vụ công trực tuyến", "khoa học và công nghệ"})
PRIORITY_WEIGHTS = (2, 10, 4, 1)  # low, normal, high, urgent

# The outcome mix, drawn from its own stream ("task-outcomes") so that tuning it never moves a
# task's dates, type or title. Each assignee has a steadiness s, drawn once (Beta(16, 8): mean
# 0.67, most people between 0.55 and 0.8); with slack = 1 - s, a task past due is still running
# with probability OVERDUE[0] + OVERDUE[1] * slack, is delivered late with LATE[...] (mostly by one
# delay), has major errors with ERRORS[...], is not accepted with REJECTED[...] (one in two when it
# has major errors); EXCEEDED grows with s instead. On average about one product in five is late,
# one in ten has a major error and fewer are not accepted: most work is delivered well, as in a
# working agency, yet people differ enough that the excellent quota falls between different
# totals rather than among a crowd tied at 100.
STEADINESS = (16.0, 8.0)
CANCELLED_SHARE = 0.015
OVERDUE = (0.01, 0.10)
LATE = (0.08, 0.30)
ERRORS = (0.04, 0.16)
REJECTED = (0.03, 0.10)
EXCEEDED = (0.05, 0.45)
EXCUSED_SHARE = 0.05  # objective reasons confirmed by the assigner: no deduction

CANCEL_REASONS = (
    "Nhiệm vụ không còn phù hợp sau khi sắp xếp bộ máy.",
    "Đã được giao cho đơn vị khác chủ trì thực hiện.",
    "Văn bản chỉ đạo đã được thay thế, không tiếp tục thực hiện.",
    "Gộp vào nhiệm vụ báo cáo chung của đơn vị.",
)
RETURN_COMMENTS = (
    "Đề nghị bổ sung số liệu so sánh cùng kỳ.",
    "Chưa đúng thể thức văn bản, đề nghị chỉnh sửa.",
    "Cần làm rõ nguồn kinh phí và tiến độ thực hiện.",
)
PROGRESS_COMMENTS = (
    "Đã hoàn thành dự thảo, đang xin ý kiến các phòng.",
    "Đang tổng hợp số liệu từ các đơn vị.",
    "Đã làm việc với đơn vị liên quan, đang hoàn thiện.",
    "Đang rà soát, đối chiếu hồ sơ.",
)


def build_task_types(demo: Demo) -> list[Row]:
    rows = demo.rows
    return [
        rows.add(
            "task_types",
            {"id": rows.next_id("task_types"), "code": t.code, "name": t.name, "coefficient": t.coefficient},
        )
        for t in TASK_TYPES
    ]


# Stored values, looked up once (an enum's .value costs a call per row).
OPEN, IN_PROGRESS, SUBMITTED, DONE, RETURNED, CANCELLED = (
    TaskStatus.OPEN.value,
    TaskStatus.IN_PROGRESS.value,
    TaskStatus.SUBMITTED.value,
    TaskStatus.DONE.value,
    TaskStatus.RETURNED.value,
    TaskStatus.CANCELLED.value,
)
PRIORITIES = [p.value for p in Priority]
PRIORITY_CUMULATIVE = list(accumulate(PRIORITY_WEIGHTS))  # random.choices draws the same either way
RESOLUTION, REGULAR_WORK = SourceKind.RESOLUTION.value, SourceKind.REGULAR_WORK.value
EIGHT_AM = time(8, 0)


class _TaskMaker:
    def __init__(
        self, demo: Demo, tree: OrgTree, types: list[Row], programmes: Programmes, accounts: DemoAccounts
    ) -> None:
        self.demo = demo
        self.tree = tree
        self.types = types
        self.programmes = programmes
        self.accounts = accounts
        self.today = demo.today
        self.topics: dict[int, str] = {}  # task id -> topic, for the links
        self.tasks = demo.rows.rows("tasks")
        self.outcomes = demo.stream("task-outcomes")
        self._steadiness: dict[tuple[str, int], float] = {}

    # --- the main stream: what each task is and how it ended ------------------------------

    def year_of_tasks(self) -> None:
        rng = self.demo.rng
        year_start = date(self.demo.year, 1, 1)
        year_days = (date(self.demo.year, 12, 31) - year_start).days
        per_person = TASKS_PER_PERSON[self.demo.scale]
        for unit in self.tree.top_units:
            for division in unit.divisions:
                for person in self.tree.members[division["id"]]:
                    for _ in range(per_person):
                        due = year_start + timedelta(days=rng.randint(20, year_days))
                        self.task(unit.row["id"], division["id"], person["id"], due)
        self.batches()

    def batches(self) -> None:
        """The city assigns the same report to every ward at once: each copy is followed separately."""
        wards = [u for u in self.tree.top_units if u.row["kind"] == UnitKind.WARD]
        for quarter, month in enumerate((3, 6, 9, 12), start=1):
            due = date(self.demo.year, month, 25)
            for unit in wards:
                self.task(
                    self.tree.city.row["id"],
                    unit.row["id"],
                    None,
                    due,
                    batch_key=f"CDS-{self.demo.year}-Q{quarter}",
                    title=f"Báo cáo kết quả chuyển đổi số quý {quarter} năm {self.demo.year}",
                )

    def task(
        self,
        assigner_unit_id: int,
        assignee_unit_id: int,
        person_id: int | None,
        due: date,
        *,
        batch_key: str | None = None,
        title: str | None = None,
    ) -> None:
        rng = self.demo.rng
        kind = rng.choice(self.types)
        start = due - timedelta(days=rng.randint(7, 45))
        task_id = len(self.tasks) + 1
        if title is None:
            template = rng.choice(TASK_TITLES)
            topic = rng.choice(TASK_TOPICS)
            title = template.format(topic=topic)
            self.topics[task_id] = topic
        row: Row = {
            "id": task_id,
            "title": title,
            "description": "",
            "assigner_user_id": None,
            "assigner_unit_id": assigner_unit_id,
            "assignee_unit_id": assignee_unit_id,
            "assignee_person_id": person_id,
            "batch_key": batch_key,
            "task_type_id": kind["id"],
            "coefficient": kind["coefficient"],
            "priority": rng.choices(PRIORITIES, cum_weights=PRIORITY_CUMULATIVE)[0],
            "objective_id": None,
            "indicator_id": None,
            "start_date": start,
            "due_date": due,
            "original_due_date": due,
            "status": OPEN,
            "progress_pct": 0,
            "completed_on": None,
            "delays": 0,
            "major_errors": 0,
            "quality_accepted": None,
            "exceeded": False,
            "excused": False,
            "cancel_reason": None,
            "created_at": datetime.combine(start, EIGHT_AM),
            "version": 1,
        }
        self.outcome(row)
        self.tasks.append(row)

    def outcome(self, row: Row) -> None:
        """How the task ended, or where it stands at ``today`` (drawn from the outcome stream)."""
        rng, today = self.outcomes, self.today
        due: date = row["due_date"]
        slack = 1.0 - self.steadiness(row)
        roll = rng.random()
        if roll < CANCELLED_SHARE:
            row["status"], row["cancel_reason"] = CANCELLED, CANCEL_REASONS[0]
            return
        if due >= today:
            if rng.random() < 0.6 and row["start_date"] <= today:
                row["status"], row["progress_pct"] = IN_PROGRESS, rng.choice((10, 25, 40, 60, 80))
            return
        if rng.random() < OVERDUE[0] + OVERDUE[1] * slack:  # overdue, still running
            row["status"], row["progress_pct"] = IN_PROGRESS, rng.choice((20, 50, 70, 90))
            return
        delays = 0
        if rng.random() < LATE[0] + LATE[1] * slack:
            delays = 1 if rng.random() < 0.9 - 0.5 * slack else rng.choice((2, 2, 3))
        errors = 0
        if rng.random() < ERRORS[0] + ERRORS[1] * slack:
            errors = 1 if rng.random() < 0.75 else 2
        rejected = rng.random() < (0.5 if errors else REJECTED[0] + REJECTED[1] * slack)
        # Objective reasons (a late input from another agency, a changed instruction) excuse some.
        excused = bool(delays or errors) and rng.random() < EXCUSED_SHARE
        completed = (
            due + timedelta(days=delays * rng.randint(3, 10)) if delays else due - timedelta(days=rng.randint(0, 5))
        )
        row.update(
            status=DONE,
            progress_pct=100,
            completed_on=min(completed, today),
            delays=delays,
            major_errors=errors,
            quality_accepted=not rejected,
            excused=excused,
            exceeded=not rejected and rng.random() < EXCEEDED[0] + EXCEEDED[1] * (1.0 - slack),
        )

    def steadiness(self, row: Row) -> float:
        """How reliably the assignee delivers, 0..1, drawn once per person (or unit, for unit tasks)."""
        key = (
            ("person", row["assignee_person_id"])
            if row["assignee_person_id"] is not None
            else ("unit", row["assignee_unit_id"])
        )
        value = self._steadiness.get(key)
        if value is None:
            value = self._steadiness[key] = self.outcomes.betavariate(*STEADINESS)
        return value

    # --- side streams: details that leave the main stream (and so every outcome) unchanged --

    def details(self) -> None:
        """Links to objectives/indicators, assigning users, extended deadlines, hand-ins, varied reasons."""
        rng = self.demo.stream("task-details")
        random_ = rng.random
        users = self.accounts
        manager_person = users.users["manager"]["person_id"]
        tech_division = users.tech_division["id"]
        hoan_kiem_path = self.tree.top(HOAN_KIEM).row["path"]
        in_hoan_kiem = {u["id"] for u in self.demo.rows.rows("org_units") if u["path"].startswith(hoan_kiem_path)}
        city_manager, manager, ward_leader = (
            users.user_id(label) for label in ("city_manager", "manager", "ward_leader")
        )
        targets = self.link_targets()
        today = self.today
        for row in self.tasks:
            unit_id = row["assignee_unit_id"]
            batch = row["batch_key"] is not None
            # Links: digital topics serve the unit's Resolution 57 objective, the rest its regular work.
            unit_targets = targets.get(unit_id)
            if unit_targets:
                if batch:
                    wanted, linked = RESOLUTION, True
                elif self.topics.get(row["id"]) in DIGITAL_TOPICS:
                    wanted, linked = RESOLUTION, random_() < 0.6
                else:
                    wanted, linked = REGULAR_WORK, random_() < 0.25
                target = unit_targets.get(wanted) if linked else None
                if target is not None:
                    row["objective_id"] = target[0]
                    if target[1] and not batch and random_() < 0.6:
                        row["indicator_id"] = rng.choice(target[1])
            if batch:
                row["assigner_user_id"] = city_manager
            elif unit_id == tech_division and row["assignee_person_id"] != manager_person:
                row["assigner_user_id"] = manager
            elif unit_id in in_hoan_kiem:
                row["assigner_user_id"] = ward_leader
            status, due = row["status"], row["due_date"]
            if status == CANCELLED:
                row["cancel_reason"] = rng.choice(CANCEL_REASONS)
            elif due < today and (row["delays"] or status != DONE):
                if random_() < 0.4:
                    # The first deadline was missed and extended once; the current one counts for evaluation.
                    row["original_due_date"] = max(
                        row["start_date"] + timedelta(days=3), due - timedelta(days=rng.randint(7, 21))
                    )
            elif status == IN_PROGRESS:  # due today or later
                roll = random_()
                if roll < 0.15:
                    row["status"], row["progress_pct"] = SUBMITTED, 100  # handed in, awaiting acceptance
                elif roll < 0.20:
                    row["status"], row["progress_pct"] = RETURNED, rng.choice((80, 90))

    def link_targets(self) -> dict[int, dict[str, tuple[int, list[int]]]]:
        """Unit id -> source kind -> (this year's objective id, its indicator ids)."""
        indicators: dict[int, list[int]] = {}
        for unit_indicators in self.programmes.indicators_by_unit.values():
            for indicator in unit_indicators:
                indicators.setdefault(indicator["objective_id"], []).append(indicator["id"])
        targets: dict[int, dict[str, tuple[int, list[int]]]] = {}
        for unit_id, objectives in self.programmes.objectives_by_unit.items():
            for objective in objectives:
                targets.setdefault(unit_id, {}).setdefault(
                    objective["source_kind"], (objective["id"], indicators.get(objective["id"], []))
                )
        return targets

    def checkins(self) -> None:
        """Progress reports, hand-ins, acceptances, returns, extensions and cancellations.

        Pilot: on every task. Hanoi: on the tasks the demo accounts see first (their divisions and
        Hoan Kiem's batch reports), which is all the screens need.
        """
        rng = self.demo.stream("checkins")
        users = self.accounts
        if self.demo.scale == "pilot":
            tasks = self.demo.rows.rows("tasks")
        else:
            ward = self.tree.top(HOAN_KIEM).row["id"]
            covered = {users.tech_division["id"], users.ward_division["id"], ward}
            tasks = [t for t in self.demo.rows.rows("tasks") if t["assignee_unit_id"] in covered]
        authors = {u["person_id"]: u["id"] for u in users.users.values() if u["person_id"] is not None}
        for task in tasks:
            _Checkins(self, rng, task, authors.get(task["assignee_person_id"])).write()


class _Checkins:
    """The trail of one task: progress, extension, hand-in, verdict; never after today."""

    def __init__(self, maker: _TaskMaker, rng: random.Random, task: Row, author: int | None) -> None:
        self.rows = maker.demo.rows
        self.rng = rng
        self.task = task
        self.author = author  # the assignee's user, when they have one
        self.reviewer = task["assigner_user_id"]
        self.today = maker.today
        self.last = datetime.combine(maker.today, time(17, 30))

    def add(
        self, kind: str, day: date, *, pct: int | None = None, comment: str = "", hour: int = 16, reviewer: bool = False
    ) -> None:
        at = min(datetime.combine(day, time(hour, self.rng.randint(0, 59))), self.last)
        self.rows.add(
            "task_checkins",
            {
                "id": self.rows.next_id("task_checkins"),
                "task_id": self.task["id"],
                "author_user_id": self.reviewer if reviewer else self.author,
                "kind": kind,
                "at": at,
                "progress_pct": pct,
                "comment": comment,
                "evidence_url": None,
            },
        )

    def between(self, first: date, last: date) -> date:
        last = min(last, self.today)
        if last <= first:
            return min(first, self.today)
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def write(self) -> None:
        task, rng = self.task, self.rng
        status, start = task["status"], task["start_date"]
        if start > self.today or status == OPEN:
            return
        if status == CANCELLED:
            self.add(
                "cancelled", self.between(start, task["due_date"]), comment=task["cancel_reason"] or "", reviewer=True
            )
            return
        pct = task["progress_pct"]
        work_ends = task["completed_on"] or self.today
        midway = self.between(start, min(task["original_due_date"], work_ends) - timedelta(days=1))
        self.add(
            "progress", midway, pct=min(pct, rng.choice((20, 30, 50))), comment=rng.choice(PROGRESS_COMMENTS), hour=10
        )
        if task["original_due_date"] < task["due_date"]:
            self.add(
                "extended",
                task["original_due_date"],
                reviewer=True,
                comment=f"Gia hạn đến ngày {task['due_date']:%d/%m/%Y} theo đề nghị của đơn vị.",
            )
        if status == IN_PROGRESS:
            if pct > 50:
                self.add("progress", self.between(midway, self.today), pct=pct, comment=rng.choice(PROGRESS_COMMENTS))
            return
        if status in (SUBMITTED, RETURNED):
            handed_in = self.between(midway, self.today)
            self.add("done", handed_in, pct=100, comment="Đã hoàn thành, đề nghị nghiệm thu.")
            if status == RETURNED:
                self.add(
                    "returned",
                    self.between(handed_in, self.today),
                    pct=task["progress_pct"],
                    reviewer=True,
                    comment=rng.choice(RETURN_COMMENTS),
                    hour=17,
                )
            return
        done_on: date = task["completed_on"]
        self.add("done", done_on, pct=100, comment="Đã hoàn thành, đề nghị nghiệm thu.")
        if task["major_errors"]:
            verdict = f"Ghi nhận hoàn thành; có {task['major_errors']} sai sót lớn phải khắc phục."
        elif not task["quality_accepted"]:
            verdict = "Ghi nhận hoàn thành; sản phẩm chưa đạt yêu cầu về chất lượng."
        elif task["exceeded"]:
            verdict = "Đạt yêu cầu, vượt mức về chất lượng."
        else:
            verdict = "Đạt yêu cầu."
        self.add(
            "accepted",
            min(done_on + timedelta(days=rng.randint(0, 3)), self.today),
            comment=verdict,
            hour=17,
            reviewer=True,
        )


def build_tasks(demo: Demo, tree: OrgTree, types: list[Row], programmes: Programmes, accounts: DemoAccounts) -> None:
    maker = _TaskMaker(demo, tree, types, programmes, accounts)
    maker.year_of_tasks()
    maker.details()
    maker.checkins()

"""Job positions and civil servants: Vietnamese names, valid 12-digit citizen ids, unique codes.

Every top unit has a head and a deputy (positions of the unit itself); every division has a head
(``is_leader``), deputies and two groups of specialists, the groups of similar tasks that
evaluation quotas and rankings work within.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from data_access.seed.org_tree import HANOI_PROVINCE_CODE, Demo, OrgTree, Row
from domain.citizen_id import PROVINCE_CODES, make_citizen_id

# Average people per division: the pilot lands near 300 people, hanoi above 30,000.
PEOPLE_PER_DIVISION = {"pilot": 18, "hanoi": 52}
BIRTH_YEARS = (1965, 2000)
HANOI_BORN_SHARE = 0.7  # the others registered their birth in another province
FEMALE_SHARE = 0.52
# Civil-service ranks (ngach): senior specialist, principal specialist, specialist.
LEADER_RANKS = (("01.001", 0.25), ("01.002", 0.75))
STAFF_RANKS = (("01.002", 0.2), ("01.003", 0.8))
FIRST_START_AGE = 22


@dataclass(frozen=True)
class PositionTemplate:
    code: str
    name: str
    task_group: str
    is_leader: bool = False
    share: float = 0.0  # share of a division's members (the head: exactly one)


TOP_POSITIONS = (
    PositionTemplate("TT", "Thủ trưởng đơn vị", "lanh_dao_don_vi", is_leader=True),
    PositionTemplate("PTT", "Phó Thủ trưởng đơn vị", "lanh_dao_don_vi"),
)
DIVISION_POSITIONS = (
    PositionTemplate("TP", "Trưởng phòng", "lanh_dao_phong", is_leader=True),
    PositionTemplate("PTP", "Phó Trưởng phòng", "lanh_dao_phong", share=0.12),
    PositionTemplate("CVTH", "Chuyên viên tổng hợp", "chuyen_vien_tong_hop", share=0.45),
    PositionTemplate("CVCM", "Chuyên viên chuyên môn", "chuyen_vien_chuyen_mon", share=0.43),
)


class _PeopleMaker:
    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.citizen_ids: set[str] = set()
        self.other_provinces = sorted(PROVINCE_CODES)
        # Details added after the main stream was fixed draw from their own stream (Demo.stream).
        self.details = demo.stream("person-details")
        # Everyone started before last year began, so every seeded period finds them where they are.
        self.latest_start = date(demo.year - 1, 1, 1)

    def position(self, unit: Row, template: PositionTemplate) -> Row:
        rows = self.demo.rows
        return rows.add(
            "positions",
            {
                "id": rows.next_id("positions"),
                "unit_id": unit["id"],
                "code": template.code,
                "name": template.name,
                "task_group": template.task_group,
                "criteria_set": "default",
                "is_leader": template.is_leader,
            },
        )

    def person(self, unit: Row, position: Row) -> Row:
        rng, faker = self.demo.rng, self.demo.faker
        female = rng.random() < FEMALE_SHARE
        name = vietnamese_name(faker.name_female() if female else faker.name_male())
        birth_year = rng.randint(*BIRTH_YEARS)
        province = HANOI_PROVINCE_CODE if rng.random() < HANOI_BORN_SHARE else rng.choice(self.other_provinces)
        while True:
            citizen_id = make_citizen_id(
                province, female=female, birth_year=birth_year, serial=rng.randrange(1_000_000)
            )
            if citizen_id not in self.citizen_ids:
                self.citizen_ids.add(citizen_id)
                break
        details = self.details
        born_on = date(birth_year, 1, 1) + timedelta(days=details.randrange(365))
        first_start = born_on.replace(year=born_on.year + FIRST_START_AGE, day=min(born_on.day, 28))
        span = max(0, (self.latest_start - first_start).days)
        started_on = min(first_start + timedelta(days=details.randrange(span + 1)), self.latest_start)
        ranks = LEADER_RANKS if position["is_leader"] else STAFF_RANKS
        rank = details.choices([r for r, _ in ranks], weights=[w for _, w in ranks])[0]
        rows = self.demo.rows
        person_id = rows.next_id("people")
        person = rows.add(
            "people",
            {
                "id": person_id,
                "citizen_id": citizen_id,
                "civil_servant_code": f"HN{person_id:07d}",
                "full_name": name,
                "gender": "female" if female else "male",
                "birth_year": birth_year,
                "birth_date": born_on,
                "unit_id": unit["id"],
                "position_id": position["id"],
                "rank_code": rank,
                "start_date": started_on,
                "email": f"cb{person_id:06d}@hanoi.gov.vn",
                "phone": f"09{details.randrange(10**8):08d}",
                "active": True,
                "version": 1,
            },
        )
        rows.add(
            "person_placements",
            {
                "id": rows.next_id("person_placements"),
                "person_id": person_id,
                "unit_id": unit["id"],
                "position_id": position["id"],
                "valid_from": started_on,
                "valid_to": None,
            },
        )
        return person


def build_people(demo: Demo, tree: OrgTree) -> None:
    """Positions and people for the city, every top unit and every division (in place on the tree)."""
    maker = _PeopleMaker(demo)
    rng = demo.rng
    city = tree.city
    city.leader = maker.person(city.row, maker.position(city.row, TOP_POSITIONS[0]))
    city.people.append(city.leader)
    city.people.append(maker.person(city.row, maker.position(city.row, TOP_POSITIONS[1])))
    per_division = PEOPLE_PER_DIVISION[demo.scale]
    shares = [t.share for t in DIVISION_POSITIONS[1:]]
    for unit in tree.top_units:
        head_position, deputy_position = (maker.position(unit.row, t) for t in TOP_POSITIONS)
        unit.leader = maker.person(unit.row, head_position)
        unit.people += [unit.leader, maker.person(unit.row, deputy_position)]
        for division in unit.divisions:
            positions = [maker.position(division, t) for t in DIVISION_POSITIONS]
            size = max(4, int(rng.gauss(per_division, per_division * 0.15)))
            members = [maker.person(division, positions[0])]
            for _ in range(size - 1):
                members.append(maker.person(division, rng.choices(positions[1:], weights=shares)[0]))
            tree.members[division["id"]] = members
            unit.people += members


# Faker's vi_VN names carry honorifics and put the given name first ("Quý cô Vi Phạm", "Lâm Hải Dương"):
# civil-servant records hold family, middle and given names only, family first ("Phạm Vi", "Dương Hải Lâm").
# Drawing the name as before and rewriting it keeps every later random draw of the demo where it was.
HONORIFICS = ("Quý cô", "Quý ông", "Cô", "Chị", "Bà", "Ông", "Anh", "Bác")  # Faker's vi_VN prefixes


def vietnamese_name(drawn: str) -> str:
    """The drawn name without an honorific, family name first, then the middle and the given name."""
    words = drawn.split()
    for honorific in sorted(HONORIFICS, key=len, reverse=True):
        parts = honorific.split()
        if words[: len(parts)] == parts and len(words) > len(parts) + 1:
            words = words[len(parts) :]
            break
    return " ".join(reversed(words))

"""The demo's org tree (Hanoi after the 2025 reform) and the in-memory row store the other stages share.

Pilot: the city, the Department of Science and Technology, two wards (Hoan Kiem 00070, Tu Liem
00592) and the city party committee's Organisation Board, each with its divisions. Hanoi: the city,
every one of its 126 wards and communes from the official list (``vietnam_provinces``), the city's
departments and boards, and the Organisation Board.

Rows are plain dicts with integer ids assigned here, so that the writer can bulk-insert them in
chunks without asking the database for ids. Nothing in this package touches the database except
``seed_demo`` in ``__init__``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from faker import Faker
from vietnam_provinces import Ward

from domain.kinds import UnitKind

Row = dict[str, Any]

SCALES = ("pilot", "hanoi")

CITY_CODE = "HN"
CITY_NAME = "Thành phố Hà Nội"
CITY_OFFICIAL_CODE = "01"
HANOI_PROVINCE_CODE = 1
PILOT_WARD_CODES = ("00070", "00592")  # Phường Hoàn Kiếm, Phường Từ Liêm
SCIENCE_DEPARTMENT = "SO-KHCN"
PARTY_BOARD = "BTC-TU"
DECREE_335 = "decree_335"
REGULATION_366 = "regulation_366"


@dataclass(frozen=True)
class AgencyTemplate:
    """A city-level agency (department or board) with its divisions, in the order they are numbered."""

    code: str
    name: str
    divisions: tuple[str, ...]


# The Department of Science and Technology absorbed Information and Communications in 2025. Its
# divisions are the pilot's: keep their order (the demo accounts sit in the third, P3).
SCIENCE = AgencyTemplate(
    SCIENCE_DEPARTMENT,
    "Sở Khoa học và Công nghệ",
    (
        "Văn phòng",
        "Phòng Kế hoạch - Tài chính",
        "Phòng Quản lý công nghệ",
        "Phòng Chuyển đổi số",
        "Phòng Pháp chế - Thanh tra",
    ),
)

# Hanoi's specialised agencies after the 2025 reorganisation (Planning and Investment merged into
# Finance, Labour into Home Affairs, Transport into Construction, Natural Resources into Agriculture
# and Environment; Ethnic Minorities and Religion newly formed), plus the People's Committee office,
# the city inspectorate and two management boards that report to the People's Committee.
DEPARTMENTS: tuple[AgencyTemplate, ...] = (
    SCIENCE,
    AgencyTemplate(
        "SO-NV",
        "Sở Nội vụ",
        (
            "Văn phòng",
            "Phòng Tổ chức bộ máy",
            "Phòng Công chức, viên chức",
            "Phòng Cải cách hành chính",
            "Phòng Lao động - Việc làm",
            "Phòng Bảo trợ xã hội",
        ),
    ),
    AgencyTemplate(
        "SO-TC",
        "Sở Tài chính",
        (
            "Văn phòng",
            "Phòng Quản lý ngân sách",
            "Phòng Quản lý đầu tư",
            "Phòng Quản lý giá và công sản",
            "Phòng Doanh nghiệp, kinh tế tập thể và tư nhân",
        ),
    ),
    AgencyTemplate(
        "SO-XD",
        "Sở Xây dựng",
        (
            "Văn phòng",
            "Phòng Kế hoạch - Tài chính",
            "Phòng Quản lý nhà và thị trường bất động sản",
            "Phòng Hạ tầng kỹ thuật",
            "Phòng Quản lý giao thông",
        ),
    ),
    AgencyTemplate(
        "SO-YT",
        "Sở Y tế",
        (
            "Văn phòng",
            "Phòng Kế hoạch - Tài chính",
            "Phòng Nghiệp vụ Y",
            "Phòng Nghiệp vụ Dược",
            "Phòng Tổ chức cán bộ",
        ),
    ),
    AgencyTemplate(
        "SO-GDDT",
        "Sở Giáo dục và Đào tạo",
        (
            "Văn phòng",
            "Phòng Kế hoạch - Tài chính",
            "Phòng Giáo dục Mầm non",
            "Phòng Giáo dục Phổ thông",
            "Phòng Giáo dục thường xuyên",
            "Phòng Quản lý chất lượng",
        ),
    ),
    AgencyTemplate(
        "SO-TP",
        "Sở Tư pháp",
        (
            "Văn phòng",
            "Phòng Xây dựng và Kiểm tra văn bản",
            "Phòng Bổ trợ tư pháp",
            "Phòng Hành chính tư pháp",
            "Phòng Phổ biến, giáo dục pháp luật",
        ),
    ),
    AgencyTemplate(
        "SO-CT",
        "Sở Công Thương",
        (
            "Văn phòng",
            "Phòng Kế hoạch - Tài chính",
            "Phòng Quản lý thương mại",
            "Phòng Quản lý công nghiệp",
            "Phòng Quản lý năng lượng",
        ),
    ),
    AgencyTemplate(
        "SO-NNMT",
        "Sở Nông nghiệp và Môi trường",
        (
            "Văn phòng",
            "Phòng Kế hoạch - Tài chính",
            "Phòng Quản lý đất đai",
            "Phòng Môi trường",
            "Phòng Trồng trọt và Chăn nuôi",
            "Phòng Thủy lợi",
        ),
    ),
    AgencyTemplate(
        "SO-VHTT",
        "Sở Văn hóa và Thể thao",
        (
            "Văn phòng",
            "Phòng Quản lý văn hóa",
            "Phòng Quản lý thể dục thể thao",
            "Phòng Xây dựng nếp sống văn hóa và gia đình",
            "Phòng Báo chí - Xuất bản",
        ),
    ),
    AgencyTemplate(
        "SO-DL",
        "Sở Du lịch",
        ("Văn phòng", "Phòng Quản lý lữ hành", "Phòng Quản lý cơ sở lưu trú", "Phòng Xúc tiến du lịch"),
    ),
    AgencyTemplate(
        "SO-DTTG",
        "Sở Dân tộc và Tôn giáo",
        ("Văn phòng", "Phòng Công tác dân tộc", "Phòng Công tác tôn giáo", "Phòng Chính sách"),
    ),
    AgencyTemplate(
        "SO-QHKT",
        "Sở Quy hoạch - Kiến trúc",
        (
            "Văn phòng",
            "Phòng Quy hoạch chung",
            "Phòng Quy hoạch khu vực",
            "Phòng Kiến trúc",
            "Phòng Thông tin quy hoạch",
        ),
    ),
    AgencyTemplate(
        "SO-NGV",
        "Sở Ngoại vụ",
        ("Văn phòng", "Phòng Lãnh sự", "Phòng Hợp tác quốc tế", "Phòng Người Việt Nam ở nước ngoài"),
    ),
    AgencyTemplate(
        "VP-UBND",
        "Văn phòng UBND Thành phố",
        (
            "Phòng Tổng hợp",
            "Phòng Kinh tế",
            "Phòng Đô thị",
            "Phòng Nội chính",
            "Phòng Khoa giáo - Văn xã",
            "Phòng Hành chính - Tổ chức",
        ),
    ),
    AgencyTemplate(
        "TTR-TP",
        "Thanh tra Thành phố",
        (
            "Văn phòng",
            "Phòng Thanh tra kinh tế - xã hội",
            "Phòng Tiếp công dân, xử lý đơn thư",
            "Phòng Phòng, chống tham nhũng",
        ),
    ),
    AgencyTemplate(
        "BQL-KCN",
        "Ban Quản lý các khu công nghiệp và chế xuất Hà Nội",
        ("Văn phòng", "Phòng Quản lý đầu tư", "Phòng Quản lý doanh nghiệp", "Phòng Quy hoạch - Xây dựng"),
    ),
    AgencyTemplate(
        "BQL-DSDT",
        "Ban Quản lý đường sắt đô thị Hà Nội",
        ("Văn phòng", "Phòng Kế hoạch - Tổng hợp", "Phòng Kỹ thuật", "Phòng Quản lý dự án"),
    ),
)

# A ward's (or commune's) People's Committee after the 2025 reform (Decree 150/2025/ND-CP).
WARD_DIVISIONS = (
    "Văn phòng HĐND và UBND",
    "Phòng Kinh tế",
    "Phòng Văn hóa - Xã hội",
    "Trung tâm Phục vụ hành chính công",
)
PARTY = AgencyTemplate(
    PARTY_BOARD,
    "Ban Tổ chức Thành ủy",
    (
        "Văn phòng Ban",
        "Phòng Tổ chức đảng, đảng viên",
        "Phòng Cán bộ",
        "Phòng Bảo vệ chính trị nội bộ",
    ),
)


class DemoRows:
    """All generated rows by table name, and the id counters that numbered them."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = {}
        self._last_id: dict[str, int] = {}

    def next_id(self, table: str) -> int:
        self._last_id[table] = self._last_id.get(table, 0) + 1
        return self._last_id[table]

    def add(self, table: str, row: Row) -> Row:
        self.tables.setdefault(table, []).append(row)
        return row

    def rows(self, table: str) -> list[Row]:
        return self.tables.setdefault(table, [])


@dataclass
class Demo:
    """What every stage draws from: the scale, the date, the random streams and the row store.

    ``rng`` and ``faker`` form the main stream, consumed in a fixed order (tree, people,
    programmes, tasks). Details added later draw from named side streams (``stream(name)``) so
    that they never shift what the main stream produced: the same seed keeps the same people,
    values and task outcomes when a detail is added.
    """

    scale: str
    seed: int
    today: date
    rng: random.Random = field(init=False)
    faker: Faker = field(init=False)
    rows: DemoRows = field(init=False, default_factory=DemoRows)

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"unknown scale {self.scale!r}: use {' or '.join(SCALES)}")
        self.rng = random.Random(self.seed)
        self.faker = Faker("vi_VN")
        self.faker.seed_instance(self.seed)

    def stream(self, name: str) -> random.Random:
        """An independent random stream for one detail (deterministic: seeded from seed and name)."""
        return random.Random(f"{self.seed}:{name}")

    @property
    def year(self) -> int:
        return self.today.year


@dataclass
class Unit:
    """A top unit (or the city) with its divisions and, once people are generated, its people."""

    row: Row
    divisions: list[Row] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)  # leader, deputy, then every division's members
    leader: Row | None = None


@dataclass
class OrgTree:
    city: Unit
    top_units: list[Unit]
    members: dict[int, list[Row]] = field(default_factory=dict)  # division id -> its people, head first

    def top(self, code: str) -> Unit:
        for unit in self.top_units:
            if unit.row["code"] == code:
                return unit
        raise KeyError(code)

    @property
    def division_count(self) -> int:
        return sum(len(u.divisions) for u in self.top_units)


def hanoi_wards() -> list[Ward]:
    """Hanoi's 126 wards and communes from the official list, by code."""
    return province_wards(HANOI_PROVINCE_CODE)


def province_wards(province_code: int) -> list[Ward]:
    """One province's wards and communes from the official list, by code."""
    return sorted((w for w in Ward.iter_all() if int(w.province_code) == province_code), key=lambda w: int(w.code))


def official_ward_code(ward: Ward) -> str:
    return f"{int(ward.code):05d}"


def build_org_tree(demo: Demo) -> OrgTree:
    """The city, its top units and their divisions, with materialised paths."""
    city = Unit(
        unit_row(
            demo.rows, code=CITY_CODE, name=CITY_NAME, kind=UnitKind.CITY, parent=None, official_code=CITY_OFFICIAL_CODE
        )
    )
    tree = OrgTree(city=city, top_units=[])
    wards = hanoi_wards()
    if demo.scale == "pilot":
        departments: tuple[AgencyTemplate, ...] = (SCIENCE,)
        wards = [w for w in wards if official_ward_code(w) in PILOT_WARD_CODES]
    else:
        departments = DEPARTMENTS
    for agency in departments:
        _top(demo, tree, code=agency.code, name=agency.name, kind=UnitKind.DEPARTMENT, divisions=agency.divisions)
    for ward in wards:
        official = official_ward_code(ward)
        # Wards approve their own values; about one in ten reports without an approval step.
        _top(
            demo,
            tree,
            code=f"W{official}",
            name=ward.name,
            kind=UnitKind.WARD,
            divisions=WARD_DIVISIONS,
            official_code=official,
            requires_approval=demo.rng.random() > 0.1,
        )
    _top(
        demo,
        tree,
        code=PARTY.code,
        name=PARTY.name,
        kind=UnitKind.PARTY_BOARD,
        divisions=PARTY.divisions,
        ruleset=REGULATION_366,
    )
    return tree


def unit_row(
    rows: DemoRows,
    *,
    code: str,
    name: str,
    kind: UnitKind,
    parent: Row | None,
    official_code: str | None = None,
    ruleset: str = DECREE_335,
    requires_approval: bool = True,
) -> Row:
    """Add one org unit under ``parent`` (None: the root), with its id, materialised path and depth."""
    unit_id = rows.next_id("org_units")
    path = (parent["path"] if parent else "/") + f"{unit_id}/"
    return rows.add(
        "org_units",
        {
            "id": unit_id,
            "code": code,
            "official_code": official_code,
            "name": name,
            "kind": kind.value,
            "parent_id": parent["id"] if parent else None,
            "path": path,
            "depth": parent["depth"] + 1 if parent else 0,
            "weight": 1.0,
            "requires_approval": requires_approval,
            "ruleset": ruleset,
            "active": True,
        },
    )


def _top(
    demo: Demo,
    tree: OrgTree,
    *,
    code: str,
    name: str,
    kind: UnitKind,
    divisions: tuple[str, ...],
    official_code: str | None = None,
    ruleset: str = DECREE_335,
    requires_approval: bool = True,
) -> None:
    row = unit_row(
        demo.rows,
        code=code,
        name=name,
        kind=kind,
        parent=tree.city.row,
        official_code=official_code,
        ruleset=ruleset,
        requires_approval=requires_approval,
    )
    unit = Unit(row)
    for index, division in enumerate(divisions, start=1):
        unit.divisions.append(
            unit_row(
                demo.rows,
                code=f"{code}-P{index}",
                name=division,
                kind=UnitKind.DIVISION,
                parent=row,
                ruleset=ruleset,
                requires_approval=requires_approval,
            )
        )
    tree.top_units.append(unit)

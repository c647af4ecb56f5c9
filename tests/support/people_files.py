"""Personnel files for the bulk import tests: 50 people of a ward's divisions, 5 of them with one known
problem each, as interchange records, JSON or an Excel sheet shaped like the page's template."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from data_access.db import Store
from data_access.models import OrgUnit, Position
from domain.records.citizen_id import make_citizen_id
from tests.support.xlsx_files import table

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE_F, MIDDLE_M = ("Thị", "Ngọc", "Thu"), ("Văn", "Đức", "Minh")
GIVEN_F, GIVEN_M = ("Lan", "Hương", "Mai", "Hà", "Linh"), ("Nam", "Hùng", "Dũng", "Quang", "Sơn")
FIELDS = (
    "full_name",
    "citizen_id",
    "civil_servant_code",
    "date_of_birth",
    "gender",
    "unit_code",
    "position_code",
    "rank_code",
    "start_date",
    "email",
    "phone",
)
# Row (1-based in the list of records) -> (what is broken, the field and code the report must name).
BAD = {
    7: ("citizen_id", "00118500123", "citizen_id_format"),
    15: ("gender", "không rõ", "gender_unknown"),
    23: ("unit_code", "KHONG-CO-DON-VI", "unknown_unit"),
    31: ("civil_servant_code", None, "required_in_pulse"),
    42: ("date_of_birth", "1985-02-30", "not_a_date"),
}


@dataclass(frozen=True)
class PeopleFile:
    records: list[dict[str, Any]]
    bad: dict[int, tuple[str, str]]  # record index from 0 -> (field, code)

    @property
    def valid(self) -> list[dict[str, Any]]:
        return [r for i, r in enumerate(self.records) if i not in self.bad]

    def json_bytes(self) -> bytes:
        return json.dumps({"source": "test", "records": self.records}, ensure_ascii=False).encode()

    def xlsx_bytes(self, headers: Sequence[str] | None = None) -> bytes:
        """The template's shape: headers (any language) in row 1, the field names in row 2, records from row 3."""
        head = list(headers) if headers else [f.replace("_", " ").capitalize() for f in FIELDS]
        return table([head, list(FIELDS), *[[r.get(f) for f in FIELDS] for r in self.records]])

    def sheet_row(self, index: int) -> int:
        return index + 3


def ward_positions(store: Store, ward_code: str = "W00070") -> list[tuple[str, str]]:
    """(unit code, position code) of the ward's divisions."""
    with store.read() as session:
        return [
            (unit, position)
            for unit, position in session.execute(
                select(OrgUnit.code, Position.code)
                .join(Position, Position.unit_id == OrgUnit.id)
                .where(OrgUnit.code.like(f"{ward_code}-%"))
                .order_by(OrgUnit.code, Position.code)
            )
        ]


def people_file(places: Sequence[tuple[str, str]], *, count: int = 50, serial_base: int = 900_000) -> PeopleFile:
    """`count` people spread over the given (unit, position) places; the rows of BAD broken."""
    records = []
    for n in range(count):
        female = n % 2 == 1
        year = 1970 + n % 30
        family, given = FAMILY[n % len(FAMILY)], (GIVEN_F if female else GIVEN_M)[n % 5]
        middle = (MIDDLE_F if female else MIDDLE_M)[n % 3]
        unit, position = places[n % len(places)]
        records.append(
            {
                "full_name": f"{family} {middle} {given}",
                "citizen_id": make_citizen_id(1, female=female, birth_year=year, serial=serial_base + n),
                "civil_servant_code": f"NK-{serial_base + n}",
                "date_of_birth": f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "gender": "female" if female else "male",
                "unit_code": unit,
                "position_code": position,
                "rank_code": "01.003",
                "start_date": f"{year + 25}-09-01",
                "email": f"nguoi{serial_base + n}@hoankiem.hanoi.gov.vn",
                "phone": f"09{serial_base + n:08d}"[-10:],
            }
        )
    bad = {}
    for row, (field, value, code) in BAD.items():
        if row <= count:
            if value is None:
                records[row - 1].pop(field)
            else:
                records[row - 1][field] = value
            bad[row - 1] = (field, code)
    return PeopleFile(records, bad)

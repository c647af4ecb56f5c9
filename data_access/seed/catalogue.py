"""What the demo is made of: Hanoi's departments, divisions, positions, programmes and task types."""

from __future__ import annotations

from dataclasses import dataclass

from domain.indicators import Accumulation, Direction
from domain.kinds import SourceKind

CITY_CODE = "HN"
CITY_NAME = "Thành phố Hà Nội"
HANOI_PROVINCE_CODE = 1
PILOT_WARD_CODES = ("00070", "00592")  # Phuong Hoan Kiem, Phuong Tu Liem
SCIENCE_DEPARTMENT = ("SO-KHCN", "Sở Khoa học và Công nghệ")
PARTY_BOARD = ("BTC-TU", "Ban Tổ chức Thành ủy")

# City departments after the 2025 reorganisation (plus the People's Committee office and inspectorate).
DEPARTMENTS = (
    SCIENCE_DEPARTMENT,
    ("SO-NV", "Sở Nội vụ"),
    ("SO-TC", "Sở Tài chính"),
    ("SO-XD", "Sở Xây dựng"),
    ("SO-YT", "Sở Y tế"),
    ("SO-GDDT", "Sở Giáo dục và Đào tạo"),
    ("SO-TP", "Sở Tư pháp"),
    ("SO-CT", "Sở Công Thương"),
    ("SO-NNMT", "Sở Nông nghiệp và Môi trường"),
    ("SO-VHTT", "Sở Văn hóa và Thể thao"),
    ("SO-DL", "Sở Du lịch"),
    ("SO-DTTG", "Sở Dân tộc và Tôn giáo"),
    ("SO-QHKT", "Sở Quy hoạch - Kiến trúc"),
    ("SO-NGV", "Sở Ngoại vụ"),
    ("SO-GTVT", "Sở Giao thông công trình"),
    ("SO-KHDT", "Sở Kế hoạch và Đầu tư"),
    ("SO-LDTBXH", "Sở Lao động, Thương binh và Xã hội"),
    ("SO-TTTT", "Sở Thông tin và Truyền thông"),
    ("VP-UBND", "Văn phòng UBND Thành phố"),
    ("TTR-TP", "Thanh tra Thành phố"),
)

DEPARTMENT_DIVISIONS = (
    "Văn phòng",
    "Phòng Kế hoạch - Tài chính",
    "Phòng Quản lý công nghệ",
    "Phòng Chuyển đổi số",
    "Phòng Pháp chế - Thanh tra",
)
WARD_DIVISIONS = (
    "Văn phòng HĐND và UBND",
    "Phòng Kinh tế",
    "Phòng Văn hóa - Xã hội",
    "Trung tâm Phục vụ hành chính công",
)
PARTY_DIVISIONS = (
    "Văn phòng Ban",
    "Phòng Tổ chức đảng, đảng viên",
    "Phòng Cán bộ",
    "Phòng Bảo vệ chính trị nội bộ",
)


@dataclass(frozen=True)
class PositionTemplate:
    code: str
    name: str
    task_group: str
    is_leader: bool = False
    share: float = 0.0  # share of a division's people (leaders: exactly one)


DIVISION_POSITIONS = (
    PositionTemplate("TP", "Trưởng phòng", "lanh_dao_phong", is_leader=True),
    PositionTemplate("PTP", "Phó Trưởng phòng", "lanh_dao_phong", share=0.12),
    PositionTemplate("CVTH", "Chuyên viên tổng hợp", "chuyen_vien_tong_hop", share=0.45),
    PositionTemplate("CVCM", "Chuyên viên chuyên môn", "chuyen_vien_chuyen_mon", share=0.43),
)
TOP_POSITIONS = (
    PositionTemplate("TT", "Thủ trưởng đơn vị", "lanh_dao_don_vi", is_leader=True),
    PositionTemplate("PTT", "Phó Thủ trưởng đơn vị", "lanh_dao_don_vi"),
)


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
    trajectory: bool = False
    bounds: tuple[float | None, float | None] = (None, None)


@dataclass(frozen=True)
class ObjectiveTemplate:
    title: str
    source_kind: SourceKind
    source_ref: str | None
    indicators: tuple[IndicatorTemplate, ...]
    weight: float = 1.0


PERCENT = (0.0, 100.0)

TOP_OBJECTIVES = (
    ObjectiveTemplate(
        "Đẩy mạnh chuyển đổi số theo Nghị quyết 57-NQ/TW",
        SourceKind.RESOLUTION,
        "57-NQ/TW",
        (
            IndicatorTemplate("TTHC-TT", "Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến", "%", Direction.INCREASE, 70, 95,
                              weight=3, trajectory=True, bounds=PERCENT),
            IndicatorTemplate("KYSO", "Tỷ lệ văn bản điện tử có ký số", "%", Direction.INCREASE, 80, 100, weight=2, bounds=PERCENT),
            IndicatorTemplate("DVC-TT", "Số mốc triển khai dịch vụ công trực tuyến toàn trình", "mốc", Direction.MILESTONES, 0, None,
                              milestones=6, weight=1, bounds=(0, 6)),
        ),
        weight=3,
    ),
    ObjectiveTemplate(
        "Giảm giấy tờ và hội họp theo Chương trình cải cách hành chính",
        SourceKind.ACTION_PROGRAMME,
        "CT 01-CTr/UBND 2026",
        (
            IndicatorTemplate("VB-GIAY", "Số văn bản hành chính giấy ban hành mỗi tháng (giảm 15%/năm)", "văn bản",
                              Direction.DECREASE, 400, 340, weight=2, bounds=(0, None)),
            IndicatorTemplate("HOP", "Số cuộc họp mỗi tháng (giảm 10%/năm)", "cuộc họp", Direction.DECREASE, 40, 36,
                              weight=1, bounds=(0, None)),
            IndicatorTemplate("HOP-TT", "Tỷ lệ cuộc họp trực tuyến", "%", Direction.INCREASE, 35, 60, weight=1, bounds=PERCENT),
        ),
        weight=2,
    ),
    ObjectiveTemplate(
        "Nâng cao sự hài lòng của người dân, doanh nghiệp",
        SourceKind.KEY_TASK,
        "NV trọng tâm 2026",
        (
            IndicatorTemplate("HAILONG", "Chỉ số hài lòng của người dân (SIPAS)", "%", Direction.INCREASE, 80, 90,
                              accumulation=Accumulation.AVERAGE, weight=2, bounds=PERCENT),
            IndicatorTemplate("DUNGHAN", "Tỷ lệ hồ sơ giải quyết đúng hạn", "%", Direction.BAND, None, None,
                              band=(98, 100), weight=1, bounds=PERCENT),
        ),
        weight=2,
    ),
    ObjectiveTemplate(
        "Triển khai Đề án 06 về dữ liệu dân cư",
        SourceKind.KEY_TASK,
        "Đề án 06/QĐ-TTg",
        (
            IndicatorTemplate("DA06-SACH", "Hoàn thành làm sạch dữ liệu dân cư", "hoàn thành", Direction.DONE, 0, 1,
                              weight=1, bounds=(0, 1)),
        ),
        weight=1,
    ),
    ObjectiveTemplate(
        "Thực hiện nhiệm vụ thường xuyên",
        SourceKind.REGULAR_WORK,
        None,
        (
            IndicatorTemplate("BC-DUNGHAN", "Số báo cáo định kỳ nộp đúng hạn", "báo cáo", Direction.INCREASE, 0, 12,
                              accumulation=Accumulation.SUM, weight=1, bounds=(0, 5)),
            IndicatorTemplate("NV-DUNGHAN", "Tỷ lệ nhiệm vụ hoàn thành đúng hạn", "%", Direction.INCREASE, 85, 95,
                              weight=2, bounds=PERCENT),
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
            IndicatorTemplate("DG-DUNGHAN", "Tỷ lệ tổ chức đảng được đánh giá, xếp loại đúng hạn", "%", Direction.INCREASE, 90, 100,
                              weight=2, bounds=PERCENT),
            IndicatorTemplate("KT-CHIBO", "Số chi bộ được kiểm tra, giám sát", "chi bộ", Direction.INCREASE, 0, 24,
                              accumulation=Accumulation.SUM, weight=1, bounds=(0, 10)),
        ),
        weight=2,
    ),
)

DIVISION_OBJECTIVES = (
    ObjectiveTemplate(
        "Chuyển đổi số trong xử lý công việc",
        SourceKind.RESOLUTION,
        "57-NQ/TW",
        (
            IndicatorTemplate("HS-SO", "Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng", "%", Direction.INCREASE, 60, 90,
                              weight=2, bounds=PERCENT),
            IndicatorTemplate("VB-GIAY", "Số văn bản giấy mỗi tháng", "văn bản", Direction.DECREASE, 60, 51, weight=1, bounds=(0, None)),
            IndicatorTemplate("SOHOA", "Tỷ lệ hồ sơ lưu trữ được số hóa", "%", Direction.INCREASE, 40, 70, weight=1, bounds=PERCENT),
        ),
        weight=2,
    ),
    ObjectiveTemplate(
        "Nhiệm vụ thường xuyên của phòng",
        SourceKind.REGULAR_WORK,
        None,
        (
            IndicatorTemplate("NV-DUNGHAN", "Tỷ lệ nhiệm vụ hoàn thành đúng hạn", "%", Direction.INCREASE, 85, 95, weight=2, bounds=PERCENT),
            IndicatorTemplate("BC-DUNGHAN", "Số báo cáo định kỳ nộp đúng hạn", "báo cáo", Direction.INCREASE, 0, 12,
                              accumulation=Accumulation.SUM, weight=1, bounds=(0, 5)),
            IndicatorTemplate("HOP", "Số cuộc họp của phòng mỗi tháng", "cuộc họp", Direction.DECREASE, 10, 9, weight=1, bounds=(0, None)),
        ),
        weight=1,
    ),
)


@dataclass(frozen=True)
class TaskTypeTemplate:
    code: str
    name: str
    coefficient: float


TASK_TYPES = (
    TaskTypeTemplate("VB-THAMMUU", "Văn bản tham mưu", 1.0),
    TaskTypeTemplate("BC-DINHKY", "Báo cáo định kỳ", 0.5),
    TaskTypeTemplate("BC-CHUYENDE", "Báo cáo chuyên đề", 1.5),
    TaskTypeTemplate("DE-AN", "Đề án, kế hoạch", 3.0),
    TaskTypeTemplate("KIEM-TRA", "Kiểm tra, giám sát", 1.5),
    TaskTypeTemplate("HO-SO", "Giải quyết hồ sơ", 0.3),
    TaskTypeTemplate("SU-KIEN", "Tổ chức hội nghị, sự kiện", 2.0),
)

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

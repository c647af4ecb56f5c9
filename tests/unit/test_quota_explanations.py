"""The reason a person's level moved, as the page and the notice say it: a sentence in the reader's
language (vi, en, fr), never the bare figures ("max 1 ... kept 0") or an English note."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from components.evaluation_views import awaiting_text, evaluation_notice, quota_reason, trail_note
from config.settings import Settings
from server.i18n import init_i18n

ALONE = {
    "group": "lanh_dao_phong",
    "groups": ["lanh_dao_phong"],
    "members": 1,
    "n_excellent": 1,
    "n_good": 0,
    "share": 0.2,
    "units": False,
    "allowance": 0,
    "allowed": 0,
    "moved": True,
}
CROWDED = {
    "group": "chuyen_vien_chuyen_mon",
    "groups": ["chuyen_vien_chuyen_mon"],
    "members": 7,
    "n_excellent": 5,
    "n_good": 2,
    "share": 0.2,
    "units": False,
    "allowance": 1,
    "allowed": 1,
    "moved": True,
}
TIED = {"group": "chuyen_vien_tong_hop", "tied": [3, 4], "seats": 1, "awaiting": True}


def _app(language: str) -> Flask:
    app = Flask(__name__)
    init_i18n(app, Settings(env="test", secret_key="x" * 40, default_language=language))
    return app


@pytest.mark.parametrize(
    ("language", "alone", "crowded", "tied"),
    [
        (
            "vi",
            "Nhóm Lãnh đạo phòng chỉ có 1 người nên tỷ lệ 20% không cho phép ai đạt hoàn thành xuất sắc",
            "Trong nhóm Chuyên viên chuyên môn (7 người), 5 người đạt mức hoàn thành xuất sắc; tỷ lệ 20% cho phép 1",
            "2 người có cùng tổng điểm",
        ),
        (
            "en",
            "With 1 member(s) in the group (Division leaders), the 20% quota allows no excellent",
            "In the group Professional specialists (7 members), 5 earned excellent; the 20% quota lets 1 keep it",
            "2 people have the same total and task points",
        ),
        (
            "fr",
            "Avec 1 membre(s) dans le groupe",
            "le quota de 20",
            "2 personnes ont le même total",
        ),
    ],
)
def test_the_reason_is_a_sentence_in_the_readers_language(language: str, alone: str, crowded: str, tied: str) -> None:
    with _app(language).test_request_context():
        assert alone in quota_reason(ALONE)
        assert crowded in quota_reason(CROWDED)
        assert tied in awaiting_text(TIED)
        for text in (quota_reason(ALONE), quota_reason(CROWDED)):
            assert "kept" not in text and "max" not in text


def test_trail_notes_and_notices_are_not_left_in_english() -> None:
    with _app("vi").test_request_context():
        assert trail_note("accepted as proposed") == "chấp nhận như đề xuất"
        assert trail_note("quota: excellent -> good").startswith("điều chỉnh theo tỷ lệ:")
        assert trail_note("Lý do riêng của người xem xét") == "Lý do riêng của người xem xét"  # a person's words stay
        detail = json.dumps({"evaluation": 7, "period": "2026-Q3", "deadline": "2026-10-07"})
        sentence, href = evaluation_notice(detail)
        assert href == "/evaluation/7?period=2026-Q3"
        assert sentence.startswith("Kỳ: Quý 3/2026. Hạn tự đánh giá:")
        assert evaluation_notice("not json") == ("", None)

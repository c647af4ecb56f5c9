"""Stored times are UTC; people read them in their zone and language (Hanoi by default)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask import Flask

from config.settings import Settings, SettingsError
from server.i18n import format_date, init_i18n


def _app(timezone: str, language: str) -> Flask:
    app = Flask(__name__)
    init_i18n(app, Settings(env="test", secret_key="x" * 40, timezone=timezone, default_language=language))
    return app


@pytest.mark.parametrize(
    ("timezone", "language", "expected"),
    [
        ("Asia/Ho_Chi_Minh", "vi", "07:30"),  # 00:30 UTC is 07:30 in Hanoi
        ("Europe/Paris", "fr", "01:30"),
        ("UTC", "en", "12:30\u202fAM"),
    ],
)
def test_times_are_shown_in_the_display_zone(timezone: str, language: str, expected: str) -> None:
    with _app(timezone, language).test_request_context():
        assert expected in format_date(datetime(2026, 11, 23, 0, 30), with_time=True)


def test_a_late_utc_evening_is_the_next_day_in_hanoi() -> None:
    with _app("Asia/Ho_Chi_Minh", "vi").test_request_context():
        assert "24" in format_date(datetime(2026, 11, 23, 20, 0))
        assert "23" in format_date(date(2026, 11, 23))  # a plain date has no zone


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(SettingsError, match="TIMEZONE"):
        Settings(env="test", secret_key="x" * 40, timezone="Mars/Olympus").validate()

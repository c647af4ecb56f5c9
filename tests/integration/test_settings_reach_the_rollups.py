"""Settings reach everything through the factory: the tolerances given to create_app judge the statuses
that writes store, and the tolerance fields can be set from the environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from config.settings import Settings, SettingsError, load_settings
from data_access.db import Store
from data_access.models import IndicatorRollup, Measurement
from domain.indicators import Tolerances
from tests.support.builders import add_indicator, build_small_tree, day
from tests.support.databases import TestDatabases

SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture
def app_with(databases: TestDatabases) -> Iterator:  # type: ignore[type-arg]
    apps: list[Flask] = []

    def build(**overrides: object) -> Store:
        url = databases.clone(databases.template("empty"))
        settings = Settings(env="test", database_url=url, secret_key=SECRET).with_overrides(**overrides)
        apps.append(create_app(settings))
        return apps[-1].extensions["pulse"]["store"]

    yield build
    for app in apps:
        app.extensions["pulse"]["store"].dispose()


def _year_status_after_a_value(store: Store) -> str:
    """40 of 100 by June 30; the year is 324/365 = 0.888 gone (today is pinned to 2026-11-20)."""
    tree = build_small_tree(store)
    indicator = add_indicator(store, tree, unit_id=tree.division)
    with store.write() as session:
        session.add(Measurement(indicator_id=indicator, value=40, measured_on=day(6, 30), status="approved"))
    with store.read() as session:
        return session.execute(
            select(IndicatorRollup.status).where(
                IndicatorRollup.indicator_id == indicator, IndicatorRollup.period_id == tree.year_period
            )
        ).scalar_one()


def test_the_apps_tolerances_judge_the_stored_status(app_with) -> None:  # type: ignore[no-untyped-def]
    # 0.40 is 0.49 below the expected 0.888: off track by default (more than 0.20 below) ...
    assert _year_status_after_a_value(app_with()) == "off_track"
    # ... on track for an agency that tolerates 0.60 below, at risk for one whose at-risk margin is 0.50.
    assert _year_status_after_a_value(app_with(on_track_tolerance=0.6, at_risk_tolerance=0.7)) == "on_track"
    assert _year_status_after_a_value(app_with(on_track_tolerance=0.1, at_risk_tolerance=0.5)) == "at_risk"


def test_tolerances_are_read_from_the_environment() -> None:
    env = {"PULSE_ENV": "test", "SECRET_KEY": SECRET}
    assert load_settings(env).tolerances == Tolerances(on_track=0.05, at_risk=0.20, cap=1.2)
    tuned = load_settings({**env, "ON_TRACK_TOLERANCE": "0.1", "AT_RISK_TOLERANCE": "0.3", "PROGRESS_CAP": "1.5"})
    assert tuned.tolerances == Tolerances(on_track=0.1, at_risk=0.3, cap=1.5)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ON_TRACK_TOLERANCE", "five percent", "ON_TRACK_TOLERANCE must be a number"),
        ("ON_TRACK_TOLERANCE", "0.5", "0 <= on track <= at risk <= 1"),
        ("PROGRESS_CAP", "0.8", "PROGRESS_CAP must be at least 1"),
    ],
)
def test_unusable_tolerances_stop_the_start_with_a_clear_message(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings({"PULSE_ENV": "test", "SECRET_KEY": SECRET, name: value})

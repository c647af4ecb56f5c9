"""An app per test, on a fresh copy of the pilot demo database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from config.settings import Settings

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def make_settings(database_url: str, **overrides: object) -> Settings:
    return Settings(env="test", database_url=database_url, secret_key=TEST_SECRET).with_overrides(**overrides)


@pytest.fixture
def server(demo_url: str) -> Iterator[Flask]:
    app = create_app(make_settings(demo_url))
    yield app
    app.extensions["pulse"]["store"].dispose()


@pytest.fixture
def client(server: Flask):  # type: ignore[no-untyped-def]
    return server.test_client()

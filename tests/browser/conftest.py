"""Browser tests: the real app in a subprocess on a free port, driven by headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from config.settings import PROJECT_ROOT
from tests.conftest import DEMO_PASSWORD

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A running Pulse process; `url` is its base address."""

    def __init__(self, database_url: str, extra_env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
            "PULSE_ENV": "test",
            **(extra_env or {}),
        }
        self.start()

    def start(self) -> None:
        """Start (or restart, on the same port) the server process."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.serve", str(self.port)],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server died: {self.process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("server did not answer /health within 60 s")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def live_server(demo_url: str) -> Iterator[LiveServer]:
    server = LiveServer(demo_url)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Debian's chromium is required (make test installs it)"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server: LiveServer) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    """Factory of pages (fresh browser contexts) at 1920x1080, closed after the test."""
    contexts = []

    def make(width: int = 1920, height: int = 1080):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Log in through the real form and wait for the app shell."""
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_selector("#pulse-navbar")


def switch_language(page, base_url: str, code: str, then: str = "/") -> None:  # type: ignore[no-untyped-def]
    """Choose a language as the navbar's form does (a POST with the CSRF token), then open `then`."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "_csrf_token")
    page.request.post(f"{base_url}/language/{code}", form={"csrf_token": token}, max_redirects=0)
    page.goto(f"{base_url}{then}")


def wait_until(condition: Callable[[], bool], *, timeout: float = 10.0, interval: float = 0.1) -> float:
    """Poll a Python condition (the app's CSP forbids Playwright's string-evaluated waits); returns seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path

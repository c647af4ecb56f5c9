"""Browser tests: the real app in a subprocess on a free port, driven by headless Chromium.

One server process serves the whole session (`live_process`); `live_server` switches it to the test's
own fresh copy of the pilot demo database (tests/support/serve.py rebuilds the app on it), so each test
still starts from the same data without paying a process start. Pages poll every REFRESH_INTERVAL_MS.
Every file here carries `pytestmark = pytest.mark.browser` (checked at collection).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from config.settings import PROJECT_ROOT
from tests.conftest import DEMO_PASSWORD
from tests.support.serve import SWITCH_PATH, TOKEN_ENV, TOKEN_HEADER

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
BROWSER_DIR = Path(__file__).resolve().parent
# A third of the production default: a change shows within about a second and polls are counted
# quickly, without flooding a loaded 2-core machine with requests.
REFRESH_INTERVAL_MS = 1000
# One patience for actions and assertions: Playwright's `expect` waits only 5 s by default, and on a
# loaded 2-core machine a render after a write can take longer (an assertion without its own timeout
# then fails while the app is merely slow).
PATIENCE_MS = 20_000
START_PATIENCE_S = 240
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
    """A running Pulse process; `url` is its base address, `database_url` the database it serves now."""

    starts = 0  # process starts in this test run (reported at the end)
    switches = 0  # database switches in this test run

    def __init__(self, database_url: str, extra_env: dict[str, str] | None = None, log_dir: Path | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self._token = secrets.token_hex(16)
        # Its output goes to a file: a pipe nobody reads fills after ~64 KB (one log line per request,
        # about 480 Dash requests) and then blocks every request thread; a long journey stalled that way.
        self.log_path = Path(log_dir or tempfile.mkdtemp(prefix="pulse-live-")) / f"server-{self.port}.log"
        inherited = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # Redis only when asked for
        self.env = {
            **inherited,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
            "PULSE_ENV": "test",
            "REFRESH_INTERVAL_MS": str(REFRESH_INTERVAL_MS),
            TOKEN_ENV: self._token,
            # Evidence files of the journeys go to a throw-away folder, not the checkout's data/.
            "EVIDENCE_DIR": tempfile.mkdtemp(prefix="pulse-evidence-"),
            **(extra_env or {}),
        }
        self.start()

    def start(self) -> None:
        """Start (or restart, on the same port and database) the server process."""
        self.env["DATABASE_URL"] = self.database_url
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.support.serve", str(self.port)],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        LiveServer.starts += 1
        try:
            self._wait()
        except RuntimeError:
            self.stop()  # a server that never answered must not go on loading the machine
            raise

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def use(self, database_url: str) -> None:
        """Serve another database from now on (the app is rebuilt on it; the process stays)."""
        request = urllib.request.Request(
            f"{self.url}{SWITCH_PATH}", data=database_url.encode(), headers={TOKEN_HEADER: self._token}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=START_PATIENCE_S) as response:  # noqa: S310 (loopback)
            assert response.status == 200, self.log_tail()
        self.database_url = database_url
        self.env["DATABASE_URL"] = database_url
        LiveServer.switches += 1

    def log_tail(self, size: int = 2000) -> str:
        return self.log_path.read_text(errors="replace")[-size:] if self.log_path.exists() else ""

    def _wait(self) -> None:
        # A start costs about 4 s of imports, but over a minute on a 2-core machine that several test runs
        # share; a server that dies fails at once (checked below), so the deadline only has to be generous.
        deadline = time.monotonic() + START_PATIENCE_S
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"server died: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer /health within {START_PATIENCE_S} s: {self.log_tail()}")

    def stop(self) -> None:
        if not self.running:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class SharedServer:
    """The session's one server process, started on first use and restarted if a test left it stopped."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.server: LiveServer | None = None

    def serve(self, database_url: str) -> LiveServer:
        if self.server is None:
            self.server = LiveServer(database_url, log_dir=self.log_dir)
            return self.server
        if not self.server.running:
            self.server.database_url = database_url
            self.server.start()
            return self.server
        self.server.use(database_url)
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


@pytest.fixture(scope="session")
def live_process() -> Iterator[SharedServer]:
    """One server process for the whole session (see `live_server`)."""
    ARTIFACTS.mkdir(exist_ok=True)
    shared = SharedServer(ARTIFACTS)  # its log stays for a failed CI run (pytest prunes its own tmp dirs)
    yield shared
    shared.stop()


@pytest.fixture
def live_server(live_process: SharedServer, demo_url: str) -> LiveServer:
    """The session's server, now serving this test's fresh copy of the pilot demo database (`demo_url`)."""
    return live_process.serve(demo_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # No importorskip: a missing Playwright fails the browser tests, it does not hide them.
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PATIENCE_MS)

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
        page.set_default_timeout(PATIENCE_MS)
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


def settled(page, *, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until no Dash callback is rendering on the page (Dash marks such components data-dash-is-loading)."""
    wait_until(lambda: page.query_selector("[data-dash-is-loading='true']") is None, timeout=timeout)


def choose(page, dropdown: str, typed: str, option: str, *, attempts: int = 4, exact: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Pick an option of a dcc.Dropdown by typing (accents optional) as a user does.

    The options arrive from a callback after the page is drawn: on a loaded machine the typed search can
    reach a dropdown that is still empty, or be lost while it redraws. A user would type again; so does
    this, a few times, before failing. `exact=False` picks the one option whose name contains `option`.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(attempts):
        settled(page)
        page.click(dropdown)
        page.keyboard.press("Control+A")  # replace what an earlier attempt typed
        page.keyboard.type(typed)
        target = page.get_by_role("option", name=option, exact=exact)
        try:
            target.wait_for(state="visible", timeout=PATIENCE_MS // 2)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        target.click()
        page.keyboard.press("Escape")
        return
    raise AssertionError(f"{option!r} never appeared in {dropdown} after typing {typed!r}")


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


# The longest journeys (minutes on a loaded machine) go first: with two workers, one started last would
# leave the other idle at the end of the pass.
LONG_FIRST = (
    "test_no_sideways_scroll.py",
    "test_plan_journey.py",
    "test_unit_evaluation_journey.py",
    "test_work_journey.py",
    "test_reports_journey.py",
    "test_people_import.py",
)


def _long_first(item: pytest.Item) -> int:
    name = item.path.name
    return LONG_FIRST.index(name) if name in LONG_FIRST else len(LONG_FIRST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fail the run when a browser test file lacks `pytestmark = pytest.mark.browser` (so -m selects it);
    put the longest journeys first (a stable sort: the others keep their order)."""
    items.sort(key=_long_first)
    unmarked = sorted(
        {
            str(item.path.relative_to(PROJECT_ROOT))
            for item in items
            if item.path.is_relative_to(BROWSER_DIR) and item.get_closest_marker("browser") is None
        }
    )
    if unmarked:
        raise pytest.UsageError("browser test files without `pytestmark = pytest.mark.browser`: " + ", ".join(unmarked))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    if LiveServer.starts:
        terminalreporter.write_line(
            f"live servers: {LiveServer.starts} process start(s), {LiveServer.switches} database switch(es)"
        )

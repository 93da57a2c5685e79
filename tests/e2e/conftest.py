"""Fixtures for the browser tests: the real app (``venue-twin demo``) and headless Chromium.

The app runs as a subprocess on free loopback ports with its own data
directory, exactly as an operator would start it (or, with
``VENUE_TWIN_E2E_URL``, an instance that is already running is used; its
users' passwords then come from ``VENUE_TWIN_E2E_CREDENTIALS``, a file in the
demo's ``name password`` format). The demo runs with authentication on: the
tests sign in with the passwords it writes to ``demo-credentials.txt``. The browser is Debian's
Chromium (never a downloaded build) with WebGL rendered in software by
SwiftShader, so the tests need no GPU.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.demo_publisher import Publisher

__all__ = [
    "DemoApp",
    "browser",
    "demo_app",
    "page",
    "publisher",
    "running_demo",
    "screenshot_dir",
    "sign_in",
]

REPO = Path(__file__).resolve().parents[2]
STATIC_INDEX = REPO / "viewer" / "static" / "index.html"
CHROMIUM = os.environ.get("VENUE_TWIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # WebGL without a GPU: ANGLE on SwiftShader (Chromium refuses software
    # WebGL unless it is explicitly allowed).
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _demo_command(port: int, mqtt_port: int, data_dir: Path) -> list[str]:
    args = [
        "demo",
        "--port",
        str(port),
        "--mqtt-port",
        str(mqtt_port),
        "--data-dir",
        str(data_dir),
        "--no-browser",
        # The demo's visitors follow the venue's hour of day; at 03:00 the
        # entrance hall is nearly empty. Run the midday crowd whenever we test.
        "--local-hour",
        "11:00",
    ]
    script = shutil.which("venue-twin")
    if script is not None:
        return [script, *args]
    # Not installed as a script (e.g. a plain checkout on PYTHONPATH).
    launcher = "import sys; from venue_twin.cli import main; sys.exit(main())"
    return [sys.executable, "-c", launcher, *args]


READY_TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class DemoApp:
    base_url: str
    log_path: Path
    credentials_path: Path | None = None
    mqtt_port: int | None = None

    def password(self, user: str) -> str:
        """The demo user's password, from the credentials file the demo wrote."""
        if self.credentials_path is None:
            pytest.skip("no credentials for an external instance (set VENUE_TWIN_E2E_CREDENTIALS)")
        for line in self.credentials_path.read_text().splitlines():
            name, _, password = line.strip().partition(" ")
            if name == user:
                return password.strip()
        pytest.fail(f"no user {user!r} in {self.credentials_path}")

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "<no log>"


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], app: DemoApp) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"venue-twin demo exited with {proc.returncode}:\n{app.log_tail()}")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
                if json.load(response).get("status") == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass
        time.sleep(0.3)
    pytest.fail(f"venue-twin demo not healthy after {START_TIMEOUT_S:.0f} s:\n{app.log_tail()}")


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApp]:
    external = os.environ.get("VENUE_TWIN_E2E_URL")
    if external:
        # An already running instance (a staging server, or a dev server).
        creds = os.environ.get("VENUE_TWIN_E2E_CREDENTIALS")
        yield DemoApp(
            base_url=external.rstrip("/"),
            log_path=Path(os.devnull),
            credentials_path=Path(creds) if creds else None,
        )
        return
    with running_demo(tmp_path_factory.mktemp("demo")) as app:
        yield app


@contextmanager
def running_demo(workdir: Path, *extra_args: str) -> Iterator[DemoApp]:
    """``venue-twin demo`` (plus ``extra_args``) on free ports, run from ``workdir``.

    Yields once it answers healthy; stops it with Ctrl-C (SIGINT), as an
    operator would, so it shuts down cleanly.
    """
    if not STATIC_INDEX.exists():
        pytest.fail(
            "the browser app is not built: run "
            "`npm --prefix viewer/web ci && npm --prefix viewer/web run build`"
        )
    port = _free_port()
    mqtt_port = _free_port()
    data_dir = workdir / "data"
    app = DemoApp(
        base_url=f"http://127.0.0.1:{port}",
        log_path=workdir / "demo.log",
        credentials_path=data_dir / "demo-credentials.txt",
        mqtt_port=mqtt_port,
    )
    with app.log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*_demo_command(port, mqtt_port, data_dir), *extra_args],
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            _wait_healthy(app.base_url, proc, app)
            yield app
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1600, "height": 900}, color_scheme="dark")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = REPO / "artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sign_in(page: Page, app: DemoApp, user: str = "operator") -> None:
    """Open the app, sign in as a demo user and wait until the venue is drawn."""
    page.goto(app.base_url + "/")
    page.get_by_test_id("login-username").fill(user)
    page.get_by_test_id("login-password").fill(app.password(user))
    page.get_by_test_id("login-submit").click()
    page.wait_for_function(
        "() => window.__venueTwin && window.__venueTwin.ready", timeout=READY_TIMEOUT_MS
    )


@pytest.fixture
def publisher(demo_app: DemoApp) -> Iterator[Publisher]:
    """Readings published to the demo's broker, as a device would (not for external instances)."""
    if demo_app.mqtt_port is None:
        pytest.skip("the broker of an external instance is not known")
    pub = Publisher(demo_app.mqtt_port)
    try:
        yield pub
    finally:
        pub.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed browser test's report carries the end of the app's log.

    CI keeps only the test output: without this a failure that depends on what
    the server did (an exception in a background task) cannot be read later.
    """
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    app = getattr(item, "funcargs", {}).get("demo_app")
    if isinstance(app, DemoApp):
        report.sections.append(("venue-twin demo log (end)", app.log_tail()))

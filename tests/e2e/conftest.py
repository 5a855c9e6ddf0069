"""Browser end-to-end harness: the backend and the app as subprocesses on free ports, driven
through Debian's Chromium with Flutter's semantics tree turned on (see docs E2E.md).

Run: `.venv/bin/pytest -m e2e tests/e2e`. Screenshots go to `$E2E_SCREENSHOTS` (e.g.
`docs/screenshots`), else to the test's temporary directory. `E2E_BACKEND_URL` uses a dev
backend that is already running instead of starting one; `CHROMIUM` another browser binary.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PHONE_VIEWPORT: ViewportSize = {"width": 412, "height": 915}
START_TIMEOUT_S = 60
# Never in the app's log of a browser test: its local store failed a load or a sync pass (they
# fail silently on screen: stale data), or a transaction took the wrong path to the store.
APP_LOG_FORBIDDEN = (
    "database is locked",
    "a nested write transaction",
    "a write in a read-only transaction",
)


def app_log_problems(log: Path) -> list[str]:
    """Lines of the app's log that must never be there (see `APP_LOG_FORBIDDEN`)."""
    if not log.exists():
        return []
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if any(bad in line for bad in APP_LOG_FORBIDDEN)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A subprocess we started, its URL and its log file."""

    def __init__(self, name: str, args: list[str], url: str, log: Path) -> None:
        self.name, self.url, self.log = name, url, log
        self._log_file = log.open("wb")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT,
            env=env,
        )  # fmt: skip

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited:\n{self.log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        pytest.fail(f"{self.name} did not start:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        """Stop it; for the app, fail the test if its log shows a store failure."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if not self._log_file.closed:
            self._log_file.close()
        problems = app_log_problems(self.log) if self.name == "app" else []
        if problems:
            shown = "\n".join(problems[:10])
            pytest.fail(f"{len(problems)} store failures in the app log {self.log}:\n{shown}")


def start_backend(data: Path, *extra_args: str, port: int = 0, log: str = "backend.log") -> Server:
    """A backend on `data` (a free port unless given), started and answering `/health`; the
    environment of this process (e.g. a monkeypatched setting) is what it reads."""
    port = port or free_port()
    server = Server(
        "backend",
        ["-m", "backend_stub", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data), *extra_args],
        f"http://127.0.0.1:{port}",
        data / log,
    )  # fmt: skip
    server.wait("/health")
    return server


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("E2E_BACKEND_URL")
    if external:  # a dev backend already running (it must serve /dev/sms)
        yield external.rstrip("/")
        return
    if not (ROOT / "backend_stub" / "__main__.py").exists():
        pytest.skip("backend_stub is not there yet")
    server = start_backend(tmp_path_factory.mktemp("backend"), "--demo")
    yield server.url
    server.stop()


@pytest.fixture
def app_url(backend_url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh app (its own data dir = a new install) for each test."""
    port = free_port()
    server = Server(
        "app",
        ["-m", "app", "--web", "--port", str(port), "--api-url", backend_url,
         "--data-dir", str(tmp_path / "app-data")],
        f"http://127.0.0.1:{port}",
        tmp_path / "app.log",
    )  # fmt: skip
    server.wait("/")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(
    browser: Browser, app_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="kk-KZ")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    open_app(pg, app_url)
    yield pg
    if request.node.stash.get(_FAILED, False):
        shot = tmp_path / "failure.png"
        pg.screenshot(path=str(shot))
        print(f"screenshot of the failure: {shot}")
    context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = os.environ.get("E2E_SCREENSHOTS")
    folder = (ROOT / target) if target else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_app(pg: Page, url: str) -> None:
    """Load the Flutter web client and turn its semantics tree on."""
    pg.goto(url)
    enable_semantics(pg)


def enable_semantics(pg: Page) -> None:
    pg.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    pg.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    pg.wait_for_selector("flt-semantics[role]", state="attached", timeout=30_000)
    pg.wait_for_timeout(500)  # the tree is still being built right after it is turned on


def type_into(pg: Page, label: str, text: str, *, check: bool = True) -> None:
    """Focus a text field by its label and type like a person (Flutter listens to key input).

    Right after the first frame Flutter may still move focus (autofocus) and replace the DOM
    input, swallowing the keys; so check what arrived and type again if needed (`check=False`
    when typing submits by itself and the field may be busy right after).
    """
    for _attempt in range(3):
        field = pg.get_by_label(label).first
        field.click()
        pg.wait_for_timeout(150)
        pg.keyboard.press("Control+A")
        pg.keyboard.press("Backspace")
        pg.keyboard.type(text, delay=15)
        if not check:
            return
        pg.wait_for_timeout(200)
        if pg.get_by_label(label).first.input_value() == text:
            return
    raise AssertionError(f"could not type into {label!r}")


def visible_text(pg: Page, text: str) -> None:
    pg.get_by_text(text, exact=False).first.wait_for(state="visible")


def settle(pg: Page, seconds: float = 0.6) -> None:
    """Let Flutter finish animations (and hide hover tooltips) before a screenshot."""
    pg.mouse.move(1, 1)
    pg.wait_for_timeout(seconds * 1000)


def fresh_phone() -> tuple[str, str, str]:
    """A number no earlier run used (a reused dev backend keeps per-phone limits):
    (E.164, as typed `8 701 ...`, as shown `+7 701 ...`)."""
    d = f"{random.randrange(10**7):07d}"
    return f"+7701{d}", f"8 701 {d[:3]} {d[3:5]} {d[5:]}", f"+7 701 {d[:3]} {d[3:5]} {d[5:]}"


def dev_code(backend_url: str, phone: str) -> str:
    """The last SMS code the dev backend 'sent' to the phone."""
    query = urllib.parse.urlencode({"phone": phone})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{backend_url}/dev/sms?{query}", timeout=5) as r:
            messages = json.load(r)["messages"]
        if messages and messages[-1].get("code"):
            return str(messages[-1]["code"])
        time.sleep(0.3)
    raise AssertionError(f"no SMS for {phone}")


class RestartableBackend:
    """A backend of one test that can be stopped and started again on the same data dir and
    port: to the app, a stopped backend is a phone that lost its network."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: Server | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.server = start_backend(self.data, port=self.port, log=f"backend-{self.starts}.log")

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture
def restartable_backend(tmp_path: Path) -> Iterator[RestartableBackend]:
    backend = RestartableBackend(tmp_path / "backend")
    backend.data.mkdir(parents=True, exist_ok=True)
    backend.start()
    yield backend
    backend.stop()

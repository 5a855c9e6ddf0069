"""Browser end-to-end harness: the backend and the app as processes of ours on free ports
(`tests.live`), the app's way to the backend through a proxy the test can switch off
(`tests.faultproxy`), driven through Debian's Chromium with Flutter's semantics tree turned on
(see docs E2E.md; what the resident does is in `resident.py`, the server's side in `backend.py`).

Run: `.venv/bin/pytest -m e2e tests/e2e`. Screenshots go to `$E2E_SCREENSHOTS` (e.g.
`docs/screenshots`), else to the test's temporary directory. `E2E_BACKEND_URL` uses a dev
backend that is already running instead of starting one; `CHROMIUM` another browser binary.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlmodel import Session

from backend_stub.config import Settings
from backend_stub.db import make_engine
from backend_stub.demo.seed import seed_staff
from tests.e2e.backend import App
from tests.e2e.resident import phone_page
from tests.faultproxy import FaultProxy
from tests.live import ROOT, LiveProcess, backend, free_port

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
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


def start_backend(data: Path, *args: str, port: int = 0) -> LiveProcess:
    """A backend on `data` (a free port unless given) with its emergency worker, answering
    `/health`; the environment of this process (e.g. a monkeypatched setting) is what it reads."""
    return backend(data, *args, port=port, emergency_worker=True).start()


class RestartableBackend:
    """A backend of one test that can be stopped and started again on the same data dir and
    port: to the app, a stopped backend is a phone that lost its network."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: LiveProcess | None = None

    def start(self) -> None:
        self.server = start_backend(self.data, port=self.port)
        self._seed_staff()

    def _seed_staff(self) -> None:
        """The dev staff accounts (login = password), as `--demo` seeds them: this backend has
        no demo city, and the operator's side of a test signs in as the demo supervisor."""
        settings = Settings(data_dir=self.data, _env_file=None)  # type: ignore[call-arg]
        engine = make_engine(settings)
        try:
            with Session(engine) as db:
                seed_staff(db, settings)
                db.commit()
        finally:
            engine.dispose()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The suite's demo backend (shared: tests file under fresh phones)."""
    external = os.environ.get("E2E_BACKEND_URL")
    if external:  # a dev backend already running (it must serve /dev/sms)
        yield external.rstrip("/")
        return
    if not (ROOT / "backend_stub" / "__main__.py").exists():
        pytest.skip("backend_stub is not there yet")
    with backend(tmp_path_factory.mktemp("backend"), "--demo", emergency_worker=True) as server:
        yield server.url


@pytest.fixture
def restartable_backend(tmp_path: Path) -> Iterator[RestartableBackend]:
    server = RestartableBackend(tmp_path / "backend")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(backend_url: str, tmp_path: Path) -> Iterator[App]:
    """A fresh app (its own data dir: a new install) whose way to the backend goes through a
    switchable proxy; the test fails if its log shows a store failure."""
    port, data_dir, log = free_port(), tmp_path / "app-data", tmp_path / "app.log"
    with FaultProxy(backend_url) as proxy:
        args = ["-m", "app", "--web", "--port", str(port), "--api-url", proxy.url,
                "--data-dir", str(data_dir)]  # fmt: skip
        with LiveProcess(args, f"http://127.0.0.1:{port}", log, name="app", ready_path="/"):
            yield App(f"http://127.0.0.1:{port}", data_dir, backend_url, proxy)
    problems = app_log_problems(log)
    if problems:
        shown = "\n".join(problems[:10])
        pytest.fail(f"{len(problems)} store failures in the app log {log}:\n{shown}")


@pytest.fixture
def app_url(app: App) -> str:
    return app.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, app: App, tmp_path: Path) -> Iterator[Page]:
    """A phone-sized page of the app that knows where it is (the browser's fake position)."""
    with phone_page(browser, app.url, tmp_path / "last.png") as pg:
        yield pg


@pytest.fixture
def plain_page(browser: Browser, app: App, tmp_path: Path) -> Iterator[Page]:
    """A phone-sized page of the app that is never told where it is."""
    with phone_page(browser, app.url, tmp_path / "last.png", position=False) as pg:
        yield pg


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = os.environ.get("E2E_SCREENSHOTS")
    folder = (ROOT / target) if target else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def launched(browser: Browser, extra_args: list[str]) -> Iterator[Browser]:
    """Another Chromium from the session's Playwright, with extra command-line switches (one
    Playwright per session: a second one would run inside the first one's event loop)."""
    b = browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args], headless=True
    )
    yield b
    b.close()

"""Helpers of the participation and cabinet browser tests: the app behind a switchable network
(`NetProxy`), signing in as a given resident, and reading what the backend holds for that
resident through the API with the app's own session (taken from its local store)."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import (
    PHONE_VIEWPORT,
    Server,
    dev_code,
    free_port,
    open_app,
    type_into,
)
from tests.e2e.netproxy import NetProxy

HERE = {"latitude": 51.1282, "longitude": 71.4307, "accuracy": 15}  # Astana, Yesil district


@dataclass
class App:
    url: str
    data_dir: Path
    backend_url: str
    proxy: NetProxy

    def token(self) -> str:
        """The access token the app holds (its local store), to ask the backend as the app."""
        with sqlite3.connect(self.data_dir / "app.db") as db:
            row = db.execute("SELECT access_token FROM auth_session WHERE id = 1").fetchone()
        assert row, "not signed in"
        return str(row[0])

    def api(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET the backend directly (never through the proxy) as the signed-in resident."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        request = urllib.request.Request(
            f"{self.backend_url}{path}{query}",
            headers={"Authorization": f"Bearer {self.token()}", "Accept-Language": "ru"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.load(r)


@pytest.fixture
def app(backend_url: str, tmp_path: Path) -> Iterator[App]:
    """A fresh app whose way to the backend goes through a switchable proxy."""
    proxy = NetProxy(backend_url)
    port = free_port()
    data_dir = tmp_path / "app-data"
    server = Server(
        "app",
        ["-m", "app", "--web", "--port", str(port), "--api-url", proxy.url,
         "--data-dir", str(data_dir)],
        f"http://127.0.0.1:{port}",
        tmp_path / "app.log",
    )  # fmt: skip
    server.wait("/")
    yield App(server.url, data_dir, backend_url, proxy)
    server.stop()
    proxy.close()


@pytest.fixture
def page(browser: Browser, app: App, tmp_path: Path) -> Iterator[Page]:
    """A phone-sized page of the app that knows where it is (fake geolocation)."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, locale="kk-KZ", geolocation=HERE, permissions=["geolocation"]
    )
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    open_app(pg, app.url)
    yield pg
    pg.screenshot(path=str(tmp_path / "last.png"))
    context.close()


def sign_in(page: Page, backend_url: str, phone: str, typed: str, shown: str) -> None:
    """Sign in with the dev inbox's code (kk first screen); lands on the appeals tab. If an
    earlier test asked for this (demo) phone's code just now, wait out the resend cooldown."""
    type_into(page, "Телефон нөмірі", typed)
    sent = page.get_by_text(f"Кодты {shown} нөміріне жібердік.")
    deadline = time.monotonic() + 75
    while True:
        page.get_by_role("button", name="Код алу").click()
        try:
            sent.first.wait_for(state="visible", timeout=5_000)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            page.wait_for_timeout(5_000)
    type_into(page, "SMS-тегі код", dev_code(backend_url, phone), check=False)
    page.get_by_role("tab", name="Өтініштер").wait_for()


def shown(page: Page, text: str, timeout_ms: float = 20_000) -> None:
    """Wait until `text` is on screen: as a text of its own, or inside the merged label of a
    card (Flutter merges the texts of a card into one accessible label)."""
    page.get_by_text(text, exact=False).or_(page.get_by_label(text, exact=False)).first.wait_for(
        state="visible", timeout=timeout_ms
    )


def dismiss_alert(page: Page) -> None:
    """Close the emergency banner (demo data has an active alert) so screenshots show ours."""
    # The banner may be redrawn (a language switch) under the click: retry until it is gone.
    button = page.get_by_role("button", name=re.compile(r"^(Түсіндім|Понятно)$"))
    for _ in range(3):
        if not button.count():
            return
        with contextlib.suppress(PlaywrightError):
            button.first.click(timeout=3_000)
        page.wait_for_timeout(400)


def tall(page: Page, height: int = 2000) -> None:
    """Make the window tall: Flutter draws only what is in it."""
    page.set_viewport_size({"width": PHONE_VIEWPORT["width"], "height": height})
    page.wait_for_timeout(800)


def wait_until(check: Any, timeout_s: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)

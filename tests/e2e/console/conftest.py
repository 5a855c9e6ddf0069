"""The operator console in Chromium (plain server-rendered HTML, one same-origin script): a fresh
`--demo` backend for this folder (its own free port and data dir; demo accounts
operator/operator, executor/executor, supervisor/supervisor), desktop pages signed in as one of
them (`Desk`), and a resident who files appeals through the API (`Resident`).

Run: `.venv/bin/pytest -m e2e tests/e2e/console`. The browser is the session's one
(`tests/e2e/conftest.py`: Debian's Chromium, `CHROMIUM` for another)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.e2e.backend import HTTP_TIMEOUT_S, fresh_phone
from tests.live import ROOT, backend, sign_in_http

EXPECT_TIMEOUT_MS = 20_000  # a busy machine makes a page late, never wrong
PLAYWRIGHT_EXPECT_TIMEOUT_MS = 5_000  # the default, for the tests outside this folder
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
RED = "rgb(179, 38, 30)"  # the console's danger colour (#b3261e, kit.page CSS)
NAMES = {  # the demo accounts' names as the console shows them (crud.staff.DEMO_ACCOUNTS)
    "operator": "Оператор Айгерім (демо) · оператор 109",
    "executor": "Исполнитель Ержан (демо) · исполнитель",
    "supervisor": "Супервайзер Динара (демо) · супервайзер 109",
}
EXECUTOR_BODY = "ENERGY_HOUSING"  # the demo executor's responsible body
OWN_BODY_SUBCLASS = "42.06"  # an appeal routed to that body
OTHER_BODY_SUBCLASS = "39.10"  # an appeal routed to another body (ECOLOGY)
ESIL = (51.1282, 71.4307)  # where the resident's appeals are (Есиль district)


@pytest.fixture(scope="package")
def console_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The console's backend: fresh demo data, shared by this folder's tests (each test files
    the appeals it changes, so none depends on another's leftovers)."""
    if not (ROOT / "backend_stub" / "__main__.py").exists():
        pytest.skip("backend_stub is not there yet")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)  # this folder's; Playwright's own after it
    with backend(tmp_path_factory.mktemp("console"), "--demo") as server:
        yield server.url
    expect.set_options(timeout=PLAYWRIGHT_EXPECT_TIMEOUT_MS)


def sign_in(page: Page, url: str, login: str, password: str | None = None) -> None:
    """Sign in through the console's form (the password of a demo account is its login)."""
    page.goto(f"{url}/console/login")
    page.fill("#login", login)
    page.fill("#password", login if password is None else password)
    page.click("button[type=submit]")


class Desk:
    """Operators' desks: each `open` is a browser context of its own (its own cookies), closed
    at the end of the test."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.browser, self.url = browser, url
        self.contexts: list[BrowserContext] = []

    def open(self, login: str | None = None, *, lang: str | None = None) -> Page:
        """A desktop page, signed in as the demo account `login` (on the appeal list) unless
        None; `lang` sets the console's language cookie first."""
        context = self.browser.new_context(viewport=DESKTOP)
        self.contexts.append(context)
        if lang is not None:
            context.add_cookies([{"name": "console_lang", "value": lang, "url": self.url}])
        page = context.new_page()
        if login is not None:
            sign_in(page, self.url, login)
            expect(page).to_have_url(f"{self.url}/console")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def desk(browser: Browser, console_url: str) -> Iterator[Desk]:
    desks = Desk(browser, console_url)
    yield desks
    desks.close()


class Resident:
    """A resident of the city with the app: files appeals and writes in their chat, through
    the API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.headers = sign_in_http(url, fresh_phone()[0])
        self.filed = 0

    def file(self, text: str, subclass: str, *, emergency: bool = False) -> dict[str, Any]:
        """A new appeal (the server's answer: id, number, service_code, importance, …)."""
        self.filed += 1  # each a few metres from the last: separate places, not repeats
        body = {"client_id": str(uuid.uuid4()), "text": text, "subclass_code": subclass,
                "lat": ESIL[0] + 0.001 * self.filed, "lon": ESIL[1], "language": "ru",
                "emergency": emergency}  # fmt: skip
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=HTTP_TIMEOUT_S) as c:
            r = c.post("/api/v1/appeals", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def write(self, appeal_id: int, text: str) -> None:
        """A chat message to the operator about the resident's appeal."""
        body = {"client_id": str(uuid.uuid4()), "text": text}
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=HTTP_TIMEOUT_S) as c:
            r = c.post(f"/api/v1/appeals/{appeal_id}/messages", json=body)
        assert r.status_code == 201, r.text


@pytest.fixture(scope="package")
def resident(console_url: str) -> Resident:
    return Resident(console_url)

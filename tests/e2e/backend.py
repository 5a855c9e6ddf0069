"""The server's side of the browser tests, asked over HTTP: what the backend holds for the
app's resident (with the session the app keeps in its local store), the operator's API, the dev
SMS inbox, whether the demo flood drill is in force, and `wait_until`, which polls such a
condition up to a generous deadline (a busy machine makes a sync late, never wrong)."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tests.faultproxy import FaultProxy

T = TypeVar("T")
DRILL_ID = "demo-flood-drill"  # the tail of the demo flood drill's CAP identifier
SERVER_DEADLINE_S = 60.0  # for anything the app sends or syncs on its own turn
HTTP_TIMEOUT_S = 30.0


def wait_until(check: Callable[[], T], timeout_s: float = SERVER_DEADLINE_S, what: str = "") -> T:
    """Poll `check` until it gives something true (returned), failing after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what or check}")
        time.sleep(0.3)


@dataclass
class App:
    """The app under test (in web mode at `url`, its store in `data_dir`), reaching the backend
    at `backend_url` through `proxy` (a network the test can take away)."""

    url: str
    data_dir: Path
    backend_url: str
    proxy: FaultProxy

    def _store(self, query: str) -> Any:
        with sqlite3.connect(self.data_dir / "app.db") as db:
            return db.execute(query).fetchone()

    def token(self) -> str:
        """The access token the app holds (its local store), to ask the backend as the app."""
        row = self._store("SELECT access_token FROM auth_session WHERE id = 1")
        assert row, "not signed in"
        return str(row[0])

    def draft(self) -> dict[str, Any]:
        """The new appeal being composed, as the app has saved it on the phone."""
        row = self._store("SELECT data_json FROM appeal_draft WHERE id = 1")
        return dict(json.loads(row[0])) if row else {}

    def client(self, language: str = "ru") -> httpx.Client:
        """The backend directly (never through the proxy) as the signed-in resident."""
        return httpx.Client(
            base_url=self.backend_url,
            headers={"Authorization": f"Bearer {self.token()}", "Accept-Language": language},
            timeout=HTTP_TIMEOUT_S,
        )

    def api(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET the backend as the signed-in resident; the answer's JSON (an error raises)."""
        with self.client() as c:
            return c.get(path, params=params).raise_for_status().json()


def fresh_phone() -> tuple[str, str, str]:
    """A number no earlier run used (a reused dev backend keeps per-phone limits):
    (E.164, as typed `8 701 ...`, as shown `+7 701 ...`)."""
    d = f"{random.randrange(10**7):07d}"
    return f"+7701{d}", f"8 701 {d[:3]} {d[3:5]} {d[5:]}", f"+7 701 {d[:3]} {d[3:5]} {d[5:]}"


def dev_code(backend_url: str, phone: str) -> str:
    """The last SMS code the dev backend 'sent' to the phone."""

    def code() -> str | None:
        with httpx.Client(timeout=HTTP_TIMEOUT_S) as c:
            messages = c.get(f"{backend_url}/dev/sms", params={"phone": phone}).json()["messages"]
        return str(messages[-1]["code"]) if messages and messages[-1].get("code") else None

    return wait_until(code, what=f"an SMS for {phone}")


def drill_in_force(backend_url: str) -> bool:
    """Whether the backend's public feed of alerts in force has the demo flood drill (a demo
    backend; a backend of one test without demo data has none)."""
    with httpx.Client(timeout=HTTP_TIMEOUT_S) as c:
        feed = c.get(f"{backend_url}/cap/feed.atom").raise_for_status().text
    return f"{DRILL_ID}.xml" in feed


def operator_token(backend_url: str) -> str:
    """A staff access token: the web console's sign-in with a demo account (the dev backend's
    supervisor, whose job may use every staff route: appeals, alerts, polls) sets it as a
    cookie; the operator API takes the same token as a bearer. E2E_STAFF_LOGIN and
    E2E_STAFF_PASSWORD name another account."""
    login = os.environ.get("E2E_STAFF_LOGIN", "supervisor")
    password = os.environ.get("E2E_STAFF_PASSWORD", login)
    with httpx.Client(base_url=backend_url, follow_redirects=False, timeout=HTTP_TIMEOUT_S) as c:
        r = c.post("/console/login", data={"login": login, "password": password})
        token = r.cookies.get("city109_console")
    assert token, f"staff sign-in failed: {r.status_code} (is the backend seeded with --demo?)"
    return str(token)


def operator(backend_url: str) -> httpx.Client:
    """An HTTP client signed in as the demo supervisor (see `operator_token`)."""
    return httpx.Client(
        base_url=backend_url,
        headers={"Authorization": f"Bearer {operator_token(backend_url)}"},
        timeout=HTTP_TIMEOUT_S,
    )

"""Fixtures of the client's unit tests: a fake backend behind `httpx.MockTransport`, a fresh
local database per test, and a whole page session built by the composition root."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.composition import AppSession, build_session
from app.config import AppConfig
from app.data.store.database import Database

PHONE = "+77011234567"
CODE = "123456"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def error(
    status: int, code: str, message: str = "", headers: dict[str, str] | None = None, **details: Any
) -> httpx.Response:
    return httpx.Response(
        status,
        json={"error": {"code": code, "message": message or code, "details": details or None}},
        headers=headers,
    )


def token_reply(n: int = 1, phone: str = PHONE) -> dict[str, Any]:
    return {
        "access_token": f"access-secret-{n}",
        "refresh_token": f"refresh-secret-{n}",
        "token_type": "bearer",
        "expires_in": 900,
        "user": {"id": 7, "phone": phone, "full_name": None, "language": "kk", "role": "resident"},
    }


@dataclass
class FakeBackend:
    """The auth part of the backend contract, in memory. Tests override `routes` entries."""

    requests: list[httpx.Request] = field(default_factory=list)
    routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = field(
        default_factory=dict
    )
    issued: int = 1
    offline: bool = False

    def __post_init__(self) -> None:
        self.routes.setdefault(("POST", "/api/v1/auth/otp/request"), self._request_code)
        self.routes.setdefault(("POST", "/api/v1/auth/otp/verify"), self._verify)
        self.routes.setdefault(("POST", "/api/v1/auth/refresh"), self._refresh)
        self.routes.setdefault(("POST", "/api/v1/auth/logout"), lambda r: httpx.Response(204))

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.offline:
            raise httpx.ConnectError("offline", request=request)
        route = self.routes.get((request.method, request.url.path))
        if route is None:
            return error(404, "not_found")
        return route(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def calls(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]

    @staticmethod
    def body(request: httpx.Request) -> dict[str, Any]:
        return json.loads(request.content or b"{}")

    def _request_code(self, request: httpx.Request) -> httpx.Response:
        phone = self.body(request)["phone"]
        return httpx.Response(200, json={"phone": phone, "expires_in": 300, "resend_in": 60})

    def _verify(self, request: httpx.Request) -> httpx.Response:
        body = self.body(request)
        if body["code"] != CODE:
            return error(400, "invalid_code", attempts_left=4)
        return httpx.Response(200, json=token_reply(self.issued, body["phone"]))

    def _refresh(self, request: httpx.Request) -> httpx.Response:
        if self.body(request)["refresh_token"] != f"refresh-secret-{self.issued}":
            return error(401, "invalid_token")
        self.issued += 1
        return httpx.Response(200, json=token_reply(self.issued))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh local database of the test, closed after it."""
    database = Database.open(tmp_path / "app.db")
    yield database
    database.close()


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def config(tmp_path: Path) -> AppConfig:
    return AppConfig(api_url="http://backend.test", data_dir=tmp_path / "data")


@pytest.fixture
def make_session(config: AppConfig, backend: FakeBackend) -> Iterator[Callable[[], AppSession]]:
    """Build page sessions on one data dir (a second call = the app started again)."""
    opened: list[Database] = []

    def make() -> AppSession:
        db = Database.open(config.db_path)
        opened.append(db)
        return build_session(config, transport=backend.transport(), db=db)

    yield make
    for db in opened:
        db.close()


@pytest.fixture
def session(make_session: Callable[[], AppSession]) -> AppSession:
    return make_session()

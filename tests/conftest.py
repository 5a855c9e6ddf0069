"""Shared fixtures: a fresh backend per test on its own SQLite file."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend_stub.config import Settings
from backend_stub.main import create_app

_phones = itertools.count(1000)


def next_phone() -> str:
    """A fresh valid Kazakh mobile number for each call."""
    return f"+7701{next(_phones):07d}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def sign_in(client: TestClient, phone: str | None = None) -> dict[str, str]:
    """Sign in through the real OTP flow (dev inbox); return auth headers."""
    phone = phone or next_phone()
    r = client.post("/api/v1/auth/otp/request", json={"phone": phone})
    assert r.status_code == 200, r.text
    code = client.get("/dev/sms", params={"phone": phone}).json()["messages"][-1]["code"]
    r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def resident(client: TestClient) -> dict[str, str]:
    return sign_in(client)


@pytest.fixture
def signer(client: TestClient) -> Callable[..., dict[str, str]]:
    return lambda phone=None: sign_in(client, phone)

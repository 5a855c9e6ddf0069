"""Shared fixtures: a fresh backend per test on its own SQLite file.

With TEST_DATABASE_URL set (a PostgreSQL URL; `scripts/pg-test.sh` starts a server and sets it)
every test module and every test gets a schema of its own on that server instead, through
DATABASE_URL (so a test that builds its own Settings, or starts `python -m backend_stub`, lands in
it too); the schema is dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from backend_stub.config import Settings
from backend_stub.main import create_app
from tests.live import sign_in_with

_phones = itertools.count(1000)
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
_schemas = itertools.count(1)


@cache
def _admin_engine() -> Engine:
    return create_engine(TEST_DATABASE_URL, poolclass=NullPool)


@contextmanager
def _own_database(mp: pytest.MonkeyPatch) -> Iterator[None]:
    """SQLite (no DATABASE_URL: a file under tmp_path), or a fresh PostgreSQL schema."""
    if not TEST_DATABASE_URL:
        mp.delenv("DATABASE_URL", raising=False)
        yield
        return
    name = f"t{os.getpid()}_{next(_schemas)}"
    with _admin_engine().begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    url = make_url(TEST_DATABASE_URL).update_query_dict(
        {"options": f"-csearch_path={name}", "application_name": name}
    )
    mp.setenv("DATABASE_URL", url.render_as_string(hide_password=False))
    try:
        yield
    finally:
        with _admin_engine().begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))


@pytest.fixture(scope="module", autouse=True)
def _module_database() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp, _own_database(mp):
        yield


@pytest.fixture(autouse=True)
def _test_database(_module_database: None) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp, _own_database(mp):
        yield


def next_phone() -> str:
    """A fresh valid Kazakh mobile number for each call."""
    return f"+7701{next(_phones):07d}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=os.environ.get("DATABASE_URL", ""), _env_file=None
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def sign_in(client: TestClient, phone: str | None = None) -> dict[str, str]:
    """Sign in through the real OTP flow (dev inbox); return auth headers."""
    return sign_in_with(client, phone or next_phone())


@pytest.fixture
def resident(client: TestClient) -> dict[str, str]:
    return sign_in(client)


@pytest.fixture
def signer(client: TestClient) -> Callable[..., dict[str, str]]:
    return lambda phone=None: sign_in(client, phone)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `slow` run only when asked for: `pytest -m slow ...`."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)

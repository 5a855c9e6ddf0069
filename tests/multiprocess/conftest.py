"""Two real server processes (`python -m backend_stub`, two ports) on one PostgreSQL schema.

PostgreSQL only: `scripts/pg-test.sh` sets TEST_DATABASE_URL (and runs this package); without
it these tests are skipped, since one SQLite file is served by one process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from backend_stub.config import Settings
from backend_stub.main import create_app
from backend_stub.services import push_bus
from tests.backend.support import make_operator
from tests.conftest import TEST_DATABASE_URL, next_phone
from tests.live import backend, sign_in_http

needs_postgres = pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="several server processes need PostgreSQL: run scripts/pg-test.sh (TEST_DATABASE_URL)",
)

# Every sign-in of the module comes from 127.0.0.1: the per-address SMS cap is not under test.
ENV = {"OTP_MAX_SENDS_PER_IP_HOUR": "100000"}


@dataclass
class Pair:
    """Processes A and B on one database (`url`), and an engine of the test's own on it."""

    a: str
    b: str
    url: str
    engine: Engine
    data_dir: Path

    def sign_in(self, on: str | None = None) -> dict[str, str]:
        return sign_in_http(on or self.a, next_phone())

    def listeners(self, *, terminate: bool = False) -> int:
        """The push bus listener connections on the database; with `terminate`, those killed."""
        counted = "count(pg_terminate_backend(pid))" if terminate else "count(*)"
        query = text(
            f"SELECT {counted} FROM pg_stat_activity"
            " WHERE application_name = :name AND datname = current_database()"
        ).bindparams(name=push_bus.APPLICATION_NAME)
        with Session(self.engine) as db:
            return int(db.connection().execute(query).scalar_one())

    def operator(self) -> dict[str, str]:
        """An operator's bearer headers: made through an app of the test's own on the same
        database (tokens live in the database, so A and B take them)."""
        settings = Settings(
            _env_file=None,
            data_dir=self.data_dir / "maker",
            database_url=self.url,
            emergency_worker_interval_s=0,
        )
        with TestClient(create_app(settings)) as client:
            return make_operator(client, next_phone())


def call(base: str, method: str, path: str, headers: dict[str, str], **kw: Any) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=30) as c:
        return c.request(method, path, headers=headers, **kw)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    if not TEST_DATABASE_URL:
        pytest.skip("several server processes need PostgreSQL (TEST_DATABASE_URL)")
    data_dir = Path(tmp_path_factory.mktemp("pair")) / "data"
    url = os.environ["DATABASE_URL"]  # the module's schema (tests/conftest.py)
    engine = create_engine(url, poolclass=NullPool)
    with (
        backend(data_dir, env=ENV, name="a") as a,
        backend(data_dir, env=ENV, name="b") as b,
    ):
        yield Pair(a.url, b.url, url, engine, data_dir)
    engine.dispose()

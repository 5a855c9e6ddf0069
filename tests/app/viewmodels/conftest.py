"""Fixtures of the view-model tests. Against the real server in-process: `server` (a backend
on its own database) and `resident` (a signed-in participation/profile client of it); here
`resident` is that client, not the HTTP headers of `tests/conftest.py`. Against the fake city
feeds: `clock` and `safety` (the feeds built over the module's own `backend` fake)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.app.support.city_feeds_fakes import CityFeedsBackend, Clock, Safety, build_city_feeds
from tests.app.support.participation_harness import ParticipationClient, make_client
from tests.app.support.sync_harness import Server


@pytest.fixture
async def server(tmp_path: Path) -> Server:
    return Server(tmp_path / "server")


@pytest.fixture
async def resident(
    server: Server, tmp_path: Path
) -> AsyncIterator[tuple[str, ParticipationClient]]:
    phone, client = await make_client(server, tmp_path / "client")
    yield phone, client
    await client.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def safety(tmp_path: Path, backend: CityFeedsBackend, clock: Clock) -> Iterator[Safety]:
    s = build_city_feeds(tmp_path / "app.db", backend, clock)
    yield s
    s.db.close()

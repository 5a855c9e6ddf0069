"""Fixtures of the view-model tests that run against the real server in-process: `server` (a
backend on its own database) and `resident` (a signed-in participation/profile client of it).
Here `resident` is that client, not the HTTP headers of `tests/conftest.py`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

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

"""A burst of signed-in requests over a real socket: every one answered, never a 500.

Before: 60 parallel `GET /api/v1/profile` on SQLite gave 40 × 500 after 30 s — requests held
pooled connections (taken by the sign-in check) while queued for a worker thread, and the
threads then waited for the pool.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from backend_stub.config import Settings
from backend_stub.main import create_app
from tests.conftest import next_phone
from tests.live import burst, live_app, sign_in_http

BURST = 80


def test_a_burst_of_signed_in_reads_is_answered_without_server_errors(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    with live_app(create_app(settings)) as url:
        headers = sign_in_http(url, next_phone())

        async def read(client: httpx.AsyncClient, i: int) -> httpx.Response:
            path = "/api/v1/profile" if i % 2 else "/api/v1/appeals"
            return await client.get(url + path, headers=headers)

        answers = burst(BURST, read, timeout=120)
    statuses = sorted({r.status_code for r in answers})
    assert all(r.status_code == 200 for r in answers), statuses

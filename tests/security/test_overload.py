"""A burst of signed-in requests over a real socket: every one answered, never a 500.

Before: 60 parallel `GET /api/v1/profile` on SQLite gave 40 × 500 after 30 s — requests held
pooled connections (taken by the sign-in check) while queued for a worker thread, and the
threads then waited for the pool. Then, with the sign-in check's connection handed back: 80
reads at once on PostgreSQL (30 connections), 200 on SQLite (60), still deadlocked until the
pool's timeout (SQLite 77 × 503 in 62 s, PostgreSQL 120 × 503 in 92 s): a route's connection is
held until its answer is serialised, which waits for a worker thread. Now only as many requests
as there are connections hold a session at once (`deps.get_db`): 200 in 2–3 s.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient

from backend_stub import deps
from backend_stub.config import Settings
from backend_stub.main import create_app
from backend_stub.messages import message
from tests.conftest import next_phone, sign_in
from tests.live import burst, live_app, sign_in_http

BURST = 80
# More requests than worker threads (40) and pooled connections (SQLite 60) together; the
# process's cap on requests in flight is off, so that every one of them is let in.
BEYOND_THREADS_AND_POOL = 200


@pytest.mark.parametrize(
    ("n", "cap"), [(BURST, 128), (BEYOND_THREADS_AND_POOL, 0)], ids=["burst", "beyond-pool"]
)
def test_a_burst_of_signed_in_reads_is_answered_without_server_errors(
    tmp_path: Path, n: int, cap: int
) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_requests_in_flight=cap, _env_file=None)
    with live_app(create_app(settings)) as url:
        headers = sign_in_http(url, next_phone())

        async def read(client: httpx.AsyncClient, i: int) -> httpx.Response:
            path = "/api/v1/profile" if i % 2 else "/api/v1/appeals"
            return await client.get(url + path, headers=headers)

        answers = burst(n, read, timeout=120)
    statuses = sorted({r.status_code for r in answers})
    assert all(r.status_code == 200 for r in answers), statuses


def test_a_request_finding_no_database_slot_in_time_is_told_to_come_back(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every slot taken for longer than the wait: 503 `server_busy` with Retry-After, in the
    caller's language; once a slot is free again, the same request is answered."""
    headers = sign_in(client)
    slots = anyio.CapacityLimiter(1)
    client.app.state.db_slots = slots  # type: ignore[attr-defined]
    monkeypatch.setattr(deps, "CONNECTION_WAIT_S", 0.2)
    holder = object()
    assert client.portal is not None
    client.portal.call(slots.acquire_on_behalf_of, holder)
    busy = client.get("/api/v1/profile", headers=headers | {"Accept-Language": "kk"})
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "2"
    assert busy.json()["error"]["code"] == "server_busy"
    assert busy.json()["error"]["message"] == message("server_busy", "kk")
    client.portal.call(slots.release_on_behalf_of, holder)
    assert client.get("/api/v1/profile", headers=headers).status_code == 200

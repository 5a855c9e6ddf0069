"""Past MAX_REQUESTS_IN_FLIGHT a process answers 503 `server_busy` with Retry-After at once, in
the caller's language — never a 500, never a long queue — and the push stream, uploads and
/health are not counted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from starlette.types import Receive, Scope, Send

from backend_stub.config import Settings
from backend_stub.main import create_app
from backend_stub.overload import OverloadGuard
from tests.conftest import next_phone
from tests.live import burst, live_app, run_async, sign_in_http


def _held_app() -> tuple[OverloadGuard, asyncio.Event, list[str]]:
    """A guard (limit 2) over an app whose answers wait for `release`; `seen` the paths it got."""
    release, seen = asyncio.Event(), []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["path"])
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return OverloadGuard(app, limit=2), release, seen


def test_the_request_past_the_cap_is_refused_at_once_and_the_held_ones_are_answered() -> None:
    async def run() -> tuple[list[httpx.Response], httpx.Response, list[str]]:
        guard, release, seen = _held_app()
        transport = httpx.ASGITransport(app=guard)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            held = [asyncio.create_task(client.get(f"/api/v1/x{i}")) for i in range(2)]
            while len(seen) < 2:
                await asyncio.sleep(0.001)
            refused = await client.get("/api/v1/x2", headers={"Accept-Language": "kk"})
            assert guard.active == 2
            release.set()
            answers = list(await asyncio.gather(*held))
            assert guard.active == 0
            after = await client.get("/api/v1/x3")
            return [*answers, after], refused, seen

    answered, refused, seen = run_async(run())
    assert [r.status_code for r in answered] == [200, 200, 200]
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "2"
    assert refused.json()["error"]["code"] == "server_busy"
    assert "Сервер қазір бос емес" in refused.json()["error"]["message"]
    assert seen == ["/api/v1/x0", "/api/v1/x1", "/api/v1/x3"]  # the refused one never ran


def test_push_streams_uploads_and_health_are_not_counted() -> None:
    async def run() -> list[int]:
        guard, release, seen = _held_app()
        transport = httpx.ASGITransport(app=guard)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            paths = [("GET", "/api/v1/events")] * 3 + [("PATCH", "/api/v1/uploads/abc")] * 2
            paths += [("GET", "/health")] * 2
            tasks = [asyncio.create_task(client.request(m, p)) for m, p in paths]
            while len(seen) < len(paths):
                await asyncio.sleep(0.001)
            assert guard.active == 0
            release.set()
            return [r.status_code for r in await asyncio.gather(*tasks)]

    assert run_async(run()) == [200] * 7


def test_a_burst_over_a_real_socket_past_a_small_cap_gets_only_200_or_503(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_requests_in_flight=3, _env_file=None)
    with live_app(create_app(settings)) as url:
        headers = {**sign_in_http(url, next_phone()), "Accept-Language": "ru"}

        async def read(client: httpx.AsyncClient, i: int) -> httpx.Response:
            return await client.get(url + "/api/v1/appeals", headers=headers)

        answers = burst(60, read, timeout=60)
        calm = httpx.get(url + "/api/v1/appeals", headers=headers)
    statuses = [r.status_code for r in answers]
    assert set(statuses) == {200, 503}, sorted(set(statuses))
    busy = [r for r in answers if r.status_code == 503]
    assert all(r.headers.get("Retry-After") == "2" for r in busy)
    assert all("перегружен" in r.json()["error"]["message"] for r in busy)
    assert calm.status_code == 200  # the cap is on requests at once, not a ban

"""The engine's background loop and triggers, and the event-stream client (the OS notifier
adapters: `tests/app/data/test_notifications.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.data.services.api_client import ApiClient
from app.data.services.events import ABSENT_RETRY_S, EventStream, parse_sse
from app.data.services.tokens import TokenHolder
from app.sync import tasks as tasks_module
from tests.app.support.sync_harness import Client, FakeClock, Server, new_appeal

pytestmark = pytest.mark.anyio


async def lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item


async def test_parse_sse_frames_comments_and_ids() -> None:
    frames = [
        e
        async for e in parse_sse(
            lines("retry: 3000", "", ": ping", "", "id: 7", "event: change",
                  'data: {"cursor":7}', "", "event: ready", "data: {}", "")
        )
    ]  # fmt: skip
    assert [(f.event, f.data, f.id) for f in frames] == [
        ("change", '{"cursor":7}', "7"),
        ("ready", "{}", "7"),
    ]


def stream_client(handler: httpx.MockTransport) -> ApiClient:
    tokens = TokenHolder()
    tokens.set("access", "refresh")
    return ApiClient("http://x", language=lambda: "kk", tokens=tokens, transport=handler)


async def test_event_stream_calls_back_and_resumes_after_the_last_id() -> None:
    seen: list[httpx.Request] = []
    body = b"retry: 3000\n\nid: 5\nevent: change\ndata: {}\n\nid: 6\nevent: change\ndata: {}\n\n"

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body, headers={"Content-Type": "text/event-stream"})

    api = stream_client(httpx.MockTransport(handler))
    heard: list[str] = []
    events = EventStream(
        api,
        on_change=lambda: heard.append("change"),
        on_connected=lambda: heard.append("connected"),
        signed_in=lambda: True,
    )
    assert await events.connect_once() is None  # the stream ended: reconnect soon
    assert heard == ["connected", "change", "change"] and events.last_event_id == "6"
    await events.connect_once()
    assert seen[-1].url.params["cursor"] == "6"
    assert seen[-1].headers["Authorization"] == "Bearer access"
    await api.aclose()


@pytest.mark.parametrize(("status", "wait"), [(404, ABSENT_RETRY_S), (401, 2.0), (503, 0.0)])
async def test_event_stream_tolerates_a_missing_or_failing_endpoint(
    status: int, wait: float
) -> None:
    api = stream_client(httpx.MockTransport(lambda r: httpx.Response(status)))
    heard: list[str] = []
    events = EventStream(
        api, on_change=lambda: None, on_connected=lambda: heard.append("c"), signed_in=lambda: True
    )
    assert await events.connect_once() == wait
    assert heard == (["c"] if status == 401 else [])  # 401: a pull refreshes the token

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    down = EventStream(
        stream_client(httpx.MockTransport(refuse)),
        on_change=lambda: None,
        on_connected=lambda: None,
        signed_in=lambda: True,
    )
    assert await down.connect_once() == 0.0
    await api.aclose()


async def test_background_loop_recovers_syncs_on_request_and_stops(tmp_path: Path) -> None:
    server = Server(tmp_path / "server")
    phone, access, refresh = server.resident()
    client = Client(server, tmp_path / "client", (access, refresh), FakeClock(), period_s=3600)
    try:
        cid = await client.repo.file(new_appeal())
        entry = client.repo.outbox.entries()[0]
        client.repo.outbox.mark_in_flight(entry.id or 0)  # left by a killed app
        await client.engine.start()  # recovers it and syncs at once (app start)
        for _ in range(100):
            await asyncio.sleep(0.02)
            if client.repo.outbox.counts().pending == 0:
                break
        assert [a.client_id for a in server.appeals_of(phone)] == [cid]
        client.changes.on_enqueued = client.engine.request_sync  # as the composition root does
        await client.repo.send_message(cid, "сәлем")
        for _ in range(250):  # the status is refreshed when the pass ends, after the outbox
            await asyncio.sleep(0.02)
            if client.repo.outbox.counts().pending == 0 and client.engine.status.pending == 0:
                break
        appeal_id = server.appeals_of(phone)[0].id or 0
        assert [m.text for m in server.messages_of(appeal_id)] == ["сәлем"]
        assert client.engine.status.online is True and client.engine.status.pending == 0
    finally:
        await client.close()


async def test_stop_ends_a_stubborn_task_without_hanging_and_its_own_cancel_propagates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    server = Server(tmp_path / "server")
    client = Client(server, tmp_path / "client", server.resident()[1:], FakeClock())
    release = asyncio.Event()

    async def stubborn() -> None:  # swallows its first cancel, as a careless step might
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await release.wait()

    monkeypatch.setattr(tasks_module, "STOP_WAIT_S", 0.2)
    client.engine._task = asyncio.create_task(stubborn(), name="sync-engine")
    await asyncio.sleep(0)
    await asyncio.wait_for(client.engine.stop(), 5)  # logs where it hangs, does not hang
    assert "sync-engine did not end" in caplog.text
    release.set()
    release = asyncio.Event()

    client.engine._task = asyncio.create_task(stubborn(), name="sync-engine")
    monkeypatch.setattr(tasks_module, "STOP_WAIT_S", 60.0)
    await asyncio.sleep(0)
    stopping = asyncio.create_task(client.engine.stop())
    await asyncio.sleep(0.05)
    stopping.cancel()  # the app closing under a stop: the caller's cancel is not swallowed
    with pytest.raises(asyncio.CancelledError):
        await stopping
    release.set()
    await client.close()

"""Several page sessions on one local database (web mode: a reload opens a new page session
while the old one lives on, disconnected, for up to an hour): one outbox, sent by one engine at
a time, and a disconnected session's background work stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from app.composition import AppSession
from app.data.repositories import outbox as ob
from tests.app.conftest import FakeBackend
from tests.app.support.sync_harness import Client, FakeClock, Server, new_appeal

pytestmark = pytest.mark.anyio

APPEALS = r"/api/v1/appeals"


class Gate(httpx.AsyncBaseTransport):
    """Holds `POST /api/v1/appeals` until opened: a slow server, mid-send."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.entered = asyncio.Event()
        self.open = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/api/v1/appeals":
            self.entered.set()
            await self.open.wait()
        return await self.inner.handle_async_request(request)


async def gated_server(tmp_path: Path) -> tuple[Server, str, Gate, Callable[[], Client]]:
    """A server behind a closed `Gate`, a resident signed in to it, and a way to open a page
    session of that resident on the one client directory (each call: another page session)."""
    server = Server(tmp_path / "server")
    phone, access, refresh = await server.sign_in()
    gate = Gate(server.asgi)
    server.faulty.inner = gate
    clock = FakeClock()

    def page() -> Client:
        return Client(server, tmp_path / "client", (access, refresh), clock)

    return server, phone, gate, page


async def test_a_reload_never_resends_what_the_old_session_is_sending(tmp_path: Path) -> None:
    server, phone, gate, page = await gated_server(tmp_path)
    old = page()
    await old.repo.file(new_appeal())
    sending = asyncio.create_task(old.engine.sync_now())
    await gate.entered.wait()  # the old page session's engine is sending the appeal

    new = page()  # the reload
    starting = asyncio.create_task(new.engine.start())
    await asyncio.sleep(0.3)
    # Its start-up recovery waits for the other engine's pass instead of putting the appeal
    # being sent back to the queue (and sending it a second time).
    assert not starting.done()
    gate.open.set()
    await sending
    await starting
    await new.engine.sync_now()
    assert server.faulty.count("POST", APPEALS) == 1
    assert len(server.appeals_of(phone)) == 1
    assert new.repo.outbox.counts().pending == 0
    await new.close()
    await old.close()


async def test_pausing_a_session_mid_send_hands_the_entry_to_the_other_session(
    tmp_path: Path,
) -> None:
    server, phone, gate, page = await gated_server(tmp_path)
    old = page()
    await old.repo.file(new_appeal())
    await old.engine.start()  # the background loop sends at once
    await gate.entered.wait()
    await old.engine.stop()  # the page disconnected mid-send
    entries = old.repo.outbox.entries()
    assert [e.state for e in entries] == [ob.PENDING]  # back in the queue, key kept

    gate.open.set()
    new = page()
    await new.engine.sync_now()
    assert [e.idempotency_key for e in new.repo.outbox.entries(include_done=True)] == [
        entries[0].idempotency_key
    ]
    assert len(server.appeals_of(phone)) == 1  # the cut-off request and the resend: one appeal
    await new.close()
    await old.close()


async def test_a_disconnected_page_session_stops_syncing_and_resumes_on_reconnect(
    make_session: Callable[[], AppSession],
) -> None:
    session = make_session()
    await session.sync.start()
    assert session.sync.running
    await session.pause()
    assert not session.sync.running
    await session.resume()
    assert session.sync.running
    await session.close()
    assert not session.sync.running
    await session.resume()  # a closed session stays closed
    assert not session.sync.running


async def test_a_started_session_runs_its_background_work_until_closed(
    make_session: Callable[[], AppSession], backend: FakeBackend
) -> None:
    """`start()` is all a page does: the sync engine runs and the classifier cache is
    revalidated in the background; `close()` stops the engine."""
    session = make_session()
    await session.start()
    assert session.sync.running
    await session.new_appeal.settle()
    assert backend.calls("/api/v1/classifier")
    await session.close()
    assert not session.sync.running


async def test_a_sync_asked_to_retry_now_sends_what_waited_on_backoff(tmp_path: Path) -> None:
    """Signing in again after an ended session asks for this: what got 401s (and so waits on
    a growing backoff) goes at once."""
    server = Server(tmp_path / "server")
    phone, access, refresh = await server.sign_in()
    client = Client(server, tmp_path / "client", (access, refresh), FakeClock())  # time stands
    await client.repo.file(new_appeal())
    server.faulty.down = True
    for _ in range(4):
        await client.engine.sync_now()  # each failure pushes the next try further away
    server.faulty.down = False
    await client.engine.sync_now()
    assert server.appeals_of(phone) == []  # not due yet: nothing sent

    client.engine.request_sync(retry_now=True)
    await client.engine.start()
    try:
        for _ in range(100):
            if server.appeals_of(phone):
                break
            await asyncio.sleep(0.05)
        assert len(server.appeals_of(phone)) == 1
    finally:
        await client.close()

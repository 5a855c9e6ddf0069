"""Live updates come back within 2 s of the network: the engine probes every ≤1.5 s early in an
outage (less often later), a pass that reaches the server kicks the waiting event stream to
reconnect at once, a dropped stream asks for a pass, and the stream's own backoff starts short
and starts again after a connection that opened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.data.services.api_client import ApiClient
from app.data.services.events import EventStream
from app.data.services.tokens import TokenHolder
from app.sync.engine import SyncEngine
from app.sync.reconnect import OutageProbes
from tests.app.support.sync_harness import Client, FakeClock, Server
from tests.app.support.waiting import until

pytestmark = pytest.mark.anyio

READY = b"retry: 3000\n\nevent: ready\ndata: {}\n\n"


def test_probes_come_every_1_5_s_for_two_minutes_then_less_often() -> None:
    probes = OutageProbes()
    assert [probes.every(s) for s in (0, 60, 119.9, 120, 599, 600, 3600)] == [
        1.5, 1.5, 1.5, 5.0, 5.0, 15.0, 15.0,
    ]  # fmt: skip
    assert probes.delay(10, lambda: 0.0) == 1.5  # jitter only ever makes it sooner
    assert probes.delay(10, lambda: 1.0) == pytest.approx(1.125)


class Network:
    """The event stream's side of a network that can be cut: a refused connection, else a
    stream that opens and ends (or is cut mid-way with `cut_streams`)."""

    def __init__(self) -> None:
        self.down = False
        self.cut_streams = False
        self.attempts: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.attempts.append(time.monotonic())
        if self.down:
            raise httpx.ConnectError("no network", request=request)
        if self.cut_streams:
            return httpx.Response(200, stream=_CutStream(request))
        return httpx.Response(200, content=READY, headers={"Content-Type": "text/event-stream"})


class _CutStream(httpx.AsyncByteStream):
    def __init__(self, request: httpx.Request) -> None:
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield READY
        raise httpx.ReadError("connection reset", request=self._request)


def stream_api(network: Network) -> ApiClient:
    tokens = TokenHolder()
    tokens.set("access", "refresh")
    return ApiClient(
        "http://x",
        language=lambda: "kk",
        tokens=tokens,
        transport=httpx.MockTransport(network.handler),
    )


async def test_a_kick_ends_only_a_wait_after_a_network_failure() -> None:
    network = Network()
    network.down = True
    api = stream_api(network)
    events = EventStream(
        api, on_change=lambda: None, on_connected=lambda: None, signed_in=lambda: True,
        base_delay_s=30.0,
    )  # fmt: skip
    task = asyncio.create_task(events.run())
    await until(lambda: len(network.attempts) == 1)
    await asyncio.sleep(0.05)
    assert len(network.attempts) == 1  # waiting 15-30 s
    network.down = False
    events.kick()
    await until(lambda: len(network.attempts) == 2)  # at once
    await asyncio.sleep(0.05)
    events.kick()  # the stream opened and ended: its short, fixed wait is not cut
    await asyncio.sleep(0.05)
    assert len(network.attempts) == 2
    task.cancel()
    await api.aclose()


async def test_the_first_retry_is_short_and_an_opened_stream_starts_the_count_again() -> None:
    network = Network()
    events = EventStream(
        stream_api(network), on_change=lambda: None, on_connected=lambda: None,
        signed_in=lambda: True, rand=lambda: 1.0,
    )  # fmt: skip
    assert [events._delay(n) for n in (1, 2, 3, 8, 20)] == [0.5, 1.0, 2.0, 60.0, 60.0]
    network.down = True
    task = asyncio.create_task(events.run())
    await until(lambda: len(network.attempts) == 3)  # 0.5 s, then 1 s
    network.down, network.cut_streams = False, True
    await until(lambda: len(network.attempts) == 5)
    gap = network.attempts[4] - network.attempts[3]
    assert gap < 0.9  # after an opened stream the count starts again: 0.5 s, not 4 s
    task.cancel()


async def test_a_dropped_stream_tells_the_engine() -> None:
    network = Network()
    network.cut_streams = True
    heard: list[str] = []
    events = EventStream(
        stream_api(network), on_change=lambda: None, on_connected=lambda: heard.append("c"),
        on_dropped=lambda: heard.append("dropped"), signed_in=lambda: True,
    )  # fmt: skip
    assert await events.connect_once() == 0.0
    assert heard == ["c", "dropped"] and events.opened
    network.down = True
    assert await events.connect_once() == 0.0
    assert heard == ["c", "dropped"] and not events.opened  # never opened: nothing dropped


async def test_the_probe_schedule_follows_the_outage(tmp_path: Path) -> None:
    server = Server(tmp_path / "server")
    clock = FakeClock()
    client = Client(server, tmp_path / "client", server.resident()[1:], clock, period_s=30)
    server.faulty.down = True
    await client.engine.sync_now()
    assert client.engine.status.online is False
    waits = []
    for seconds in (0, 119, 2, 470, 10):  # into the outage: 0, 119, 121, 591, 601 s
        clock.advance(seconds)
        await client.engine.sync_now()  # still no network: the outage goes on
        waits.append(await client.engine._next_timeout())
    assert waits[:2] == [pytest.approx(1.5 * 0.875)] * 2  # rand 0.5: 1.31 s
    assert waits[2] == waits[3] == pytest.approx(5 * 0.875)
    assert waits[4] == pytest.approx(15 * 0.875)
    server.faulty.down = False
    await client.engine.sync_now()
    assert client.engine.status.online and await client.engine._next_timeout() == 30
    server.faulty.down = True
    await client.engine.sync_now()  # a new outage starts the schedule again
    assert await client.engine._next_timeout() == pytest.approx(1.5 * 0.875)
    await client.close()


async def test_network_back_brings_a_pass_and_the_stream_within_2_s(tmp_path: Path) -> None:
    server = Server(tmp_path / "server")
    network = Network()
    stream_client = stream_api(network)

    def events(engine: SyncEngine) -> EventStream:
        return EventStream(
            stream_client,
            on_change=engine.on_event_change,
            on_connected=engine.on_event_connected,
            on_dropped=engine.on_event_dropped,
            signed_in=lambda: True,
            base_delay_s=30.0,  # its own backoff alone would take 15-30 s
        )

    client = Client(
        server, tmp_path / "client", server.resident()[1:], FakeClock(), period_s=3600,
        events=events,
    )  # fmt: skip
    server.faulty.down = network.down = True
    await client.engine.start()
    await until(lambda: client.engine.status.online is False and len(network.attempts) == 1)
    passes = client.engine.passes
    back = time.monotonic()
    server.faulty.down = network.down = False
    await until(lambda: client.engine.status.online is True and len(network.attempts) == 2)
    took = time.monotonic() - back
    assert took < 2.0, f"{took:.2f} s"
    await until(lambda: client.engine.passes >= passes + 2)  # the probe, then the reconnect's
    print(f"network back -> pass and stream in {took:.2f} s")
    await client.close()
    await stream_client.aclose()

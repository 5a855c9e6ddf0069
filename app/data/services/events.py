"""A small Server-Sent Events client for `GET /api/v1/events`.

The server sends hints (`change` frames with a feed cursor, `resync`, `reauth`); the app then
pulls `/api/v1/sync` for the content. The stream runs in a background task that never blocks
the UI: it reconnects with backoff (0.25–0.5 s after the first failure, doubling to a minute; a
connection that opens starts the count again) and resumes after the last event id it saw; when
the server has no such endpoint (404) it waits long before trying again. While it waits after a
network failure, `kick()` (any request that reached the server: the sync engine's pass) makes it
reconnect at once, and a connection that drops tells `on_dropped` (the engine then finds out
whether the network is gone and probes until it is back: `app/sync/reconnect.py`). The app
works without it (periodic and manual sync).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx

from app.data.services.api_client import API_PREFIX, ApiClient

log = logging.getLogger(__name__)

ABSENT_RETRY_S = 300.0


@dataclass(frozen=True)
class SseEvent:
    event: str
    data: str
    id: str | None


async def parse_sse(lines: AsyncIterator[str]) -> AsyncIterator[SseEvent]:
    """Frames of a `text/event-stream` (comments and `retry:` are skipped)."""
    event, event_id = "message", None
    data: list[str] = []
    async for raw in lines:
        line = raw.rstrip("\r")
        if line == "":
            if data:
                yield SseEvent(event, "\n".join(data), event_id)
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            event_id = value
    if data:
        yield SseEvent(event, "\n".join(data), event_id)


class EventStream:
    """Calls `on_change()` for each change hint, `on_connected()` each time the stream
    (re)connects (the engine pulls then: whatever happened while away is fetched) and
    `on_dropped()` when an open stream is cut by the network."""

    def __init__(
        self,
        api: ApiClient,
        *,
        on_change: Callable[[], None],
        on_connected: Callable[[], None],
        signed_in: Callable[[], bool],
        on_dropped: Callable[[], None] = lambda: None,
        rand: Callable[[], float] = random.random,
        base_delay_s: float = 0.5,
        max_delay_s: float = 60.0,
    ) -> None:
        self._api = api
        self._on_change = on_change
        self._on_connected = on_connected
        self._on_dropped = on_dropped
        self._signed_in = signed_in
        self._rand = rand
        self._base = base_delay_s
        self._max = max_delay_s
        self.last_event_id: str | None = None
        self.connected = False
        self.opened = False  # the last connection attempt opened a stream
        self._kick = asyncio.Event()
        self._kickable = False  # waiting after a network failure: a kick ends the wait

    def _delay(self, failures: int) -> float:
        raw = min(self._max, self._base * 2 ** max(0, failures - 1))
        return raw / 2 + self._rand() * raw / 2

    def kick(self) -> None:
        """The server was just reached: if waiting after a network failure, reconnect now."""
        if self._kickable:
            self._kick.set()

    async def _wait(self, seconds: float, *, kickable: bool) -> None:
        self._kickable = kickable
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), seconds)
        finally:
            self._kickable = False
            self._kick.clear()

    async def run(self) -> None:
        """Forever (until cancelled)."""
        failures = 0
        while True:
            if not self._signed_in():
                await self._wait(5.0, kickable=True)
                continue
            wait = await self.connect_once()
            if self.opened:
                failures = 0
            if wait is None:  # ended normally: reconnect soon, without growing the delay
                await self._wait(self._base, kickable=False)
                continue
            failures += 1
            # Only a network failure (0.0) may be cut short: a 404, a Retry-After or a token
            # being refreshed keep their wait.
            await self._wait(max(wait, self._delay(failures)), kickable=wait == 0.0)

    async def connect_once(self) -> float | None:
        """One connection until it ends; None if it ended normally (reconnect at once), else
        how long at least to wait before the next try."""
        params = {"cursor": self.last_event_id} if self.last_event_id else None
        self.opened = False
        try:
            async with self._api.stream(f"{API_PREFIX}/events", params=params) as response:
                if response.status_code == 404:
                    log.info("no event stream on this server")
                    return ABSENT_RETRY_S
                if response.status_code == 401:
                    self._on_connected()  # the engine's request refreshes the token
                    return 2.0
                if response.status_code != 200:
                    retry = response.headers.get("Retry-After")
                    return float(retry) if retry and retry.isdigit() else 0.0
                self.connected = self.opened = True
                self._on_connected()
                async for ev in parse_sse(response.aiter_lines()):
                    if ev.id:
                        self.last_event_id = ev.id
                    if ev.event in ("change", "resync"):
                        self._on_change()
                    elif ev.event == "reauth":
                        self._on_connected()
                        return 1.0
                return None
        except (httpx.TransportError, httpx.StreamError) as exc:
            log.debug("event stream dropped: %s", type(exc).__name__)
            if self.connected:
                self._on_dropped()
            return 0.0
        finally:
            self.connected = False

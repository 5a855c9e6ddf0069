"""A small Server-Sent Events client for `GET /api/v1/events`.

The server sends hints (`change` frames with a feed cursor, `resync`, `reauth`); the app then
pulls `/api/v1/sync` for the content. The stream runs in a background task that never blocks
the UI: it reconnects with backoff and resumes after the last event id it saw, and when the
server has no such endpoint (404) it waits long before trying again. The app works without it
(periodic and manual sync).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
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
    """Calls `on_change()` for each change hint and `on_connected()` each time the stream
    (re)connects (the engine pulls then: whatever happened while away is fetched)."""

    def __init__(
        self,
        api: ApiClient,
        *,
        on_change: Callable[[], None],
        on_connected: Callable[[], None],
        signed_in: Callable[[], bool],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        base_delay_s: float = 1.0,
        max_delay_s: float = 60.0,
    ) -> None:
        self._api = api
        self._on_change = on_change
        self._on_connected = on_connected
        self._signed_in = signed_in
        self._sleep = sleep
        self._rand = rand
        self._base = base_delay_s
        self._max = max_delay_s
        self.last_event_id: str | None = None
        self.connected = False

    def _delay(self, failures: int) -> float:
        raw = min(self._max, self._base * 2 ** max(0, failures - 1))
        return raw / 2 + self._rand() * raw / 2

    async def run(self) -> None:
        """Forever (until cancelled)."""
        failures = 0
        while True:
            if not self._signed_in():
                await self._sleep(5.0)
                continue
            wait = await self.connect_once()
            if wait is None:  # ended normally: reconnect soon, without growing the delay
                failures = 0
                await self._sleep(self._base)
                continue
            failures += 1
            await self._sleep(max(wait, self._delay(failures)))

    async def connect_once(self) -> float | None:
        """One connection until it ends; None if it ended normally (reconnect at once), else
        how long at least to wait before the next try."""
        params = {"cursor": self.last_event_id} if self.last_event_id else None
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
                self.connected = True
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
            return 0.0
        finally:
            self.connected = False

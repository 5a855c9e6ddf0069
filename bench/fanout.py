"""Alert fan-out: N residents hold the push channel open (`GET /api/v1/events`, Server-Sent
Events), spread evenly over one or more server processes, an operator publishes an alert
through the first, and each client's delivery time is measured from the moment the publish
request is sent to the moment its `change` frame for that alert arrives (on the other
processes it comes by PostgreSQL LISTEN/NOTIFY, `services/push_bus`).

The clients are raw asyncio sockets (a request line, then reading lines), so that a thousand of
them cost the measuring process little. The reference, in the same run: one client alone."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

CONNECT_AT_ONCE = 50


def alert_body() -> dict[str, Any]:
    expires = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    ring = "51.10,71.38 51.10,71.50 51.18,71.50 51.18,71.38 51.10,71.38"
    return {
        "status": "Exercise",
        "category": ["Met"],
        "response_type": ["Shelter"],
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Observed",
        "expires": expires,
        "texts": {
            "kk": {
                "event": "Дауыл",
                "headline": "Дауыл туралы ескерту (жаттығу)",
                "description": "Қатты жел күтілуде.",
                "instruction": "Үйде болыңыз.",
            },
            "ru": {
                "event": "Буря",
                "headline": "Штормовое предупреждение (учения)",
                "description": "Ожидается сильный ветер.",
                "instruction": "Оставайтесь дома.",
            },
        },
        "areas": [{"desc": {"kk": "Астана", "ru": "Астана"}, "polygons": [ring]}],
    }


class Listener:
    """One push client: connects, waits for `ready`, then for the alert's `change` frame."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port, self.token = host, port, token
        self.ready = asyncio.Event()
        self.alerts: dict[str, float] = {}  # alert identifier → when its frame arrived
        self.changed = asyncio.Event()
        self.error: str | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def run(self) -> None:
        try:
            reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.write(
                (
                    f"GET /api/v1/events HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    f"Authorization: Bearer {self.token}\r\nAccept: text/event-stream\r\n\r\n"
                ).encode()
            )
            await self.writer.drain()
            status = await reader.readline()
            if b" 200 " not in status:
                self.error = status.decode(errors="replace").strip()
                self.ready.set()
                return
            buffer = b""
            while chunk := await reader.read(65536):  # whatever arrived: one wake-up, not a line
                arrived = time.perf_counter()
                *frames, buffer = (buffer + chunk).split(b"\n\n")
                for raw in frames:
                    self._frame(raw.decode(errors="replace"), arrived)
        except (OSError, asyncio.IncompleteReadError) as exc:
            self.error = repr(exc)
            self.ready.set()

    def _frame(self, text: str, arrived: float) -> None:
        """One SSE frame (its lines; the HTTP chunk sizes ride along as lines of their own)."""
        lines = text.splitlines()
        event = next((x[7:].strip() for x in lines if x.startswith("event: ")), "")
        if event == "ready":
            self.ready.set()
        elif event == "change":
            data = json.loads(next(x[6:] for x in lines if x.startswith("data: ")))
            if data.get("entity") == "alert":
                self.alerts.setdefault(str(data.get("id")), arrived)
                self.changed.set()

    async def wait_for(self, identifier: str) -> None:
        while identifier not in self.alerts:
            self.changed.clear()
            await self.changed.wait()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class FanOut:
    clients: int
    connected: int
    delivered: int
    latencies: list[float]
    errors: list[str]


async def run_fanout(bases: list[str], tokens: list[str], operator: dict[str, str]) -> FanOut:
    addresses = [urlsplit(b) for b in bases]
    listeners = []
    for i, token in enumerate(tokens):
        address = addresses[i % len(addresses)]
        listeners.append(Listener(address.hostname or "127.0.0.1", address.port or 80, token))
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    tasks: list[asyncio.Task[None]] = []

    async def start(listener: Listener) -> None:
        async with gate:
            tasks.append(asyncio.create_task(listener.run()))
            await asyncio.wait_for(listener.ready.wait(), 60)

    try:
        await asyncio.gather(*(start(x) for x in listeners))
        live = [x for x in listeners if x.error is None]
        async with httpx.AsyncClient(base_url=bases[0], timeout=30) as client:
            sent = time.perf_counter()
            r = await client.post(
                "/api/v1/operator/alerts",
                json=alert_body(),
                headers={**operator, "Idempotency-Key": str(time.time_ns())},
            )
            r.raise_for_status()
            identifier = r.json()["identifier"]  # frames may well arrive before this answer
            waits = [asyncio.create_task(x.wait_for(identifier)) for x in live]
            _, pending = await asyncio.wait(waits, timeout=30)
            for task in pending:
                task.cancel()
        latencies = [x.alerts[identifier] - sent for x in live if identifier in x.alerts]
        errors = [x.error for x in listeners if x.error]
        return FanOut(len(listeners), len(live), len(latencies), latencies, errors[:5])
    finally:
        for x in listeners:
            x.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

"""Backend under load: N residents at once, each filing an appeal and then pulling its sync feed,
again and again for a fixed time (closed loop, no think time). The reference, in the same run:
the same N clients asking `GET /health`, which is the server's floor (HTTP + framework, no
database). Then the idle poll: a feed with nothing new, answered 304 by ETag, against a full
answer of the same feed."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from backend_stub.classifier import load_classifier


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    retried: int = 0  # connections the server closed before answering, retried once
    seconds: float = 0.0

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        if not ok:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{kind}: {detail}")

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def all_latencies(self) -> list[float]:
        return [x for v in self.latencies.values() for x in v]


def _subclasses() -> list[str]:
    return [s.code for c in load_classifier().classes for s in c.subclasses][:40]


def appeal(subclasses: list[str]) -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "text": "Нагрузочный тест: не горит фонарь во дворе, прошу проверить.",
        "type": "incident",
        "subclass_code": random.choice(subclasses),
        "lat": 51.10 + random.random() * 0.08,
        "lon": 71.38 + random.random() * 0.12,
        "address": "пр. Мәңгілік Ел, 8",
        "language": "ru",
    }


DROPPED = (httpx.ReadError, httpx.RemoteProtocolError)


async def _send(
    client: httpx.AsyncClient, tally: Tally, method: str, url: str, **kw: Any
) -> httpx.Response:
    """One request; if the connection is closed before any answer (an idle keep-alive
    connection the server was closing as it was reused), send it once more, as the app does
    (appeals carry an Idempotency-Key, so a retry can never file one twice)."""
    try:
        return await client.request(method, url, **kw)
    except DROPPED:
        tally.retried += 1
        return await client.request(method, url, **kw)


async def _resident(
    client: httpx.AsyncClient, auth: dict[str, str], until: float, tally: Tally, subs: list[str]
) -> None:
    cursor, etag = 0, ""
    while time.perf_counter() < until:
        body = appeal(subs)
        headers = {**auth, "Idempotency-Key": body["client_id"]}
        t = time.perf_counter()
        try:
            r = await _send(client, tally, "POST", "/api/v1/appeals", json=body, headers=headers)
            tally.add("create appeal", time.perf_counter() - t, r.status_code == 201, r.text[:200])
        except httpx.HTTPError as exc:
            tally.add("create appeal", time.perf_counter() - t, False, repr(exc))
        more = True
        while more and time.perf_counter() < until:
            t = time.perf_counter()
            try:
                r = await _send(
                    client,
                    tally,
                    "GET",
                    "/api/v1/sync",
                    params={"cursor": cursor},
                    headers={**auth, **({"If-None-Match": etag} if etag else {})},
                )
                ok = r.status_code in (200, 304)
                tally.add("sync poll", time.perf_counter() - t, ok, r.text[:200])
            except httpx.HTTPError as exc:
                tally.add("sync poll", time.perf_counter() - t, False, repr(exc))
                break
            if r.status_code == 200:
                page = r.json()
                cursor, etag, more = page["cursor"], r.headers.get("etag", ""), page["has_more"]
            else:
                more = False


async def _health(client: httpx.AsyncClient, until: float, tally: Tally) -> None:
    while time.perf_counter() < until:
        t = time.perf_counter()
        try:
            r = await _send(client, tally, "GET", "/health")
            tally.add("health", time.perf_counter() - t, r.status_code == 200, r.text[:200])
        except httpx.HTTPError as exc:
            tally.add("health", time.perf_counter() - t, False, repr(exc))


def _client(base: str, n: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=n + 5, max_keepalive_connections=n + 5)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=30)


async def run_load(base: str, residents: list[dict[str, str]], seconds: float) -> Tally:
    tally, subs = Tally(), _subclasses()
    async with _client(base, len(residents)) as client:
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(*(_resident(client, a, until, tally, subs) for a in residents))
        tally.seconds = time.perf_counter() - start
    return tally


async def run_health(base: str, clients: int, seconds: float) -> Tally:
    tally = Tally()
    async with _client(base, clients) as client:
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(*(_health(client, until, tally) for _ in range(clients)))
        tally.seconds = time.perf_counter() - start
    return tally


@dataclass
class IdlePoll:
    not_modified: list[float]
    full: list[float]
    full_bytes: int
    statuses: set[int]


async def run_idle_poll(base: str, auth: dict[str, str], rounds: int = 300) -> IdlePoll:
    """One resident, nothing else running: the 304 answer against the full feed answer."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        r = await client.get("/api/v1/sync", params={"cursor": 0, "limit": 1000}, headers=auth)
        page = r.json()
        while page["has_more"]:
            r = await client.get(
                "/api/v1/sync", params={"cursor": page["cursor"], "limit": 1000}, headers=auth
            )
            page = r.json()
        cursor, etag = page["cursor"], r.headers["etag"]
        not_modified, full, statuses, size = [], [], set(), 0
        for _ in range(rounds):
            t = time.perf_counter()
            r = await client.get(
                "/api/v1/sync",
                params={"cursor": cursor},
                headers={**auth, "If-None-Match": etag},
            )
            not_modified.append(time.perf_counter() - t)
            statuses.add(r.status_code)
            t = time.perf_counter()
            r = await client.get("/api/v1/sync", params={"cursor": 0}, headers=auth)
            full.append(time.perf_counter() - t)
            size = len(r.content)
    return IdlePoll(not_modified, full, size, statuses)

"""Push streams (SSE) under attack, over a real socket: the 5-per-resident cap holds under a burst
of opens, and a stream ends when its sign-in ends — logout, a phone change (which also signs out
the resident's other sessions), a replayed refresh token, or a revocation seen only in the
database (another server process) — and delivers nothing after."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from backend_stub.config import Settings
from backend_stub.main import create_app
from backend_stub.models import AuthSession
from backend_stub.routers import events as events_router
from backend_stub.services import push
from tests.backend.support import add_staff
from tests.backend.test_alerts import alert_body
from tests.conftest import next_phone
from tests.live import live_app, run_async

pytestmark = pytest.mark.timeout(120)

OPENS = 60
END_WITHIN_S = 3.0


@dataclass
class Server:
    url: str
    app: FastAPI

    @property
    def broker(self) -> push.Broker:
        return push.broker_for(self.app.state.engine)

    def sign_in(self, phone: str | None = None) -> dict[str, Any]:
        phone = phone or next_phone()
        with httpx.Client(base_url=self.url, timeout=30) as c:
            assert c.post("/api/v1/auth/otp/request", json={"phone": phone}).status_code == 200
            code = c.get("/dev/sms", params={"phone": phone}).json()["messages"][-1]["code"]
            r = c.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
            assert r.status_code == 200, r.text
            tokens: dict[str, Any] = r.json()
            return tokens

    def operator(self) -> dict[str, str]:
        """A supervisor's token (alerts are theirs to publish)."""
        phone = next_phone()
        add_staff(self, "sv" + phone[-6:], role="supervisor", phone=phone)
        return bearer(self.sign_in(phone))


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setattr(events_router, "HEARTBEAT_S", 0.3)
    # the backstop for a sign-in ended behind the broker's back (5 min in production)
    monkeypatch.setattr(events_router, "SIGNED_IN_RECHECK_S", 0.3)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        database_url=os.environ.get("DATABASE_URL", ""),
        emergency_worker_interval_s=0,
        otp_resend_cooldown_s=0,
        otp_max_sends_per_ip_hour=1000,
    )
    app = create_app(settings)
    with live_app(app) as url:
        yield Server(url, app)


async def frames(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """The SSE frames of a stream as (event, data); comments and `retry:` skipped."""
    event, data = "message", ""
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield event, json.loads(data)
            event, data = "message", ""
        elif line.startswith("event:"):
            event = line.partition(":")[2].strip()
        elif line.startswith("data:"):
            data += line.partition(":")[2].strip()


async def rest_of(stream: AsyncIterator[tuple[str, dict[str, Any]]]) -> tuple[list[str], bool]:
    """The events that still come, and whether the server ended the stream in time."""
    got: list[str] = []
    try:
        async with asyncio.timeout(END_WITHIN_S):
            async for event, _ in stream:
                got.append(event)
        return got, True
    except TimeoutError:
        return got, False


async def until_ready(stream: AsyncIterator[tuple[str, dict[str, Any]]]) -> None:
    async for event, _ in stream:
        if event == "ready":
            return
    raise AssertionError("the stream ended before `ready`")


# ------------------------------------------------------------------ the cap


def test_a_burst_of_stream_opens_gets_exactly_five(server: Server) -> None:
    tokens = server.sign_in()
    user_id = tokens["user"]["id"]

    async def scenario() -> tuple[list[int], int]:
        limits = httpx.Limits(max_connections=OPENS, max_keepalive_connections=OPENS)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as c:
            requests = [
                c.build_request("GET", "/api/v1/events", headers=bearer(tokens))
                for _ in range(OPENS)
            ]
            answers = await asyncio.gather(*(c.send(r, stream=True) for r in requests))
            # each open stream gets going (its reader kept: dropping one closes the connection)
            readers = [frames(a) for a in answers if a.status_code == 200]
            for reader in readers:
                await until_ready(reader)
            live = server.broker.connections(user_id)
            for a in answers:
                await a.aclose()
        return [a.status_code for a in answers], live

    statuses, live = run_async(scenario())
    print(
        f"\n{OPENS} opens at once: {statuses.count(200)} × 200, {statuses.count(429)} × 429;"
        f" streams registered while open: {live}"
    )
    assert [s for s in statuses if s >= 500] == []
    assert statuses.count(200) == events_router.MAX_STREAMS_PER_USER
    assert statuses.count(429) == OPENS - events_router.MAX_STREAMS_PER_USER
    assert live == events_router.MAX_STREAMS_PER_USER
    deadline = run_async(_wait_for(lambda: server.broker.connections(user_id) == 0))
    assert deadline, "closed streams stay registered"
    # and after they closed, the resident may open streams again
    with (
        httpx.Client(base_url=server.url, timeout=10) as c,
        c.stream("GET", "/api/v1/events", headers=bearer(tokens)) as r,
    ):
        assert r.status_code == 200


async def _wait_for(condition: Any, timeout: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return bool(condition())


# ------------------------------------------------------------------ ending with the sign-in


def after_signing_out(server: Server, sign_out: str) -> tuple[list[str], bool, dict[str, Any]]:
    """Open a stream for a resident, end the sign-in the way `sign_out` names, then have an
    operator publish an alert (pushed to every stream): what the stream still shows."""
    operator = server.operator()
    phone = next_phone()
    tokens = server.sign_in(phone)
    out: dict[str, Any] = {"tokens": tokens}

    async def scenario() -> tuple[list[str], bool]:
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=30) as c,
            c.stream("GET", "/api/v1/events", headers=bearer(tokens)) as s,
        ):
            assert s.status_code == 200
            stream = frames(s)
            await until_ready(stream)
            await _sign_out(c, server, sign_out, tokens, out)
            r = await c.post("/api/v1/operator/alerts", json=alert_body(), headers=operator)
            assert r.status_code == 201, r.text
            return await rest_of(stream)

    got, ended = run_async(scenario())
    print(f"\nafter {sign_out}: stream showed {got}, ended by the server: {ended}")
    return got, ended, out


async def _sign_out(
    c: httpx.AsyncClient, server: Server, how: str, tokens: dict[str, Any], out: dict[str, Any]
) -> None:
    if how == "logout":
        r = await c.post("/api/v1/auth/logout", headers=bearer(tokens))
        assert r.status_code == 204
    elif how == "phone change on another device":
        other = await asyncio.to_thread(server.sign_in, tokens["user"]["phone"])
        out["other"] = other
        new_phone = next_phone()
        r = await c.post(
            "/api/v1/profile/phone/request", json={"phone": new_phone}, headers=bearer(other)
        )
        assert r.status_code == 200, r.text
        inbox = await c.get("/dev/sms", params={"phone": new_phone})
        code = inbox.json()["messages"][-1]["code"]
        r = await c.post(
            "/api/v1/profile/phone/verify",
            json={"phone": new_phone, "code": code},
            headers=bearer(other),
        )
        assert r.status_code == 200, r.text
    elif how == "refresh-token replay":
        server.app.state.settings.refresh_reuse_grace_s = 0
        r = await c.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert r.status_code == 200
        out["rotated"] = r.json()
        await asyncio.sleep(0.05)
        r = await c.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert r.status_code == 401
    else:  # "revoked in the database" — as another server process would do it
        with Session(server.app.state.engine) as db:
            auth = db.exec(select(AuthSession).where(AuthSession.user_id == tokens["user"]["id"]))
            for row in auth.all():
                row.revoked = True
                db.add(row)
            db.commit()
        await asyncio.sleep(1.0)  # this process's broker was not told: the stream finds out


@pytest.mark.parametrize(
    "sign_out",
    ["logout", "phone change on another device", "refresh-token replay", "revoked in the database"],
)
def test_a_stream_ends_with_its_sign_in(server: Server, sign_out: str) -> None:
    got, ended, out = after_signing_out(server, sign_out)
    assert "change" not in got, "a signed-out stream still delivers"
    assert ended, "the stream stays open after its sign-in ended"
    assert got in ([], ["reauth"])
    if sign_out == "phone change on another device":
        tokens, other = out["tokens"], out["other"]
        with httpx.Client(base_url=server.url, timeout=10) as c:
            assert c.get("/api/v1/profile", headers=bearer(tokens)).status_code == 401
            r = c.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
            assert r.status_code == 401
            assert c.get("/api/v1/profile", headers=bearer(other)).status_code == 200
            r = c.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
            assert r.status_code == 200


def test_logout_leaves_the_residents_other_device_streaming(server: Server) -> None:
    phone = next_phone()
    first, second = server.sign_in(phone), server.sign_in(phone)
    operator = server.operator()

    async def scenario() -> tuple[list[str], bool]:
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=30) as c,
            c.stream("GET", "/api/v1/events", headers=bearer(second)) as s,
        ):
            stream = frames(s)
            await until_ready(stream)
            r = await c.post("/api/v1/auth/logout", headers=bearer(first))
            assert r.status_code == 204
            r = await c.post("/api/v1/operator/alerts", json=alert_body(), headers=operator)
            assert r.status_code == 201
            async with asyncio.timeout(END_WITHIN_S):
                async for event, _ in stream:
                    if event == "change":
                        return ["change"], False
            return [], True

    got, ended = run_async(scenario())
    assert got == ["change"] and not ended

"""The push channel: Server-Sent Events from a real uvicorn server, driven by committed sync-feed
rows — alerts and appeal changes arrive within a second, only to whom they concern, and a
reconnect with a cursor misses nothing. Plus the broker and session-hook rules on their own."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.crud import feed
from backend_stub.main import create_app
from backend_stub.models import FeedEvent
from backend_stub.routers import events as events_router
from backend_stub.services import push
from tests.backend.support import add_staff
from tests.backend.test_alerts import INSIDE, alert_body
from tests.backend.test_appeals import appeal_body
from tests.conftest import next_phone
from tests.live import live_app

WAIT_S = 5.0  # upper bound for anything expected to arrive (the latency assert is stricter)


@dataclass
class Live:
    url: str
    app: FastAPI


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A real uvicorn server on a free 127.0.0.1 port, in a thread, for this module."""
    data_dir = Path(tmp_path_factory.mktemp("live")) / "data"
    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(events_router, "HEARTBEAT_S", 0.2)
        app = create_app(settings)
        with live_app(app) as url:
            yield Live(url, app)


def sign_in(live: Live, phone: str | None = None) -> dict[str, str]:
    phone = phone or next_phone()
    with httpx.Client(base_url=live.url, timeout=10) as c:
        assert c.post("/api/v1/auth/otp/request", json={"phone": phone}).status_code == 200
        code = c.get("/dev/sms", params={"phone": phone}).json()["messages"][-1]["code"]
        r = c.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


def operator(live: Live) -> dict[str, str]:
    phone = next_phone()
    headers = sign_in(live, phone)
    add_staff(live, f"op{phone}", phone=phone)  # a supervisor: alerts too
    return headers


def api(live: Live, method: str, path: str, headers: dict[str, str], **kw: Any) -> httpx.Response:
    with httpx.Client(base_url=live.url, timeout=10) as c:
        return c.request(method, path, headers=headers, **kw)


@dataclass
class Sse:
    at: float
    event: str
    data: dict[str, Any]
    id: str | None


@dataclass
class Stream:
    """An SSE client in a thread: parses frames into `events`, counts `: ping` comments."""

    url: str
    headers: dict[str, str]
    events: queue.Queue[Sse] = field(default_factory=queue.Queue)
    pings: int = 0
    status: int | None = None
    content_type: str = ""
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def __enter__(self) -> Stream:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(WAIT_S)

    def _run(self) -> None:
        timeout = httpx.Timeout(10, read=WAIT_S)
        with (
            httpx.Client(timeout=timeout) as c,
            c.stream("GET", self.url, headers=self.headers) as r,
        ):
            self.status, self.content_type = r.status_code, r.headers.get("content-type", "")
            if r.status_code != 200:
                self.events.put(Sse(time.perf_counter(), "http-error", {}, None))
                return
            event, data, event_id = "message", "", None
            for line in r.iter_lines():
                if self.stop.is_set():
                    return
                if line == "":
                    if data:
                        self.events.put(Sse(time.perf_counter(), event, json.loads(data), event_id))
                    event, data, event_id = "message", "", None
                elif line.startswith(":"):
                    self.pings += 1
                else:
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "event":
                        event = value
                    elif name == "data":
                        data += value
                    elif name == "id":
                        event_id = value

    def next(self, event: str = "change", timeout: float = WAIT_S, **match: Any) -> Sse:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self.events.get(timeout=left)
            except queue.Empty:
                break
            if item.event == event and all(item.data.get(k) == v for k, v in match.items()):
                return item
        raise AssertionError(f"no {event} {match} within {timeout} s")

    def drain(self, seconds: float) -> list[Sse]:
        time.sleep(seconds)
        out = []
        while not self.events.empty():
            out.append(self.events.get())
        return out


def stream(live: Live, headers: dict[str, str], **params: Any) -> Stream:
    url = str(httpx.URL(f"{live.url}/api/v1/events", params=params))
    return Stream(url, headers)


# ---------------------------------------------------------------- over a real server


def test_alert_reaches_the_connected_resident_within_a_second(live: Live) -> None:
    op = operator(live)
    resident = sign_in(live)
    api(
        live,
        "POST",
        "/api/v1/profile/addresses",
        resident,
        json={"label": "home", "text": "Астана", "lat": INSIDE[0], "lon": INSIDE[1]},
    )
    with stream(live, resident) as s:
        ready = s.next("ready")
        assert s.status == 200 and s.content_type.startswith("text/event-stream")
        started = time.perf_counter()
        r = api(live, "POST", "/api/v1/operator/alerts", op, json=alert_body())
        assert r.status_code == 201, r.text
        identifier = r.json()["identifier"]
        got = s.next(entity="alert", id=identifier)
        latency = got.at - started
        assert latency < 1.0, f"alert pushed after {latency:.3f} s"
        assert got.id == str(got.data["cursor"]) and got.data["cursor"] > ready.data["cursor"]
        s.drain(0.5)
        assert s.pings > 0  # heartbeat comments flow (every 0.2 s in tests)
    # the hint leads to the content: the feed after the old cursor has the alert for them
    feed_page = api(
        live, "GET", "/api/v1/sync", resident, params={"cursor": ready.data["cursor"]}
    ).json()
    assert [a["identifier"] for a in feed_page["changes"]["alert"]] == [identifier]


def test_heartbeats_ask_the_database_only_when_an_ending_may_have_been_missed(
    live: Live,
) -> None:
    """Sign-outs reach a stream through the broker; a heartbeat asks the database whether the
    sign-in stands only if the broker may have missed one (here: it says it stopped hearing)."""
    resident = sign_in(live)
    asked: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "authsession" in statement.lower():
            asked.append(statement)

    engine = live.app.state.engine
    shortcut = push.broker_for(engine).shortcut
    with stream(live, resident) as s:
        s.next("ready")
        event.listen(engine, "before_cursor_execute", note)
        try:
            pings = s.pings
            deadline = time.monotonic() + WAIT_S
            while s.pings < pings + 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert s.pings >= pings + 3
            assert asked == []  # three heartbeats, no sign-in check
            shortcut.distrust()
            shortcut.trust()
            pings = s.pings
            while s.pings < pings + 2 and time.monotonic() < deadline + WAIT_S:
                time.sleep(0.05)
            assert len(asked) >= 1  # the next heartbeat looked
        finally:
            event.remove(engine, "before_cursor_execute", note)


def test_appeal_changes_reach_only_their_owner(live: Live) -> None:
    op = operator(live)
    owner, other = sign_in(live), sign_in(live)
    with stream(live, owner) as mine, stream(live, other) as theirs:
        mine.next("ready")
        theirs.next("ready")
        r = api(live, "POST", "/api/v1/appeals", owner, json=appeal_body())
        assert r.status_code == 201, r.text
        appeal_id = str(r.json()["id"])
        mine.next(entity="appeal", id=appeal_id)

        started = time.perf_counter()
        r = api(
            live,
            "POST",
            f"/api/v1/operator/appeals/{appeal_id}/status",
            op,
            json={"to_status": "assigned"},
        )
        assert r.status_code == 200, r.text
        got = mine.next(entity="appeal", id=appeal_id)
        assert got.at - started < 1.0
        r = api(
            live,
            "POST",
            f"/api/v1/appeals/{appeal_id}/messages",
            op,
            json={"client_id": str(uuid.uuid4()), "text": "Бригада выехала"},
        )
        assert r.status_code == 201, r.text
        mine.next(entity="message", id=str(r.json()["id"]))

        leaked = [e for e in theirs.drain(0.4) if e.event == "change"]
        assert leaked == [], leaked


def test_reconnect_with_a_cursor_misses_nothing(live: Live) -> None:
    op = operator(live)
    resident = sign_in(live)
    appeal_id = str(api(live, "POST", "/api/v1/appeals", resident, json=appeal_body()).json()["id"])
    with stream(live, resident) as s:
        cursor = s.next("ready").data["cursor"]
    # offline now: three changes happen
    for to_status in ("assigned", "in_progress"):
        api(
            live,
            "POST",
            f"/api/v1/operator/appeals/{appeal_id}/status",
            op,
            json={"to_status": to_status},
        )
    message_id = str(
        api(
            live,
            "POST",
            f"/api/v1/appeals/{appeal_id}/messages",
            op,
            json={"client_id": str(uuid.uuid4()), "text": "Работаем"},
        ).json()["id"]
    )
    user_id = _user_id(live, resident)
    with Session(live.app.state.engine) as db:
        rows = db.exec(
            select(FeedEvent).where(col(FeedEvent.id) > cursor).order_by(col(FeedEvent.id))
        ).all()
    expected = [(r.id, r.entity, r.entity_id) for r in rows if r.user_id in (None, user_id)]
    changes = [e[1:] for e in expected]
    assert changes.count(("appeal", appeal_id)) >= 2 and ("message", message_id) in changes
    for how in ({"headers": {"Last-Event-ID": str(cursor)}}, {"params": {"cursor": cursor}}):
        headers = {**resident, **how.get("headers", {})}
        with stream(live, headers, **how.get("params", {})) as s:
            replay = [s.next() for _ in expected]
            assert [(int(e.id or 0), e.data["entity"], e.data["id"]) for e in replay] == expected
            assert s.next("ready").data["cursor"] == expected[-1][0]


def _user_id(live: Live, headers: dict[str, str]) -> int:
    return int(api(live, "GET", "/api/v1/profile", headers).json()["id"])


def test_stream_needs_a_valid_token_and_limits_connections(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = api(live, "GET", "/api/v1/events", {})
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"
    r = api(live, "GET", "/api/v1/events", {"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    monkeypatch.setattr(events_router, "MAX_STREAMS_PER_USER", 1)
    resident = sign_in(live)
    with stream(live, resident) as first:
        first.next("ready")
        r = api(live, "GET", "/api/v1/events", {**resident, "Accept-Language": "ru"})
        assert r.status_code == 429 and r.headers["Retry-After"] == "30"
        assert "Слишком много запросов" in r.json()["error"]["message"]


# ---------------------------------------------------------------- the broker and the hooks


def test_a_slow_client_gets_one_resync_instead_of_a_backlog() -> None:
    async def scenario() -> list[push.PushEvent | None]:
        broker = push.Broker(queue_size=3)
        sub = broker.subscribe(user_id=7)
        rows = [push.PushEvent(i, 7, "appeal", str(i)) for i in range(1, 6)]
        await asyncio.to_thread(broker.publish, rows)  # from another thread, like a sync route
        await asyncio.to_thread(broker.publish, [push.PushEvent(6, None, "alert", "a")])
        await asyncio.to_thread(broker.publish, [push.PushEvent(7, 8, "appeal", "x")])  # not 7's
        await asyncio.sleep(0.05)
        got = []
        while not sub.queue.empty():
            got.append(sub.queue.get_nowait())
        broker.unsubscribe(sub)
        assert broker.connections() == 0
        return got

    got = asyncio.run(scenario())
    assert got == [push.RESYNC, push.PushEvent(6, None, "alert", "a")]


def test_only_committed_rows_are_pushed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    engine = create_app(settings).state.engine
    broker = push.broker_for(engine)
    published: list[push.PushEvent] = []
    broker.publish = published.extend  # type: ignore[method-assign]

    with Session(engine) as db:
        feed.record(db, user_id=None, entity="alert", entity_id="rolled-back")
        db.flush()
        db.rollback()
        assert published == []
        feed.record(db, user_id=None, entity="alert", entity_id="kept")
        savepoint = db.begin_nested()
        feed.record(db, user_id=None, entity="alert", entity_id="savepoint-undone")
        db.flush()
        savepoint.rollback()
        inner = db.begin_nested()
        feed.record(db, user_id=None, entity="alert", entity_id="savepoint-kept")
        inner.commit()
        assert published == []  # a released savepoint is not a commit yet
        db.commit()
    assert [p.entity_id for p in published] == ["kept", "savepoint-kept"]
    with Session(engine) as db:
        ids = {r.entity_id: r.id for r in db.exec(select(FeedEvent)).all()}
    assert [p.cursor for p in published] == [ids["kept"], ids["savepoint-kept"]]
    with Session(engine) as db:  # closed without commit: dropped
        feed.record(db, user_id=None, entity="alert", entity_id="never")
        db.flush()
    assert len(published) == 2
    engine.dispose()

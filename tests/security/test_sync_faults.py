"""Sync under faults on the server side: the backend is killed (SIGKILL) while appeals stream in,
restarted on the same data, and every request is retried with its key: each appeal exists
exactly once. And the feed never lets a cursor skip a row committed late."""

from __future__ import annotations

import os
import signal
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.crud import feed
from backend_stub.main import create_app
from backend_stub.models import FeedEvent, User
from tests.backend.test_appeals import appeal_body
from tests.conftest import next_phone
from tests.live import backend, sign_in_http

ROOT = Path(__file__).resolve().parents[2]
APPEALS = 40
KILL_AFTER = 12  # answers received before the kill


def create(
    base: str, auth: dict[str, str], key: str, body: dict[str, Any]
) -> dict[str, Any] | None:
    """One idempotent create; None when the server did not answer (down, or killed mid-way)."""
    try:
        r = httpx.post(
            f"{base}/api/v1/appeals",
            json=body,
            headers={**auth, "Idempotency-Key": key},
            timeout=10,
        )
    except httpx.TransportError:
        return None
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def all_appeals(base: str, auth: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    before: int | None = None
    with httpx.Client(base_url=base, headers=auth, timeout=10) as c:
        while True:
            params = {"limit": 100, **({"before_id": before} if before else {})}
            page = c.get("/api/v1/appeals", params=params).json()
            items += page["items"]
            before = page["next_before_id"]
            if before is None:
                return items


def test_killing_the_backend_mid_stream_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    server = backend(tmp_path / "data")  # started twice on the same data dir and port
    base = server.url
    phone = next_phone()
    bodies = {str(uuid.uuid4()): appeal_body(text=f"Обращение {n}") for n in range(APPEALS)}
    first: dict[str, dict[str, Any] | None] = {}
    answered = threading.Semaphore(0)

    def fire(key: str) -> None:
        first[key] = create(base, auth, key, bodies[key])
        if first[key] is not None:
            answered.release()

    with server:
        auth = sign_in_http(base, phone)
        with ThreadPoolExecutor(4) as pool:
            for key in bodies:
                pool.submit(fire, key)
            for _ in range(KILL_AFTER):
                assert answered.acquire(timeout=30)
            assert server.proc is not None
            os.kill(server.proc.pid, signal.SIGKILL)
            server.proc.wait(10)
    lost = [key for key, out in first.items() if out is None]
    assert KILL_AFTER <= APPEALS - len(lost) < APPEALS, "the kill came too late to matter"

    with server:
        retried = {key: create(base, auth, key, body) for key, body in bodies.items()}
        stored = all_appeals(base, auth)

    assert all(out is not None for out in retried.values())
    for key, out in first.items():
        if out is not None:  # answered before the kill: a retry replays the same appeal
            assert retried[key] == out
    numbers = [a["number"] for a in stored]
    assert len(stored) == APPEALS and len(set(numbers)) == APPEALS
    assert sorted(a["text"] for a in stored) == sorted(b["text"] for b in bodies.values())
    assert {out["id"] for out in retried.values() if out} == {a["id"] for a in stored}
    # the server's own log holds no token and no phone (but the dev-only SMS inbox's URL)
    lines = [ln for ln in server.output().splitlines() if "/dev/sms" not in ln]
    assert not [ln for ln in lines if auth["Authorization"].split()[1] in ln]
    assert not [ln for ln in lines if phone.removeprefix("+") in ln]


def test_feed_rows_become_visible_in_id_order(settings: Settings) -> None:
    """A feed row written late must not get a smaller cursor than one already visible: the
    second writer waits until the first has committed (PostgreSQL as well as SQLite)."""
    engine = create_app(settings).state.engine
    with Session(engine) as db:
        user = User(phone=next_phone())
        db.add(user)
        db.commit()
        assert user.id is not None
        uid = user.id
    first_in_commit, release = threading.Event(), threading.Event()

    def hold_first(conn: Any) -> None:
        if threading.current_thread().name == "first":
            first_in_commit.set()
            assert release.wait(20)

    def write(entity_id: str) -> None:
        with Session(engine) as db:
            feed.record(db, user_id=uid, entity="appeal", entity_id=entity_id)
            db.commit()

    event.listen(engine, "commit", hold_first)
    try:
        t1 = threading.Thread(target=write, args=("first",), name="first")
        t1.start()
        assert first_in_commit.wait(10)  # its row is written, not yet committed
        t2 = threading.Thread(target=write, args=("second",), name="second")
        t2.start()
        t2.join(1.0)
        assert t2.is_alive(), "the second writer committed while the first was still open"
        with Session(engine) as db:
            assert feed.head(db, user_id=uid) == 0  # a reader sees neither yet
        release.set()
        t1.join(20)
        t2.join(20)
    finally:
        release.set()
        event.remove(engine, "commit", hold_first)
    with Session(engine) as db:
        rows = db.exec(select(FeedEvent).order_by(col(FeedEvent.id))).all()
    assert [r.entity_id for r in rows] == ["first", "second"]
    engine.dispose()

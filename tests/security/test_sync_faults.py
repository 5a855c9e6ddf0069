"""Sync under faults on the server side: the backend is killed (SIGKILL) while appeals stream in,
restarted on the same data, and every request is retried with its key: each appeal exists
exactly once. And the feed never lets a cursor skip a row committed late."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
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

ROOT = Path(__file__).resolve().parents[2]
APPEALS = 40
KILL_AFTER = 12  # answers received before the kill


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def backend(data_dir: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m backend_stub` on 127.0.0.1:port; killed (if still alive) on the way out."""
    env = {**os.environ, "EMERGENCY_WORKER_INTERVAL_S": "0"}
    args = ["--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend_stub", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the backend did not start"
            time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def sign_in(base: str, phone: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=10) as c:
        assert c.post("/api/v1/auth/otp/request", json={"phone": phone}).status_code == 200
        code = c.get("/dev/sms", params={"phone": phone}).json()["messages"][-1]["code"]
        r = c.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


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
    data_dir, log, port = tmp_path / "data", tmp_path / "backend.log", free_port()
    base = f"http://127.0.0.1:{port}"
    phone = next_phone()
    bodies = {str(uuid.uuid4()): appeal_body(text=f"Обращение {n}") for n in range(APPEALS)}
    first: dict[str, dict[str, Any] | None] = {}
    answered = threading.Semaphore(0)

    def fire(key: str) -> None:
        first[key] = create(base, auth, key, bodies[key])
        if first[key] is not None:
            answered.release()

    with backend(data_dir, port, log) as proc:
        auth = sign_in(base, phone)
        with ThreadPoolExecutor(4) as pool:
            for key in bodies:
                pool.submit(fire, key)
            for _ in range(KILL_AFTER):
                assert answered.acquire(timeout=30)
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    lost = [key for key, out in first.items() if out is None]
    assert KILL_AFTER <= APPEALS - len(lost) < APPEALS, "the kill came too late to matter"

    with backend(data_dir, port, log):
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
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if "/dev/sms" not in ln]
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
            feed.record(db, uid, "appeal", entity_id)
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
            assert feed.head(db, uid) == 0  # a reader sees neither yet
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

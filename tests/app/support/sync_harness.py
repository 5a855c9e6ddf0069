"""The real backend in-process (`backend_stub.main.create_app` over `httpx.ASGITransport`)
behind a transport that injects faults, and a client (local store, repository, API, engine)
that can be "killed" and started again on the same files.

Faults, per request (matched by method and path):
- `drop_before`: the connection fails before the server sees the request;
- `drop_after`: the server processes (and commits) it, then the response is lost;
- a status (e.g. 503, 429 with Retry-After): answered without reaching the server.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from PIL import Image
from sqlmodel import Session, col, select

from app.data.repositories.appeal_merge import AppealsMerge, MergeResult
from app.data.repositories.appeals import AppealsRepository
from app.data.repositories.feed_cursor import FeedCursor
from app.data.repositories.outbox import Outbox
from app.data.services.api_client import ApiClient
from app.data.services.appeals_api import AppealsApi
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database
from app.data.store.models import OutboxEntry
from app.domain.appeals import NewAppeal, Position, PreparedMedia
from app.sync.retry import Backoff
from app.sync.spine import build_sync
from backend_stub.classifier import load_classifier
from backend_stub.config import Settings
from backend_stub.crud import staff as staff_crud
from backend_stub.main import create_app
from backend_stub.models import Appeal, AppealEvent, Complaint, Message, User
from tests.app.support.local_appeals import LocalAppeals

BASE_URL = "http://backend.test"
_phones = itertools.count(3000)


def first_subclass() -> str:
    cls = load_classifier()
    return cls.classes[0].subclasses[0].code


class FakeClock:
    def __init__(self) -> None:
        self.t = datetime(2026, 7, 12, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


@dataclass
class Fault:
    kind: str  # drop_before | drop_after | status
    method: str
    path: str  # a regex matched against the whole path
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class FaultyTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.faults: list[Fault] = []
        self.down = False  # the server is dead: every request fails to connect
        self.log: list[tuple[str, str, int | str]] = []
        self.chaos: Callable[[httpx.Request], str | None] | None = None

    def add(self, kind: str, method: str, path: str, **kw: Any) -> None:
        self.faults.append(Fault(kind, method, path, **kw))

    def _take(self, request: httpx.Request) -> Fault | None:
        for fault in self.faults:
            if fault.method == request.method and re.fullmatch(fault.path, request.url.path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        if self.chaos is not None:
            kind = self.chaos(request)
            if kind is not None:
                return Fault(kind, request.method, request.url.path)
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if self.down:
            self.log.append((request.method, path, "down"))
            raise httpx.ConnectError("server down", request=request)
        fault = self._take(request)
        if fault is not None and fault.kind == "drop_before":
            self.log.append((request.method, path, "drop_before"))
            raise httpx.ConnectError("connection refused", request=request)
        if fault is not None and fault.kind == "status":
            self.log.append((request.method, path, fault.status))
            return httpx.Response(
                fault.status,
                json={"error": {"code": f"http_{fault.status}", "message": "busy"}},
                headers=fault.headers,
            )
        response = await self.inner.handle_async_request(request)
        await response.aread()
        if fault is not None and fault.kind == "drop_after":
            self.log.append((request.method, path, "drop_after"))
            raise httpx.ReadError("connection reset after the server committed", request=request)
        self.log.append((request.method, path, response.status_code))
        return response

    def count(self, method: str, path_regex: str) -> int:
        return sum(1 for m, p, _ in self.log if m == method and re.fullmatch(path_regex, p))


class Server:
    """The real backend app; checks are made in its own database."""

    def __init__(self, data_dir: Path) -> None:
        # The backend answers only the host names it serves (dev: loopback and test hosts).
        settings = Settings(
            data_dir=data_dir, database_url="", allowed_hosts="backend.test", _env_file=None
        )
        self.app: FastAPI = create_app(settings)
        self.asgi = httpx.ASGITransport(app=self.app)
        self.faulty = FaultyTransport(self.asgi)

    def db(self) -> Session:
        return Session(self.app.state.engine)

    async def sign_in(self, phone: str | None = None) -> tuple[str, str, str]:
        """(phone, access, refresh) through the real SMS-code flow."""
        phone = phone or f"+7702{next(_phones):07d}"
        async with httpx.AsyncClient(transport=self.asgi, base_url=BASE_URL) as http:
            r = await http.post("/api/v1/auth/otp/request", json={"phone": phone})
            assert r.status_code == 200, r.text
            sms = await http.get("/dev/sms", params={"phone": phone})
            code = sms.json()["messages"][-1]["code"]
            r = await http.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
            assert r.status_code == 200, r.text
            data = r.json()
        return phone, data["access_token"], data["refresh_token"]

    def resident(self) -> tuple[str, str, str]:
        """A new resident with a session, made in the server's database (no SMS: the OTP limits
        per client address would stop a test that needs many residents)."""
        from backend_stub.crud.sessions import start_session

        phone = f"+7705{next(_phones):07d}"
        with self.db() as db:
            user = User(phone=phone)
            db.add(user)
            db.flush()
            pair = start_session(db, settings=self.app.state.settings, user=user)
            db.commit()
        return phone, pair.access_token, pair.refresh_token

    async def operator(self) -> dict[str, str]:
        """A staff member's headers: a supervisor, whose job may use every staff route."""
        phone, access, _ = await self.sign_in("+77019990000")
        with self.db() as db:
            if staff_crud.by_login(db, login="supervisor-test") is None:
                staff_crud.create(
                    db,
                    login="supervisor-test",
                    display_name="Супервайзер (тест)",
                    role="supervisor",
                    body=None,
                    password="a-staff-password-for-tests",
                    phone=phone,
                )
                db.commit()
        return {"Authorization": f"Bearer {access}"}

    async def call(
        self, method: str, path: str, headers: dict[str, str], json: Any = None
    ) -> httpx.Response:
        async with httpx.AsyncClient(transport=self.asgi, base_url=BASE_URL) as http:
            return await http.request(method, path, headers=headers, json=json)

    # -- what the server holds -------------------------------------------------------------------

    def appeals_of(self, phone: str) -> list[Appeal]:
        with self.db() as db:
            user = db.exec(select(User).where(User.phone == phone)).one()
            return list(
                db.exec(
                    select(Appeal).where(Appeal.user_id == user.id).order_by(col(Appeal.id))
                ).all()
            )

    def messages_of(self, appeal_id: int) -> list[Message]:
        with self.db() as db:
            return list(
                db.exec(
                    select(Message).where(Message.appeal_id == appeal_id).order_by(col(Message.id))
                ).all()
            )

    def events_of(self, appeal_id: int, kind: str) -> list[AppealEvent]:
        with self.db() as db:
            return list(
                db.exec(
                    select(AppealEvent).where(
                        AppealEvent.appeal_id == appeal_id, AppealEvent.kind == kind
                    )
                ).all()
            )

    def complaints_of(self, appeal_id: int) -> list[Complaint]:
        with self.db() as db:
            return list(db.exec(select(Complaint).where(Complaint.appeal_id == appeal_id)).all())


class Client:
    """The app's data side on one data dir; `restart()` is the app killed and started again."""

    def __init__(
        self,
        server: Server,
        data_dir: Path,
        tokens: tuple[str, str],
        clock: FakeClock,
        **engine_kw: Any,
    ) -> None:
        self.server = server
        self.data_dir = data_dir
        self.tokens_pair = tokens
        self.clock = clock
        self.engine_kw = engine_kw
        self._open()

    def _open(self) -> None:
        self.db = Database.open(self.data_dir / "app.db")
        self.tokens = TokenHolder()
        self.tokens.set(*self.tokens_pair)
        self.api = ApiClient(
            BASE_URL, language=lambda: "ru", tokens=self.tokens, transport=self.server.faulty
        )
        self.outbox = Outbox(self.db, now=self.clock.now)
        appeals = LocalAppeals.over(self.db, self.outbox, now=self.clock.now)
        self.changes, self.repo = appeals.changes, appeals.actions
        self.queries, self.refused = appeals.queries, appeals.refused
        self.sync = build_sync(
            self.outbox,
            self.changes,
            AppealsApi(self.api),
            signed_in=lambda: True,
            now=self.clock.now,
            rand=lambda: 0.5,
            backoff=Backoff(0.5, 30.0),
            **self.engine_kw,
        )
        self.engine = self.sync.engine

    async def close(self) -> None:
        await self.engine.stop()
        await self.api.aclose()
        self.db.close()

    async def restart(self) -> None:
        """Kill (nothing is flushed on purpose) and start again on the same files."""
        await self.close()
        self._open()
        await self.engine.start()
        await self.engine.stop()  # the loop is not needed: tests drive passes themselves

    async def drain(self, rounds: int = 60) -> None:
        """Passes until nothing waits, moving the fake clock over each backoff."""
        for _ in range(rounds):
            await self.engine.sync_now()
            counts = self.repo.outbox.counts()
            due = self.repo.outbox.next_wakeup()
            if counts.pending == 0 or (due is None and self.repo.outbox.next_ready() is None):
                return  # all sent, or what is left waits on a refused appeal
            wait = (due - self.clock.now()).total_seconds() if due else 1.0
            self.clock.advance(max(wait, 0.0) + 0.01)
        raise AssertionError(f"outbox not drained: {self.repo.outbox.entries()}")


class SyncSide:
    """What sync does with the server's answers, for tests that play the server: merge an answer
    (`complete`), a refusal (`reject`), a feed page with its cursor (`apply_sync_page`)."""

    def __init__(self, repo: AppealsRepository) -> None:
        db = repo.outbox.database
        self.outbox = repo.outbox
        self.merge = AppealsMerge(db, repo.outbox, now=repo._now)
        self.cursor = FeedCursor(db, now=repo._now)
        self.complete = self.merge.complete
        self.server_id_of = self.merge.server_id_of

    def reject(self, entry: OutboxEntry, message: str, code: str | None) -> None:
        self.merge.refuse(entry, message)
        assert entry.id is not None
        self.outbox.mark_rejected(entry.id, error=message, code=code)

    def apply_sync_page(
        self,
        changes: dict[str, list[dict[str, Any]]],
        *,
        cursor: int,
        etag: str | None,
        quiet: bool,
    ) -> MergeResult:
        result = self.merge.apply_page(changes, quiet=quiet)
        self.cursor.advance(cursor, etag)
        return result


def jpeg_file(folder: Path, name: str = "photo.jpg", side: int = 64, noise: bool = False) -> Path:
    """A real JPEG (the server checks the bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    if noise:
        import random

        rnd = random.Random(side)
        img = Image.frombytes(
            "RGB", (side, side), bytes(rnd.randrange(256) for _ in range(side * side * 3))
        )
    else:
        img = Image.new("RGB", (side, side), (200, 80, 40))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    path = folder / name
    path.write_bytes(buf.getvalue())
    return path


def prepared(path: Path) -> PreparedMedia:
    return PreparedMedia(str(path), "image", "image/jpeg", path.stat().st_size)


def new_appeal(text: str = "Подъезд не убирают вторую неделю", **over: Any) -> NewAppeal:
    kw: dict[str, Any] = {
        "text": text,
        "subclass_code": first_subclass(),
        "position": Position(51.1282, 71.4307, 12.0),
        "address": "пр. Мәңгілік Ел, 8",
        "language": "ru",
    }
    kw.update(over)
    return NewAppeal(**kw)

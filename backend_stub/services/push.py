"""The real-time push channel: committed sync-feed rows go to the connected clients they concern.

How a change travels:

1. Any code appends to the sync feed (`crud.feed.record` adds a `FeedEvent`).
2. On flush, the `after_flush` session hook notes the new rows (with their ids, the cursors)
   in `session.info`; nothing is sent yet.
3. Only after the transaction commits does `after_commit` hand them to the engine's `Broker`;
   a rollback or a closed session drops them. So a client is never told of a row that was
   not committed.
4. The broker is thread-safe: sync routes commit in worker threads, so it passes the rows to
   each connection's event loop with `call_soon_threadsafe`, into a bounded `asyncio.Queue`.
   A client too slow to keep up loses its queued rows and gets one "resync" marker instead
   (the app then pulls `/api/v1/sync` from its cursor, which has everything).

Rows for one resident (user_id) go only to that resident's connections; public rows
(user_id None, e.g. alerts) go to everyone, and the sync loaders decide what each one sees.

A stream lives no longer than its sign-in: code that revokes a session (or changes who the
resident is) calls `end_streams_after_commit`, and once that transaction commits the broker ends
those streams (an END marker: the stream says `reauth` and closes). The cap on streams per
resident is checked and the stream registered in one step under the broker's lock (SQLite; on
PostgreSQL the cap counts every process's streams, as leases: `push_bus`).

Several server processes (PostgreSQL): every flush of feed rows also sends them, and every
`end_streams_after_commit` its sign-ins, as a `NOTIFY` on the database's push channel, inside
the same transaction, so PostgreSQL delivers them only if and when it commits (a rolled-back
savepoint's are dropped with it) and never a row another process cannot yet read. Each
process's listener (`push_bus`) hands what other processes announced to its own broker; what a
process announced itself it has already delivered locally, after its own commit. SQLite: one
process per database file, and the broker alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, SessionTransaction

from backend_stub.db import forget_rolled_back
from backend_stub.models import FeedEvent
from backend_stub.services.poll_shortcut import PollShortcut

log = logging.getLogger("city109.push")

QUEUE_SIZE = 256  # per connection
_PENDING = "city109.push.pending"
_ENDING = "city109.push.ending"
ROWS_PER_NOTICE = 50  # a NOTIFY payload stays far below PostgreSQL's 8000 bytes


@dataclass(frozen=True)
class PushEvent:
    cursor: int
    user_id: int | None
    entity: str
    entity_id: str

    def data(self) -> dict[str, Any]:
        return {"cursor": self.cursor, "entity": self.entity, "id": self.entity_id}


RESYNC = None  # the queue marker meaning "you missed some; pull the feed from your cursor"


class Marker(Enum):
    END = "end"  # the stream's sign-in ended: say so and close


END = Marker.END


class StreamLimitReached(Exception):
    """The resident already has as many streams as allowed."""


class Subscriber:
    """One connected client: its resident, sign-in session and queue, living on its loop."""

    def __init__(
        self,
        user_id: int,
        loop: asyncio.AbstractEventLoop,
        size: int,
        session_id: int | None = None,
        lease: str | None = None,
    ) -> None:
        self.user_id = user_id
        self.session_id = session_id
        self.lease = lease  # its row in the cross-process count (PostgreSQL), if any
        self.loop = loop
        self.queue: asyncio.Queue[PushEvent | Marker | None] = asyncio.Queue(size)
        self.overflows = 0

    def concerns(self, item: PushEvent) -> bool:
        return item.user_id is None or item.user_id == self.user_id

    def offer(self, items: list[PushEvent]) -> None:
        """Runs on the subscriber's loop. On overflow the backlog becomes one RESYNC."""
        for item in items:
            try:
                self.queue.put_nowait(item)
            except asyncio.QueueFull:
                self.overflows += 1
                while not self.queue.empty():
                    self.queue.get_nowait()
                self.queue.put_nowait(RESYNC)
                return

    def resync(self) -> None:
        """Runs on the subscriber's loop: whatever is queued gives way to one RESYNC."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(RESYNC)

    def end(self) -> None:
        """Runs on the subscriber's loop: whatever is queued gives way to END."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(END)


class Broker:
    """Fans committed feed rows out to subscribers; callable from any thread."""

    def __init__(self, queue_size: int = QUEUE_SIZE, *, hears_all: bool = True) -> None:
        """`hears_all`: whether every commit reaches this broker from the start (SQLite: one
        process); on PostgreSQL only while the push bus listens (it says so to `shortcut`)."""
        self.queue_size = queue_size
        self._lock = threading.Lock()
        self._subscribers: set[Subscriber] = set()
        self.shortcut = PollShortcut(trusted=hears_all)

    def subscribe(
        self,
        user_id: int,
        *,
        session_id: int | None = None,
        limit: int | None = None,
        lease: str | None = None,
    ) -> Subscriber:
        """Call on the event loop that will read the subscriber's queue. With `limit`, raises
        StreamLimitReached if the resident has that many already (counted and added at once)."""
        loop = asyncio.get_running_loop()
        sub = Subscriber(user_id, loop, self.queue_size, session_id, lease)
        with self._lock:
            if limit is not None and self._count(user_id) >= limit:
                raise StreamLimitReached
            self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    def connections(self, user_id: int | None = None) -> int:
        with self._lock:
            return self._count(user_id)

    def _count(self, user_id: int | None) -> int:
        return sum(1 for s in self._subscribers if user_id is None or s.user_id == user_id)

    def end(self, sessions: Iterable[int] = (), users: Iterable[int] = ()) -> int:
        """End the streams opened with these sign-in sessions or for these residents (from any
        thread); they stop counting against the cap at once. Returns how many."""
        sessions, users = set(sessions), set(users)
        self.shortcut.signed_out(sessions, users)
        with self._lock:
            gone = {s for s in self._subscribers if s.session_id in sessions or s.user_id in users}
            self._subscribers -= gone
        for sub in gone:
            with contextlib.suppress(RuntimeError):  # a closed loop: that connection is gone
                sub.loop.call_soon_threadsafe(sub.end)
        return len(gone)

    def leases(self) -> list[str]:
        """The cross-process leases of this broker's streams (to renew them)."""
        with self._lock:
            return [s.lease for s in self._subscribers if s.lease is not None]

    def resync_all(self) -> None:
        """Tell every stream it may have missed rows (from any thread)."""
        with self._lock:
            subscribers = list(self._subscribers)
        for sub in subscribers:
            with contextlib.suppress(RuntimeError):  # a closed loop: that connection is gone
                sub.loop.call_soon_threadsafe(sub.resync)

    def publish(self, items: list[PushEvent]) -> None:
        """Hand the rows to every subscriber they concern: one wake-up of each event loop with
        all of its subscribers' rows (an alert to 10,000 streams is one hand-over, not 10,000)."""
        self.shortcut.seen(items)
        with self._lock:
            subscribers = list(self._subscribers)
        public = [item for item in items if item.user_id is None]
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Subscriber, list[PushEvent]]]] = {}
        for sub in subscribers:
            mine = public if len(public) == len(items) else [i for i in items if sub.concerns(i)]
            if mine:
                by_loop.setdefault(sub.loop, []).append((sub, mine))
        for loop, batch in by_loop.items():
            try:
                loop.call_soon_threadsafe(_offer_each, batch)
            except RuntimeError:  # that loop is closed: its connections are gone
                for sub, _ in batch:
                    self.unsubscribe(sub)


def _offer_each(batch: list[tuple[Subscriber, list[PushEvent]]]) -> None:
    """Runs on the subscribers' loop."""
    for sub, items in batch:
        sub.offer(items)


_brokers: weakref.WeakKeyDictionary[Engine, Broker] = weakref.WeakKeyDictionary()
_brokers_lock = threading.Lock()


def broker_for(engine: Engine) -> Broker:
    """The broker of this database (one per engine), created on first use."""
    with _brokers_lock:
        broker = _brokers.get(engine)
        if broker is None:
            broker = _brokers[engine] = Broker(hears_all=engine.dialect.name != "postgresql")
        return broker


@dataclass(frozen=True)
class Bus:
    """The database's push channel (PostgreSQL), and this engine's name on it."""

    channel: str  # one per schema: NOTIFY reaches the whole database
    origin: str  # who sent a notice: its own notices an engine has already delivered


_buses: weakref.WeakKeyDictionary[Engine, Bus] = weakref.WeakKeyDictionary()


def bus_of(engine: Engine, connection: Connection) -> Bus:
    """The push channel of the engine's database schema (asked once, over `connection`)."""
    with _brokers_lock:
        bus = _buses.get(engine)
    if bus is None:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        bus = Bus(channel=f"city109_push.{schema}"[:63], origin=secrets.token_hex(8))
        with _brokers_lock:
            bus = _buses.setdefault(engine, bus)
    return bus


def _announce(session: Session, notices: list[dict[str, Any]]) -> None:
    """NOTIFY other server processes, inside the session's transaction (PostgreSQL only)."""
    engine = _engine_of(session)
    if engine is None or engine.dialect.name != "postgresql" or not notices:
        return
    connection = session.connection()
    bus = bus_of(engine, connection)
    notify = text("SELECT pg_notify(:channel, :payload)")
    for notice in notices:
        payload = json.dumps({"o": bus.origin, **notice}, separators=(",", ":"))
        connection.execute(notify, {"channel": bus.channel, "payload": payload})


def read_notice(payload: str, *, own: str) -> tuple[list[PushEvent], set[int], set[int]] | None:
    """What a notice from another process says (rows, ended sign-ins, ended residents); None
    for one of `own` (this engine's, delivered already) or one not understood."""
    try:
        notice = json.loads(payload)
        if notice.get("o") == own:
            return None
        rows = [PushEvent(int(c), u, str(e), str(i)) for c, u, e, i in notice.get("r", [])]
        return rows, {int(x) for x in notice.get("s", [])}, {int(x) for x in notice.get("u", [])}
    except (ValueError, TypeError, AttributeError):
        log.warning("push: a notice not understood was ignored")
        return None


def end_streams_after_commit(
    session: Session, *, sessions: Iterable[int] = (), users: Iterable[int] = ()
) -> None:
    """Once `session`'s transaction commits, end the push streams opened with these sign-in
    sessions, and every stream of these residents (a rollback forgets it)."""
    ending: dict[str, set[int]] = session.info.setdefault(
        _ENDING, {"sessions": set(), "users": set()}
    )
    ending["sessions"].update(sessions)
    ending["users"].update(users)
    _announce(session, [{"s": sorted(set(sessions)), "u": sorted(set(users))}])


def _engine_of(session: Session) -> Engine | None:
    bind = session.bind
    if isinstance(bind, Engine):
        return bind
    if isinstance(bind, Connection):
        return bind.engine
    return None


def _broker_of(session: Session) -> Broker | None:
    """The broker of the session's database, if anyone ever connected to it."""
    engine = _engine_of(session)
    with _brokers_lock:
        return _brokers.get(engine) if engine is not None else None


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context: Any) -> None:
    rows = [
        PushEvent(obj.id, obj.user_id, obj.entity, obj.entity_id)
        for obj in session.new
        if isinstance(obj, FeedEvent) and obj.id is not None
    ]
    if rows:
        savepoint = session.get_nested_transaction()
        pending: list[tuple[SessionTransaction | None, PushEvent]] = session.info.setdefault(
            _PENDING, []
        )
        pending.extend((savepoint, row) for row in rows)
        _announce(
            session,
            [
                {"r": [[r.cursor, r.user_id, r.entity, r.entity_id] for r in chunk]}
                for chunk in (
                    rows[i : i + ROWS_PER_NOTICE] for i in range(0, len(rows), ROWS_PER_NOTICE)
                )
            ],
        )


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    if previous.nested:  # a savepoint rolled back: forget what it flushed
        forget_rolled_back(session, _PENDING, previous)
    else:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: wait for the real commit
        return
    pending: list[tuple[SessionTransaction | None, PushEvent]] | None = session.info.pop(
        _PENDING, None
    )
    if not pending:
        return
    broker = _broker_of(session)
    if broker is None:  # nobody has ever connected: nothing to do
        return
    try:
        broker.publish(sorted((item for _, item in pending), key=lambda i: i.cursor))
    except Exception:  # pushing is best effort; the feed itself is committed
        log.exception("push: publishing %d rows failed", len(pending))


@event.listens_for(Session, "after_commit")
def _end_streams(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: wait for the real commit
        return
    ending: dict[str, set[int]] | None = session.info.pop(_ENDING, None)
    broker = _broker_of(session) if ending else None
    if ending and broker is not None:
        broker.end(ending["sessions"], ending["users"])


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost one: its rows were published or dropped
        session.info.pop(_PENDING, None)
        session.info.pop(_ENDING, None)

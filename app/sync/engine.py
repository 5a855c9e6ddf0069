"""The sync engine: one per page session, never two passes at once.

A pass pushes the outbox (in order; per appeal, nothing before the appeal exists on the server)
through the senders of the registered features (`Syncable`), and then pulls the server's cursor
feed, page by page, through their mergers, moving the cursor (`FeedCursor`) after each page.
The engine knows no feature: each one is registered on it in the composition root.

Passes are asked for by: the app start, each local action, a timer while online (and while
offline the probes of `app.sync.reconnect.OutageProbes`: every ≤1.5 s for the first 2 minutes
of an outage, then less often), the event stream's `change` frames, its reconnection and its
drop, and "sync now". A request made while a pass runs makes exactly one more pass after it.
Every request of a pass that reaches the server kicks a waiting event stream to reconnect at
once: the network is back, so live updates are too.

Failures (`app.sync.retry`): a `NetworkError`, 408/425/429/5xx, and a 409 "still in progress"
are retried with exponential backoff and jitter (0.5 s doubling, capped; a 429's Retry-After is
honoured), the same idempotency key going with every retry; any other 4xx is a permanent
rejection, shown on the item with the server's message. A 401 (the session could not be
refreshed) stops the pass without rejecting anything.

Killing the app at any moment loses nothing: the outbox is in SQLite, and on start entries
left `in_flight` go back to the queue (`Outbox.recover`).

One outbox per database file, however many page sessions use it (web mode: a reload opens a new
session while the old one lives on, disconnected, for a while): passes and the start-up recovery
of every engine on one file take turns (`file_turn`), so no engine resends what another one is
sending, and a disconnected page session's engine is stopped (`AppSession.pause`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from app.data.repositories import outbox as ob
from app.data.repositories.feed_cursor import FeedCursor
from app.data.repositories.outbox import Outbox
from app.data.services.appeals_api import SyncReply
from app.data.services.events import EventStream
from app.data.store.models import OutboxEntry
from app.domain.timestamps import utcnow
from app.errors import ApiError, NetworkError
from app.observable import Observable
from app.sync.reconnect import OutageProbes
from app.sync.retry import Backoff, is_retryable
from app.sync.syncable import Merger, Sender, Syncable
from app.sync.tasks import cancel_and_wait
from app.sync.uploads import LocalFileError

log = logging.getLogger(__name__)


class Feed(Protocol):
    """The server's sync feed (`AppealsApi.sync`): the changes after a cursor, a page."""

    async def sync(self, cursor: int, etag: str | None) -> SyncReply: ...


_file_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def file_turn(outbox: Outbox) -> asyncio.Lock:
    """The lock every sync engine of this database file takes for a pass (per event loop)."""
    turns = _file_turns.setdefault(asyncio.get_running_loop(), {})
    return turns.setdefault(id(outbox.database.write_lock), asyncio.Lock())


class SyncStatus(Observable):
    """What the resident sees of the engine: online or not, what waits, when it last synced."""

    def __init__(self) -> None:
        super().__init__()
        self.online: bool | None = None  # None: not known yet
        self.syncing = False
        self.pending = 0
        self.rejected = 0
        self.last_synced_at: datetime | None = None
        self.last_error: str | None = None  # code of the last failure (network, http_503, ...)


class SyncEngine:
    def __init__(
        self,
        outbox: Outbox,
        feed: Feed,
        cursor: FeedCursor,
        *,
        signed_in: Callable[[], bool],
        now: Callable[[], datetime] = utcnow,
        rand: Callable[[], float] = random.random,
        backoff: Backoff | None = None,
        period_s: float = 30.0,
        offline_probe: OutageProbes | None = None,
        events: Callable[[SyncEngine], EventStream] | None = None,
    ) -> None:
        self.outbox = outbox
        self.feed = feed
        self.cursor = cursor
        self.status = SyncStatus()
        self._signed_in = signed_in
        self._now = now
        self._rand = rand
        self._backoff = backoff or Backoff()
        self._probe = offline_probe or OutageProbes()
        self._offline_since: datetime | None = None  # when the server was last found unreachable
        self.period_s = period_s
        self._lock = asyncio.Lock()
        self._lifecycle = asyncio.Lock()
        self._again = False
        self._retry_now = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._events_task: asyncio.Task[None] | None = None
        self._events_factory = events
        self.events: EventStream | None = None
        self._senders: dict[str, tuple[Sender, Syncable]] = {}
        self._mergers: dict[str, tuple[Merger, Syncable]] = {}
        self.passes = 0

    # ------------------------------------------------------------------------------------------
    # features, triggers and lifecycle
    # ------------------------------------------------------------------------------------------

    def register(self, feature: Syncable) -> None:
        """Carry this feature: send its outbox kinds with its senders, merge its feed entity
        kinds with its mergers (in registration order)."""
        for kind, send in feature.senders().items():
            self._senders[kind] = (send, feature)
        for kind, merge in feature.mergers().items():
            self._mergers[kind] = (merge, feature)

    def request_sync(self, *, retry_now: bool = False) -> None:
        """Ask the background loop for a pass (cheap; many requests make one pass).
        `retry_now`: entries waiting on backoff go at once (e.g. the resident signed in again
        after a lost session)."""
        self._retry_now = self._retry_now or retry_now
        self._wake.set()

    @property
    def running(self) -> bool:
        """The background loop runs (started and not stopped)."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Resume what a previous run left (in-flight entries back to pending), then run the
        loop and the event stream in the background."""
        async with self._lifecycle:  # start and stop never interleave (connect/disconnect)
            if self._task is not None:
                return
            async with file_turn(self.outbox):  # never while another engine of the file sends
                recovered = await asyncio.to_thread(self.outbox.recover)
            if recovered:
                log.info("%d outbox entries resumed after a restart", recovered)
            await self.refresh_counts()
            meta = await asyncio.to_thread(self.cursor.position)
            self.status.last_synced_at = meta.last_synced_at
            self._wake.set()  # app start
            self._task = asyncio.create_task(self._run(), name="sync-engine")
            if self._events_factory is not None:
                self.events = self._events_factory(self)
                self._events_task = asyncio.create_task(self.events.run(), name="sync-events")

    async def stop(self) -> None:
        """Stop the loop and the stream. An entry cut off mid-send goes back to the queue at
        once (its key is kept), so another engine of the file sends it."""
        async with self._lifecycle:
            running = self._task is not None
            for task in (self._events_task, self._task):
                if task is not None:
                    await cancel_and_wait(task)
            self._task = self._events_task = None
            if running:
                async with file_turn(self.outbox):
                    await asyncio.to_thread(self.outbox.recover)

    def on_event_change(self) -> None:
        self.request_sync()

    def on_event_connected(self) -> None:
        self.request_sync()

    def on_event_dropped(self) -> None:
        """The open stream was cut: a pass finds out at once whether the network is gone."""
        self.request_sync()

    async def _run(self) -> None:
        while True:
            timeout = await self._next_timeout()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            retry_now, self._retry_now = self._retry_now, False
            try:
                await self.sync_now(manual=retry_now)
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must survive anything one pass does
                log.exception("sync pass failed")

    async def _next_timeout(self) -> float:
        if self.status.online is False and self._offline_since is not None:
            outage = (self._now() - self._offline_since).total_seconds()
            wait = self._probe.delay(outage, self._rand)
        else:
            wait = self.period_s
        due = await asyncio.to_thread(self.outbox.next_wakeup)
        if due is not None:
            wait = min(wait, max(0.05, (due - self._now()).total_seconds()))
        return wait

    # ------------------------------------------------------------------------------------------
    # one pass
    # ------------------------------------------------------------------------------------------

    async def sync_now(self, *, manual: bool = False) -> None:
        """Run a pass now (or, if one is running, one more after it). `manual`: the resident
        asked, so entries waiting on backoff are tried at once."""
        if manual:
            await asyncio.to_thread(self._clear_backoff)
        if self._lock.locked():
            self._again = True
            return
        async with self._lock:
            while True:
                self._again = False
                async with file_turn(self.outbox):
                    await self._pass()
                if not self._again:
                    break

    def _clear_backoff(self) -> None:
        for entry in self.outbox.entries():
            if entry.state == ob.PENDING and entry.next_attempt_at is not None and entry.id:
                self.outbox.mark_retry(
                    entry.id,
                    at=self._now(),
                    error=entry.last_error or "",
                    code=entry.last_error_code,
                )

    async def _pass(self) -> None:
        if not self._signed_in():
            return
        self.passes += 1
        self.status.syncing = True
        self.status.notify()
        try:
            reachable = await self.push()
            if reachable:
                await self.pull()
        finally:
            self.status.syncing = False
            await self.refresh_counts()

    async def refresh_counts(self) -> None:
        counts = await asyncio.to_thread(self.outbox.counts)
        self.status.pending, self.status.rejected = counts.pending, counts.rejected
        self.status.notify()

    def _went_online(self) -> None:
        self._offline_since = None
        if self.events is not None:
            self.events.kick()  # the server answered: a stream waiting to retry goes now
        if self.status.online is not True:
            self.status.online = True
            self.status.last_error = None
            self.status.notify()

    def _went_offline(self, code: str) -> None:
        if self._offline_since is None:
            self._offline_since = self._now()
        self.status.online = False
        self.status.last_error = code
        self.status.notify()

    # ------------------------------------------------------------------------------------------
    # push
    # ------------------------------------------------------------------------------------------

    async def push(self) -> bool:
        """Send what is ready; False if the server could not be reached (stop the pass)."""
        while True:
            entry = await asyncio.to_thread(self.outbox.next_ready, self._now())
            if entry is None:
                return True
            assert entry.id is not None
            await asyncio.to_thread(self.outbox.mark_in_flight, entry.id)
            attempts = entry.attempts + 1
            send, owner = self._senders.get(entry.kind, (_unknown_kind, None))
            try:
                await send(entry)
                await asyncio.to_thread(self.outbox.mark_done, entry.id)
            except NetworkError:
                await self._retry_later(entry, attempts, "network", None)
                self._went_offline("network")
                _changed(owner)
                return False
            except ApiError as exc:
                if exc.status == 401:  # no valid session: nothing is wrong with the action
                    await self._retry_later(entry, attempts, exc.code, None)
                    self.status.last_error = exc.code
                    return False
                self._went_online()
                if is_retryable(exc):
                    await self._retry_later(entry, attempts, exc.code, exc.retry_after)
                    self.status.last_error = exc.code
                else:
                    log.info("outbox %s %d rejected: %s", entry.kind, entry.id, exc.code)
                    await asyncio.to_thread(
                        self.outbox.mark_rejected,
                        entry.id,
                        error=exc.message or exc.code,
                        code=exc.code,
                    )
            except LocalFileError:
                await asyncio.to_thread(
                    self.outbox.mark_rejected, entry.id, error="", code="media_missing"
                )
            else:
                self._went_online()
            _changed(owner)
            await self.refresh_counts()

    async def _retry_later(
        self, entry: OutboxEntry, attempts: int, code: str, retry_after: int | None
    ) -> None:
        delay = self._backoff.delay(attempts, self._rand)
        if retry_after:
            delay = max(delay, float(retry_after))
        assert entry.id is not None
        await asyncio.to_thread(
            self.outbox.mark_retry,
            entry.id,
            at=self._now() + timedelta(seconds=delay),
            error=code,
            code=code,
        )

    # ------------------------------------------------------------------------------------------
    # pull
    # ------------------------------------------------------------------------------------------

    async def pull(self) -> None:
        """Fetch the feed after the saved cursor, page by page: each page's rows go to the
        mergers of their kinds, then the cursor moves past the page."""
        meta = await asyncio.to_thread(self.cursor.position)
        cursor, etag = meta.cursor, meta.etag
        self.cursor.importing = cursor == 0  # the first import of an account: no news storm
        merged: dict[int, Syncable] = {}
        try:
            while True:
                reply = await self.feed.sync(cursor, etag)
                if reply.not_modified:
                    await asyncio.to_thread(self.cursor.touch)
                    break
                for kind, (merge, owner) in self._mergers.items():
                    if reply.changes.get(kind):
                        await merge(reply.changes[kind])
                        merged[id(owner)] = owner
                await asyncio.to_thread(self.cursor.advance, reply.cursor, reply.etag)
                cursor, etag = reply.cursor, reply.etag
                if not reply.has_more:
                    break
        except NetworkError:
            self._went_offline("network")
            return
        except ApiError as exc:
            self.status.last_error = exc.code
            if exc.status >= 500:
                self._went_online()
            return
        finally:
            self.cursor.importing = False
            for owner in merged.values():
                owner.changed()
        self._went_online()
        self.status.last_synced_at = self._now()
        self.status.notify()


async def _unknown_kind(entry: OutboxEntry) -> None:
    """The sender of a kind no registered feature declares: a refusal, shown on the entry."""
    raise ApiError(400, "unknown_action")


def _changed(owner: Syncable | None) -> None:
    if owner is not None:
        owner.changed()

"""The sync engine: one per page session, never two passes at once.

A pass pushes the outbox (in order; per appeal, nothing before the appeal exists on the server;
attachments uploaded first, resumably) and then pulls the server's cursor feed, merging it into
the local store. Passes are asked for by: the app start, each local action, a timer while
online (and a growing probe interval while offline), the event stream's `change` frames and
its reconnection (network regained), and "sync now". A request made while a pass runs makes
exactly one more pass after it.

Failures: a `NetworkError`, 408/425/429/5xx, and a 409 "still in progress" are retried with
exponential backoff and jitter (0.5 s doubling, capped; a 429's Retry-After is honoured), the
same idempotency key going with every retry; any other 4xx is a permanent rejection, shown on
the item with the server's message. A 401 (the session could not be refreshed) stops the pass
without rejecting anything.

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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.data.repositories import outbox as ob
from app.data.repositories.appeals import AppealsRepository
from app.data.repositories.outbox import payload_of, utcnow
from app.data.services.appeals_api import AppealsApi
from app.data.services.events import EventStream
from app.data.store.models import LocalMedia, OutboxEntry
from app.domain.appeals import AppealUpdate
from app.errors import ApiError, NetworkError
from app.observable import Observable

log = logging.getLogger(__name__)

# Hooks for other features: an outbox action's sender, and a sync-feed entity's merger.
ActionHandler = Callable[[OutboxEntry], Awaitable[None]]
RowsHandler = Callable[[list[dict[str, Any]]], Awaitable[Any]]
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
RETRYABLE_CODES = frozenset({"idempotency_in_progress", "upload_busy"})
SMALL_UPLOAD_MAX = 512 * 1024  # photos up to this go in one multipart request
TUS_CHUNK = 256 * 1024


_file_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def file_turn(repo: AppealsRepository) -> asyncio.Lock:
    """The lock every sync engine of this database file takes for a pass (per event loop)."""
    turns = _file_turns.setdefault(asyncio.get_running_loop(), {})
    return turns.setdefault(id(repo.outbox.database.write_lock), asyncio.Lock())


class LocalFileError(Exception):
    """An attachment cannot be read on this device any more."""


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with "equal jitter": the n-th retry waits between half and all of
    min(cap, base * 2^(n-1))."""

    base_s: float = 0.5
    cap_s: float = 60.0

    def delay(self, attempts: int, rand: Callable[[], float]) -> float:
        raw = min(self.cap_s, self.base_s * 2 ** max(0, attempts - 1))
        return raw / 2 + rand() * raw / 2


def is_retryable(exc: ApiError) -> bool:
    return exc.status in RETRYABLE_STATUSES or exc.status >= 500 or exc.code in RETRYABLE_CODES


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


def read_chunk(path: str, offset: int, size: int) -> bytes:
    try:
        with Path(path).open("rb") as f:
            f.seek(offset)
            return f.read(size)
    except OSError as exc:
        raise LocalFileError(str(exc)) from exc


class SyncEngine:
    def __init__(
        self,
        repo: AppealsRepository,
        api: AppealsApi,
        *,
        signed_in: Callable[[], bool],
        now: Callable[[], datetime] = utcnow,
        rand: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        backoff: Backoff | None = None,
        period_s: float = 30.0,
        offline_probe: Backoff | None = None,
        events: Callable[[SyncEngine], EventStream] | None = None,
        small_upload_max: int = SMALL_UPLOAD_MAX,
        chunk_size: int = TUS_CHUNK,
    ) -> None:
        self.repo = repo
        self.outbox = repo.outbox
        self.api = api
        self.status = SyncStatus()
        self._signed_in = signed_in
        self._now = now
        self._rand = rand
        self._sleep = sleep
        self._backoff = backoff or Backoff()
        self._probe = offline_probe or Backoff(base_s=2.0, cap_s=30.0)
        self._offline_passes = 0
        self.period_s = period_s
        self._small_max = small_upload_max
        self._chunk = chunk_size
        self._lock = asyncio.Lock()
        self._lifecycle = asyncio.Lock()
        self._again = False
        self._retry_now = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._events_task: asyncio.Task[None] | None = None
        self._events_factory = events
        self.events: EventStream | None = None
        # Status changes and operator messages the resident should hear about.
        self.on_updates: Callable[[list[AppealUpdate]], None] | None = None
        self.action_handlers: dict[str, ActionHandler] = {}
        self.entity_handlers: dict[str, RowsHandler] = {}
        self.passes = 0

    # ------------------------------------------------------------------------------------------
    # triggers and lifecycle
    # ------------------------------------------------------------------------------------------

    def add_action(self, kind: str, handler: ActionHandler) -> None:
        """Send outbox entries of `kind` with `handler` (it raises ApiError/NetworkError like
        the engine's own senders; the entry is marked done after it returns)."""
        ob.EXTRA_KINDS.add(kind)
        self.action_handlers[kind] = handler

    def add_entities(self, handlers: dict[str, RowsHandler]) -> None:
        """Merge the feed's rows of these entity kinds with these handlers."""
        self.entity_handlers.update(handlers)

    async def upload_attachments(self, owner_kind: str, owner: str) -> list[str]:
        """Upload (resumably) the `local_media` rows of another feature's item; their ids."""
        return await self._upload_all(owner_kind, owner)

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
            async with file_turn(self.repo):  # never while another engine of the file sends
                recovered = await asyncio.to_thread(self.outbox.recover)
            if recovered:
                log.info("%d outbox entries resumed after a restart", recovered)
            await self.refresh_counts()
            meta = await asyncio.to_thread(self.repo.sync_meta)
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
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
            self._task = self._events_task = None
            if running:
                async with file_turn(self.repo):
                    await asyncio.to_thread(self.outbox.recover)

    def on_event_change(self) -> None:
        self.request_sync()

    def on_event_connected(self) -> None:
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
        if self.status.online is False:
            wait = self._probe.delay(self._offline_passes, self._rand)
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
                async with file_turn(self.repo):
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
        self._offline_passes = 0
        if self.status.online is not True:
            self.status.online = True
            self.status.last_error = None
            self.status.notify()

    def _went_offline(self, code: str) -> None:
        self._offline_passes += 1
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
            try:
                await self._send(entry)
            except NetworkError:
                await self._retry_later(entry, attempts, "network", None)
                self._went_offline("network")
                self.repo.changed()
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
                        self.repo.reject, entry, exc.message or exc.code, exc.code
                    )
            except LocalFileError:
                await asyncio.to_thread(self.repo.reject, entry, "", "media_missing")
            else:
                self._went_online()
            self.repo.changed()
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

    async def _send(self, entry: OutboxEntry) -> None:
        handler = self.action_handlers.get(entry.kind)
        if handler is not None:  # another feature's action
            await handler(entry)
            assert entry.id is not None
            await asyncio.to_thread(self.outbox.mark_done, entry.id)
            return
        payload = payload_of(entry)
        key = entry.idempotency_key
        if entry.kind == ob.CREATE_APPEAL:
            ids = await self._upload_all("appeal", entry.target_client_id)
            data = await self.api.create_appeal({**payload, "attachment_ids": ids}, key)
            await asyncio.to_thread(self.repo.complete, entry, appeal=data)
            return
        server_id = await asyncio.to_thread(self.repo.server_id_of, entry.target_client_id)
        if server_id is None:  # the appeal is gone (discarded): nothing to send it to
            raise ApiError(404, "not_found")
        if entry.kind == ob.SEND_MESSAGE:
            ids = await self._upload_all("message", entry.entity_client_id or "")
            body = {**payload, "attachment_ids": ids}
            data = await self.api.send_message(server_id, body, key)
            await asyncio.to_thread(self.repo.complete, entry, message=data)
        elif entry.kind == ob.RATE:
            data = await self.api.rate(server_id, payload, key)
            await asyncio.to_thread(self.repo.complete, entry, appeal=data)
        elif entry.kind == ob.REOPEN:
            data = await self.api.reopen(server_id, payload, key)
            await asyncio.to_thread(self.repo.complete, entry, appeal=data)
        elif entry.kind == ob.COMPLAIN:
            data = await self.api.complain(server_id, payload, key)
            await asyncio.to_thread(self.repo.complete, entry, appeal=data)
        elif entry.kind == ob.FORWARD:
            data = await self.api.forward(server_id, str(payload.get("service")))
            await asyncio.to_thread(self.repo.complete, entry, forward=data)
        elif entry.kind == ob.MARK_READ:
            await self.api.mark_read(server_id, int(payload.get("up_to_id") or 0))
            await asyncio.to_thread(self.repo.complete, entry)
        else:  # pragma: no cover - Outbox.add refuses unknown kinds
            raise ApiError(400, "unknown_action")

    # -- attachments -----------------------------------------------------------------------------

    async def _upload_all(self, owner_kind: str, owner: str) -> list[str]:
        ids: list[str] = []
        for media in await asyncio.to_thread(self.repo.media_to_send, owner_kind, owner):
            if media.server_media_id is None:
                try:
                    media.server_media_id = await self._upload(media)
                except ApiError as exc:
                    if not is_retryable(exc) and exc.status != 401:
                        await self._save_media(media, state="failed", error=exc.code)
                    raise
                except LocalFileError:
                    await self._save_media(media, state="failed", error="media_missing")
                    raise
                await self._save_media(media, server_media_id=media.server_media_id, state="done")
            ids.append(media.server_media_id)
        return ids

    async def _save_media(self, media: LocalMedia, **values: object) -> None:
        assert media.id is not None
        await asyncio.to_thread(self.repo.save_media, media.id, **values)

    async def _upload(self, media: LocalMedia) -> str:
        name = Path(media.path).name or "file"
        if media.kind == "image" and media.size <= self._small_max:
            data = await asyncio.to_thread(read_chunk, media.path, 0, media.size + 1)
            return await self.api.upload_small(data, name, media.content_type)
        return await self._upload_tus(media, name)

    async def _upload_tus(self, media: LocalMedia, name: str) -> str:
        """tus 1.0: create once (the URL is kept), then PATCH from the server's offset; after a
        drop, HEAD tells where the server stands."""
        url, offset = media.upload_url, 0
        if url:
            try:
                state = await self.api.tus_state(url)
            except ApiError as exc:
                if exc.status not in (404, 410):
                    raise
                url = None  # expired or cancelled on the server: start again
            else:
                if state.media_id:
                    return state.media_id
                offset = state.offset
        if not url:
            url = await self.api.tus_create(media.size, name, media.content_type)
            await self._save_media(media, upload_url=url, upload_offset=0, state="uploading")
        media_id: str | None = None
        while offset < media.size or media_id is None:
            if offset >= media.size:  # all bytes are there but no id was seen: ask
                state = await self.api.tus_state(url)
                if state.media_id:
                    return state.media_id
                offset = state.offset
                if offset >= media.size:
                    raise ApiError(409, "upload_incomplete")
            chunk = await asyncio.to_thread(read_chunk, media.path, offset, self._chunk)
            if not chunk:
                raise LocalFileError("file shorter than recorded")
            try:
                state = await self.api.tus_patch(url, offset, chunk)
            except ApiError as exc:
                if exc.code == "upload_offset_mismatch" and "offset" in exc.details:
                    offset = int(exc.details["offset"])
                    continue
                raise
            offset, media_id = state.offset, state.media_id
            await self._save_media(media, upload_offset=offset)
        return media_id

    # ------------------------------------------------------------------------------------------
    # pull
    # ------------------------------------------------------------------------------------------

    async def pull(self) -> None:
        """Fetch the feed after the saved cursor, page by page, merging each page (and moving
        the cursor) in one transaction."""
        meta = await asyncio.to_thread(self.repo.sync_meta)
        cursor, etag = meta.cursor, meta.etag
        quiet = cursor == 0  # the first import of an account: no "status changed" storm
        updates: list[AppealUpdate] = []
        changed = False
        try:
            while True:
                reply = await self.api.sync(cursor, etag)
                if reply.not_modified:
                    await asyncio.to_thread(self.repo.touch_synced)
                    break
                result = await asyncio.to_thread(
                    self.repo.apply_sync_page,
                    reply.changes,
                    cursor=reply.cursor,
                    etag=reply.etag,
                    quiet=quiet,
                )
                for kind, merge in self.entity_handlers.items():
                    if reply.changes.get(kind):
                        await merge(reply.changes[kind])
                changed = changed or bool(reply.changes)
                updates.extend(result.updates)
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
            if changed:
                self.repo.changed()
        self._went_online()
        self.status.last_synced_at = self._now()
        self.status.notify()
        if updates and self.on_updates is not None:
            self.on_updates(updates)

"""Photos fetched from the server, kept on the device so an appeal shows them offline.

`MediaCache` is a folder of files named by the media id, bounded in total size (100 MB by
default) with least-recently-used eviction (a read refreshes a file's time). It holds the
resident's private photos, so sign-out wipes it. Its methods block: call them from a thread.

`CachedMediaSource` puts it in front of the API: the cache first, the server otherwise (and the
answer is kept). The resident's own photos need no cache: they are read from the prepared file
in the app's data dir (`MediaRef.local_path`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Protocol

from app.data.services import local_files

log = logging.getLogger(__name__)

MAX_CACHE_BYTES = 100 * 1024 * 1024
_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def cache_key(url: str) -> str:
    """The media id of `/api/v1/media/<id>` (any other URL: a hash of it)."""
    last = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if _ID.fullmatch(last):
        return last
    return hashlib.sha256(url.encode()).hexdigest()


class MediaCache:
    def __init__(self, folder: Path, max_bytes: int = MAX_CACHE_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        # bumped by every wipe: a download that began before a sign-out must not refill the
        # cache with the previous resident's photo once it ends (see `put`)
        self.generation = 0

    def _path(self, key: str) -> Path:
        return self.folder / cache_key(key)

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
            os.utime(path, ns=(time.time_ns(), time.time_ns()))  # most recently used
        except OSError:
            return None
        return data

    def put(self, key: str, data: bytes, generation: int | None = None) -> None:
        """Keep `data` (too big for the cache: not kept), then evict down to the cap.

        `generation` is `self.generation` read before `data` was fetched: when the cache was
        wiped since (sign-out), `data` belongs to the previous resident and is not kept."""
        if not data or len(data) > self.max_bytes:
            return
        path = self._path(key)
        tmp = self.folder / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
        with self._lock:  # a wipe runs either wholly before (then: dropped) or after
            if generation is not None and generation != self.generation:
                log.info("photo not cached: the cache was wiped while it downloaded")
                return
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                tmp.write_bytes(data)
                os.replace(tmp, path)
            except OSError as exc:
                log.info("photo not cached: %s", type(exc).__name__)
                tmp.unlink(missing_ok=True)
                return
        self.evict()

    def size(self) -> int:
        return sum(size for _, _, size in self._entries())

    def _entries(self) -> list[tuple[int, Path, int]]:
        found = []
        try:
            for entry in os.scandir(self.folder):
                if entry.is_file() and not entry.name.startswith("."):
                    st = entry.stat()
                    found.append((st.st_mtime_ns, Path(entry.path), st.st_size))
        except OSError:
            return []
        return found

    def evict(self) -> int:
        """Drop the least recently used files until the total is within the cap."""
        removed = 0
        with self._lock:
            entries = sorted(self._entries())
            total = sum(size for _, _, size in entries)
            for _, path, size in entries:
                if total <= self.max_bytes:
                    break
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass
                except OSError:
                    continue
                total -= size
                removed += 1
        return removed

    def wipe(self) -> None:
        """Delete every cached file (sign-out); downloads still running are not kept."""
        with self._lock:
            self.generation += 1
            local_files.wipe(self.folder)

    def wipe_soon(self) -> None:
        """Wipe from a worker thread when an event loop runs (an auth listener), else now."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.wipe()
            return
        task = loop.create_task(asyncio.to_thread(self.wipe))
        _pending.add(task)
        task.add_done_callback(_pending.discard)


_pending: set[asyncio.Task[None]] = set()


class MediaApi(Protocol):
    async def media_bytes(self, url: str) -> bytes: ...

    async def media_link(self, url: str) -> str: ...


class CachedMediaSource:
    """The server's photos through the cache; signed links straight from the server."""

    def __init__(self, api: MediaApi, cache: MediaCache) -> None:
        self._api = api
        self.cache = cache

    async def media_bytes(self, url: str) -> bytes:
        data = await asyncio.to_thread(self.cache.get, url)
        if data is not None:
            return data
        generation = self.cache.generation  # before the download: a wipe meanwhile drops it
        data = await self._api.media_bytes(url)
        await asyncio.to_thread(self.cache.put, url, data, generation)
        return data

    async def media_link(self, url: str) -> str:
        return await self._api.media_link(url)

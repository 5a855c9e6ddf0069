"""Keeping the new appeal as a draft on the device while it is composed: saved a moment after
each change (debounced), at once when the screen is left, cleared once filed. Saves and clears
never overtake each other."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from app.data.repositories.drafts import DraftRepository

Snapshot = Callable[[], dict[str, Any] | None]  # None: nothing worth keeping


class DraftKeeper:
    def __init__(self, drafts: DraftRepository, snapshot: Snapshot, *, delay: float) -> None:
        self._drafts = drafts
        self._snapshot = snapshot
        self._delay = delay
        self._save_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def load(self) -> dict[str, Any] | None:
        return await asyncio.to_thread(self._drafts.load)

    def schedule(self) -> None:
        """Save soon (the next change restarts the wait); without an event loop, save now."""
        self.cancel()
        try:
            self._save_task = asyncio.get_running_loop().create_task(self._save_later())
        except RuntimeError:  # no loop (plain sync use): save now
            self.save_now()

    async def _save_later(self) -> None:
        await asyncio.sleep(self._delay)
        async with self._lock:
            await asyncio.to_thread(self.save_now)

    def save_now(self) -> None:
        data = self._snapshot()
        if data is None:
            self._drafts.clear()
        else:
            self._drafts.save(data)

    async def flush(self) -> None:
        """Save now (leaving the screen, tests)."""
        self.cancel()
        async with self._lock:
            await asyncio.to_thread(self.save_now)

    async def clear(self) -> None:
        self.cancel()
        async with self._lock:
            await asyncio.to_thread(self._drafts.clear)

    def cancel(self) -> None:
        """Drop a pending save."""
        if self._save_task is not None and not self._save_task.done():
            self._save_task.cancel()
        self._save_task = None

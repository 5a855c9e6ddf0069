"""Before/after (order 32-1): a closed appeal whose executor attached an "after" photo shows the
resident's own photo next to it, so the resident can judge the work before rating it.

`BeforeAfterViewModel` picks the pair from the appeal's media (the resident's first photo and
the executor's first "after" photo) and loads their bytes — from the device when the photo is
still there, else from the server with the resident's session."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Literal

from app.domain.appeals import MediaRef
from app.observable import Observable

log = logging.getLogger(__name__)

Fetch = Callable[[str], Awaitable[bytes | None]]  # server URL → bytes (None if unavailable)
Mode = Literal["side_by_side", "slider"]


def pick_pair(media: Sequence[MediaRef]) -> tuple[MediaRef, MediaRef] | None:
    """(before, after), or None when there is no "after" photo or no photo of the resident."""
    images = [m for m in media if m.kind == "image"]
    after = next((m for m in images if m.role == "after"), None)
    before = next((m for m in images if m.role == "applicant"), None)
    if after is None or before is None:
        return None
    return before, after


def _read(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


class BeforeAfterViewModel(Observable):
    def __init__(self, media: Sequence[MediaRef], fetch: Fetch) -> None:
        super().__init__()
        self.pair = pick_pair(media)
        self._fetch = fetch
        self.before: bytes | None = None
        self.after: bytes | None = None
        self.loading = False
        self.failed = False
        self.mode: Mode = "side_by_side"
        self.split = 0.5  # the slider: how much of the picture shows "before"

    @property
    def available(self) -> bool:
        return self.pair is not None

    async def _bytes(self, ref: MediaRef) -> bytes | None:
        if ref.local_path:
            data = await asyncio.to_thread(_read, ref.local_path)
            if data:
                return data
        if ref.url:
            try:
                return await self._fetch(ref.url)
            except Exception as exc:  # offline, 404: the section says it could not load
                log.info("photo not loaded: %r", exc)
        return None

    async def load(self) -> None:
        if self.pair is None or self.loading or (self.before and self.after):
            return
        self.loading = True
        self.failed = False
        self.notify()
        try:
            self.before, self.after = await asyncio.gather(
                self._bytes(self.pair[0]), self._bytes(self.pair[1])
            )
        finally:
            self.loading = False
        self.failed = self.before is None or self.after is None
        self.notify()

    def set_mode(self, mode: str) -> None:
        self.mode = "slider" if mode == "slider" else "side_by_side"
        self.notify()

    def set_split(self, value: float) -> None:
        self.split = min(1.0, max(0.0, value))
        self.notify()


def detail_fetch(images: dict[str, bytes], load: Callable[[], Awaitable[None]]) -> Fetch:
    """Photos through the appeal detail's own cache (`images` by URL, filled by `load`)."""

    async def fetch(url: str) -> bytes | None:
        if url not in images:
            await load()
        return images.get(url)

    return fetch

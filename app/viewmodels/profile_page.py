"""What the cabinet's profile pages (personal data, notification settings) share: the profile
repository, the hooks that say an edit was queued and whether the device is online, and loading
the device's copy of the profile first, then the server's when it can be reached — without
overwriting what the resident changed on the page meanwhile (`edited`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypedDict, Unpack

from app.data.repositories.profile import ProfileRepository
from app.errors import ApiError, NetworkError
from app.observable import Observable

log = logging.getLogger(__name__)


class PageHooks(TypedDict, total=False):
    on_queued: Callable[[], None] | None  # an edit was queued: wake the sync engine
    online: Callable[[], bool] | None  # whether the device is online ("saved" vs "queued")


class ProfilePageViewModel(Observable):
    def __init__(self, repo: ProfileRepository, **hooks: Unpack[PageHooks]) -> None:
        super().__init__()
        self._repo = repo
        self._on_queued = hooks.get("on_queued") or (lambda: None)
        self._online = hooks.get("online") or (lambda: True)
        self.edited = False  # the resident changed a field since the page was read

    def _read(self) -> None:
        """Take the page's fields from the device's profile (blocking)."""
        raise NotImplementedError

    async def _load_fields(self) -> None:
        """The page (re)opens: its fields from the device's copy, no edit pending."""
        self.edited = False
        await asyncio.to_thread(self._read)

    async def _refresh(self) -> bool:
        """Pull the server's profile and read it again — unless the resident has changed a
        field meanwhile: their edit stays on the page (saving it goes on top of the server's
        copy). False (logged) when the server cannot be reached."""
        try:
            await self._repo.refresh()
        except (ApiError, NetworkError) as exc:
            log.info("profile not refreshed: %r", exc)
            return False
        if not self.edited:
            await asyncio.to_thread(self._read)
        return True

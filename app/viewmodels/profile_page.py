"""What the cabinet's profile pages (personal data, notification settings) share: the profile
repository, the hooks that say an edit was queued and whether the device is online, and loading
the device's copy of the profile first, then the server's when it can be reached."""

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

    def _read(self) -> None:
        """Take the page's fields from the device's profile (blocking)."""
        raise NotImplementedError

    async def _refresh(self) -> bool:
        """Pull the server's profile and read it again; False (logged) when it cannot be
        reached."""
        try:
            await self._repo.refresh()
        except (ApiError, NetworkError) as exc:
            log.info("profile not refreshed: %r", exc)
            return False
        await asyncio.to_thread(self._read)
        return True

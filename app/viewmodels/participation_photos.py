"""The photo of a proposal as the Participation tab shows it: the file on this device while the
proposal waits to be sent, then the server's copy (through the media cache, so it shows offline
once seen). Each proposal shows its first photo."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from app.data.services.participation_api import ParticipationApi
from app.domain.participation import Proposal
from app.errors import ApiError, NetworkError

log = logging.getLogger(__name__)


class PhotoSource(Protocol):
    async def media_bytes(self, url: str) -> bytes: ...


def photo_key(p: Proposal) -> str | None:
    """Where the proposal's photo is read from: its local file, else its first server photo."""
    if p.photo_path:
        return p.photo_path
    if p.photo_ids and p.server_id is not None:
        return ParticipationApi.photo_url(p.server_id, p.photo_ids[0])
    return None


def _read_local(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


class ProposalPhotos:
    """The bytes of the photos on screen, by `photo_key`; `changed` is called when some came."""

    def __init__(self, source: PhotoSource | None, changed: Callable[[], None]) -> None:
        self._source = source
        self._changed = changed
        self.images: dict[str, bytes] = {}
        self._tried: set[str] = set()  # fetched or refused by the server, or being fetched

    def of(self, p: Proposal) -> bytes | None:
        key = photo_key(p)
        return self.images.get(key) if key else None

    async def load(self, proposals: list[Proposal]) -> None:
        """Fetch the photos of `proposals` not fetched yet, and drop those of proposals no
        longer shown. A photo is fetched once: again only after a network failure (a refusal,
        e.g. a photo removed by moderation, is not asked for again)."""
        shown = {key for p in proposals if (key := photo_key(p))}
        self.images = {k: v for k, v in self.images.items() if k in shown}
        added = False
        for p in proposals:
            key = photo_key(p)
            if key is None or key in self._tried:
                continue
            self._tried.add(key)
            if p.photo_path:
                data = await asyncio.to_thread(_read_local, p.photo_path)
            elif self._source is None:
                continue
            else:
                try:
                    data = await self._source.media_bytes(key)
                except NetworkError as exc:
                    self._tried.discard(key)  # offline: try again at the next load
                    log.debug("proposal photo not loaded: %r", exc)
                    continue
                except ApiError as exc:
                    log.info("proposal photo refused: %r", exc)
                    continue
            if data:
                self.images[key] = data
                added = True
        if added:
            self._changed()

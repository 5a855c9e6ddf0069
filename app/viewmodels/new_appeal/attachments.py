"""Photos and videos attached to the new appeal: picked files and camera shots prepared one by
one (checked, shrunk, re-encoded), with thumbnails; a refused file says why, the others stay."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.data.services.media import MSG_MEDIA_FAILED, MediaPreparer, MediaRejected, thumbnail
from app.data.services.picker import PickedFile, UploadFailed
from app.domain.appeals import PreparedMedia
from app.i18n import N_, Message
from app.viewmodels.new_appeal.context import FlowContext

log = logging.getLogger(__name__)

MAX_MEDIA = 10

MSG_TOO_MANY_MEDIA = N_("At most 10 photos and videos.")
MSG_UPLOAD_FAILED = N_("Could not receive {name} from the browser. Try again.")


@dataclass(frozen=True)
class MediaItem:
    media: PreparedMedia
    name: str
    thumb: bytes | None = None


class Attachments:
    """The prepared items, how many are still being prepared, and what was refused."""

    def __init__(self, flow: FlowContext, preparer: MediaPreparer) -> None:
        self._flow = flow
        self._preparer = preparer
        self.reset()

    def reset(self) -> None:
        self.media: list[MediaItem] = []
        self.media_busy = 0
        self.media_errors: list[Message] = []

    @property
    def media_full(self) -> bool:
        """No room for another photo or video (the camera button is disabled then)."""
        return len(self.media) + self.media_busy >= MAX_MEDIA

    async def add_picked(self, files: list[PickedFile]) -> None:
        """Prepare picked files one by one: a refused file says why; the others stay."""
        self.media_errors = []
        self._flow.errors.pop("media", None)
        for file in files:
            if self.media_full:
                self.media_errors.append(Message(MSG_TOO_MANY_MEDIA))
                break
            try:
                self._preparer.precheck(file.name, file.size)
            except MediaRejected as exc:
                self.media_errors.append(exc.message)
                continue
            self.media_busy += 1
            self._flow.notify()
            try:
                item = await self._prepare(file)
            except MediaRejected as exc:
                self.media_errors.append(exc.message)
            except UploadFailed as exc:
                log.warning("upload of a picked file failed: %s", exc)
                self.media_errors.append(Message(MSG_UPLOAD_FAILED, {"name": file.name}))
            except Exception:  # whatever happens to one file, the others and the form stay
                log.exception("a picked file could not be prepared")
                self.media_errors.append(Message(MSG_MEDIA_FAILED, {"name": file.name}))
            else:
                self.media = [*self.media, item]
            finally:
                self.media_busy -= 1
        self._flow.changed()

    async def _prepare(self, file: PickedFile) -> MediaItem:
        media = await file.read(self._preparer.prepare)
        thumb = await asyncio.to_thread(thumbnail, media.path) if media.kind == "image" else None
        return MediaItem(media, file.name, thumb)

    async def remove_media(self, index: int) -> None:
        if not 0 <= index < len(self.media):
            return
        item = self.media[index]
        self.media = [m for i, m in enumerate(self.media) if i != index]
        self.media_errors = []
        self._flow.changed()
        await asyncio.to_thread(self._preparer.discard, item.media)

    async def discard_all(self) -> None:
        """Delete the prepared files (the draft is thrown away)."""
        for item in self.media:
            await asyncio.to_thread(self._preparer.discard, item.media)

    # -- checks and the draft ---------------------------------------------------------------------

    def problems(self) -> dict[str, Message]:
        if len(self.media) > MAX_MEDIA:
            return {"media": Message(MSG_TOO_MANY_MEDIA)}
        return {}

    def draft(self) -> dict[str, Any]:
        return {
            "media": [
                {
                    "path": m.media.path,
                    "kind": m.media.kind,
                    "content_type": m.media.content_type,
                    "size": m.media.size,
                    "name": m.name,
                }
                for m in self.media
            ]
        }

    async def restore(self, data: dict[str, Any]) -> None:
        """The draft's items whose files are still there, with fresh thumbnails."""
        items = []
        for m in data.get("media") or []:
            path = Path(str(m.get("path") or ""))
            if not path.exists():
                continue
            media = PreparedMedia(str(path), m["kind"], m["content_type"], int(m["size"]))
            thumb = await asyncio.to_thread(thumbnail, path) if media.kind == "image" else None
            items.append(MediaItem(media, str(m.get("name") or path.name), thumb))
        self.media = items

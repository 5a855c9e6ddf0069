"""Attachment uploads for the senders: small photos in one request, anything else resumably
over tus 1.0 (the upload URL and offset are kept, so a drop or a restart resumes where the
server stands)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.data.repositories.media_uploads import MediaUploads
from app.data.services.appeals_api import AppealsApi
from app.data.store.models import LocalMedia
from app.errors import ApiError
from app.sync.retry import is_refusal

SMALL_UPLOAD_MAX = 512 * 1024  # photos up to this go in one multipart request
TUS_CHUNK = 256 * 1024


class LocalFileError(Exception):
    """An attachment cannot be read on this device any more."""


def read_chunk(path: str, offset: int, size: int) -> bytes:
    try:
        with Path(path).open("rb") as f:
            f.seek(offset)
            return f.read(size)
    except OSError as exc:
        raise LocalFileError(str(exc)) from exc


class AttachmentUploads:
    def __init__(
        self,
        media: MediaUploads,
        api: AppealsApi,
        *,
        small_upload_max: int = SMALL_UPLOAD_MAX,
        chunk_size: int = TUS_CHUNK,
    ) -> None:
        self._media = media
        self._api = api
        self._small_max = small_upload_max
        self._chunk = chunk_size

    async def upload_all(self, owner_kind: str, owner: str) -> list[str]:
        """Upload what is not on the server yet of one item's attachments; all their media ids.
        A refused or unreadable file is marked failed (and the error raised)."""
        ids: list[str] = []
        for media in await asyncio.to_thread(self._media.to_send, owner_kind, owner):
            if media.server_media_id is None:
                try:
                    media.server_media_id = await self._upload(media)
                except ApiError as exc:
                    if is_refusal(exc):
                        await self._save(media, state="failed", error=exc.code)
                    raise
                except LocalFileError:
                    await self._save(media, state="failed", error="media_missing")
                    raise
                await self._save(media, server_media_id=media.server_media_id, state="done")
            ids.append(media.server_media_id)
        return ids

    async def _save(self, media: LocalMedia, **values: object) -> None:
        assert media.id is not None
        await asyncio.to_thread(self._media.save, media.id, **values)

    async def _upload(self, media: LocalMedia) -> str:
        name = Path(media.path).name or "file"
        if media.kind == "image" and media.size <= self._small_max:
            data = await asyncio.to_thread(read_chunk, media.path, 0, media.size + 1)
            return await self._api.upload_small(data, name, media.content_type)
        return await self._upload_tus(media, name)

    async def _upload_tus(self, media: LocalMedia, name: str) -> str:
        """tus 1.0: create once (the URL is kept), then PATCH from the server's offset; after a
        drop, HEAD tells where the server stands."""
        url, offset = media.upload_url, 0
        if url:
            try:
                state = await self._api.tus_state(url)
            except ApiError as exc:
                if exc.status not in (404, 410):
                    raise
                url = None  # expired or cancelled on the server: start again
            else:
                if state.media_id:
                    return state.media_id
                offset = state.offset
        if not url:
            url = await self._api.tus_create(media.size, name, media.content_type)
            await self._save(media, upload_url=url, upload_offset=0, state="uploading")
        media_id: str | None = None
        while offset < media.size or media_id is None:
            if offset >= media.size:  # all bytes are there but no id was seen: ask
                state = await self._api.tus_state(url)
                if state.media_id:
                    return state.media_id
                offset = state.offset
                if offset >= media.size:
                    raise ApiError(409, "upload_incomplete")
            chunk = await asyncio.to_thread(read_chunk, media.path, offset, self._chunk)
            if not chunk:
                raise LocalFileError("file shorter than recorded")
            try:
                state = await self._api.tus_patch(url, offset, chunk)
            except ApiError as exc:
                if exc.code == "upload_offset_mismatch" and "offset" in exc.details:
                    offset = int(exc.details["offset"])
                    continue
                raise
            offset, media_id = state.offset, state.media_id
            await self._save(media, upload_offset=offset)
        return media_id

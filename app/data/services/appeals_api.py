"""Endpoints the sync engine talks to: appeals and their actions (each with its idempotency
key), chat, emergency forwards, media (direct and tus 1.0 resumable) and the cursor feed.

Every call raises `ApiError` (the server answered with an error) or `NetworkError` (it could
not be reached); the engine decides what to retry.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from app.data.services.api_client import API_PREFIX, ApiClient
from app.errors import ApiError

TUS_VERSION = "1.0.0"
TUS_CHUNK_TYPE = "application/offset+octet-stream"


@dataclass(frozen=True)
class SyncReply:
    """One page of the feed; `not_modified` when the server answered 304."""

    not_modified: bool
    cursor: int
    has_more: bool
    changes: dict[str, list[dict[str, Any]]]
    etag: str | None


@dataclass(frozen=True)
class UploadState:
    offset: int
    length: int
    media_id: str | None


def _tus_metadata(filename: str, content_type: str) -> str:
    def b64(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    return f"filename {b64(filename)},filetype {b64(content_type)}"


def _int_header(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class AppealsApi:
    def __init__(self, api: ApiClient) -> None:
        self._api = api

    # -- appeals and actions ---------------------------------------------------------------------

    async def _post(self, path: str, body: dict[str, Any], key: str | None) -> dict[str, Any]:
        headers = {"Idempotency-Key": key} if key else None
        response = await self._api.request("POST", path, json=body, headers=headers)
        data = response.json() if response.content else {}
        return data if isinstance(data, dict) else {}

    async def create_appeal(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        return await self._post(f"{API_PREFIX}/appeals", body, key)

    async def send_message(self, appeal_id: int, body: dict[str, Any], key: str) -> dict[str, Any]:
        return await self._post(f"{API_PREFIX}/appeals/{appeal_id}/messages", body, key)

    async def rate(self, appeal_id: int, body: dict[str, Any], key: str) -> dict[str, Any]:
        return await self._post(f"{API_PREFIX}/appeals/{appeal_id}/rating", body, key)

    async def reopen(self, appeal_id: int, body: dict[str, Any], key: str) -> dict[str, Any]:
        return await self._post(f"{API_PREFIX}/appeals/{appeal_id}/reopen", body, key)

    async def complain(self, appeal_id: int, body: dict[str, Any], key: str) -> dict[str, Any]:
        return await self._post(f"{API_PREFIX}/appeals/{appeal_id}/complaints", body, key)

    async def forward(self, appeal_id: int, service: str) -> dict[str, Any]:
        """Idempotent per appeal and service on the server: no key needed."""
        return await self._post(
            f"{API_PREFIX}/appeals/{appeal_id}/forward", {"service": service}, None
        )

    async def mark_read(self, appeal_id: int, up_to_id: int) -> None:
        await self._post(
            f"{API_PREFIX}/appeals/{appeal_id}/messages/read", {"up_to_id": up_to_id}, None
        )

    async def appeal(self, appeal_id: int) -> dict[str, Any]:
        data = await self._api.get_json(f"{API_PREFIX}/appeals/{appeal_id}")
        return data if isinstance(data, dict) else {}

    # -- the feed --------------------------------------------------------------------------------

    async def sync(self, cursor: int, etag: str | None, limit: int = 500) -> SyncReply:
        headers = {"If-None-Match": etag} if etag else None
        response = await self._api.request(
            "GET",
            f"{API_PREFIX}/sync",
            params={"cursor": cursor, "limit": limit},
            headers=headers,
        )
        if response.status_code == 304:
            return SyncReply(True, cursor, False, {}, etag)
        data = response.json()
        return SyncReply(
            not_modified=False,
            cursor=int(data.get("cursor") or cursor),
            has_more=bool(data.get("has_more")),
            changes={k: list(v) for k, v in (data.get("changes") or {}).items()},
            etag=response.headers.get("ETag"),
        )

    # -- media -----------------------------------------------------------------------------------

    async def upload_small(self, data: bytes, filename: str, content_type: str) -> str:
        """POST /media (multipart): for small photos. Returns the media id."""
        response = await self._api.request(
            "POST", f"{API_PREFIX}/media", files={"file": (filename, data, content_type)}
        )
        return str(response.json()["id"])

    async def tus_create(self, length: int, filename: str, content_type: str) -> str:
        """Start a resumable upload; returns its URL path."""
        response = await self._api.request(
            "POST",
            f"{API_PREFIX}/uploads",
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Upload-Length": str(length),
                "Upload-Metadata": _tus_metadata(filename, content_type),
            },
        )
        location = response.headers.get("Location")
        if not location:
            raise ApiError(response.status_code, "upload_no_location")
        return location

    async def tus_state(self, url: str) -> UploadState:
        """HEAD: how much of the upload the server has (after a drop, resume from there)."""
        response = await self._api.request("HEAD", url, headers={"Tus-Resumable": TUS_VERSION})
        return UploadState(
            offset=_int_header(response.headers.get("Upload-Offset")),
            length=_int_header(response.headers.get("Upload-Length")),
            media_id=response.headers.get("Upload-Media-Id"),
        )

    async def tus_patch(self, url: str, offset: int, chunk: bytes) -> UploadState:
        """Send bytes at `offset`; a 409 offset mismatch comes back as `ApiError` with the
        server's offset in `details["offset"]`."""
        response = await self._api.request(
            "PATCH",
            url,
            content=chunk,
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Upload-Offset": str(offset),
                "Content-Type": TUS_CHUNK_TYPE,
            },
        )
        return UploadState(
            offset=_int_header(response.headers.get("Upload-Offset"), offset + len(chunk)),
            length=0,
            media_id=response.headers.get("Upload-Media-Id"),
        )

    # -- reading attachments ---------------------------------------------------------------------

    async def media_bytes(self, url: str) -> bytes:
        """A stored photo (`/api/v1/media/<id>`), with the resident's token."""
        response = await self._api.request("GET", url)
        return response.content

    async def media_link(self, url: str) -> str:
        """An absolute, short-lived signed URL to a stored file (`POST <url>/link`): a video
        player or an image by URL cannot send the resident's token, the link needs none."""
        response = await self._api.request("POST", f"{url.rstrip('/')}/link")
        data = response.json()
        link = data.get("url") if isinstance(data, dict) else None
        if not isinstance(link, str) or not link:
            raise ApiError(response.status_code, "media_link_missing")
        return self._api.absolute_url(link)

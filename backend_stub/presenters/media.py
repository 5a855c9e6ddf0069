"""What clients see of stored photos and videos: `MediaOut`, the URL it is read at, and the
file itself."""

from __future__ import annotations

from fastapi.responses import FileResponse

from backend_stub.config import Settings
from backend_stub.crud.media import media_path
from backend_stub.errors import ApiError
from backend_stub.models import MediaFile
from backend_stub.schemas.media import MediaOut


def media_url(media_id: str) -> str:
    return f"/api/v1/media/{media_id}"


def media_out(m: MediaFile, *, role: str | None = None, url: str | None = None) -> MediaOut:
    """A stored file as clients see it; `role` and `url` default to the file's own."""
    return MediaOut(
        id=m.id,
        kind=m.kind,
        content_type=m.content_type,
        size=m.size,
        width=m.width,
        height=m.height,
        role=role or m.role,
        url=url or media_url(m.id),
    )


def file_response(
    settings: Settings, media: MediaFile | None, *, headers: dict[str, str] | None = None
) -> FileResponse:
    """The stored bytes (HTTP Range answered), never sniffed; 404 when the file is missing.
    Cached privately for a day unless `headers` say otherwise."""
    path = media_path(settings, media) if media is not None else None
    if media is None or path is None or not path.is_file():
        raise ApiError(404, "not_found")
    return FileResponse(
        path,
        media_type=media.content_type,
        headers={
            "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        },
    )

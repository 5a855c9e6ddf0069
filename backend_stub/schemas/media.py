from __future__ import annotations

from pydantic import BaseModel

from backend_stub.models import MediaFile


class MediaOut(BaseModel):
    id: str
    kind: str  # image | video
    content_type: str
    size: int
    width: int | None
    height: int | None
    role: str  # applicant | chat | after
    url: str


class UploadOut(BaseModel):
    """A resumable upload's progress; `media` once the last byte arrived and was accepted."""

    offset: int
    length: int
    media: MediaOut | None


class MediaLinkOut(BaseModel):
    """A link to one stored file that needs no token until `expires_at` (epoch seconds)."""

    url: str
    expires_at: int


def media_url(media_id: str) -> str:
    return f"/api/v1/media/{media_id}"


def media_out(m: MediaFile) -> MediaOut:
    return MediaOut(
        id=m.id,
        kind=m.kind,
        content_type=m.content_type,
        size=m.size,
        width=m.width,
        height=m.height,
        role=m.role,
        url=media_url(m.id),
    )

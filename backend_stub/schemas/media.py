"""API shapes of stored photos and videos: a file, a resumable upload's progress, a signed link."""

from __future__ import annotations

from pydantic import BaseModel


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

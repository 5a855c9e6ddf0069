"""Stored photos/videos and resumable uploads in progress."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field


class MediaFile(SQLModel, table=True):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=8)  # image | video
    content_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    path: str = Field(max_length=300)  # relative to the media dir
    width: int | None = None
    height: int | None = None
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True)
    role: str = Field(default="applicant", max_length=16)  # applicant | chat | after
    created_at: datetime = ts_field()


class Upload(SQLModel, table=True):
    """A resumable (tus 1.0) upload in progress; its bytes live in the uploads dir."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True)
    length: int
    offset: int = 0
    filename: str = Field(default="", max_length=200)
    content_type: str = Field(default="", max_length=64)
    media_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = ts_field()


class UploadWriter(SQLModel, table=True):
    """The one request writing an upload's bytes right now (a tus PATCH), if any.

    The primary key makes the claim atomic in the database, so it holds across server
    processes: a second PATCH cannot insert its row and gets 409. The writer refreshes
    `heartbeat_at` while it works; a claim left by a request that died is taken over once it is
    older than `crud.media.WRITER_STALE`. A table of its own, so an existing database gets it
    from `create_all` without a migration of `upload`.
    """

    upload_id: str = Field(primary_key=True, max_length=32)
    token: str = Field(max_length=32)
    heartbeat_at: datetime = ts_field()

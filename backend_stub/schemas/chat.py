from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from backend_stub.schemas.common import RowId, StrictIn
from backend_stub.schemas.media import MediaOut


class MessageIn(StrictIn):
    client_id: str = Field(min_length=8, max_length=64)
    text: str = Field(default="", max_length=4000)
    attachment_ids: list[str] = Field(default_factory=list, max_length=10)


class MessageOut(BaseModel):
    id: int
    appeal_id: int
    client_id: str
    author_role: str
    text: str
    created_at: datetime
    read_at: datetime | None
    media: list[MediaOut]


class ReadIn(StrictIn):
    up_to_id: RowId

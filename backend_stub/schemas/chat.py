from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from backend_stub.schemas.common import RowId, StrictIn
from backend_stub.schemas.media import MediaOut
from backend_stub.text import CleanLine, CleanText
from backend_stub.text_language import Language


class MessageIn(StrictIn):
    client_id: Annotated[str, CleanLine(64, min_len=8)]
    text: Annotated[str, CleanText(4000, min_len=0)] = ""
    attachment_ids: list[Annotated[str, CleanLine(64)]] = Field(default_factory=list, max_length=10)


class MessageOut(BaseModel):
    id: int
    appeal_id: int
    client_id: str
    author_role: str
    author_titles: dict[str, str] | None = None  # a staff author's job, kk and ru (no name)
    text: str
    created_at: datetime
    read_at: datetime | None
    media: list[MediaOut]
    language: Language | None = None  # what the text was written in (`text_language`)


class ReadIn(StrictIn):
    up_to_id: RowId

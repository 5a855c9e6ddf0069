"""Idempotency records and the sync feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field


class IdempotencyRecord(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key: str = Field(max_length=100)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response_body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = ts_field()


class FeedEvent(SQLModel, table=True):
    """The sync feed: one row per change; its id is the cursor. user_id None = public item."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    entity: str = Field(max_length=24)  # appeal | message | ...
    entity_id: str = Field(max_length=40)
    created_at: datetime = ts_field()

"""Appeals, their history, chat messages and complaints."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field, ts_field_opt


class Appeal(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("user_id", "client_id"),
        # what a new appeal may repeat (crud.appeals.first_similar_nearby): its subclass, a band
        # of latitude, then longitude and age read from the index, not from every appeal of
        # the subclass
        Index("ix_appeal_nearby", "subclass_code", "lat", "lon", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(index=True, unique=True, max_length=32)
    client_id: str = Field(default_factory=lambda: str(uuid.uuid4()), max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    channel: str = Field(default="mobile", max_length=16)  # mobile | open311 | operator
    text: str = Field(sa_column=Column(Text, nullable=False))
    type: str = Field(max_length=16)
    class_code: str = Field(max_length=8)
    subclass_code: str = Field(max_length=8)  # indexed first in ix_appeal_nearby
    service_code: str = Field(max_length=32)
    importance: str = Field(max_length=8)
    importance_raised: bool = False
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    address: str | None = Field(default=None, max_length=300)
    district: str | None = Field(default=None, max_length=60)
    share_personal: bool = True
    applicant_name: str | None = Field(default=None, max_length=200)
    applicant_phone: str | None = Field(default=None, max_length=16)
    language: str = Field(default="kk", max_length=2)
    emergency: bool = False
    status: str = Field(default="created", index=True, max_length=16)
    created_at: datetime = ts_field(index=True)
    updated_at: datetime = ts_field(index=True)
    due_at: datetime = ts_field()
    closed_at: datetime | None = ts_field_opt()
    result_text: str | None = Field(default=None, sa_column=Column(Text))
    reopen_count: int = 0
    repeat_count: int = 0  # later similar appeals about the same incident (SPEC 9-1, 32-2)
    repeat_of_id: int | None = Field(default=None, foreign_key="appeal.id")
    rating: int | None = None
    rating_comment: str | None = Field(default=None, max_length=1000)
    rated_at: datetime | None = ts_field_opt()


class AppealEvent(SQLModel, table=True):
    """One line of an appeal's history: a status move or another notable action."""

    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    at: datetime = ts_field()
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_role: str = Field(max_length=16)  # resident | operator | system
    kind: str = Field(default="status", max_length=16)  # status | rating | complaint | reopen
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None, sa_column=Column(Text))


class Message(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("author_id", "client_id"),)

    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    client_id: str = Field(default_factory=lambda: str(uuid.uuid4()), max_length=64)
    author_id: int = Field(foreign_key="user.id")
    author_role: str = Field(max_length=16)  # resident | operator
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = ts_field()
    read_at: datetime | None = ts_field_opt()  # when the other side read it


class Complaint(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = ts_field()

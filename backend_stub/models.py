"""Database tables (SQLModel). Times are stored as timezone-aware UTC datetimes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no offset, so it is put back on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), **kw))


def _ts_opt(**kw: Any) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), **kw))


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(index=True, unique=True, max_length=16)
    full_name: str | None = Field(default=None, max_length=200)
    iin: str | None = Field(default=None, max_length=12)
    language: str = Field(default="kk", max_length=2)
    role: str = Field(default="resident", max_length=16)  # resident | operator
    notify_districts: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    notify_topics: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    notify_status_updates: bool = True
    alert_levels: list[str] = Field(
        default_factory=lambda: ["Extreme", "Severe", "Moderate", "Minor"], sa_column=Column(JSON)
    )
    created_at: datetime = _ts()


class Address(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    label: str = Field(max_length=40)  # home | work | other (free text allowed)
    text: str = Field(max_length=300)
    lat: float | None = None
    lon: float | None = None
    district: str | None = Field(default=None, max_length=60)
    created_at: datetime = _ts()


class OtpChallenge(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(index=True, max_length=16)
    purpose: str = Field(default="login", max_length=16)  # login | change_phone
    user_id: int | None = Field(default=None, foreign_key="user.id")
    code_hash: str = Field(max_length=64)
    client_ip: str = Field(default="", index=True, max_length=64)
    wrong_attempts: int = 0
    consumed: bool = False
    created_at: datetime = _ts(index=True)
    expires_at: datetime = _ts()


class PhoneLock(SQLModel, table=True):
    phone: str = Field(primary_key=True, max_length=16)
    locked_until: datetime = _ts()


class AuthSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    access_hash: str = Field(index=True, unique=True, max_length=64)
    refresh_hash: str = Field(index=True, unique=True, max_length=64)
    access_expires_at: datetime = _ts()
    refresh_expires_at: datetime = _ts()
    revoked: bool = False
    created_at: datetime = _ts()


class Appeal(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "client_id"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(index=True, unique=True, max_length=32)
    client_id: str = Field(default_factory=lambda: str(uuid.uuid4()), max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    channel: str = Field(default="mobile", max_length=16)  # mobile | open311 | operator
    text: str = Field(sa_column=Column(Text, nullable=False))
    type: str = Field(max_length=16)
    class_code: str = Field(max_length=8)
    subclass_code: str = Field(index=True, max_length=8)
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
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts(index=True)
    due_at: datetime = _ts()
    closed_at: datetime | None = _ts_opt()
    result_text: str | None = Field(default=None, sa_column=Column(Text))
    reopen_count: int = 0
    repeat_count: int = 0  # later similar appeals about the same incident (SPEC 9-1, 32-2)
    repeat_of_id: int | None = Field(default=None, foreign_key="appeal.id")
    rating: int | None = None
    rating_comment: str | None = Field(default=None, max_length=1000)
    rated_at: datetime | None = _ts_opt()


class AppealEvent(SQLModel, table=True):
    """One line of an appeal's history: a status move or another notable action."""

    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    at: datetime = _ts()
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
    created_at: datetime = _ts()
    read_at: datetime | None = _ts_opt()  # when the other side read it


class Complaint(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _ts()


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
    created_at: datetime = _ts()


class Upload(SQLModel, table=True):
    """A resumable (tus 1.0) upload in progress; its bytes live in the uploads dir."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True)
    length: int
    offset: int = 0
    filename: str = Field(default="", max_length=200)
    content_type: str = Field(default="", max_length=64)
    media_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts()


class IdempotencyRecord(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key: str = Field(max_length=100)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response_body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _ts()


class FeedEvent(SQLModel, table=True):
    """The sync feed: one row per change; its id is the cursor. user_id None = public item."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    entity: str = Field(max_length=24)  # appeal | message | ...
    entity_id: str = Field(max_length=40)
    created_at: datetime = _ts()

"""Residents and operators, their addresses, one-time codes and sign-in sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field


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
    created_at: datetime = ts_field()


class Address(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    label: str = Field(max_length=40)  # home | work | other (free text allowed)
    text: str = Field(max_length=300)
    lat: float | None = None
    lon: float | None = None
    district: str | None = Field(default=None, max_length=60)
    created_at: datetime = ts_field()


class OtpChallenge(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(index=True, max_length=16)
    purpose: str = Field(default="login", max_length=16)  # login | change_phone
    user_id: int | None = Field(default=None, foreign_key="user.id")
    code_hash: str = Field(max_length=64)
    client_ip: str = Field(default="", index=True, max_length=64)
    wrong_attempts: int = 0
    consumed: bool = False
    created_at: datetime = ts_field(index=True)
    expires_at: datetime = ts_field()


class PhoneLock(SQLModel, table=True):
    phone: str = Field(primary_key=True, max_length=16)
    locked_until: datetime = ts_field()


class AuthSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    access_hash: str = Field(index=True, unique=True, max_length=64)
    refresh_hash: str = Field(index=True, unique=True, max_length=64)
    access_expires_at: datetime = ts_field()
    refresh_expires_at: datetime = ts_field()
    revoked: bool = False
    created_at: datetime = ts_field()


class RotatedToken(SQLModel, table=True):
    """A refresh token already swapped for a new pair, kept as its keyed hash until it would
    have expired. Presented again it is either a retry whose answer was lost (inside the grace
    window: the same pair again, re-derived with `nonce`) or a sign that someone else holds the
    session's tokens (the session is revoked). See `crud.sessions`."""

    refresh_hash: str = Field(primary_key=True, max_length=64)
    session_id: int = Field(foreign_key="authsession.id", index=True)
    nonce: str = Field(max_length=32)
    rotated_at: datetime = ts_field()
    expires_at: datetime = ts_field()

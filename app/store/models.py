"""SQLModel tables of the local store. Their DDL lives in `migrations` (the schema's history);
a test checks the two agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class LocalModel(SQLModel, registry=registry()):
    """Base of the local store's tables: their own metadata, apart from any other SQLModel
    tables loaded in the same process (the backend's, in tests)."""


class Setting(LocalModel, table=True):
    """App settings of this device (language, ...): kept across sign-outs."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class AuthSession(LocalModel, table=True):
    """The signed-in resident: at most one row (id = 1). Tokens are never shown in reprs/logs."""

    __tablename__ = "auth_session"

    id: int = Field(default=1, primary_key=True)
    phone: str
    access_token: str = Field(repr=False)
    refresh_token: str = Field(repr=False)
    access_expires_at: datetime | None = None
    user_json: str = "{}"
    signed_in_at: datetime


# Tables holding the resident's own data: emptied on sign-out. Later features add theirs here.
RESIDENT_TABLES: tuple[str, ...] = ("auth_session",)

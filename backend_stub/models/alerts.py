"""Emergency alerts (CAP 1.2 messages) and the residents' last known positions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field, ts_field_opt


class Alert(SQLModel, table=True):
    """One CAP message. An Update or Cancel is a new row that references the earlier ones;
    the row it replaces gets `superseded_by`. All messages of one alert share `chain` (the
    identifier of its first message).

    `texts` holds the per-language parts of the two CAP `info` blocks:
    {"kk": {event, headline, description, instruction, sender_name, contact}, "ru": {...}}.
    `areas`: [{"desc": {"kk", "ru"}, "polygons": [[[lat, lon], ...]], "circles":
    [[lat, lon, radius_km]], "districts": [code, ...]}].
    """

    id: int | None = Field(default=None, primary_key=True)
    identifier: str = Field(index=True, unique=True, max_length=40)
    sender: str = Field(max_length=100)
    sent: datetime = ts_field(index=True)
    status: str = Field(index=True, max_length=10)  # Actual|Exercise|System|Test|Draft
    msg_type: str = Field(max_length=8)  # Alert|Update|Cancel
    scope: str = Field(default="Public", max_length=10)
    refs: str | None = Field(default=None, sa_column=Column(Text))  # CAP `references`
    note: str | None = Field(default=None, sa_column=Column(Text))
    chain: str = Field(index=True, max_length=40)
    superseded_by: str | None = Field(default=None, index=True, max_length=40)
    cancelled: bool = False  # the whole alert was withdrawn by a Cancel message
    category: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    response_type: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    urgency: str = Field(max_length=10)
    severity: str = Field(max_length=10)
    certainty: str = Field(max_length=10)
    effective: datetime = ts_field()
    onset: datetime | None = ts_field_opt()
    expires: datetime = ts_field(index=True)
    web: str | None = Field(default=None, max_length=500)
    texts: dict[str, dict[str, Any]] = Field(default_factory=dict, sa_column=Column(JSON))
    areas: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    author_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = ts_field()


class LastPosition(SQLModel, table=True):
    """Where the resident's phone last was (sent by the app), for alert targeting."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    lat: float
    lon: float
    accuracy_m: float | None = None
    at: datetime = ts_field()

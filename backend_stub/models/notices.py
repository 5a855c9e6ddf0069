"""Advance notification: planned and emergency works and public events, by district or area."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field, ts_field_opt


class Notice(SQLModel, table=True):
    """One notice, in Kazakh and Russian. No districts and no area means the whole city."""

    id: int | None = Field(default=None, primary_key=True)
    external_ref: str | None = Field(default=None, unique=True, max_length=64)  # upstream id
    kind: str = Field(max_length=16)  # planned | emergency | event
    topic: str = Field(index=True, max_length=24)
    title_kk: str = Field(max_length=200)
    title_ru: str = Field(max_length=200)
    body_kk: str = Field(sa_column=Column(Text, nullable=False))
    body_ru: str = Field(sa_column=Column(Text, nullable=False))
    districts: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # as chosen
    area_lat: float | None = None
    area_lon: float | None = None
    area_radius_m: int | None = None
    city_wide: bool = False
    starts_at: datetime = ts_field()
    ends_at: datetime | None = ts_field_opt(index=True)
    state: str = Field(default="published", index=True, max_length=16)  # published | withdrawn
    author_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
    withdrawn_at: datetime | None = ts_field_opt()


class NoticeDistrict(SQLModel, table=True):
    """The districts a notice touches (chosen ones plus those its area covers), for filtering."""

    notice_id: int = Field(foreign_key="notice.id", primary_key=True)
    district: str = Field(primary_key=True, index=True, max_length=60)

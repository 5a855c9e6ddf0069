"""The emergency map: shelters, temporary accommodation points and medical points."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field


class Place(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    external_ref: str | None = Field(default=None, unique=True, max_length=64)  # upstream id
    kind: str = Field(index=True, max_length=16)  # shelter | accommodation | medical
    name_kk: str = Field(max_length=200)
    name_ru: str = Field(max_length=200)
    address_kk: str = Field(max_length=300)
    address_ru: str = Field(max_length=300)
    lat: float
    lon: float
    capacity: int | None = None
    phone: str | None = Field(default=None, max_length=32)
    state: str = Field(default="open", max_length=16)  # open | closed | full
    hours_kk: str = Field(default="", max_length=200)
    hours_ru: str = Field(default="", max_length=200)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class AddressIn(BaseModel):
    label: str = Field(min_length=1, max_length=40, examples=["home"])
    text: str = Field(min_length=1, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    district: str | None = Field(default=None, max_length=60)


class AddressOut(AddressIn):
    id: int


class ProfileOut(BaseModel):
    id: int
    phone: str
    full_name: str | None
    iin: str | None
    language: str
    role: str
    addresses: list[AddressOut]
    notify_districts: list[str]
    notify_topics: list[str]
    notify_status_updates: bool
    alert_levels: list[str]


class ProfilePatch(BaseModel):
    full_name: str | None = Field(default=None, max_length=200)
    iin: str | None = Field(default=None, max_length=12)
    language: Literal["kk", "ru"] | None = None
    notify_districts: list[str] | None = Field(default=None, max_length=50)
    notify_topics: list[str] | None = Field(default=None, max_length=50)
    notify_status_updates: bool | None = None
    alert_levels: list[Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]] | None = None


class PhoneChangeRequest(BaseModel):
    phone: str = Field(min_length=1, max_length=32)


class PhoneChangeVerify(BaseModel):
    phone: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=1, max_length=12)

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from backend_stub.schemas.common import NOT_BLANK, StrictIn

Unset = SkipJsonSchema[None]  # the default of a field that may be left out but not be null


class AddressIn(StrictIn):
    label: str = Field(min_length=1, pattern=NOT_BLANK, max_length=40, examples=["home"])
    text: str = Field(min_length=1, pattern=NOT_BLANK, max_length=300)
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


class ProfilePatch(StrictIn):
    """Only the fields sent change. `full_name` and `iin` may be null (cleared); the others may
    be left out but not null, so their schema has no null (`Unset`)."""

    full_name: str | None = Field(default=None, max_length=200)
    iin: str | None = Field(default=None, max_length=12)
    language: Literal["kk", "ru"] | Unset = None
    notify_districts: Annotated[list[str], Field(max_length=50)] | Unset = None
    notify_topics: Annotated[list[str], Field(max_length=50)] | Unset = None
    notify_status_updates: bool | Unset = None
    alert_levels: list[Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]] | Unset = None


class PhoneChangeRequest(StrictIn):
    phone: str = Field(min_length=1, max_length=32)


class PhoneChangeVerify(StrictIn):
    phone: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=1, max_length=12)

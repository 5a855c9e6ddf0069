from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from backend_stub.schemas.common import StrictIn
from backend_stub.text import CleanLine, CleanText

Unset = SkipJsonSchema[None]  # the default of a field that may be left out but not be null
DistrictCode = Annotated[str, CleanLine(60)]
TopicCode = Annotated[str, CleanLine(24)]


class AddressIn(StrictIn):
    label: Annotated[str, CleanLine(40)] = Field(examples=["home"])
    text: Annotated[str, CleanText(300)]
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    district: Annotated[str, CleanLine(60, min_len=0)] | None = None


class AddressOut(BaseModel):
    id: int
    label: str
    text: str
    lat: float | None
    lon: float | None
    district: str | None


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

    full_name: Annotated[str, CleanLine(200, min_len=0)] | None = None
    iin: Annotated[str, CleanLine(12, min_len=0)] | None = None
    language: Literal["kk", "ru"] | Unset = None
    notify_districts: Annotated[list[DistrictCode], Field(max_length=50)] | Unset = None
    notify_topics: Annotated[list[TopicCode], Field(max_length=50)] | Unset = None
    notify_status_updates: bool | Unset = None
    alert_levels: list[Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]] | Unset = None


class PhoneChangeRequest(StrictIn):
    phone: Annotated[str, CleanLine(32)]


class PhoneChangeVerify(StrictIn):
    phone: Annotated[str, CleanLine(32)]
    code: Annotated[str, CleanLine(12)]

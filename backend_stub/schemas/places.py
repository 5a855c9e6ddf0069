"""API shapes of the emergency map (shelters, accommodation and medical points) and contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from backend_stub.schemas.common import INTEGRAL, StrictIn
from backend_stub.text import CleanLine, CleanText

PlaceKind = Literal["shelter", "accommodation", "medical"]
PlaceState = Literal["open", "closed", "full"]

PHONE_PATTERN = r"^\+?[0-9][0-9 ()\-]{2,30}$"


class PlaceIn(StrictIn):
    kind: PlaceKind
    name_kk: Annotated[str, CleanLine(200)]
    name_ru: Annotated[str, CleanLine(200)]
    address_kk: Annotated[str, CleanText(300)]
    address_ru: Annotated[str, CleanText(300)]
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    capacity: Annotated[int, Field(ge=0, le=100_000), INTEGRAL] | None = Field(
        default=None, description="people"
    )
    phone: Annotated[str, CleanLine(32, min_len=0, pattern=PHONE_PATTERN)] | None = None
    state: PlaceState = "open"
    hours_kk: Annotated[str, CleanLine(200, min_len=0)] = Field(
        default="", examples=["Тәулік бойы"]
    )
    hours_ru: Annotated[str, CleanLine(200, min_len=0)] = Field(
        default="", examples=["Круглосуточно"]
    )


class PlaceOut(BaseModel):
    id: int
    kind: str
    name_kk: str
    name_ru: str
    address_kk: str
    address_ru: str
    lat: float
    lon: float
    capacity: int | None
    phone: str | None
    state: str
    hours_kk: str
    hours_ru: str
    updated_at: datetime


class PlaceNear(PlaceOut):
    distance_m: float | None = Field(description="from `near`; null without it")


class PlaceStateIn(StrictIn):
    """Open, close or mark a place full; the hours text changes only when given."""

    state: PlaceState
    hours_kk: Annotated[str, CleanLine(200, min_len=0)] | None = None
    hours_ru: Annotated[str, CleanLine(200, min_len=0)] | None = None


class ContactOut(BaseModel):
    id: str
    number: str
    group: Literal["emergency", "city"]
    name_kk: str
    name_ru: str
    description_kk: str
    description_ru: str


class PlacesBundle(BaseModel):
    """Everything the emergency map needs offline; `version` changes with any of it."""

    version: str
    places: list[PlaceOut]
    contacts: list[ContactOut]

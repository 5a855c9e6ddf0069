"""API shapes of the emergency map (shelters, accommodation and medical points) and contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from backend_stub.schemas.common import INTEGRAL, NOT_BLANK, StrictIn

PlaceKind = Literal["shelter", "accommodation", "medical"]
PlaceState = Literal["open", "closed", "full"]

PHONE_PATTERN = r"^\+?[0-9][0-9 ()\-]{2,30}$"


class PlaceIn(StrictIn):
    kind: PlaceKind
    name_kk: str = Field(min_length=1, pattern=NOT_BLANK, max_length=200)
    name_ru: str = Field(min_length=1, pattern=NOT_BLANK, max_length=200)
    address_kk: str = Field(min_length=1, pattern=NOT_BLANK, max_length=300)
    address_ru: str = Field(min_length=1, pattern=NOT_BLANK, max_length=300)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    capacity: Annotated[int, Field(ge=0, le=100_000), INTEGRAL] | None = Field(
        default=None, description="people"
    )
    phone: str | None = Field(default=None, max_length=32, pattern=PHONE_PATTERN)
    state: PlaceState = "open"
    hours_kk: str = Field(default="", max_length=200, examples=["Тәулік бойы"])
    hours_ru: str = Field(default="", max_length=200, examples=["Круглосуточно"])


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
    hours_kk: str | None = Field(default=None, max_length=200)
    hours_ru: str | None = Field(default=None, max_length=200)


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

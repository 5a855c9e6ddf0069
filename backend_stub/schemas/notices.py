"""API shapes of notices: planned and emergency works and public events, in kk and ru."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from backend_stub.schemas.common import INTEGRAL, Iso, StrictIn
from backend_stub.text import CleanLine, CleanText

NoticeKind = Literal["planned", "emergency", "event"]
NoticeState = Literal["published", "withdrawn"]
NoticeScope = Literal["active", "archive"]
OperatorScope = Literal["all", "active", "archive"]

TITLE_MAX = 200
BODY_MAX = 4000


class AreaIn(StrictIn):
    """A circle: centre and radius in metres."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: Annotated[int, Field(ge=50, le=50_000), INTEGRAL]


class NoticeIn(StrictIn):
    """What an operator publishes or edits. No districts and no area means the whole city."""

    kind: NoticeKind
    topic: Annotated[str, CleanLine(24)] = Field(examples=["water"])
    title_kk: Annotated[str, CleanLine(TITLE_MAX)]
    title_ru: Annotated[str, CleanLine(TITLE_MAX)]
    body_kk: Annotated[str, CleanText(BODY_MAX)]
    body_ru: Annotated[str, CleanText(BODY_MAX)]
    districts: list[Annotated[str, CleanLine(60)]] = Field(
        default_factory=list, max_length=10, examples=[["yesil"]]
    )
    area: AreaIn | None = None
    starts_at: Iso | None = Field(default=None, description="default: now")
    ends_at: Iso | None = Field(default=None, description="none: until withdrawn")


class NoticeOut(BaseModel):
    id: int
    kind: str
    topic: str
    title_kk: str
    title_ru: str
    body_kk: str
    body_ru: str
    districts: list[str]
    area: AreaIn | None
    city_wide: bool
    starts_at: datetime
    ends_at: datetime | None
    state: str
    active: bool = Field(description="published and not yet ended")
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None


class NoticePage(BaseModel):
    items: list[NoticeOut]
    next_before_id: int | None


class NamedCode(BaseModel):
    code: str
    name_kk: str
    name_ru: str

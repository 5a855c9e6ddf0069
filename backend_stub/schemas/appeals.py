from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from backend_stub.schemas.common import INTEGRAL, NOT_BLANK, StrictIn
from backend_stub.schemas.media import MediaOut

AppealTypeLit = Literal["consultation", "incident", "proposal", "complaint", "gratitude"]
StatusLit = Literal["created", "assigned", "returned", "reassigned", "in_progress", "closed"]


class AppealCreate(StrictIn):
    client_id: str = Field(min_length=8, max_length=64, description="client UUID; idempotency")
    text: str = Field(min_length=1, pattern=NOT_BLANK, max_length=4000)
    type: AppealTypeLit = "incident"
    subclass_code: str = Field(min_length=2, max_length=8, examples=["01.01"])
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    address: str | None = Field(default=None, max_length=300)
    district: str | None = Field(default=None, max_length=60)
    share_personal: bool = True
    applicant_name: str | None = Field(default=None, max_length=200)
    language: Literal["kk", "ru"] = "kk"
    emergency: bool = False
    attachment_ids: list[str] = Field(default_factory=list, max_length=10)


class HistoryOut(BaseModel):
    at: datetime
    actor_role: str
    kind: str
    from_status: str | None
    to_status: str | None
    note: str | None = Field(
        description="in the request's Accept-Language when the server wrote the line (kk/ru);"
        " as typed otherwise"
    )
    notes: dict[str, str] | None = Field(
        default=None,
        description='the server-written line in both languages, {"kk": ..., "ru": ...},'
        " for apps that switch language without reloading; null for typed text",
    )


class AppealOut(BaseModel):
    id: int
    number: str
    client_id: str
    text: str
    type: str
    class_code: str
    subclass_code: str
    service_code: str
    importance: str
    importance_raised: bool
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    address: str | None
    district: str | None
    share_personal: bool
    language: str
    emergency: bool
    status: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    overdue: bool
    closed_at: datetime | None
    result_text: str | None
    reopen_count: int
    repeat_count: int
    rating: int | None
    rating_comment: str | None
    media: list[MediaOut]
    history: list[HistoryOut]


class AppealPage(BaseModel):
    items: list[AppealOut]
    next_before_id: int | None


class SimilarAppeal(BaseModel):
    id: int
    number: str
    subclass_code: str
    status: str
    address: str | None
    distance_m: float
    created_at: datetime
    repeat_count: int


class RatingIn(StrictIn):
    score: Annotated[int, Field(ge=1, le=5), INTEGRAL]
    comment: str | None = Field(default=None, max_length=1000)


class ReasonIn(StrictIn):
    reason: str = Field(min_length=1, pattern=NOT_BLANK, max_length=2000)


class StatusChange(StrictIn):
    to_status: StatusLit
    note: str | None = Field(default=None, max_length=2000)
    service_code: str | None = Field(default=None, max_length=32)


class CloseIn(StrictIn):
    result_text: str = Field(min_length=1, pattern=NOT_BLANK, max_length=4000)
    after_media_ids: list[str] = Field(default_factory=list, max_length=10)

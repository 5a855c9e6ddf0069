from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from backend_stub.schemas.common import INTEGRAL, StrictIn
from backend_stub.schemas.media import MediaOut
from backend_stub.text import CleanLine, CleanText

AppealTypeLit = Literal["consultation", "incident", "proposal", "complaint", "gratitude"]
StatusLit = Literal["created", "assigned", "returned", "reassigned", "in_progress", "closed"]


class AppealCreate(StrictIn):
    client_id: Annotated[str, CleanLine(64, min_len=8)] = Field(
        description="client UUID; idempotency"
    )
    text: Annotated[str, CleanText(4000)]
    type: AppealTypeLit = "incident"
    subclass_code: Annotated[str, CleanLine(8, min_len=2)] = Field(examples=["01.01"])
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    address: Annotated[str, CleanText(300, min_len=0)] | None = None
    district: Annotated[str, CleanLine(60, min_len=0)] | None = None
    share_personal: bool = True
    applicant_name: Annotated[str, CleanLine(200, min_len=0)] | None = None
    language: Literal["kk", "ru"] = "kk"
    emergency: bool = False
    attachment_ids: list[Annotated[str, CleanLine(64)]] = Field(default_factory=list, max_length=10)


class HistoryOut(BaseModel):
    at: datetime
    actor_role: str
    actor_titles: dict[str, str] | None = Field(
        default=None,
        description="a staff member's job as the resident is told it, kk and ru"
        " («109 операторы» / «оператор 109», «орындаушы: …» / «исполнитель: …»); never a name",
    )
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


class OperatorAppealOut(AppealOut):
    applicant_name: str | None
    applicant_phone: str | None


class OperatorAppealPage(BaseModel):
    items: list[OperatorAppealOut]
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
    comment: Annotated[str, CleanText(1000, min_len=0)] | None = None


class ReasonIn(StrictIn):
    reason: Annotated[str, CleanText(2000)]


class StatusChange(StrictIn):
    to_status: StatusLit
    note: Annotated[str, CleanText(2000, min_len=0)] | None = None
    service_code: Annotated[str, CleanLine(32, min_len=0)] | None = None


class CloseIn(StrictIn):
    result_text: Annotated[str, CleanText(4000)]
    after_media_ids: list[Annotated[str, CleanLine(64)]] = Field(
        default_factory=list, max_length=10
    )

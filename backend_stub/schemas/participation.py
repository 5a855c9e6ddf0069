"""API shapes of public participation: polls, initiatives, proposals; and their kk/ru names."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field

from backend_stub.schemas.common import INTEGRAL, Iso, RowId, StrictIn
from backend_stub.schemas.media import MediaOut
from backend_stub.text import CleanLine, CleanText

PollStatusLit = Literal["draft", "upcoming", "open", "closed"]
PollScopeLit = Literal["open", "closed", "upcoming"]
InitiativeStateLit = Literal["proposed", "in_progress", "done", "rejected"]
ProposalStateLit = Literal["pending", "published", "rejected"]
ProposalCategoryLit = Literal[
    "landscaping", "urban_infrastructure", "transport", "ecology", "social", "other"
]

PROPOSAL_CATEGORIES: tuple[str, ...] = get_args(ProposalCategoryLit)
INITIATIVE_STATES: tuple[str, ...] = get_args(InitiativeStateLit)
OPEN_INITIATIVE_STATES = frozenset({"proposed", "in_progress"})

CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "landscaping": {"kk": "Абаттандыру", "ru": "Благоустройство"},
    "urban_infrastructure": {"kk": "Қалалық инфрақұрылым", "ru": "Городская инфраструктура"},
    "transport": {"kk": "Көлік", "ru": "Транспорт"},
    "ecology": {"kk": "Экология", "ru": "Экология"},
    "social": {"kk": "Әлеуметтік сала", "ru": "Социальная сфера"},
    "other": {"kk": "Басқа", "ru": "Другое"},
}
INITIATIVE_STATE_NAMES: dict[str, dict[str, str]] = {
    "proposed": {"kk": "Ұсынылды", "ru": "Предложена"},
    "in_progress": {"kk": "Іске асырылуда", "ru": "Реализуется"},
    "done": {"kk": "Іске асырылды", "ru": "Реализована"},
    "rejected": {"kk": "Қабылданбады", "ru": "Отклонена"},
}
PROPOSAL_STATE_NAMES: dict[str, dict[str, str]] = {
    "pending": {"kk": "Модерацияда", "ru": "На модерации"},
    "published": {"kk": "Жарияланды", "ru": "Опубликовано"},
    "rejected": {"kk": "Қабылданбады", "ru": "Отклонено"},
}
POLL_STATUS_NAMES: dict[str, dict[str, str]] = {
    "draft": {"kk": "Жоба", "ru": "Черновик"},
    "upcoming": {"kk": "Әлі басталған жоқ", "ru": "Ещё не начался"},
    "open": {"kk": "Дауыс беру жүріп жатыр", "ru": "Идёт голосование"},
    "closed": {"kk": "Аяқталды", "ru": "Завершён"},
}

MAX_OPTIONS = 12
PROPOSAL_MAX_CHARS = 2000


# ---------------------------------------------------------------- polls


class PollOptionIn(StrictIn):
    text_kk: Annotated[str, CleanLine(300)]
    text_ru: Annotated[str, CleanLine(300)]


class PollIn(StrictIn):
    """A new poll (or a draft's new content). Single choice unless `multiple`; then at most
    `max_choices` options (default: all of them). No districts = the whole city."""

    question_kk: Annotated[str, CleanText(1000)]
    question_ru: Annotated[str, CleanText(1000)]
    options: list[PollOptionIn] = Field(min_length=2, max_length=MAX_OPTIONS)
    multiple: bool = False
    max_choices: Annotated[int, Field(ge=1, le=MAX_OPTIONS), INTEGRAL] | None = None
    opens_at: Iso
    closes_at: Iso
    districts: list[Annotated[str, CleanLine(60)]] = Field(default_factory=list, max_length=20)


class PollOptionOut(BaseModel):
    id: int
    text_kk: str
    text_ru: str


class OptionResult(BaseModel):
    option_id: int
    count: int
    share: float = Field(description="count / total voters, 0..1 (several per voter if multiple)")


class PollResults(BaseModel):
    total: int = Field(description="residents who voted")
    options: list[OptionResult]


class PollOut(BaseModel):
    id: int
    question_kk: str
    question_ru: str
    multiple: bool
    max_choices: int
    opens_at: datetime
    closes_at: datetime
    districts: list[str]
    status: PollStatusLit
    options: list[PollOptionOut]
    my_vote: list[int] | None = Field(description="the options this resident chose, if voted")
    results: PollResults | None = Field(description="only once voted or when the poll closed")
    can_vote: bool


class OperatorPollOut(PollOut):
    state: str
    created_at: datetime
    published_at: datetime | None


class VoteIn(StrictIn):
    option_ids: list[RowId] = Field(min_length=1, max_length=MAX_OPTIONS)
    client_id: Annotated[str, CleanLine(64, min_len=8)] = Field(description="client UUID")


# ---------------------------------------------------------------- initiatives


class InitiativeIn(StrictIn):
    title_kk: Annotated[str, CleanLine(300)]
    title_ru: Annotated[str, CleanLine(300)]
    description_kk: Annotated[str, CleanText(5000)]
    description_ru: Annotated[str, CleanText(5000)]
    state: InitiativeStateLit = "proposed"


class InitiativePatch(StrictIn):
    title_kk: Annotated[str, CleanLine(300)] | None = None
    title_ru: Annotated[str, CleanLine(300)] | None = None
    description_kk: Annotated[str, CleanText(5000)] | None = None
    description_ru: Annotated[str, CleanText(5000)] | None = None
    state: InitiativeStateLit | None = None


class InitiativeOut(BaseModel):
    id: int
    title_kk: str
    title_ru: str
    description_kk: str
    description_ru: str
    state: InitiativeStateLit
    support_count: int
    supported: bool = Field(description="whether the caller supports it")
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------- proposals


class CategoryOut(BaseModel):
    code: ProposalCategoryLit
    name_kk: str
    name_ru: str


class ProposalIn(StrictIn):
    """A resident's proposal; `lat` and `lon` come both or neither (422 coordinates_incomplete)."""

    client_id: Annotated[str, CleanLine(64, min_len=8)] = Field(
        description="client UUID; idempotency"
    )
    text: Annotated[str, CleanText(PROPOSAL_MAX_CHARS)]
    category: ProposalCategoryLit
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: Annotated[str, CleanText(300, min_len=0)] | None = None
    photo_ids: list[Annotated[str, CleanLine(64)]] = Field(default_factory=list, max_length=5)


class ProposalOut(BaseModel):
    id: int
    mine: bool
    client_id: str | None = Field(description="only on the author's own proposals")
    text: str
    category: ProposalCategoryLit
    lat: float | None
    lon: float | None
    address: str | None
    district: str | None
    state: ProposalStateLit
    moderator_note: str | None = Field(description="only on the author's own proposals")
    support_count: int
    supported: bool
    photos: list[MediaOut]
    created_at: datetime
    updated_at: datetime


class ProposalPage(BaseModel):
    items: list[ProposalOut]
    next_before_id: int | None


class OperatorProposalOut(ProposalOut):
    author_name: str | None
    author_phone: str
    moderated_at: datetime | None


class OperatorProposalPage(BaseModel):
    items: list[OperatorProposalOut]
    next_before_id: int | None


class ModerationIn(StrictIn):
    state: Literal["published", "rejected"]
    note: Annotated[str, CleanText(1000, min_len=0)] | None = None

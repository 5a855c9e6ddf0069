"""Public participation (Appendix 2, item 6) as the app sees it: polls, initiatives, proposals.

Plain dataclasses read from the server's JSON (`from_json`) and from the local store; texts that
the server keeps in both languages are picked with `.question(lang)` / `.title(lang)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from app.domain.appeals import PreparedMedia, SyncState
from app.domain.timestamps import parse_time

PollStatus = Literal["draft", "upcoming", "open", "closed"]
InitiativeState = Literal["proposed", "in_progress", "done", "rejected"]
ProposalState = Literal["pending", "published", "rejected"]

PROPOSAL_CATEGORIES: tuple[str, ...] = (
    "landscaping",
    "urban_infrastructure",
    "transport",
    "ecology",
    "social",
    "other",
)
OPEN_INITIATIVE_STATES = frozenset({"proposed", "in_progress"})
PROPOSAL_MAX_CHARS = 2000


def pick(lang: str, kk: str, ru: str) -> str:
    return ru if lang == "ru" else kk


# ---------------------------------------------------------------- polls


@dataclass(frozen=True)
class PollOption:
    id: int
    text_kk: str
    text_ru: str

    def text(self, lang: str) -> str:
        return pick(lang, self.text_kk, self.text_ru)


@dataclass(frozen=True)
class OptionResult:
    option_id: int
    count: int
    share: float


@dataclass(frozen=True)
class PollResults:
    total: int
    options: tuple[OptionResult, ...]


@dataclass(frozen=True)
class Poll:
    id: int
    question_kk: str
    question_ru: str
    multiple: bool
    max_choices: int
    opens_at: datetime
    closes_at: datetime
    districts: tuple[str, ...]
    status: PollStatus
    options: tuple[PollOption, ...]
    my_vote: tuple[int, ...] | None  # as the server knows it
    results: PollResults | None
    can_vote: bool
    # The resident's vote on this device (may not have reached the server yet).
    local_vote: tuple[int, ...] | None = None
    vote_state: SyncState | None = None
    vote_error: str | None = None

    def question(self, lang: str) -> str:
        return pick(lang, self.question_kk, self.question_ru)

    @property
    def voted(self) -> tuple[int, ...] | None:
        """What the resident chose: the server's record, else the vote waiting to be sent."""
        if self.my_vote is not None:
            return self.my_vote
        if self.vote_state in ("pending", "synced"):
            return self.local_vote
        return None

    def is_closed(self, now: datetime) -> bool:
        return self.status == "closed" or self.closes_at <= now

    def votable(self, now: datetime) -> bool:
        return self.can_vote and self.voted is None and not self.is_closed(now)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Poll:
        results = data.get("results")
        return cls(
            id=int(data["id"]),
            question_kk=str(data["question_kk"]),
            question_ru=str(data["question_ru"]),
            multiple=bool(data.get("multiple")),
            max_choices=int(data.get("max_choices") or 1),
            opens_at=parse_time(data["opens_at"]) or datetime.now(UTC),
            closes_at=parse_time(data["closes_at"]) or datetime.now(UTC),
            districts=tuple(data.get("districts") or ()),
            status=data.get("status") or "open",
            options=tuple(
                PollOption(int(o["id"]), str(o["text_kk"]), str(o["text_ru"]))
                for o in data.get("options") or ()
            ),
            my_vote=(tuple(int(i) for i in data["my_vote"]) if data.get("my_vote") else None),
            results=(
                PollResults(
                    total=int(results.get("total") or 0),
                    options=tuple(
                        OptionResult(
                            int(r["option_id"]), int(r["count"]), float(r.get("share") or 0)
                        )
                        for r in results.get("options") or ()
                    ),
                )
                if isinstance(results, dict)
                else None
            ),
            can_vote=bool(data.get("can_vote")),
        )


# ---------------------------------------------------------------- initiatives


@dataclass(frozen=True)
class Initiative:
    id: int
    title_kk: str
    title_ru: str
    description_kk: str
    description_ru: str
    state: InitiativeState
    support_count: int
    supported: bool
    created_at: datetime
    updated_at: datetime
    support_state: SyncState | None = None  # a support/withdrawal waiting on this device
    support_error: str | None = None

    def title(self, lang: str) -> str:
        return pick(lang, self.title_kk, self.title_ru)

    def description(self, lang: str) -> str:
        return pick(lang, self.description_kk, self.description_ru)

    @property
    def open(self) -> bool:
        return self.state in OPEN_INITIATIVE_STATES

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Initiative:
        now = datetime.now(UTC)
        return cls(
            id=int(data["id"]),
            title_kk=str(data["title_kk"]),
            title_ru=str(data["title_ru"]),
            description_kk=str(data.get("description_kk") or ""),
            description_ru=str(data.get("description_ru") or ""),
            state=data.get("state") or "proposed",
            support_count=int(data.get("support_count") or 0),
            supported=bool(data.get("supported")),
            created_at=parse_time(data.get("created_at")) or now,
            updated_at=parse_time(data.get("updated_at")) or now,
        )


# ---------------------------------------------------------------- proposals


@dataclass(frozen=True)
class ProposalCategory:
    code: str
    name_kk: str
    name_ru: str

    def name(self, lang: str) -> str:
        return pick(lang, self.name_kk, self.name_ru)


@dataclass
class NewProposal:
    """What the resident composed; the repository stores it with its outbox entry."""

    text: str
    category: str
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    photo: PreparedMedia | None = None  # resized, EXIF-free, in the app's data dir


@dataclass(frozen=True)
class Proposal:
    key: str  # local key: the client id of the resident's own, "p<id>" for others'
    server_id: int | None
    mine: bool
    text: str
    category: str
    address: str | None
    district: str | None
    state: ProposalState
    moderator_note: str | None
    support_count: int
    supported: bool
    created_at: datetime
    photo_ids: tuple[str, ...] = field(default_factory=tuple)
    lat: float | None = None
    lon: float | None = None
    sync_state: SyncState = "synced"
    sync_error: str | None = None
    photo_path: str | None = None  # the resident's photo on this device until it is uploaded

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Proposal:
        mine = bool(data.get("mine"))
        server_id = int(data["id"])
        client_id = data.get("client_id")
        return cls(
            key=str(client_id) if mine and client_id else f"p{server_id}",
            server_id=server_id,
            mine=mine,
            text=str(data.get("text") or ""),
            category=str(data.get("category") or "other"),
            address=data.get("address"),
            district=data.get("district"),
            state=data.get("state") or "pending",
            moderator_note=data.get("moderator_note"),
            support_count=int(data.get("support_count") or 0),
            supported=bool(data.get("supported")),
            created_at=parse_time(data.get("created_at")) or datetime.now(UTC),
            photo_ids=tuple(str(p["id"]) for p in data.get("photos") or ()),
            lat=data.get("lat"),
            lon=data.get("lon"),
        )

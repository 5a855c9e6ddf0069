"""The contract between the new-appeal flow, the appeals repository and the screens.

A `NewAppeal` is what the resident composed; `AppealsRepository.file()` stores it locally with its
outbox entry in one transaction and returns its client id (a UUID that is also the idempotency
key). Attachments are already prepared on the device (`PreparedMedia`: resized, EXIF-stripped,
copied into the app's data dir) before they reach the repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

AppealType = Literal["consultation", "incident", "proposal", "complaint", "gratitude"]
Status = Literal["created", "assigned", "returned", "reassigned", "in_progress", "closed"]
SyncState = Literal["pending", "synced", "rejected"]
EmergencyService = Literal["101", "102", "103", "104", "112"]


@dataclass(frozen=True)
class PreparedMedia:
    """A photo or video ready to upload: `path` is inside the app's data dir."""

    path: str
    kind: Literal["image", "video"]
    content_type: str
    size: int


@dataclass(frozen=True)
class Position:
    lat: float
    lon: float
    accuracy_m: float | None = None
    source: Literal["gps", "last_known", "address", "map"] = "gps"


@dataclass
class NewAppeal:
    text: str
    subclass_code: str
    type: AppealType = "incident"
    position: Position | None = None
    address: str | None = None
    district: str | None = None
    share_personal: bool = True
    applicant_name: str | None = None
    language: Literal["kk", "ru"] = "kk"
    emergency: bool = False
    emergency_service: EmergencyService | None = None
    media: list[PreparedMedia] = field(default_factory=list)


@dataclass(frozen=True)
class AppealItem:
    """One row of "my appeals" (from the local store)."""

    client_id: str
    server_id: int | None
    number: str | None
    text: str
    type: str
    subclass_code: str
    status: Status
    importance: str | None
    created_at: datetime
    due_at: datetime | None
    overdue: bool
    emergency: bool
    sync_state: SyncState
    sync_error: str | None  # the server's message (in the resident's language) when rejected
    unread: int = 0


# -- following appeals (detail, chat, history, forwards) -----------------------------------------


@dataclass(frozen=True)
class MediaRef:
    """A photo/video of an appeal or message: on the server (`url`) and/or on this device."""

    kind: Literal["image", "video"]
    content_type: str
    url: str | None = None  # server path, e.g. /api/v1/media/<id>
    local_path: str | None = None  # the file on this device while it waits to upload
    role: str = "applicant"  # applicant | chat | after
    pending: bool = False


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor_role: str
    kind: str  # status | reopen | rating | complaint | ...
    from_status: str | None
    to_status: str | None
    note: str | None
    # a line the server wrote (an emergency forward's move) in each language: {"kk", "ru"}
    notes: dict[str, str] | None = None
    # a staff actor's job as the resident is told it ("109 операторы", "орындаушы: …"), in
    # each language {"kk", "ru"}; None for the resident, the system and lines stored before
    actor_titles: dict[str, str] | None = None


@dataclass(frozen=True)
class ChatMessage:
    client_id: str
    server_id: int | None
    author_role: str  # resident | operator | system
    text: str
    created_at: datetime
    read_at: datetime | None
    media: tuple[MediaRef, ...]
    sync_state: SyncState
    sync_error: str | None
    language: str | None = None  # what the text was written in (kk, ru), as the server tells
    # a staff author's job as the resident is told it, {"kk", "ru"} (never a name); None for
    # the resident's own messages and those stored before the server sent it
    author_titles: dict[str, str] | None = None


@dataclass(frozen=True)
class ForwardInfo:
    """An emergency forward: queued here, sent, accepted at a time, or not confirmed (call)."""

    service: EmergencyService
    state: Literal["queued", "pending", "sent", "accepted", "not_confirmed", "failed"]
    phone: str
    call_advised: bool
    accepted_at: datetime | None
    sync_error: str | None = None


@dataclass(frozen=True)
class PendingAction:
    """A resident's action on an appeal still in the outbox (or rejected by the server)."""

    id: int
    kind: str  # create_appeal | send_message | rate | reopen | complain | forward | mark_read
    state: Literal["pending", "in_flight", "rejected"]
    error: str | None
    payload: dict[str, object]


@dataclass(frozen=True)
class AppealDetail:
    item: AppealItem
    class_code: str | None
    service_code: str | None
    address: str | None
    district: str | None
    lat: float | None
    lon: float | None
    closed_at: datetime | None
    result_text: str | None
    reopen_count: int
    rating: int | None
    rating_comment: str | None
    media: tuple[MediaRef, ...]
    history: tuple[HistoryEntry, ...]
    forwards: tuple[ForwardInfo, ...]
    actions: tuple[PendingAction, ...]


@dataclass(frozen=True)
class AppealUpdate:
    """Something the server changed on an appeal that the resident should hear about."""

    client_id: str
    server_id: int | None
    number: str | None
    kind: Literal["status", "message"]
    status: str | None = None
    text: str | None = None

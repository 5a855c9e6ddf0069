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

"""SQLModel tables of the local store. Their DDL lives in `migrations` (the schema's history);
a test checks the two agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class LocalModel(SQLModel, registry=registry()):
    """Base of the local store's tables: their own metadata, apart from any other SQLModel
    tables loaded in the same process (the backend's, in tests)."""


class Setting(LocalModel, table=True):
    """App settings of this device (language, ...): kept across sign-outs."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class AuthSession(LocalModel, table=True):
    """The signed-in resident: at most one row (id = 1). Tokens are never shown in reprs/logs."""

    __tablename__ = "auth_session"

    id: int = Field(default=1, primary_key=True)
    phone: str
    access_token: str = Field(repr=False)
    refresh_token: str = Field(repr=False)
    access_expires_at: datetime | None = None
    user_json: str = "{}"
    signed_in_at: datetime


# -- appeals (issue 4: following appeals; local-first with an outbox) --------------------------


class LocalAppeal(LocalModel, table=True):
    """One of the resident's appeals: filed here (pending until the server numbers it) or
    pulled from the server. `client_id` is the key the server knows it by too."""

    __tablename__ = "appeal"

    client_id: str = Field(primary_key=True)
    server_id: int | None = Field(default=None, unique=True)
    number: str | None = None
    text: str
    type: str = "incident"
    class_code: str | None = None
    subclass_code: str
    service_code: str | None = None
    importance: str | None = None
    importance_raised: bool = False
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    address: str | None = None
    district: str | None = None
    share_personal: bool = True
    applicant_name: str | None = None
    language: str = "kk"
    emergency: bool = False
    emergency_service: str | None = None
    status: str = "created"
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None = None
    closed_at: datetime | None = None
    overdue: bool = False
    result_text: str | None = None
    reopen_count: int = 0
    repeat_count: int = 0
    rating: int | None = None
    rating_comment: str | None = None
    media_json: str = "[]"
    sync_state: str = "pending"  # pending | synced | rejected (of the appeal's creation)
    sync_error: str | None = None
    server_updated_at: datetime | None = None


class LocalMessage(LocalModel, table=True):
    """A chat message on an appeal (the resident's own may still be waiting to send)."""

    __tablename__ = "appeal_message"

    client_id: str = Field(primary_key=True)
    server_id: int | None = Field(default=None, unique=True)
    appeal_client_id: str = Field(foreign_key="appeal.client_id", ondelete="CASCADE")
    author_role: str
    text: str = ""
    created_at: datetime
    read_at: datetime | None = None
    media_json: str = "[]"
    sync_state: str = "pending"
    sync_error: str | None = None
    language: str | None = None  # kk | ru, as the server told it (None: not told)
    author_titles_json: str | None = None  # {"kk": ..., "ru": ...}: a staff author's job


class LocalMedia(LocalModel, table=True):
    """A photo or video on this device waiting to be (or already) uploaded; tus state kept so
    an interrupted upload resumes where the server stopped."""

    __tablename__ = "local_media"

    id: int | None = Field(default=None, primary_key=True)
    owner_kind: str  # appeal | message
    owner_client_id: str = Field(index=True)
    position: int = 0
    path: str
    kind: str  # image | video
    content_type: str
    size: int
    server_media_id: str | None = None
    upload_url: str | None = None
    upload_offset: int = 0
    state: str = "pending"  # pending | uploading | done | failed
    error: str | None = None
    created_at: datetime


class AppealHistoryRow(LocalModel, table=True):
    """The processing history of an appeal as the server last reported it."""

    __tablename__ = "appeal_history"

    id: int | None = Field(default=None, primary_key=True)
    appeal_client_id: str = Field(foreign_key="appeal.client_id", ondelete="CASCADE")
    position: int
    at: datetime
    actor_role: str
    kind: str
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = None
    notes_json: str | None = None  # {"kk": ..., "ru": ...} of a server-written line
    actor_titles_json: str | None = None  # {"kk": ..., "ru": ...}: a staff actor's job


class LocalForward(LocalModel, table=True):
    """The forward of an appeal to an emergency service, and its confirmation state."""

    __tablename__ = "appeal_forward"
    __table_args__ = (UniqueConstraint("appeal_client_id", "service"),)

    id: int | None = Field(default=None, primary_key=True)
    appeal_client_id: str = Field(foreign_key="appeal.client_id", ondelete="CASCADE")
    service: str
    server_id: int | None = Field(default=None, unique=True)
    state: str = "queued"  # queued (not sent) | pending | sent | accepted | not_confirmed | failed
    phone: str
    call_advised: bool = False
    acceptance_id: str | None = None
    accepted_at: datetime | None = None
    sent_at: datetime | None = None
    updated_at: datetime


class OutboxEntry(LocalModel, table=True):
    """One action of the resident waiting to reach the server, in order (`id`).

    The idempotency key is generated once, when the action is written, and sent on every retry.
    """

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # create_appeal | send_message | rate | reopen | complain | forward | mark_read
    target_client_id: str = Field(index=True)  # the appeal the action is about
    entity_client_id: str | None = None  # e.g. the message's client id
    payload_json: str = "{}"
    idempotency_key: str = Field(unique=True)
    priority: int = 0  # higher first (emergencies)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    state: str = "pending"  # pending | in_flight | done | rejected
    last_error: str | None = None
    last_error_code: str | None = None
    created_at: datetime
    updated_at: datetime


class SyncMeta(LocalModel, table=True):
    """Where the pull stands (one row, id = 1)."""

    __tablename__ = "sync_meta"

    id: int = Field(default=1, primary_key=True)
    cursor: int = 0
    etag: str | None = None
    last_synced_at: datetime | None = None
    last_error: str | None = None


# Children before parents (foreign keys), the outbox and the pull cursor last.
APPEAL_TABLES: tuple[str, ...] = (
    "appeal_message",
    "appeal_history",
    "appeal_forward",
    "local_media",
    "appeal",
    "outbox",
    "sync_meta",
)

# -- new appeal (issue 4: composing and filing) -------------------------------------------------


class ClassifierCache(LocalModel, table=True):
    """The classifier as `GET /api/v1/classifier` sent it last (one row, id = 1); kept across
    sign-outs (it is the same for everyone)."""

    __tablename__ = "classifier_cache"

    id: int = Field(default=1, primary_key=True)
    version: str
    etag: str | None = None
    body_json: str
    fetched_at: datetime


class AppealDraft(LocalModel, table=True):
    """The new appeal being composed (one row, id = 1), saved as the resident types."""

    __tablename__ = "appeal_draft"

    id: int = Field(default=1, primary_key=True)
    data_json: str = "{}"
    updated_at: datetime


class ResidentCache(LocalModel, table=True):
    """Small pieces of the resident's data kept for offline use: the profile as the server
    sent it, the last known position."""

    __tablename__ = "resident_cache"

    key: str = Field(primary_key=True)
    value_json: str
    updated_at: datetime


NEW_APPEAL_TABLES: tuple[str, ...] = ("appeal_draft", "resident_cache")

# -- participation and the personal cabinet (issue 6) -------------------------------------------


class LocalPoll(LocalModel, table=True):
    """A poll as the server sent it (`data_json`), and the resident's vote on this device
    (`vote_json`, sent once through the outbox with `vote_client_id` as its idempotency key)."""

    __tablename__ = "poll"

    id: int = Field(primary_key=True)
    data_json: str
    status: str  # upcoming | open | closed
    closes_at: datetime
    vote_json: str | None = None
    vote_client_id: str | None = None
    vote_state: str | None = None  # pending | synced | rejected
    vote_error: str | None = None
    updated_at: datetime


class LocalInitiative(LocalModel, table=True):
    """An initiative of the akimat; `support_wanted` is a support (or withdrawal) waiting to
    be sent."""

    __tablename__ = "initiative"

    id: int = Field(primary_key=True)
    data_json: str
    state: str
    updated_at: datetime
    support_wanted: bool | None = None
    support_state: str | None = None  # pending | synced | rejected
    support_error: str | None = None


class LocalProposal(LocalModel, table=True):
    """A proposal: the resident's own (key = its client id; pending until the server has it) or
    another resident's published one (key = "p<server id>")."""

    __tablename__ = "proposal"

    key: str = Field(primary_key=True)
    server_id: int | None = Field(default=None, unique=True)
    mine: bool = False
    text: str
    category: str
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    district: str | None = None
    state: str = "pending"  # pending | published | rejected (moderation)
    moderator_note: str | None = None
    support_count: int = 0
    supported: bool = False
    photo_ids_json: str = "[]"
    photo_path: str | None = None  # the prepared photo on this device until it is uploaded
    created_at: datetime
    sync_state: str = "synced"  # of the submission: pending | synced | rejected
    sync_error: str | None = None
    support_state: str | None = None
    support_error: str | None = None


class ProfileAddress(LocalModel, table=True):
    """One of the resident's saved addresses (home, work, others). `deleted` marks one whose
    removal still waits to reach the server."""

    __tablename__ = "profile_address"

    key: str = Field(primary_key=True)
    server_id: int | None = Field(default=None, unique=True)
    label: str
    text: str
    lat: float | None = None
    lon: float | None = None
    district: str | None = None
    deleted: bool = False
    sync_state: str = "synced"
    sync_error: str | None = None
    created_at: datetime


PARTICIPATION_TABLES: tuple[str, ...] = ("poll", "initiative", "proposal", "profile_address")

# -- alerts, emergency map, notices (issue 5) ---------------------------------------------------


class AlertCache(LocalModel, table=True):
    """A CAP message that concerns the resident, as the server sent it (`data_json`), with
    its state corrected by later Updates/Cancels; `seen` once its banner was dismissed."""

    __tablename__ = "alert_cache"

    identifier: str = Field(primary_key=True)
    sent: datetime = Field(index=True)
    expires: datetime
    msg_type: str
    state: str
    data_json: str
    seen: bool = False
    received_at: datetime


class NoticeCache(LocalModel, table=True):
    """A notice (planned/emergency works, events) as last sent; `seen` once shown in the list."""

    __tablename__ = "notice_cache"

    id: int = Field(primary_key=True)
    data_json: str
    seen: bool = False
    updated_at: datetime


class SafetyPref(LocalModel, table=True):
    """The resident's choices for notices (districts, topics) and whether they still have to
    reach the server."""

    __tablename__ = "safety_pref"

    key: str = Field(primary_key=True)
    value_json: str
    updated_at: datetime


class ReferenceCache(LocalModel, table=True):
    """Public reference data kept for offline use across sign-outs: the places bundle
    (places + contacts, with its version/ETag), notice topics and districts."""

    __tablename__ = "reference_cache"

    key: str = Field(primary_key=True)
    version: str | None = None
    etag: str | None = None
    value_json: str
    fetched_at: datetime


SAFETY_TABLES: tuple[str, ...] = ("alert_cache", "notice_cache", "safety_pref")

# Tables holding the resident's own data: emptied on sign-out. Later features add theirs here.
RESIDENT_TABLES: tuple[str, ...] = (
    "auth_session",
    *APPEAL_TABLES,
    *NEW_APPEAL_TABLES,
    *PARTICIPATION_TABLES,
    *SAFETY_TABLES,
)

"""Database tables (SQLModel), one module per area; importing this package registers them all.

Times are stored as timezone-aware UTC datetimes (see `base.UTCDateTime`).
"""

from backend_stub.models.accounts import Address, AuthSession, OtpChallenge, PhoneLock, User
from backend_stub.models.alerts import Alert, LastPosition
from backend_stub.models.appeals import Appeal, AppealEvent, Complaint, Message
from backend_stub.models.base import utcnow
from backend_stub.models.emergency import EmergencyForward
from backend_stub.models.media import MediaFile, Upload
from backend_stub.models.notices import Notice, NoticeDistrict
from backend_stub.models.participation import (
    Initiative,
    InitiativeSupport,
    Poll,
    PollBallot,
    PollChoice,
    PollOption,
    Proposal,
    ProposalMedia,
    ProposalSupport,
)
from backend_stub.models.places import Place
from backend_stub.models.push import PushStreamLease
from backend_stub.models.staff import LoginGuard, StaffAccount
from backend_stub.models.sync import FeedEvent, IdempotencyRecord

__all__ = [
    "Address",
    "Alert",
    "Appeal",
    "AppealEvent",
    "AuthSession",
    "Complaint",
    "EmergencyForward",
    "FeedEvent",
    "IdempotencyRecord",
    "Initiative",
    "InitiativeSupport",
    "LastPosition",
    "LoginGuard",
    "MediaFile",
    "Message",
    "Notice",
    "NoticeDistrict",
    "OtpChallenge",
    "PhoneLock",
    "Place",
    "Poll",
    "PollBallot",
    "PollChoice",
    "PollOption",
    "Proposal",
    "ProposalMedia",
    "ProposalSupport",
    "PushStreamLease",
    "StaffAccount",
    "Upload",
    "User",
    "utcnow",
]

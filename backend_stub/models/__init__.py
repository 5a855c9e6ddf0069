"""Database tables (SQLModel), one module per area; importing this package registers them all.

Times are stored as timezone-aware UTC datetimes (see `base.UTCDateTime`).
"""

from backend_stub.models.accounts import Address, AuthSession, OtpChallenge, PhoneLock, User
from backend_stub.models.appeals import Appeal, AppealEvent, Complaint, Message
from backend_stub.models.base import utcnow
from backend_stub.models.media import MediaFile, Upload
from backend_stub.models.sync import FeedEvent, IdempotencyRecord

__all__ = [
    "Address",
    "Appeal",
    "AppealEvent",
    "AuthSession",
    "Complaint",
    "FeedEvent",
    "IdempotencyRecord",
    "MediaFile",
    "Message",
    "OtpChallenge",
    "PhoneLock",
    "Upload",
    "User",
    "utcnow",
]

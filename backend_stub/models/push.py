"""The push streams open now, counted across server processes (PostgreSQL only)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field


class PushStreamLease(SQLModel, table=True):
    """One open push stream, held by the server process serving it.

    The per-resident cap counts these rows, so a stream on one process and one on another count
    together. The holder renews `expires_at` while the stream lives and deletes the row when it
    ends; a row whose holder died (killed process, lost database connection) simply expires, so
    nobody stays locked out. No foreign keys: a lease outlives nothing it names for long, and
    must never stop a resident or a sign-in from being deleted.
    """

    id: str = Field(primary_key=True, max_length=32)
    user_id: int = Field(index=True)
    session_id: int  # its sign-in: a revoked one stops counting at once
    holder: str = Field(max_length=40)  # the serving process's bus origin
    expires_at: datetime = ts_field()

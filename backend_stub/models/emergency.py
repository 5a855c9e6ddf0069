"""Appeals forwarded to the emergency services (101/102/103/104/112) and their confirmation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field, ts_field_opt


class EmergencyForward(SQLModel, table=True):
    """One appeal sent to one service: pending → sent → accepted, or not_confirmed → failed.

    The idempotency key towards the emergency system is `f"{appeal_id}:{service}"`, so a retry
    never opens a second incident there; the unique pair keeps one row here.
    """

    __table_args__ = (UniqueConstraint("appeal_id", "service"),)

    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    service: str = Field(max_length=4)  # 101 | 102 | 103 | 104 | 112
    state: str = Field(default="pending", index=True, max_length=16)
    attempts: int = 0  # POSTs made to the emergency system
    last_error: str | None = Field(default=None, max_length=300)
    external_id: str | None = Field(default=None, max_length=64)  # the system's incident id
    acceptance_id: str | None = Field(default=None, max_length=64)
    accepted_at: datetime | None = ts_field_opt()
    sent_at: datetime | None = ts_field_opt()  # the system's last receipt
    confirm_by: datetime = ts_field()  # no confirmation by then: not_confirmed
    next_attempt_at: datetime | None = ts_field_opt(index=True)  # None: no (re)send planned
    alerted_at: datetime | None = ts_field_opt()  # when the operator was last alerted
    base_url: str = Field(default="", max_length=300)  # public_url.base_url when asked for
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()

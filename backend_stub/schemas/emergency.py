"""Emergency services the app forwards to, and the API shapes of a forward."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from backend_stub.schemas.common import Iso, StrictIn
from backend_stub.text import CleanLine

ServiceLit = Literal["101", "102", "103", "104", "112"]

# The number is also the one to call when the service has not confirmed the forward.
SERVICE_NAMES: dict[str, dict[str, str]] = {
    "101": {"kk": "Өрт сөндіру қызметі", "ru": "Пожарная служба"},
    "102": {"kk": "Полиция", "ru": "Полиция"},
    "103": {"kk": "Жедел медициналық жәрдем", "ru": "Скорая медицинская помощь"},
    "104": {"kk": "Газ апаттық қызметі", "ru": "Аварийная газовая служба"},
    "112": {"kk": "Бірыңғай құтқару қызметі", "ru": "Единая служба спасения"},
}


class ForwardState(StrEnum):
    PENDING = "pending"  # not yet received by the emergency system
    SENT = "sent"  # the system gave a receipt; waiting for the service's confirmation
    ACCEPTED = "accepted"  # the service confirmed acceptance (id and time)
    NOT_CONFIRMED = "not_confirmed"  # no confirmation in time: retried, operator alerted
    FAILED = "failed"  # retries used up: the operator and the resident must call


StateLit = Literal["pending", "sent", "accepted", "not_confirmed", "failed"]


class ForwardIn(StrictIn):
    service: ServiceLit = Field(description="101 fire, 102 police, 103 ambulance, 104 gas, 112")


class ForwardOut(BaseModel):
    id: int
    appeal_id: int
    service: str
    service_name: dict[str, str] = Field(description="{kk, ru}")
    phone: str = Field(description="the number to call, e.g. 103")
    state: StateLit
    call_advised: bool = Field(description="not confirmed: the resident should call the number")
    attempts: int
    external_id: str | None = Field(description="the emergency system's incident id")
    acceptance_id: str | None
    accepted_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CallbackIn(StrictIn):
    """The emergency system confirms acceptance of an incident."""

    idempotency_key: Annotated[str, CleanLine(40, min_len=3)] = Field(examples=["12:103"])
    incident_id: Annotated[str, CleanLine(64)]
    acceptance_id: Annotated[str, CleanLine(64)]
    accepted_at: Iso


class CallbackOut(BaseModel):
    state: StateLit

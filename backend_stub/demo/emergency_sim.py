"""A simulated emergency services' system, for development only (mounted at /sim/emergency).

It receives incidents the way the adapter sends them (`X-Emergency-Key`), once per idempotency
key: a repeated POST answers with the same incident (200 instead of 201) and only counts the
repeat. After `emergency_confirm_delay_s` the service "accepts" it: the incident's status turns
`accepted` with an acceptance id and time, and the simulator calls the incident's
`callback_url` with its `callback_secret` in `X-Emergency-Secret`. With `emergency_sim_fail` it
receives incidents but never confirms them. State lives in memory, per app.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, Field

from backend_stub.config import Settings
from backend_stub.deps import SettingsDep, require_dev
from backend_stub.errors import ApiError
from backend_stub.models import utcnow
from backend_stub.schemas.emergency import ServiceLit
from backend_stub.security import same
from backend_stub.services import emergency_adapter as adapter

log = logging.getLogger("city109.emergency.sim")

_state_lock = threading.Lock()


class SimLocation(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = None


class SimIncidentIn(BaseModel):
    idempotency_key: str = Field(min_length=3, max_length=40)
    service: ServiceLit
    appeal_number: str = Field(min_length=1, max_length=32)
    text: str = Field(min_length=1, max_length=4000)
    location: SimLocation | None = None
    applicant: dict[str, str] | None = None
    address: str | None = Field(default=None, max_length=300)
    media: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    language: str = "kk"
    reported_at: datetime | None = None
    callback_url: str | None = Field(default=None, max_length=500)
    callback_secret: str | None = Field(default=None, max_length=128)


class SimIncidentOut(BaseModel):
    incident_id: str
    idempotency_key: str
    status: str
    received_at: datetime
    acceptance_id: str | None
    accepted_at: datetime | None
    posts: int
    payload: dict[str, Any]


@dataclass
class SimIncident:
    incident_id: str
    data: SimIncidentIn
    received_at: datetime
    accept_at: datetime | None  # None: this service never confirms
    acceptance_id: str
    posts: int = 1

    def accepted(self, now: datetime) -> bool:
        return self.accept_at is not None and now >= self.accept_at

    def out(self, now: datetime) -> SimIncidentOut:
        done = self.accepted(now)
        return SimIncidentOut(
            incident_id=self.incident_id,
            idempotency_key=self.data.idempotency_key,
            status="accepted" if done else "received",
            received_at=self.received_at,
            acceptance_id=self.acceptance_id if done else None,
            accepted_at=self.accept_at if done else None,
            posts=self.posts,
            payload=self.data.model_dump(mode="json"),
        )


@dataclass
class SimState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    by_key: dict[str, SimIncident] = field(default_factory=dict)
    by_id: dict[str, SimIncident] = field(default_factory=dict)
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


def sim_state(request: Request) -> SimState:
    with _state_lock:
        state: SimState | None = getattr(request.app.state, "emergency_sim", None)
        if state is None:
            state = SimState()
            request.app.state.emergency_sim = state
        return state


def _check_key(settings: Settings, key: str | None) -> None:
    if not key or not same(key, adapter.api_key(settings)):
        raise ApiError(401, "not_authenticated")


KeyHeader = Annotated[str | None, Header(alias=adapter.API_KEY_HEADER)]
State = Annotated[SimState, Depends(sim_state)]

router = APIRouter(prefix="/sim/emergency", tags=["dev"], dependencies=[Depends(require_dev)])


async def _confirm_later(incident: SimIncident) -> None:
    """The service's confirmation pushed to the callback URL once the delay has passed."""
    assert incident.accept_at is not None
    url, secret = incident.data.callback_url, incident.data.callback_secret
    if not url or not secret:
        return
    await asyncio.sleep(max((incident.accept_at - utcnow()).total_seconds(), 0.0))
    body = {
        "idempotency_key": incident.data.idempotency_key,
        "incident_id": incident.incident_id,
        "acceptance_id": incident.acceptance_id,
        "accepted_at": incident.accept_at.isoformat(),
    }
    headers = {adapter.CALLBACK_HEADER: secret}
    try:
        async with httpx.AsyncClient(timeout=adapter.TIMEOUT) as client:
            r = await client.post(url, json=body, headers=headers)
        log.info("sim: confirmed %s → %s", incident.incident_id, r.status_code)
    except httpx.HTTPError as exc:  # the stub polls the status as well
        log.info("sim: confirmation of %s not delivered: %s", incident.incident_id, exc)


@router.post("/incidents", response_model=SimIncidentOut, status_code=201)
async def receive(
    body: SimIncidentIn,
    settings: SettingsDep,
    state: State,
    response: Response,
    key: KeyHeader = None,
) -> SimIncidentOut:
    """Receive an incident; the same idempotency key answers with the same incident (200)."""
    _check_key(settings, key)
    now = utcnow()
    with state.lock:
        incident = state.by_key.get(body.idempotency_key)
        if incident is not None:
            incident.posts += 1
            response.status_code = 200
            return incident.out(now)
        number = next(state.numbers)
        delay = timedelta(seconds=max(settings.emergency_confirm_delay_s, 0.0))
        incident = SimIncident(
            incident_id=f"INC-{body.service}-{number:06d}",
            data=body,
            received_at=now,
            accept_at=None if settings.emergency_sim_fail else now + delay,
            acceptance_id=f"ACC-{body.service}-{number:06d}",
        )
        state.by_key[body.idempotency_key] = incident
        state.by_id[incident.incident_id] = incident
    if incident.accept_at is not None:
        task = asyncio.create_task(_confirm_later(incident))
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)
    return incident.out(now)


@router.get("/incidents", response_model=list[SimIncidentOut])
def incidents(settings: SettingsDep, state: State, key: KeyHeader = None) -> list[SimIncidentOut]:
    """Every incident received, for inspection."""
    _check_key(settings, key)
    now = utcnow()
    with state.lock:
        return [i.out(now) for i in state.by_id.values()]


@router.get("/incidents/{incident_id}", response_model=SimIncidentOut)
def incident(
    incident_id: str, settings: SettingsDep, state: State, key: KeyHeader = None
) -> SimIncidentOut:
    _check_key(settings, key)
    with state.lock:
        found = state.by_id.get(incident_id)
        if found is None:
            raise ApiError(404, "not_found")
        return found.out(utcnow())

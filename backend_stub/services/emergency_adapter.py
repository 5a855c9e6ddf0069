"""The integration adapter towards the emergency services' system (SPEC Appendix 2, 30-1).

What goes out (one JSON POST to `{system}/incidents`, `X-Emergency-Key` header):
`idempotency_key` (`"{appeal_id}:{service}"` — the system answers a repeat with the same
incident), `service`, `appeal_number`, the appeal `text`, the automatically determined
`location` (`lat`, `lon`, `accuracy_m`), the `applicant` (`name` and/or `phone`, only what the
resident chose to share), the incident `address`, `media` (absolute URLs of
`/api/v1/media/{id}` for the resident's photos and videos), `language`, `reported_at`, the
`callback_url` the system confirms acceptance to (`POST`), and the `callback_secret` it presents
there in the `X-Emergency-Secret` header: one per incident (a keyed hash of its idempotency key),
so a secret that leaks confirms that incident only. Every URL starts with PUBLIC_BASE_URL
(`public_url`), never with what a request's headers said.

What comes back: `{incident_id, status: received|accepted, acceptance_id, accepted_at}`, from
the POST and from `GET {system}/incidents/{incident_id}` (polled while no callback came).
Transport errors, timeouts, non-2xx answers and malformed bodies are `EmergencySystemError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import AwareDatetime, BaseModel, ValidationError
from sqlmodel import Session

from backend_stub.config import Settings
from backend_stub.crud.emergency import idempotency_key
from backend_stub.crud.media import media_for_appeal
from backend_stub.models import Appeal, EmergencyForward
from backend_stub.security import keyed_hash

API_KEY_HEADER = "X-Emergency-Key"
CALLBACK_HEADER = "X-Emergency-Secret"
TIMEOUT = httpx.Timeout(5.0, connect=3.0)  # the client's (see `new_client`)
SIM_PATH = "/sim/emergency"
CALLBACK_PATH = "/api/v1/emergency/callback"


class EmergencySystemError(Exception):
    """The system did not give a usable answer; the message is kept as the forward's error."""


class IncidentReply(BaseModel):
    incident_id: str
    status: Literal["received", "accepted"]
    acceptance_id: str | None = None
    accepted_at: AwareDatetime | None = None


@dataclass(frozen=True)
class Incident:
    incident_id: str
    accepted: tuple[str, datetime] | None  # (acceptance id, time) once the service confirmed


def api_key(settings: Settings) -> str:
    """What this server presents to the emergency system (derived from the secret key)."""
    return keyed_hash(settings.secret_key, "emergency-api")


def callback_secret(settings: Settings, key: str) -> str:
    """What the emergency system presents when it confirms the incident with idempotency key
    `key` (derived from the secret key: nothing to store, and good for that incident only)."""
    return keyed_hash(settings.secret_key, "emergency-callback", key)


def base_url(settings: Settings, fwd: EmergencyForward) -> str:
    """This server as the emergency system reaches it: PUBLIC_BASE_URL, or in dev without one
    the address the forward was asked for at (see `public_url.base_url`)."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    if not settings.is_dev or not fwd.base_url:
        raise EmergencySystemError("PUBLIC_BASE_URL is not set")
    return fwd.base_url.rstrip("/")


def system_url(settings: Settings, fwd: EmergencyForward) -> str:
    """The configured system, else (dev) this server's own simulator."""
    if settings.emergency_system_url:
        return settings.emergency_system_url.rstrip("/")
    if not settings.is_dev:
        raise EmergencySystemError("EMERGENCY_SYSTEM_URL is not set")
    return base_url(settings, fwd) + SIM_PATH


def build_payload(
    db: Session, settings: Settings, fwd: EmergencyForward, appeal: Appeal
) -> dict[str, Any]:
    assert appeal.id is not None
    base = base_url(settings, fwd)
    key = idempotency_key(appeal.id, fwd.service)
    location = None
    if appeal.lat is not None and appeal.lon is not None:
        location = {"lat": appeal.lat, "lon": appeal.lon, "accuracy_m": appeal.accuracy_m}
    applicant: dict[str, str] = {}
    if appeal.share_personal:
        if appeal.applicant_name:
            applicant["name"] = appeal.applicant_name
        if appeal.applicant_phone:
            applicant["phone"] = appeal.applicant_phone
    media = [
        {"url": f"{base}/api/v1/media/{m.id}", "kind": m.kind, "content_type": m.content_type}
        for m in media_for_appeal(db, appeal_id=appeal.id)
        if m.role == "applicant" and m.message_id is None
    ]
    return {
        "idempotency_key": key,
        "service": fwd.service,
        "appeal_number": appeal.number,
        "text": appeal.text,
        "location": location,
        "applicant": applicant or None,
        "address": appeal.address,
        "media": media,
        "language": appeal.language,
        "reported_at": appeal.created_at.isoformat(),
        "callback_url": base + CALLBACK_PATH,
        "callback_secret": callback_secret(settings, key),
    }


def new_client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT)


def _incident(response: httpx.Response) -> Incident:
    if not response.is_success:
        raise EmergencySystemError(f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        reply = IncidentReply.model_validate_json(response.content)
    except ValidationError as exc:
        raise EmergencySystemError(f"malformed answer: {exc.errors()[:1]}") from exc
    accepted = None
    if reply.status == "accepted" and reply.acceptance_id and reply.accepted_at:
        accepted = (reply.acceptance_id, reply.accepted_at)
    return Incident(incident_id=reply.incident_id, accepted=accepted)


def _call(client: httpx.Client, method: str, url: str, **kw: Any) -> Incident:
    try:
        response = client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        raise EmergencySystemError(f"{type(exc).__name__}: {exc}"[:300]) from exc
    return _incident(response)


def submit(client: httpx.Client, settings: Settings, url: str, payload: dict[str, Any]) -> Incident:
    """Hand the incident over; the same idempotency key always yields the same incident."""
    headers = {API_KEY_HEADER: api_key(settings)}
    return _call(client, "POST", f"{url}/incidents", json=payload, headers=headers)


def status(client: httpx.Client, settings: Settings, url: str, incident_id: str) -> Incident:
    """The incident as the system sees it now (accepted or not)."""
    headers = {API_KEY_HEADER: api_key(settings)}
    path = quote(incident_id, safe="")
    return _call(client, "GET", f"{url}/incidents/{path}", headers=headers)

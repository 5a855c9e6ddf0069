"""What residents see of forwards to the emergency services: `ForwardOut` and the sync-feed
rows."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from backend_stub.crud.appeals import of_own_appeals
from backend_stub.crud.emergency import ALERT_STATES
from backend_stub.models import EmergencyForward, User
from backend_stub.schemas.emergency import SERVICE_NAMES, ForwardOut


def forward_out(fwd: EmergencyForward) -> ForwardOut:
    assert fwd.id is not None
    return ForwardOut(
        id=fwd.id,
        appeal_id=fwd.appeal_id,
        service=fwd.service,
        service_name=SERVICE_NAMES[fwd.service],
        phone=fwd.service,
        state=fwd.state,
        call_advised=fwd.state in ALERT_STATES,
        attempts=fwd.attempts,
        external_id=fwd.external_id,
        acceptance_id=fwd.acceptance_id,
        accepted_at=fwd.accepted_at,
        sent_at=fwd.sent_at,
        created_at=fwd.created_at,
        updated_at=fwd.updated_at,
    )


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """The sync feed's loader: the caller's own forwards among `ids`, as the app shows them."""
    wanted = [int(i) for i in ids if i.isdigit()]
    rows = of_own_appeals(db, model=EmergencyForward, user=user, ids=wanted)
    return [forward_out(f).model_dump(mode="json") for f in rows]

"""What residents and operators see of proposals: `ProposalOut`, `OperatorProposalOut` and the
sync-feed rows (a tombstone for one the resident may no longer see)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from backend_stub.crud.proposals import can_see, photos_of, proposals_by_ids, supported_ids
from backend_stub.models import Proposal, User
from backend_stub.presenters.media import media_out
from backend_stub.schemas.participation import OperatorProposalOut, ProposalOut


def photo_url(proposal_id: int, media_id: str) -> str:
    return f"/api/v1/proposals/{proposal_id}/photos/{media_id}"


def _fields(db: Session, proposal: Proposal, *, own: bool, supported: bool) -> dict[str, Any]:
    assert proposal.id is not None
    pid = proposal.id
    return {
        "id": pid,
        "mine": own,
        "client_id": proposal.client_id if own else None,
        "text": proposal.text,
        "category": proposal.category,
        "lat": proposal.lat,
        "lon": proposal.lon,
        "address": proposal.address,
        "district": proposal.district,
        "state": proposal.state,
        "moderator_note": proposal.moderator_note if own else None,
        "support_count": proposal.support_count,
        "supported": supported,
        "photos": [
            media_out(m, role="proposal", url=photo_url(pid, m.id))
            for m in photos_of(db, proposal_id=pid)
        ],
        "created_at": proposal.created_at,
        "updated_at": proposal.updated_at,
    }


def proposal_out(
    db: Session, proposal: Proposal, user: User, *, supported: bool | None = None
) -> ProposalOut:
    assert proposal.id is not None and user.id is not None
    if supported is None:
        supported = bool(supported_ids(db, user_id=user.id, ids=[proposal.id]))
    own = proposal.user_id == user.id
    return ProposalOut(**_fields(db, proposal, own=own, supported=supported))


def outs_for(db: Session, user: User, rows: list[Proposal]) -> list[ProposalOut]:
    assert user.id is not None
    mine = supported_ids(db, user_id=user.id, ids=[p.id for p in rows if p.id is not None])
    return [proposal_out(db, p, user, supported=p.id in mine) for p in rows]


def operator_out(db: Session, proposal: Proposal) -> OperatorProposalOut:
    author = db.get(User, proposal.user_id)
    assert author is not None
    return OperatorProposalOut(
        **_fields(db, proposal, own=True, supported=False),
        author_name=author.full_name,
        author_phone=author.phone,
        moderated_at=proposal.moderated_at,
    )


# ---------------------------------------------------------------- sync feed


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """The sync loader: proposals the resident may see. One they may no longer see (taken down
    by a moderator) comes as a tombstone `{"id": …, "removed": true}` so the client drops it."""
    rows = proposals_by_ids(db, ids=[int(i) for i in ids if i.isdigit()])
    seen = [p for p in rows if can_see(user, p)]
    out: list[dict[str, Any]] = [o.model_dump(mode="json") for o in outs_for(db, user, seen)]
    out += [{"id": p.id, "removed": True} for p in rows if not can_see(user, p)]
    return out

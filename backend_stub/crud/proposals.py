"""Residents' proposals: submitted with optional place and photos, moderated by operators,
supported once per resident.

Everyone sees published proposals; an author also sees their own in any state, with the
moderator's note. The sync feed gets a row for the author on every change of their proposal and
a public row whenever a proposal becomes (or stops being) published.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from backend_stub.crud import feed
from backend_stub.crud.participation import Support
from backend_stub.crud.records import counts_by, get_or_404, newest_first
from backend_stub.errors import ApiError
from backend_stub.geo import district_for
from backend_stub.models import MediaFile, Proposal, ProposalMedia, ProposalSupport, User, utcnow
from backend_stub.schemas.participation import (
    PROPOSAL_MAX_CHARS,
    ModerationIn,
    ProposalIn,
)
from backend_stub.text import clean_text

FEED_ENTITY = "proposal"


# ---------------------------------------------------------------- creating


def attach_photos(db: Session, *, owner_id: int, proposal_id: int, media_ids: list[str]) -> None:
    """Link the owner's uploaded photos to a proposal; all or none (422 otherwise).

    A file of someone else, one already attached to an appeal, a message or another proposal,
    or an unknown id → media_not_yours; a video → proposal_photo_only.
    """
    wanted = list(dict.fromkeys(media_ids))
    if not wanted:
        return
    found = {m.id: m for m in db.exec(select(MediaFile).where(col(MediaFile.id).in_(wanted)))}
    linked = {
        link.media_id: link.proposal_id
        for link in db.exec(select(ProposalMedia).where(col(ProposalMedia.media_id).in_(wanted)))
    }
    for media_id in wanted:
        media = found.get(media_id)
        taken = media is not None and (
            media.appeal_id is not None
            or media.message_id is not None
            or linked.get(media_id, proposal_id) != proposal_id
        )
        if media is None or media.owner_id != owner_id or taken:
            raise ApiError(422, "media_not_yours", details={"media_id": media_id})
        if media.kind != "image":
            raise ApiError(422, "proposal_photo_only", details={"media_id": media_id})
    for position, media_id in enumerate(wanted):
        if media_id not in linked:
            db.add(ProposalMedia(media_id=media_id, proposal_id=proposal_id, position=position))


def create_proposal(db: Session, *, user: User, data: ProposalIn) -> Proposal:
    """A new pending proposal; the caller commits (nothing is stored if any check fails)."""
    assert user.id is not None
    text = clean_text(data.text, max_len=PROPOSAL_MAX_CHARS)
    address = clean_text(data.address, max_len=300, field="address") if data.address else None
    if (data.lat is None) != (data.lon is None):
        raise ApiError(422, "coordinates_incomplete")
    district = None
    if data.lat is not None and data.lon is not None:
        district = district_for(data.lat, data.lon)
    proposal = Proposal(
        user_id=user.id,
        client_id=data.client_id,
        text=text,
        category=data.category,
        lat=data.lat,
        lon=data.lon,
        address=address,
        district=district,
    )
    db.add(proposal)
    db.flush()
    assert proposal.id is not None
    attach_photos(db, owner_id=user.id, proposal_id=proposal.id, media_ids=data.photo_ids)
    feed.record(db, user_id=user.id, entity=FEED_ENTITY, entity_id=proposal.id)
    return proposal


# ---------------------------------------------------------------- reading


def can_see(user: User, proposal: Proposal) -> bool:
    return proposal.state == "published" or proposal.user_id == user.id or user.role == "operator"


def visible_proposal(db: Session, *, user: User, proposal_id: int) -> Proposal:
    """A published proposal or the caller's own; anything else is simply not found."""
    proposal = db.get(Proposal, proposal_id)
    if proposal is None or not can_see(user, proposal):
        raise ApiError(404, "not_found")
    return proposal


def get_proposal(db: Session, *, proposal_id: int) -> Proposal:
    return get_or_404(db, model=Proposal, key=proposal_id)


def list_visible(
    db: Session,
    *,
    user: User,
    mine: bool,
    category: str | None,
    before_id: int | None,
    limit: int,
) -> list[Proposal]:
    """Newest first: published ones and the caller's own (only their own with `mine`)."""
    if mine:
        query = select(Proposal).where(Proposal.user_id == user.id)
    else:
        query = select(Proposal).where(
            or_(col(Proposal.state) == "published", col(Proposal.user_id) == user.id)
        )
    if category:
        query = query.where(Proposal.category == category)
    return newest_first(db, query=query, key=col(Proposal.id), before_id=before_id, limit=limit)


def list_for_operator(
    db: Session, *, state: str | None, before_id: int | None, limit: int
) -> list[Proposal]:
    query = select(Proposal)
    if state:
        query = query.where(Proposal.state == state)
    return newest_first(db, query=query, key=col(Proposal.id), before_id=before_id, limit=limit)


def count_by_state(db: Session) -> dict[str, int]:
    """How many proposals are in each state."""
    return counts_by(db, column=col(Proposal.state))


def photos_of(db: Session, *, proposal_id: int) -> list[MediaFile]:
    return list(
        db.exec(
            select(MediaFile)
            .join(ProposalMedia, col(ProposalMedia.media_id) == MediaFile.id)
            .where(ProposalMedia.proposal_id == proposal_id)
            .order_by(col(ProposalMedia.position))
        ).all()
    )


def photo_of(db: Session, *, user: User, proposal_id: int, media_id: str) -> MediaFile:
    """A photo of a proposal the caller may see; 404 otherwise."""
    proposal = visible_proposal(db, user=user, proposal_id=proposal_id)
    link = db.get(ProposalMedia, media_id) if 0 < len(media_id) <= 32 else None
    media = db.get(MediaFile, media_id) if link is not None else None
    if link is None or link.proposal_id != proposal.id or media is None:
        raise ApiError(404, "not_found")
    return media


SUPPORT = Support(Proposal, ProposalSupport, "proposal_id", FEED_ENTITY)
supported_ids = SUPPORT.supported_ids


# ---------------------------------------------------------------- moderation and support


def moderate(db: Session, *, operator: User, proposal: Proposal, data: ModerationIn) -> Proposal:
    """Publish or reject (a rejection needs a note the author will read); the caller commits."""
    assert proposal.id is not None
    note = data.note.strip() if data.note else ""
    note = clean_text(note, max_len=1000, field="note") if note else ""
    if data.state == "rejected" and not note:
        raise ApiError(422, "moderation_note_required")
    was_public = proposal.state == "published"
    now = utcnow()
    proposal.state = data.state
    proposal.moderator_note = note or None
    proposal.moderated_by = operator.id
    proposal.moderated_at = now
    proposal.updated_at = now
    db.add(proposal)
    feed.record(db, user_id=proposal.user_id, entity=FEED_ENTITY, entity_id=proposal.id)
    if was_public or data.state == "published":
        feed.record(db, user_id=None, entity=FEED_ENTITY, entity_id=proposal.id)
    return proposal


def support(db: Session, *, user: User, proposal: Proposal) -> Proposal:
    """Support a published proposal once (again changes nothing); the caller commits."""
    assert proposal.id is not None and user.id is not None
    refusal = None if proposal.state == "published" else "proposal_not_published"
    return SUPPORT.give(db, user_id=user.id, target=proposal, refusal=refusal)


def withdraw(db: Session, *, user: User, proposal: Proposal) -> Proposal:
    """Take one's support back (withdrawing twice changes nothing); the caller commits."""
    assert proposal.id is not None and user.id is not None
    return SUPPORT.take_back(db, user_id=user.id, target=proposal)


def proposals_by_ids(db: Session, *, ids: list[int]) -> list[Proposal]:
    if not ids:
        return []
    return list(db.exec(select(Proposal).where(col(Proposal.id).in_(ids))).all())
